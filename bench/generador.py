r"""Realistic, reproducible example datasets for the benchmarks: obras, programas sociales and
convocatorias of Hueyapan de Ocampo, and the same records as plain CKAN ``dataset``\ s.

Everything is generated: the only real values are the INEGI localities (keys, names, positions,
population) shipped in ``ckanext/hueyapan/data``. Every title and description says "Datos de
ejemplo"; companies, RFCs, addresses and web addresses are made up (``.invalid`` domain).

- ``obras(n, seed)``, ``programas(n, seed)``, ``convocatorias(n, seed)``: data dicts as
  ``package_create`` takes them (keys, ISO dates, plain numbers), with their resources;
- ``catalogo(n, seed)``: ``n`` datasets of the three types in the proportions of a municipal
  catalog (60 % obras, 25 % programas, 15 % convocatorias), each with its organization's name;
- ``comun(data)``: the same record as plain CKAN keeps it (type ``dataset``: title, description,
  tags for the type, the communities and the category, every other field as an extra, the same
  resources), for the comparison with plain CKAN in ``bench/rendimiento.py``.
"""
from __future__ import annotations

import csv
import datetime
import functools
import json
import random
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "ckanext" / "hueyapan" / "data"
MUNICIPIO = "30073"
EJEMPLO = "Datos de ejemplo"
SEED = 30073
#: Made-up address for the resources' links (``.invalid`` never resolves).
ENLACES = "https://datos.ejemplo.invalid/hueyapan"


@functools.lru_cache(maxsize=1)
def localities() -> list[dict[str, Any]]:
    with open(DATA / "hueyapan_localidades.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [{"key": r["cvegeo"], "name": r["nom_loc"], "lat": float(r["latitud"]),
             "lon": float(r["longitud"]), "pop": int(r["pob_total_2020"] or 0)} for r in rows]


# rubro FAIS -> (OC4IDS sector, works of that kind)
OBRAS = {
    "agua_potable": ("waterAndWaste", [
        "Construcción de red de distribución de agua potable",
        "Rehabilitación del sistema de agua potable",
        "Construcción de tanque elevado de agua potable",
        "Ampliación de la línea de conducción de agua potable"]),
    "alcantarillado": ("waterAndWaste", [
        "Construcción de red de alcantarillado sanitario",
        "Rehabilitación de colector pluvial"]),
    "drenaje_letrinas": ("waterAndWaste", [
        "Construcción de drenaje sanitario",
        "Construcción de sanitarios con biodigestor"]),
    "urbanizacion": ("transport.urban", [
        "Pavimentación con concreto hidráulico de la calle {calle}",
        "Construcción de guarniciones y banquetas en la calle {calle}",
        "Rehabilitación de camino saca cosechas"]),
    "electrificacion": ("energy", [
        "Ampliación de red de energía eléctrica",
        "Construcción de alumbrado público con luminarias LED"]),
    "salud": ("health", [
        "Rehabilitación de la casa de salud",
        "Ampliación del centro de salud"]),
    "educacion": ("education", [
        "Construcción de aula en la escuela primaria {escuela}",
        "Construcción de techado en la escuela telesecundaria",
        "Rehabilitación de sanitarios del jardín de niños"]),
    "vivienda": ("socialHousing", [
        "Construcción de cuartos dormitorio",
        "Construcción de techos firmes",
        "Construcción de pisos firmes"]),
    "no_aplica": ("cultureSportsAndRecreation", [
        "Rehabilitación del parque central",
        "Construcción de cancha de usos múltiples",
        "Rehabilitación de la agencia municipal"]),
}
RUBRO_WEIGHTS = {"agua_potable": 18, "alcantarillado": 6, "drenaje_letrinas": 10,
                 "urbanizacion": 24, "electrificacion": 10, "salud": 5, "educacion": 12,
                 "vivienda": 10, "no_aplica": 5}
ETAPAS = {"planeacion": 22, "contratacion": 10, "ejecucion": 28, "suspendida": 4,
          "concluida": 18, "finiquitada": 14, "cancelada": 4}
CALLES = ["Hidalgo", "Morelos", "Juárez", "Zaragoza", "5 de Mayo", "Independencia", "Allende",
          "Guerrero", "Emiliano Zapata", "Lázaro Cárdenas", "Francisco I. Madero", "Reforma"]
ESCUELAS = ["Benito Juárez", "Miguel Hidalgo", "Niños Héroes", "Leona Vicario", "Josefa Ortiz"]
REFERENCIAS = ["frente a la escuela primaria", "junto a la agencia municipal",
               "a un costado de la iglesia", "a la entrada de la localidad", "camino al panteón"]
# Made-up companies; RFCs only have the right shape.
CONTRATISTAS = [
    ("Constructora Ejemplo del Sotavento, S.A. de C.V.", "CES150312AB1"),
    ("Edificaciones Ejemplo de los Tuxtlas, S.A. de C.V.", "EET180905K27"),
    ("Obras y Caminos Ejemplo del Sur, S. de R.L. de C.V.", "OCE120220LM4"),
    ("Hidráulica Ejemplo de Acayucan, S.A. de C.V.", "HEA110617QR8"),
    ("Urbanizadora Ejemplo del Papaloapan, S.A. de C.V.", "UEP190101TT5"),
]
FONDO_CLAVE = {"fism": "FISM", "fortamun": "FORTAMUN", "recursos_propios": "RP",
               "participaciones": "R28"}
VERBO_MODALIDAD = {"Construcción": "construccion", "Rehabilitación": "rehabilitacion",
                   "Ampliación": "ampliacion", "Pavimentación": "construccion"}


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _money(amount: float) -> str:
    return f"{amount:.2f}"


def obras(count: int, seed: int = SEED, consultas: bool = False) -> list[dict[str, Any]]:
    """``count`` obras as package_create takes them (keys, ISO dates, plain numbers). With
    ``consultas``, the obras past planeación carry the citizen consultation the municipality's
    rule asks for (drawn from a generator of their own, so the other values do not change)."""
    rng = random.Random(seed)
    places = localities()
    weights = [max(p["pop"], 50) for p in places]
    today = datetime.date.today()
    rows = []
    for number in range(1, count + 1):
        year = rng.choices([2022, 2023, 2024, 2025], weights=[15, 25, 30, 30])[0]
        rubro = _weighted(rng, RUBRO_WEIGHTS)
        sector, kinds = OBRAS[rubro]
        etapa = _weighted(rng, ETAPAS)
        if rng.random() < 0.05:
            comunidades, where = [MUNICIPIO], "Hueyapan de Ocampo"
        else:
            chosen = rng.choices(places, weights=weights, k=2 if rng.random() < 0.15 else 1)
            comunidades = sorted({p["key"] for p in chosen})
            where = " y ".join(dict.fromkeys(p["name"] for p in chosen))
        kind = rng.choice(kinds).format(calle=rng.choice(CALLES), escuela=rng.choice(ESCUELAS))
        fondo = "fism" if rubro != "no_aplica" and rng.random() < 0.8 else rng.choice(
            ["fortamun", "recursos_propios", "participaciones"])
        clave = f"HUE-{year}-{FONDO_CLAVE[fondo]}-{number:05d}"
        aprobado = round(min(max(rng.lognormvariate(13.9, 0.8), 150_000), 15_000_000), 2)
        fuentes = [{"fuente": fondo, "monto": aprobado}]
        if rng.random() < 0.2:
            parte = round(aprobado * rng.uniform(0.1, 0.4), 2)
            fuentes = [{"fuente": fondo, "monto": round(aprobado - parte, 2)},
                       {"fuente": rng.choice(["estatal", "aportacion_comunitaria"]),
                        "monto": parte}]
        inicio = datetime.date(year, rng.randint(2, 10), rng.randint(1, 28))
        termino = inicio + datetime.timedelta(days=rng.randint(60, 240))
        place = next((p for p in places if p["key"] == comunidades[0]), places[0])
        row: dict[str, Any] = {
            "title": f"{kind} en {where}, {year} ({EJEMPLO})",
            "clave_obra": clave,
            "ejercicio_fiscal": str(year),
            "etapa": etapa,
            "comunidades": comunidades,
            "notes": (f"{kind} en {where}. Meta: {rng.randint(1, 40) * 50} metros o "
                      f"{rng.randint(5, 120)} acciones. {EJEMPLO}: cifras generadas, "
                      "no oficiales."),
            "rubro_fais": rubro,
            "modalidad_fais": VERBO_MODALIDAD.get(kind.split()[0], "construccion"),
            "sector": (sector if rubro != "urbanizacion" or "camino" not in kind
                       else "transport.road"),
            "fuentes_financiamiento": [{"fuente": f["fuente"], "monto": _money(f["monto"])}
                                       for f in fuentes],
            "monto_aprobado": _money(aprobado),
            "fecha_inicio": inicio.isoformat(),
            "fecha_termino_programada": termino.isoformat(),
        }
        beneficiarios = max(20, int(place["pop"] * rng.uniform(0.05, 0.6)))
        mujeres = int(beneficiarios * rng.uniform(0.48, 0.54))
        row.update({"beneficiarios_total": str(beneficiarios),
                    "beneficiarios_mujeres": str(mujeres),
                    "beneficiarios_hombres": str(beneficiarios - mujeres),
                    "beneficiarios_indigenas": str(int(beneficiarios * rng.uniform(0, 0.3)))})
        if rng.random() < 0.5:
            row["direccion_referencia"] = f"Calle {rng.choice(CALLES)}, {rng.choice(REFERENCIAS)}"
        if rng.random() < 0.6 and comunidades != [MUNICIPIO]:
            row["spatial"] = json.dumps({"type": "Point", "coordinates": [
                round(place["lon"] + rng.uniform(-0.003, 0.003), 6),
                round(place["lat"] + rng.uniform(-0.003, 0.003), 6)]})
        if etapa not in ("planeacion", "cancelada"):
            modalidad = ("administracion_directa" if rng.random() < 0.1 else
                         "adjudicacion_directa" if aprobado < 700_000 else
                         "invitacion_tres" if aprobado < 3_000_000 else "licitacion_publica")
            row["modalidad_contratacion"] = modalidad
            if modalidad != "administracion_directa" and etapa != "contratacion":
                empresa, rfc = rng.choice(CONTRATISTAS)
                contratado = round(aprobado * rng.uniform(0.9, 0.995), 2)
                row.update({
                    "contratista_razon_social": empresa, "contratista_rfc": rfc,
                    "contrato_numero": f"HUE-OP-{FONDO_CLAVE[fondo]}-{number:05d}/{year}",
                    "contrato_fecha": (inicio - datetime.timedelta(days=rng.randint(5, 20)))
                                      .isoformat(),
                    "monto_contratado": _money(contratado),
                })
        avance = {"planeacion": 0, "contratacion": 0, "cancelada": 0, "concluida": 100,
                  "finiquitada": 100, "ejecucion": rng.randint(5, 95),
                  "suspendida": rng.randint(15, 70)}[etapa]
        if etapa not in ("planeacion", "contratacion", "cancelada"):
            financiero = min(100.0, round(avance * rng.uniform(0.7, 1.0), 1))
            row.update({"avance_fisico": str(avance), "avance_financiero": str(financiero),
                        "monto_ejercido": _money(aprobado * financiero / 100)})
            row["mecanismos_vigilancia"] = sorted(set(rng.sample(
                ["contraloria_social", "supervision_obra", "organo_interno_control"],
                k=rng.randint(1, 2))))
        if etapa in ("concluida", "finiquitada"):
            real = min(termino + datetime.timedelta(days=rng.randint(-20, 60)), today)
            row["fecha_termino_real"] = max(real, inicio).isoformat()
            if etapa == "finiquitada":
                row["monto_final"] = _money(aprobado * rng.uniform(0.92, 1.0))
        if consultas and etapa not in ("planeacion", "cancelada"):
            row["consultas"] = [_consulta(random.Random(seed * 100_003 + number), inicio, where)]
        rows.append(row)
    return rows




def _consulta(rng: random.Random, inicio: datetime.date, where: str) -> dict[str, Any]:
    asistentes = rng.randint(15, 120)
    mujeres = int(asistentes * rng.uniform(0.4, 0.6))
    return {"fecha": (inicio - datetime.timedelta(days=rng.randint(30, 120))).isoformat(),
            "lugar": f"Agencia municipal de {where.split(' y ')[0]}",
            "asistentes_mujeres": str(mujeres), "asistentes_hombres": str(asistentes - mujeres)}


def _resources(rng: random.Random, name: str, kinds: list[tuple[str, str, str]]) -> list[dict]:
    """One to all of ``kinds`` (tipo_recurso, name, format) as linked files."""
    chosen = kinds[:1] + [k for k in kinds[1:] if rng.random() < 0.5]
    return [{"name": f"{label} ({EJEMPLO})", "tipo_recurso": tipo, "format": fmt,
             "url": f"{ENLACES}/{name}/{tipo}.{fmt.lower()}"} for tipo, label, fmt in chosen]


RECURSOS_OBRA = [("contrato", "Contrato, versión pública", "PDF"),
                 ("evidencia_fotografica", "Fotografías del avance", "JPEG"),
                 ("datos", "Avance físico y financiero", "CSV")]
RECURSOS_PROGRAMA = [("reglas_operacion", "Reglas de operación", "PDF"),
                     ("beneficiarios_agregados", "Personas beneficiarias por comunidad y sexo",
                      "CSV")]
RECURSOS_CONVOCATORIA = [("convocatoria", "Convocatoria", "PDF"), ("bases", "Bases", "PDF")]

PROGRAMAS = [
    ("desarrollo-agropecuario", "Apoyo a productores de maíz", "especie",
     "Productoras y productores de maíz de temporal"),
    ("desarrollo-agropecuario", "Entrega de paquetes de aves de traspatio", "especie",
     "Familias de localidades rurales"),
    ("desarrollo-agropecuario", "Apoyo con fertilizante", "especie",
     "Productores con menos de 5 hectáreas"),
    ("dif-municipal", "Desayunos escolares calientes", "especie",
     "Niñas y niños de escuelas públicas"),
    ("dif-municipal", "Apoyo a personas con discapacidad", "transferencia",
     "Personas con discapacidad permanente"),
    ("dif-municipal", "Despensas para personas mayores", "especie", "Personas de 65 años o más"),
    ("desarrollo-social", "Becas municipales de transporte escolar", "transferencia",
     "Estudiantes de bachillerato"),
    ("desarrollo-social", "Mejoramiento de vivienda con láminas", "especie",
     "Familias con techos de material precario"),
    ("desarrollo-social", "Jornadas de salud visual", "servicios",
     "Población sin seguridad social"),
    ("asuntos-indigenas", "Traducción de documentos a lengua popoluca y náhuatl", "servicios",
     "Comunidades popolucas y nahuas"),
    ("asuntos-indigenas", "Apoyo a artesanas indígenas", "transferencia",
     "Mujeres artesanas popolucas y nahuas"),
]
ENFOQUES = {"Apoyo a artesanas indígenas": ["indigena", "genero"],
            "Traducción de documentos a lengua popoluca y náhuatl": ["indigena"],
            "Desayunos escolares calientes": ["ninez"],
            "Despensas para personas mayores": ["personas_mayores"],
            "Apoyo a personas con discapacidad": ["discapacidad"],
            "Becas municipales de transporte escolar": ["juventud"]}
CONVOCATORIAS = [
    ("participacion-ciudadana", "propuesta_proyecto", "Propuestas de proyectos comunitarios",
     "Recibir propuestas de obra y acciones de las comunidades para el programa anual."),
    ("participacion-ciudadana", "participacion_ciudadana",
     "Integración de comités de contraloría social",
     "Elegir en asamblea a las personas que vigilarán las obras de su comunidad."),
    ("obras-publicas", "licitacion_obra", "Licitación pública de obra",
     "Contratar la ejecución de obras del programa anual de obra pública."),
    ("obras-publicas", "invitacion_obra", "Invitación a cuando menos tres personas",
     "Contratar obras de monto intermedio del programa anual."),
    ("desarrollo-social", "programa_social", "Inscripción a programas sociales",
     "Registrar a las personas interesadas en los programas sociales del año."),
    ("desarrollo-social", "empleo", "Empleo temporal en obras comunitarias",
     "Contratar mano de obra local para obras de beneficio comunitario."),
]


def _places(rng: random.Random, places: list[dict[str, Any]], weights: list[int]
            ) -> tuple[list[str], str]:
    """Communities of a record: 10 % the whole municipality, otherwise one to three localities
    weighted by population."""
    if rng.random() < 0.10:
        return [MUNICIPIO], "Hueyapan de Ocampo"
    chosen = rng.choices(places, weights=weights, k=rng.choice([1, 1, 1, 2, 3]))
    return sorted({p["key"] for p in chosen}), " y ".join(dict.fromkeys(p["name"] for p in chosen))


def programas(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` programas sociales (type ``programa-social``) with their resources."""
    rng = random.Random(seed + 1)
    places = localities()
    weights = [max(p["pop"], 50) for p in places]
    rows = []
    for number in range(1, count + 1):
        area, nombre, tipo, poblacion = rng.choice(PROGRAMAS)
        year = rng.choices([2022, 2023, 2024, 2025, 2026], weights=[10, 20, 25, 30, 15])[0]
        comunidades, where = _places(rng, places, weights)
        inicio = datetime.date(year, rng.randint(1, 4), rng.randint(1, 28))
        fin = datetime.date(year, rng.randint(9, 12), rng.randint(1, 28))
        aprobado = round(min(max(rng.lognormvariate(12.6, 0.9), 40_000), 4_000_000), 2)
        total = rng.randint(20, 900)
        mujeres = int(total * rng.uniform(0.45, 0.7))
        name = f"prog-{year}-{number:05d}"
        row = {
            "type": "programa-social", "name": name, "owner_org": area,
            "title": f"{nombre} en {where}, {year} ({EJEMPLO})",
            "clave_programa": f"{area[:3].upper()}-{year}-{number:05d}",
            "ejercicio_fiscal": str(year), "tipo_programa": tipo, "comunidades": comunidades,
            "notes": f"{nombre} para {poblacion.lower()} de {where}. {EJEMPLO}: cifras generadas, "
                     "no oficiales.",
            "vigencia_inicio": inicio.isoformat(), "vigencia_fin": fin.isoformat(),
            "objetivo_general": f"Mejorar las condiciones de vida de {poblacion.lower()}.",
            "poblacion_objetivo": poblacion,
            "requisitos": ["Identificación oficial", "Comprobante de domicilio"],
            "monto_aprobado": _money(aprobado),
            "monto_ejercido": _money(aprobado * rng.uniform(0.3, 1.0)),
            "metas": [{"descripcion": "Personas atendidas", "cantidad": str(total),
                       "unidad": "personas"}],
            "beneficiarios": [{"comunidad": comunidades[0], "mujeres": str(mujeres),
                               "hombres": str(total - mujeres), "total": str(total)}],
            "resources": _resources(rng, name, RECURSOS_PROGRAMA),
        }
        if nombre in ENFOQUES:
            row["enfoque"] = ENFOQUES[nombre]
        rows.append(row)
    return rows


def convocatorias(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` convocatorias (past, open and upcoming: dates around today)."""
    rng = random.Random(seed + 2)
    places = localities()
    weights = [max(p["pop"], 50) for p in places]
    today = datetime.date.today()
    rows = []
    for number in range(1, count + 1):
        area, tipo, nombre, objeto = rng.choice(CONVOCATORIAS)
        comunidades, where = _places(rng, places, weights)
        apertura = today + datetime.timedelta(days=rng.randint(-900, 60))
        cierre = apertura + datetime.timedelta(days=rng.randint(10, 45))
        year = apertura.year
        name = f"conv-{year}-{number:05d}"
        row = {
            "type": "convocatoria", "name": name, "owner_org": area,
            "title": f"{nombre} {year}, {where} ({EJEMPLO})", "tipo_convocatoria": tipo,
            "folio": f"CONV-{year}-{number:05d}", "objeto": objeto, "comunidades": comunidades,
            "notes": f"{objeto} {EJEMPLO}: convocatoria generada, no oficial.",
            "publico_objetivo": "Habitantes de las comunidades señaladas",
            "requisitos": ["Ser habitante de la comunidad", "Presentar solicitud por escrito"],
            "fecha_publicacion": (apertura - datetime.timedelta(days=rng.randint(3, 15)))
                                 .isoformat(),
            "fecha_apertura": apertura.isoformat(), "fecha_cierre": cierre.isoformat(),
            "fecha_resultados": (cierre + datetime.timedelta(days=rng.randint(5, 20))).isoformat(),
            "lugar_entrega": "Palacio municipal, ventanilla de atención ciudadana",
            "resources": _resources(rng, name, RECURSOS_CONVOCATORIA),
        }
        if cierre < today:
            recibidas = rng.randint(3, 60)
            aprobadas = rng.randint(0, recibidas)
            row.update({"resultados_recibidas": str(recibidas),
                        "resultados_aprobadas": str(aprobadas),
                        "resultados_rechazadas": str(recibidas - aprobadas)})
        rows.append(row)
    return rows


def catalogo(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` datasets: 60 % obras (with consultations), 25 % programas, 15 % convocatorias,
    interleaved; ``owner_org`` is the organization's name."""
    n_programas, n_convocatorias = count * 25 // 100, count * 15 // 100
    n_obras = count - n_programas - n_convocatorias
    rng = random.Random(seed + 3)
    items = []
    for row in obras(n_obras, seed, consultas=True):
        name = row["clave_obra"].lower()
        resources = _resources(rng, name, RECURSOS_OBRA)
        items.append(dict(row, type="obra", name=name, owner_org="obras-publicas",
                          resources=resources))
    items += programas(n_programas, seed) + convocatorias(n_convocatorias, seed)
    rng.shuffle(items)
    return items


#: Fields plain CKAN shows in its own way (everything else becomes an extra).
_CORE = {"type", "name", "title", "notes", "owner_org", "resources", "comunidades", "spatial"}
_CATEGORIA = {"obra": "rubro_fais", "programa-social": "tipo_programa",
              "convocatoria": "tipo_convocatoria"}
_TIPO = {"obra": "Obra pública", "programa-social": "Programa social",
         "convocatoria": "Convocatoria"}


def etiqueta(text: str) -> str:
    """``text`` as a CKAN tag (letters, digits, spaces, "-", "_" and "." only)."""
    return re.sub(r"[^\w .-]", "", text)


def comun(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as a plain CKAN dataset: the type, communities and category as tags, every other
    field as an extra (lists and objects as JSON), the same resources without our fields."""
    names = {p["key"]: p["name"] for p in localities()}
    names[MUNICIPIO] = "Todo el municipio"
    tags = [_TIPO[data["type"]]] + [etiqueta(names[k]) for k in data["comunidades"]]
    if data.get(_CATEGORIA[data["type"]]):
        tags.append(data[_CATEGORIA[data["type"]]].replace("_", " "))
    extras = [{"key": key,
               "value": value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}
              for key, value in data.items() if key not in _CORE]
    if data.get("spatial"):
        extras.append({"key": "spatial", "value": data["spatial"]})
    return {
        "type": "dataset", "name": data["name"], "title": data["title"], "notes": data["notes"],
        "owner_org": data["owner_org"], "tags": [{"name": t} for t in dict.fromkeys(tags)],
        "extras": extras,
        "resources": [{k: v for k, v in r.items() if k != "tipo_recurso"}
                      for r in data["resources"]],
    }
