"""Valid datasets of our three types, for tests: builders of ``package_create`` data dicts
(made-up values; only the INEGI locality keys are real). Override any field with keyword
arguments."""
from __future__ import annotations

import datetime


def obra(org, **fields):
    data = {
        "type": "obra", "owner_org": org["id"], "name": "pavimentacion-los-mangos",
        "title": "Pavimentación de la calle principal de Los Mangos",
        "clave_obra": "HUE-2025-FISM-013", "ejercicio_fiscal": "2025",
        "comunidades": ["300730030"], "etapa": "planeacion", "rubro_fais": "urbanizacion",
        "fuentes_financiamiento": [{"fuente": "fism", "monto": "$1,234,567.89"}],
        "monto_aprobado": "$1,234,567.89", "fecha_inicio": "2025-03-01",
        "fecha_termino_programada": "2025-09-30",
    }
    data.update(fields)
    return data


def convocatoria(org, **fields):
    data = {
        "type": "convocatoria", "owner_org": org["id"], "name": "proyectos-comunitarios-2026",
        "title": "Convocatoria de proyectos comunitarios 2026",
        "tipo_convocatoria": "propuesta_proyecto", "folio": "PC-2026-01",
        "objeto": "Recibir propuestas de obra de las comunidades.",
        "comunidades": ["30073"], "fecha_apertura": "2026-03-01",
        "fecha_cierre": "2026-03-31", "fecha_resultados": "2026-04-15",
    }
    data.update(fields)
    return data


def programa(org, **fields):
    data = {
        "type": "programa-social", "owner_org": org["id"], "name": "apoyo-productores-2025",
        "title": "Apoyo a productores de maíz 2025", "clave_programa": "DA-2025-02",
        "ejercicio_fiscal": "2025", "comunidades": ["300730029"], "tipo_programa": "especie",
        "vigencia_inicio": "2025-02-01", "vigencia_fin": "2025-11-30",
        "monto_aprobado": "420,000",
    }
    data.update(fields)
    return data


def dia(dias: int) -> str:
    """The date ``dias`` days from today in the municipality (negative: in the past), ISO."""
    from ckanext.hueyapan import comun

    return (comun.today() + datetime.timedelta(days=dias)).isoformat()


def area_obras(**fields):
    """The organization "Obras Públicas" for browser tests: no image (nothing leaves the machine)
    and a fixed Spanish description (the factory's random English text would show on pages that
    the English-string check reads)."""
    from ckan.tests import factories

    data = {"name": "obras-publicas", "title": "Obras Públicas", "image_url": "",
            "description": "Dirección de Obras Públicas del municipio (datos de ejemplo)."}
    data.update(fields)
    return factories.Organization(**data)
