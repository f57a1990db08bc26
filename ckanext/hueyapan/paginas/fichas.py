"""What the dataset pages ("fichas") of an obra, a programa social and a convocatoria show.

Templates get plain data from here (dicts, lists, numbers, translated short texts); the markup is
in ``templates/hueyapan/fichas/``. Nothing here writes HTML except the maps, which ``mapas.py``
draws as inline SVG.
"""
from __future__ import annotations

import datetime
import json
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan import comun
from ckanext.hueyapan.busqueda import indice
from ckanext.hueyapan.comun import ESTADO_LABELS
from ckanext.hueyapan.comun.cantidades import fecha, lista, porcentaje
from ckanext.hueyapan.model import ESTADO_ACTIVA, Comunidad
from ckanext.hueyapan.paginas import mapas
from ckanext.hueyapan.registros import comunidades, vocabularios
from ckanext.hueyapan.reglas import actas
from ckanext.hueyapan.reglas.alertas import ALERTAS, DIAS_FINIQUITO

__all__ = [
    "CAMPOS_PRIVADOS",
    "alertas",
    "beneficiarios",
    "campos_en_ficha",
    "consultas",
    "contratista",
    "descripcion_corta",
    "esquema_restante",
    "fecha_larga",
    "fechas_convocatoria",
    "fuentes",
    "historial",
    "mapa",
    "plazo",
    "recursos",
]

#: Dataset fields never shown to the public (internal bookkeeping of the harvest).
CAMPOS_PRIVADOS = ("retirado_de_origen",)

#: Resource fields never shown to the public (why a flagged file was published anyway).
CAMPOS_PRIVADOS_RECURSO = ("excepcion_privacidad",)

_BASICOS = ("id", "title", "name", "notes", "owner_org", "license_id", "tag_string", "comunidades",
            "observaciones")

#: Fields each type's page shows in its own sections; the rest go to the "more data" table.
_EN_FICHA: dict[str, tuple[str, ...]] = {
    "obra": _BASICOS + (
        "clave_obra", "ejercicio_fiscal", "etapa", "etapa_estimada", "spatial", "rubro_fais",
        "modalidad_fais",
        "fuentes_financiamiento", "monto_aprobado", "monto_modificado", "monto_ejercido",
        "modalidad_contratacion", "contratista_razon_social", "contratista_rfc",
        "fecha_inicio", "fecha_termino_programada", "fecha_termino_real",
        "avance_fisico", "avance_financiero", "historial_avance", "consultas",
    ),
    "programa-social": _BASICOS + (
        "ejercicio_fiscal", "tipo_programa", "vigencia_inicio", "vigencia_fin",
        "objetivo_general", "poblacion_objetivo", "criterios_elegibilidad", "requisitos",
        "procedimiento_acceso", "apoyo_por_beneficiario", "beneficiarios",
        "monto_aprobado", "monto_modificado", "monto_ejercido",
    ),
    "convocatoria": _BASICOS + (
        "tipo_convocatoria", "folio", "objeto", "publico_objetivo", "requisitos",
        "documentos_requeridos", "fecha_publicacion", "fecha_apertura", "fecha_cierre",
        "fecha_visita_sitio", "fecha_junta_aclaraciones", "fecha_apertura_propuestas",
        "fecha_resultados", "lugar_entrega", "contacto", "resultados_recibidas",
        "resultados_aprobadas", "resultados_rechazadas", "resultados_mujeres",
        "resultados_hombres", "obras_resultantes", "programas_resultantes",
    ),
}

#: Resource types shown as a photo gallery, and as a call's results.
TIPO_FOTO = "evidencia_fotografica"
TIPOS_RESULTADO = ("fallo", "resultados", "informe_final")
_IMAGE_FORMATS = {"JPEG", "JPG", "PNG", "GIF", "WEBP"}
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")

# Company forms of Mexican law (S.A. de C.V., S. de R.L., S.C., A.C., S.A.S., S.P.R. ...) at the
# end of a name, or words that only a legal entity carries.
_FORMA_SOCIETARIA = re.compile(
    r"(?:^|[\s,])(?:S\.?\s*A\.?\s*P\.?\s*I\.?|S\.?\s*A\.?\s*B\.?|S\.?\s*A\.?\s*S\.?|S\.?\s*A\.?"
    r"|S\.?\s*de\s*R\.?\s*L\.?|S\.?\s*C\.?\s*(?:de\s*R\.?\s*L\.?|L\.?)?|A\.?\s*C\.?"
    r"|S\.?\s*P\.?\s*R\.?|S\.?\s*N\.?\s*C\.?|I\.?\s*A\.?\s*P\.?)"
    r"(?:\s*de\s*(?:C\.?\s*V\.?|R\.?\s*L\.?|R\.?\s*I\.?))?\.?\s*$"
    r"|\b(?:sociedad|cooperativa|asociaci[oó]n|fundaci[oó]n|instituto)\b",
    re.IGNORECASE,
)


# --- Small conversions ------------------------------------------------------------------------

def _int(value: Any) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == "[]" or value == {}


def fecha_larga(value: Any) -> str:
    """A date as people write it, in the page's language: "1 de marzo de 2025"."""
    from babel.dates import format_date

    day = fecha(value)
    if day is None:
        return str(value or "")
    return format_date(day, format="long", locale=tk.h.lang() or "es")


# --- Generic table ------------------------------------------------------------------------------

def campos_en_ficha(dataset_type: str) -> tuple[str, ...]:
    """Names of the dataset fields that the type's page shows in its own sections."""
    return _EN_FICHA.get(dataset_type, ())


def esquema_restante(schema: dict[str, Any], pkg: dict[str, Any], can_edit: bool) -> dict[str, Any]:
    """A copy of the scheming schema with only the fields for the generic "more data" table:
    those the page does not show elsewhere, with a value, and, for the public, none of the
    private ones."""
    shown = set(campos_en_ficha(pkg.get("type", "")))
    if not can_edit:
        shown.update(CAMPOS_PRIVADOS)
    fields = [f for f in schema.get("dataset_fields", [])
              if f["field_name"] not in shown and not _blank(pkg.get(f["field_name"]))]
    return {**schema, "dataset_fields": fields}


# --- Obra -----------------------------------------------------------------------------------------

def fuentes(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The funding sources of an obra with their label and amount."""
    labels = vocabularios.termino_labels("fuente_financiamiento")
    return [{"clave": row.get("fuente"),
             "etiqueta": labels.get(str(row.get("fuente")), row.get("fuente")),
             "monto": row.get("monto")}
            for row in lista(pkg.get("fuentes_financiamiento")) if isinstance(row, dict)]


def is_persona_moral(nombre: str, rfc: str | None = None) -> bool:
    """Whether a contractor is a company (persona moral): a company RFC (12 characters, checked
    when stored) or a company form in its name (S.A. de C.V., S. de R.L., A.C. ...)."""
    if rfc and len(rfc.strip()) == 12:
        return True
    return bool(_FORMA_SOCIETARIA.search(nombre.strip()))


def contratista(pkg: dict[str, Any]) -> dict[str, Any]:
    """Who builds the obra, as the public may see it.

    ``caso`` is ``"directa"`` (the municipality itself), ``"empresa"`` (``nombre`` and ``rfc``
    are the company's), ``"persona"`` (a natural person: the name is personal data and is not
    shown) or ``"sin_dato"``."""
    if pkg.get("modalidad_contratacion") == "administracion_directa":
        return {"caso": "directa", "nombre": None, "rfc": None}
    nombre = (pkg.get("contratista_razon_social") or "").strip()
    rfc = (pkg.get("contratista_rfc") or "").strip() or None
    if not nombre:
        return {"caso": "sin_dato", "nombre": None, "rfc": None}
    if is_persona_moral(nombre, rfc):
        return {"caso": "empresa", "nombre": nombre, "rfc": rfc}
    return {"caso": "persona", "nombre": None, "rfc": None}


def consultas(pkg: dict[str, Any]) -> dict[str, Any]:
    """The citizen consultations in date order, with attendance totals; each one's minutes
    (``reglas/actas.py``) as a link (``acta_url``) to the dataset's resource or the web address
    recorded, else as the text recorded (``acta``), else pending (``acta_pendiente``);
    ``numero`` is its place in the stored list, from 1."""
    filas = []
    for numero, row in enumerate(lista(pkg.get("consultas")), start=1):
        if not isinstance(row, dict):
            continue
        mujeres, hombres = _int(row.get("asistentes_mujeres")), _int(row.get("asistentes_hombres"))
        acta = actas.locate(pkg, row.get("acta"))
        filas.append({
            "fecha": row.get("fecha"), "lugar": row.get("lugar") or "",
            "mujeres": mujeres, "hombres": hombres,
            "total": ((mujeres or 0) + (hombres or 0)
                      if mujeres is not None or hombres is not None else None),
            "acta": acta.texto, "acta_url": acta.url, "acta_pendiente": acta.pendiente,
            "numero": numero,
        })
    filas.sort(key=lambda f: str(f["fecha"] or ""))
    return {
        "filas": filas,
        "mujeres": sum(f["mujeres"] or 0 for f in filas),
        "hombres": sum(f["hombres"] or 0 for f in filas),
    }


def historial(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The progress reports of an obra, oldest first, with their percentages as numbers."""
    rows = [{"fecha": row.get("fecha"), "fisico": porcentaje(row.get("avance_fisico")),
             "financiero": porcentaje(row.get("avance_financiero")), "nota": row.get("nota") or ""}
            for row in lista(pkg.get("historial_avance")) if isinstance(row, dict)]
    return sorted(rows, key=lambda r: str(r["fecha"] or ""))


def alertas(pkg: dict[str, Any]) -> list[dict[str, str]]:
    """The red flags of an obra as package_show and package_search return them (``alertas``,
    ``retraso_dias``, ``sobrecosto_pct``: see alertas.py), in the order of ``ALERTAS``, each with
    its label and a one-line explanation that carries its figure."""
    nombres = set(pkg.get("alertas") or ())
    dias = _int(pkg.get("retraso_dias")) or 0
    pct = f"{float(pkg.get('sobrecosto_pct') or 0):.1f}".removesuffix(".0")
    if pkg.get("fecha_termino_real"):
        retraso = tk.ungettext("It ended {n} day after its scheduled end date",
                               "It ended {n} days after its scheduled end date", dias)
    else:
        retraso = tk.ungettext("It has not ended and is {n} day past its scheduled end date",
                               "It has not ended and is {n} days past its scheduled end date", dias)
    textos = {
        "sobrecosto": tk._("The recorded cost (final, modified or exercised amount) exceeds the "
                           "contracted (or approved) amount by {pct} %").format(pct=pct),
        "retraso": retraso.format(n=dias),
        "adjudicacion_directa": tk._("The contract was awarded directly, without a public tender "
                                     "or an invitation to at least three bidders"),
        "sin_consulta": tk._("It is past planning and no citizen consultation is recorded"),
        "sin_finiquito": tk._("More than {n} days have passed since its scheduled end date and "
                              "it has no close-out (finiquito)").format(n=DIAS_FINIQUITO),
    }
    return [{"clave": clave, "etiqueta": tk._(etiqueta), "explicacion": textos[clave]}
            for clave, etiqueta in ALERTAS.items() if clave in nombres]


# --- Resources ----------------------------------------------------------------------------------

def _is_uploaded_image(res: dict[str, Any]) -> bool:
    if res.get("url_type") != "upload":
        return False
    fmt = (res.get("format") or "").strip().upper()
    mimetype = (res.get("mimetype") or "").lower()
    url = (res.get("url") or "").lower().split("?")[0]
    return fmt in _IMAGE_FORMATS or mimetype.startswith("image/") or url.endswith(_IMAGE_EXTENSIONS)


def recursos(pkg: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The dataset's resources for its page: ``fotos`` (uploaded photos of the evidence type,
    shown as thumbnails; a linked photo is not fetched from another site), ``resultados`` (a
    call's award and results) and ``documentos`` (everything else), each keeping the order staff
    gave them, with the label of their type."""
    vocabulary = {"obra": "tipo_recurso_obra", "programa-social": "tipo_recurso_programa",
                  "convocatoria": "tipo_recurso_convocatoria"}.get(pkg.get("type", ""))
    labels = vocabularios.termino_labels(vocabulary) if vocabulary else {}
    out: dict[str, list[dict[str, Any]]] = {"fotos": [], "resultados": [], "documentos": []}
    for res in pkg.get("resources") or []:
        tipo = res.get("tipo_recurso") or ""
        item = {**res, "tipo_label": labels.get(tipo, ""),
                "formato": (res.get("format") or "").strip().upper()}
        if tipo == TIPO_FOTO and _is_uploaded_image(res):
            out["fotos"].append(item)
        elif pkg.get("type") == "convocatoria" and tipo in TIPOS_RESULTADO:
            out["resultados"].append(item)
        else:
            out["documentos"].append(item)
    return out


# --- Programa social ------------------------------------------------------------------------------

def beneficiarios(pkg: dict[str, Any]) -> dict[str, Any]:
    """The beneficiaries by community and sex, most first, with totals and the widths (percent
    of the largest community) of the chart's bars. A row's total is the one recorded, or women
    plus men when it was left empty; ``sin_sexo`` is what the total has beyond women and men."""
    raw = [row for row in lista(pkg.get("beneficiarios")) if isinstance(row, dict)]
    labels = comunidades.comunidad_labels(
        [str(row.get("comunidad")) for row in raw if row.get("comunidad")])
    filas = []
    for row in raw:
        mujeres, hombres = _int(row.get("mujeres")) or 0, _int(row.get("hombres")) or 0
        total = _int(row.get("total"))
        total = max(total if total is not None else 0, mujeres + hombres)
        filas.append({"comunidad": str(row.get("comunidad") or ""),
                      "nombre": labels.get(str(row.get("comunidad")), row.get("comunidad") or ""),
                      "mujeres": mujeres, "hombres": hombres, "total": total,
                      "sin_sexo": total - mujeres - hombres})
    filas.sort(key=lambda f: (-f["total"], str(f["nombre"])))
    largest = max([f["total"] for f in filas] + [1])
    for fila in filas:
        for key in ("mujeres", "hombres", "sin_sexo"):
            fila[f"ancho_{key}"] = round(100 * fila[key] / largest, 1)
    totales: dict[str, float] = {key: sum(f[key] for f in filas)
                                 for key in ("mujeres", "hombres", "total", "sin_sexo")}
    whole = max(totales["total"], 1)
    totales.update({f"ancho_{key}": round(100 * totales[key] / whole, 1)
                    for key in ("mujeres", "hombres", "sin_sexo")})
    return {"filas": filas, "totales": totales}


# --- Convocatoria ---------------------------------------------------------------------------------

def plazo(pkg: dict[str, Any], on: datetime.date | None = None) -> dict[str, Any]:
    """A call's estado and, while it is open, the days left ("quedan 5 días", "cierra hoy");
    before it opens, the days until it does."""
    on = on or comun.today()
    estado = pkg.get("estado") or indice.estado_convocatoria(pkg, on)
    texto = ""
    if estado == "abierta":
        left = (fecha(pkg.get("fecha_cierre")) - on).days  # type: ignore[operator]
        texto = tk._("closes today") if left == 0 else tk.ungettext(
            "{n} day left", "{n} days left", left).format(n=left)
    elif estado == "proxima":
        until = (fecha(pkg.get("fecha_apertura")) - on).days  # type: ignore[operator]
        texto = tk.ungettext("opens in {n} day", "opens in {n} days", until).format(n=until)

    etiqueta = ESTADO_LABELS.get(estado or "")
    return {"estado": estado, "etiqueta": tk._(etiqueta) if etiqueta else (estado or ""),
            "texto": texto}


_FECHAS_CONVOCATORIA = ("fecha_publicacion", "fecha_apertura", "fecha_visita_sitio",
                        "fecha_junta_aclaraciones", "fecha_cierre", "fecha_apertura_propuestas",
                        "fecha_resultados")


def fechas_convocatoria(pkg: dict[str, Any], schema: dict[str, Any],
                        on: datetime.date | None = None) -> list[dict[str, Any]]:
    """A call's dates in calendar order, labelled with the schema's labels; ``pasada`` tells
    whether the day is over."""
    on = on or comun.today()
    by_name = {f["field_name"]: f for f in schema.get("dataset_fields", [])}
    rows = []
    for name in _FECHAS_CONVOCATORIA:
        day = fecha(pkg.get(name))
        if day is None:
            continue
        label = tk.h.scheming_language_text(by_name[name]["label"]) if name in by_name else name
        rows.append({"campo": name, "etiqueta": label, "fecha": day.isoformat(),
                     "pasada": day < on})
    return sorted(rows, key=lambda r: (r["fecha"], _FECHAS_CONVOCATORIA.index(r["campo"])))


# --- Maps -----------------------------------------------------------------------------------------

def _communities(keys: Iterable[str]) -> list[Comunidad]:
    keys = [k for k in keys if k]
    if not keys:
        return []
    return (model.Session.query(Comunidad).filter(Comunidad.id.in_(keys))
            .order_by(Comunidad.nombre).all())


def mapa(pkg: dict[str, Any]) -> dict[str, Any]:
    """The dataset's map and its text alternative: the obra's own geometry (``spatial``) when it
    has a readable one, else its communities highlighted on the municipality.

    Returns ``svg`` (Markup), ``comunidades`` (name and link of each community, for the list
    under the map), ``todo_municipio`` and ``geometria`` (whether the dataset's own geometry
    was drawn)."""
    municipio = tk.config["ckanext.hueyapan.municipio.cvegeo"]
    nombre_municipio = tk.config["ckanext.hueyapan.municipio.nombre"]
    keys = [str(k) for k in lista(pkg.get("comunidades"))]
    suyas = _communities(k for k in keys if k != municipio)
    enlaces = [{"nombre": c.nombre, "url": tk.url_for("hueyapan.comunidad", clave=c.id)}
               for c in suyas]
    title = tk._("Map: {name} in the municipality of {municipality}").format(
        name=pkg.get("title") or "", municipality=nombre_municipio)
    base = {"comunidades": enlaces, "todo_municipio": municipio in keys, "geometria": False}
    activas = model.Session.query(Comunidad).filter(Comunidad.estado == ESTADO_ACTIVA).all()

    geometry = pkg.get("spatial")
    if geometry:
        try:
            data = json.loads(geometry) if isinstance(geometry, str) else geometry
            puntos = [mapas.Punto(c.id, c.nombre, c.longitud, c.latitud) for c in activas]
            svg = mapas.svg_geometria(data, title, tk._(
                "The location recorded for this work, drawn over the municipal boundary."), puntos)
            return {**base, "svg": svg, "geometria": True}
        except (ValueError, TypeError, AttributeError):
            pass  # an unreadable geometry: show the communities instead

    ids = {c.id for c in suyas}
    puntos = [mapas.Punto(c.id, c.nombre, c.longitud, c.latitud,
                          geometria=c.geometria if c.id in ids else None,
                          resaltada=c.id in ids)
              for c in activas]
    puntos += [mapas.Punto(c.id, c.nombre, c.longitud, c.latitud, geometria=c.geometria,
                           resaltada=True) for c in suyas if c.estado != ESTADO_ACTIVA]
    if base["todo_municipio"] and not suyas:
        description = tk._("It covers the whole municipality.")
    else:
        description = tk._("Its communities are highlighted.")
    svg: Markup = mapas.svg_mapa(puntos, title, description)
    return {**base, "svg": svg}


# Anything Markdown (or HTML) could turn into markup: inline marks, links, entities, tags, and
# lines that start a list, a heading, a quote or a code block.
_MARKDOWN = re.compile(r"[\\`*_\[\]<>&#|~=+]|^\s*(?:[-+*]|\d+[.)])\s|^(?: {4}|\t)| {2,}$|\r",
                       re.MULTILINE)
_PARRAFOS = re.compile(r"\n\s*\n")


def descripcion_corta(text: str | None, length: int = 200) -> str:
    """Plain text of a Markdown description, cut at a word for previews and link cards.

    The text of CKAN's ``markdown_extract`` (up to whitespace, which HTML collapses); a
    description with nothing Markdown would change (most of them) skips the Markdown parser,
    which costs ~2 ms per call: a community's page lists dozens."""
    from ckan.lib.helpers import markdown_extract

    text = text or ""
    if _MARKDOWN.search(text):
        return str(markdown_extract(text, extract_length=length))
    plain = "\n".join(p.strip() for p in _PARRAFOS.split(text) if p.strip())
    if not length or len(plain) < length:
        return plain
    return textwrap.shorten(plain, width=length, placeholder="...")
