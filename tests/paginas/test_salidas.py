"""Every output of the catalog finds the same datasets for the same filter.

One catalog for the whole module (built by the first test that asks for it): for each type,
datasets for every value of its facets, every red flag (static: sobrecosto,
adjudicacion_directa, sin_consulta; date-dependent: retraso, sin_finiquito), every estado of a
convocatoria, and private datasets with the same values, which no anonymous output may show.
The table is the one ``ckan hueyapan salidas`` prints (``salidas.tabla``): the search page,
``package_search``, the CSV and XLSX exports, ``hueyapan_resumen``, the OC4IDS package, the Atom
feeds, the community pages and the home page's figures must agree, and agree with what the
catalog holds (counted here from each dataset as ``package_show`` returns it).
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.hueyapan.busqueda import filtros, indice
from ckanext.hueyapan.paginas import salidas
from ckanext.hueyapan.reglas import alertas
from tests.fabricas import convocatoria, dia, obra, programa

LOS_MANGOS, EL_AGUACATE, CABECERA, MUNICIPIO = "300730030", "300730002", "300730001", "30073"
COMUNIDADES = (LOS_MANGOS, EL_AGUACATE, CABECERA)
ETAPAS = ("planeacion", "contratacion", "ejecucion", "suspendida", "concluida", "finiquitada",
          "cancelada")
RUBROS = ("agua_potable", "alcantarillado", "drenaje_letrinas", "urbanizacion",
          "electrificacion", "salud", "educacion", "vivienda", "no_aplica")
FUENTES = ("fism", "fortamun", "fais_indigena", "participaciones", "recursos_propios", "estatal",
           "federal_convenido", "aportacion_comunitaria")
TIPOS_PROGRAMA = ("transferencia", "especie", "servicios", "infraestructura_social", "subsidio",
                  "mixto")
ENFOQUES = ("genero", "indigena", "ninez", "discapacidad", "personas_mayores", "juventud")
TIPOS_CONVOCATORIA = ("licitacion_obra", "invitacion_obra", "propuesta_proyecto",
                      "programa_social", "participacion_ciudadana", "empleo")
#: (apertura, cierre, resultados) in days from today, by the estado they give.
FECHAS = {"proxima": (10, 20, 30), "abierta": (-3, 9, 20), "cerrada": (-30, -10, 10),
          "resuelta": (-60, -30, -10)}
CONSULTA = [{"fecha": "2025-02-10", "lugar": "Agencia municipal", "asistentes_mujeres": "10",
             "asistentes_hombres": "9"}]

pytestmark = [pytest.mark.usefixtures("with_plugins"),
              pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "false")]


def _obras(org: dict[str, Any]) -> list[dict[str, Any]]:
    """Nine obras: every stage, FAIS category and funding source; each red flag on some."""
    result = []
    for i, rubro in enumerate(RUBROS):
        etapa = ETAPAS[i % len(ETAPAS)]
        late = i % 2 == 0  # scheduled end 200 days ago: retraso while open, sin_finiquito
        data = obra(
            org, name=f"obra-{i}", clave_obra=f"HUE-2025-FISM-{i:03d}",
            title=f"Obra {i}: {rubro.replace('_', ' ')} (datos de prueba)",
            etapa=etapa, rubro_fais=rubro, ejercicio_fiscal=("2024", "2025", "2026")[i % 3],
            comunidades=[COMUNIDADES[i % 3]],
            fuentes_financiamiento=[{"fuente": FUENTES[i % len(FUENTES)], "monto": "1,000,000"}],
            monto_aprobado="1,000,000", fecha_inicio=dia(-400 if late else -30),
            fecha_termino_programada=dia(-200 if late else 60))
        if i in (0, 4):
            data.update(monto_contratado="1,000,000", monto_modificado="1,300,000")
        if i in (1, 5, 8):
            data["modalidad_contratacion"] = "adjudicacion_directa"
        if i in (2, 3):
            data["consultas"] = CONSULTA
        if etapa == "concluida":
            data["fecha_termino_real"] = dia(-150)  # ended 50 days late: a fixed delay
        if i == 1:
            data["resources"] = [{"name": "Contrato", "url": "https://datos.ejemplo.invalid/c.pdf",
                                  "format": "PDF", "tipo_recurso": "contrato"}]
        result.append(data)
    return result


def _programas(org: dict[str, Any]) -> list[dict[str, Any]]:
    return [programa(
        org, name=f"programa-{i}", clave_programa=f"DA-2025-{i:02d}", title=f"Programa {i}",
        tipo_programa=tipo, enfoque=[ENFOQUES[i]], ejercicio_fiscal=("2025", "2026")[i % 2],
        comunidades=[COMUNIDADES[i % 3]], vigencia_inicio=dia(-30), vigencia_fin=dia(200))
        for i, tipo in enumerate(TIPOS_PROGRAMA)]


def _convocatorias(org: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for i, tipo in enumerate(TIPOS_CONVOCATORIA):
        apertura, cierre, resultados = FECHAS[list(FECHAS)[i % 4]]
        result.append(convocatoria(
            org, name=f"convocatoria-{i}", folio=f"PC-2026-{i:02d}", title=f"Convocatoria {i}",
            tipo_convocatoria=tipo, comunidades=[(MUNICIPIO, LOS_MANGOS, EL_AGUACATE)[i % 3]],
            fecha_apertura=dia(apertura), fecha_cierre=dia(cierre),
            fecha_resultados=dia(resultados)))
    return result


def _privados(org: dict[str, Any]) -> list[dict[str, Any]]:
    """Drafts with the values and flags of public ones: no anonymous output shows them."""
    return [
        obra(org, name="obra-privada", clave_obra="HUE-2025-FISM-999", private=True,
             etapa="ejecucion", modalidad_contratacion="adjudicacion_directa",
             monto_contratado="1,000,000", monto_modificado="2,000,000",
             fecha_inicio=dia(-400), fecha_termino_programada=dia(-200)),
        programa(org, name="programa-privado", clave_programa="DA-2025-99", private=True,
                 enfoque=["genero"]),
        convocatoria(org, name="convocatoria-privada", folio="PC-2026-99", private=True,
                     fecha_apertura=dia(-3), fecha_cierre=dia(9), fecha_resultados=dia(20)),
    ]


@pytest.fixture(scope="module")
def _hecho() -> dict[str, Any]:
    return {}


@pytest.fixture
def catalogo(_hecho, with_plugins, reset_db, reset_index, migrate_db_for):
    """The module's catalog, built once (the tests of this module only read it)."""
    if _hecho:
        return _hecho
    from ckanext.hueyapan.paginas import cifras
    from tests.conftest import catalogo_vacio

    catalogo_vacio(reset_db, migrate_db_for, reset_index)
    cifras.invalidate()
    sysadmin = factories.Sysadmin()
    call_action("hueyapan_comunidad_update", {"user": sysadmin["name"]}, id=EL_AGUACATE,
                indigena="true", pueblos_indigenas="Popoluca")
    obras = factories.Organization(name="obras-publicas", title="Obras Públicas")
    bienestar = factories.Organization(name="bienestar", title="Bienestar")
    context = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    publicos = []
    for data in _obras(obras) + _programas(bienestar) + _convocatorias(obras):
        publicos.append(call_action("package_create", context=dict(context), **data)["name"])
    for data in _privados(obras):
        call_action("package_create", context=dict(context), **data)
    _hecho.update(publicos=publicos)
    return _hecho


# --- What the catalog holds, counted from each dataset (the test's own oracle) -------------------


def _valores(dataset: dict[str, Any]) -> dict[str, set[str]]:
    """The facet values of a dataset as package_show returns it."""
    values = {
        "hueyapan_comunidad": set(dataset.get("comunidades") or []),
        "hueyapan_ejercicio": {dataset.get("ejercicio_fiscal")},
        "hueyapan_etapa": {dataset.get("etapa")},
        "hueyapan_rubro": {dataset.get("rubro_fais")},
        "hueyapan_fuente": {f["fuente"] for f in dataset.get("fuentes_financiamiento") or []},
        "hueyapan_tipo_programa": {dataset.get("tipo_programa")},
        "hueyapan_enfoque": set(dataset.get("enfoque") or []),
        "hueyapan_tipo_convocatoria": {dataset.get("tipo_convocatoria")},
        "hueyapan_alerta": set(dataset.get("alertas") or []),
        "hueyapan_estado": {dataset.get("estado")},
        "hueyapan_indigena": {"si"} if EL_AGUACATE in (dataset.get("comunidades") or []) else set(),
        "organization": {(dataset.get("organization") or {}).get("name")},
        "res_format": {r.get("format") for r in dataset.get("resources") or []},
    }
    return {field: {str(v) for v in found if v} for field, found in values.items()}


def _esperado(publicos: list[str]) -> Counter:
    counts: Counter = Counter()
    for name in publicos:
        dataset = call_action("package_show", id=name)
        counts[(dataset["type"], ())] += 1
        for field, values in _valores(dataset).items():
            for value in values:
                counts[(dataset["type"], ((field, value),))] += 1
    return counts


def _bbox(clave: str) -> str:
    from ckan import model

    from ckanext.hueyapan.model import Comunidad

    comunidad = model.Session.get(Comunidad, clave)
    lon, lat = comunidad.longitud, comunidad.latitud
    return f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"


def test_every_output_finds_the_same_datasets(app, cli, catalogo):
    """The cross-output table: every output agrees for every filter, with what the catalog
    holds, and private datasets are in none; ``ckan hueyapan salidas`` prints the same rows."""
    combinadas = [
        ("obra", (("q", "agua"),)),
        ("obra", (("hueyapan_alerta", "retraso"), ("hueyapan_comunidad", LOS_MANGOS))),
        ("obra", (("hueyapan_alerta", "sin_finiquito"), ("hueyapan_etapa", "concluida"))),
        ("convocatoria", (("hueyapan_estado", "abierta"), ("hueyapan_comunidad", LOS_MANGOS))),
    ] + [(tipo, (("ext_bbox", _bbox(LOS_MANGOS)),)) for tipo in indice.DATASET_TYPES]
    filas = salidas.tabla(app.flask_app, extra=combinadas)
    table = salidas.texto(filas)
    assert not [f.nombre for f in filas if f.discrepancias], table

    esperado = _esperado(catalogo["publicos"])
    simples = [f for f in filas  # free text and the map are Solr's own matching
               if len(f.filtro) <= 1 and not (f.filtro and f.filtro[0][0] in ("q", "ext_bbox"))]
    wrong = [(f.tipo, f.nombre, f.esperado, esperado[(f.tipo, f.filtro)])
             for f in simples if f.esperado != esperado[(f.tipo, f.filtro)]]
    assert not wrong, table

    # Every value of every facet was asked, and every flag and estado is held by some dataset.
    asked = {(f.tipo, f.filtro) for f in filas}
    assert set(esperado) <= asked, table
    for name in alertas.ALERTAS:
        assert esperado[("obra", (("hueyapan_alerta", name),))] >= 1, name
    for estado in filtros.ESTADOS:
        assert esperado[("convocatoria", (("hueyapan_estado", estado),))] >= 1, estado
    for tipo, filtro in combinadas:
        row = next(f for f in filas if (f.tipo, f.filtro) == (tipo, filtro))
        assert row.esperado is not None and 0 < row.esperado < esperado[(tipo, ())], table
    # The home page's figures and the community pages were compared too.
    assert any(f.cuentas["inicio"] is not None for f in filas if f.tipo == "convocatoria")
    assert any(f.cuentas["comunidad"] for f in filas)

    from ckan.cli.cli import ckan as ckan_command

    result = cli.invoke(ckan_command, ["hueyapan", "salidas", "--tipo", "convocatoria"])
    assert result.exit_code == 0, result.output
    mine = [f for f in filas if f.tipo == "convocatoria" and (f.tipo, f.filtro) not in combinadas]
    assert result.output.splitlines()[:-1] == salidas.texto(mine).splitlines()
    assert result.output.splitlines()[-1] == (
        f"Las {len(mine)} filas coinciden en todas las salidas.")

    # A filtered feed is a feed of its own: its id and links carry the filters.
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(app.get("/cambios/obra.atom?hueyapan_alerta=retraso").data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}id").text.endswith("/cambios/obra?hueyapan_alerta=retraso")
    assert {link.get("href") for link in feed.findall(f"{atom}link")} == {
        "http://test.ckan.net/obra/?hueyapan_alerta=retraso",
        "http://test.ckan.net/cambios/obra.atom?hueyapan_alerta=retraso"}


@pytest.mark.usefixtures("catalogo")
def test_every_form_of_a_virtual_filter():
    def count(fq: str) -> int:
        return call_action("package_search", fq=fq)["count"]

    facets = call_action("package_search", fq="+dataset_type:obra",
                         **{"facet.field": json.dumps(["hueyapan_alerta"])})["facets"]
    retraso, sobrecosto = (facets["hueyapan_alerta"][name] for name in ("retraso", "sobrecosto"))
    for fq in ("hueyapan_alerta:retraso", "+hueyapan_alerta:retraso", 'hueyapan_alerta:"retraso"',
               '+hueyapan_alerta:"retraso"', "hueyapan_alerta:(retraso)",
               '+hueyapan_alerta:("retraso")', "hueyapan_alerta:retraso +dataset_type:obra",
               "(hueyapan_alerta:retraso)"):
        assert count(fq) == retraso, fq
    both = count("+hueyapan_alerta:retraso +hueyapan_alerta:sobrecosto")
    assert 0 < both < retraso
    for fq in ("hueyapan_alerta:(retraso OR sobrecosto)",
               '+hueyapan_alerta:("retraso" OR "sobrecosto")',
               "(hueyapan_alerta:retraso OR hueyapan_alerta:sobrecosto)"):
        assert count(fq) == retraso + sobrecosto - both, fq
    assert count("hueyapan_alerta:(retraso AND sobrecosto)") == both
    obras = count("+dataset_type:obra")
    assert count("+dataset_type:obra -hueyapan_alerta:retraso") == obras - retraso
    abiertas = count('hueyapan_estado:"abierta"')
    proximas = count("hueyapan_estado:proxima")
    assert count("+hueyapan_estado:(abierta OR proxima)") == abiertas + proximas > abiertas > 0
    # The same in resumen's lists and in its fq
    assert call_action("hueyapan_resumen", alerta=["retraso", "sobrecosto"])["datasets"] == (
        retraso + sobrecosto - both)
    assert call_action("hueyapan_resumen", fq="hueyapan_estado:abierta")["datasets"] == abiertas


@pytest.mark.usefixtures("catalogo")
def test_unknown_values_are_a_spanish_error(app):
    for fq in ("hueyapan_alerta:otra", "hueyapan_alerta:(retraso OR otra)",
               'hueyapan_estado:"vigente"', "hueyapan_alerta:*", "hueyapan_estado:[a TO z]"):
        response = app.get("/api/3/action/package_search", query_string={"fq": fq}, status=409)
        error = str(response.json["error"])
        assert "desconocida" in error or "desconocido" in error, (fq, error)
    app.get("/exportar/obra.csv?hueyapan_alerta=otra", status=400)
    app.get("/exportar/oc4ids.json?hueyapan_estado=otro", status=400)
    app.get("/cambios/obra.atom?hueyapan_alerta=otra", status=400)
    app.get("/comunidad/300730030/cambios.atom?hueyapan_alerta=otra", status=400)
    page = app.get("/obra/?hueyapan_alerta=otra", status=400)
    assert "Alerta desconocida" in page.body, page.body
