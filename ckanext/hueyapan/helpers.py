"""Template helpers (``h.hueyapan_*``)."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.hueyapan import ejemplos, participacion
from ckanext.hueyapan.comun import (
    ESTADO_LABELS,
    PROPUESTA_ESTADO_LABELS,
    cantidades,
    tipo_label,
    tipo_plural,
)
from ckanext.hueyapan.comun.idioma import N_
from ckanext.hueyapan.logic.validators import AVISO_SIN_CONSULTA, aviso_sin_consulta
from ckanext.hueyapan.model import ESTADO_ACTIVA, ESTADO_FUSIONADA, ESTADO_RETIRADA, Comunidad
from ckanext.hueyapan.paginas import cifras, fichas, mapas
from ckanext.hueyapan.registros import comunidades, vocabularios
from ckanext.hueyapan.registros.espacial import municipal_boundary
from ckanext.hueyapan.registros.licencias import predeterminada

# Every public function named hueyapan_* is a template helper (toolkit.blanket.helpers registers
# the names in __all__, computed at the end of this module).


def hueyapan_municipio() -> dict[str, str]:
    """The municipality this catalog serves: its name and INEGI key."""
    return {
        "nombre": tk.config["ckanext.hueyapan.municipio.nombre"],
        "cvegeo": tk.config["ckanext.hueyapan.municipio.cvegeo"],
    }


def _community_label(comunidad: Comunidad) -> str:
    label = comunidad.nombre
    if comunidad.cvegeo:
        label = f"{label} ({comunidad.cvegeo})"
    if comunidad.estado == ESTADO_RETIRADA:
        label = f"{label} · {tk._('retired')}"
    elif comunidad.estado == ESTADO_FUSIONADA:
        label = f"{label} · {tk._('merged')}"
    return label


def hueyapan_comunidad_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a community field: the whole municipality first, then active communities by
    name, then retired or merged ones (so old datasets still show their names)."""
    everyone = {
        "value": tk.config["ckanext.hueyapan.municipio.cvegeo"],
        "label": tk._("All the municipality"),
    }
    query = model.Session.query(Comunidad).order_by(
        (Comunidad.estado != ESTADO_ACTIVA), Comunidad.nombre, Comunidad.id
    )
    return [everyone] + [{"value": c.id, "label": _community_label(c)} for c in query]


def hueyapan_vocabulario_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of a vocabulary field, labelled in Spanish and English."""
    return [
        {"value": clave, "label": {"es": etiqueta, "en": etiqueta_en or etiqueta}}
        for clave, etiqueta, etiqueta_en in
        vocabularios.labels_by_vocabulary().get(field["vocabulario"], [])
    ]


def hueyapan_comunidad_label(key: str) -> str:
    """Display name of a community key (or of the whole municipality)."""
    return comunidades.comunidad_labels([key])[key]


def hueyapan_termino_label(vocabulary: str, key: str) -> str:
    """Display label of a vocabulary term in the current language."""
    return vocabularios.termino_labels(vocabulary).get(key, key)


def hueyapan_formato_monto(value: Any) -> str:
    """An amount as Mexicans write it: $1,234,567.89."""
    try:
        return f"${Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value or "")


def hueyapan_lista(value: Any) -> list[str]:
    """A list stored as JSON text (or already a list)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    return [str(v) for v in loaded] if isinstance(loaded, list) else [str(loaded)]


def hueyapan_cifras() -> dict[str, Any]:
    """The home page's key figures (cached; see ``paginas/cifras.py``)."""
    return cifras.figures()


def hueyapan_recientes(limit: int = 5) -> list[dict[str, Any]]:
    """The public datasets changed last, newest first (title, name, type, date)."""
    result = tk.get_action("package_search")(
        {"ignore_auth": True},
        {"q": "*:*", "sort": "metadata_modified desc", "rows": limit,
         "fl": "name,title,dataset_type,metadata_modified"})
    return [{**item, "type": item.get("dataset_type") or "dataset"} for item in result["results"]]


def hueyapan_descripcion_corta(text: str | None, length: int = 200) -> str:
    """Plain text of a Markdown description, cut at a word (see ``fichas.descripcion_corta``)."""
    return fichas.descripcion_corta(text, length)


def hueyapan_datos_ejemplo() -> bool:
    """Whether the catalog holds generated example data ("Datos de ejemplo") right now."""
    return ejemplos.is_loaded()


def hueyapan_tipo_label(dataset_type: str) -> str:
    """The name of a dataset type, in the current language."""
    return tipo_label(dataset_type)


def hueyapan_numero(value: Any) -> str:
    """A whole number with thousands separated by commas ("41,670"); a dash when unknown."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def hueyapan_porcentaje_numero(value: Any) -> float | None:
    """A stored percentage ("45", "45.5") as a number from 0 to 100, or None."""
    return cantidades.porcentaje(value)


def hueyapan_estado_label(estado: str | None) -> str:
    """The name of a convocatoria's estado (próxima, abierta, cerrada, resuelta)."""
    label = ESTADO_LABELS.get(estado or "")
    return tk._(label) if label else (estado or "")


def hueyapan_mapa_comunidades(cuentas: dict[str, int]) -> Any:
    """The SVG map of the communities, each sized by its count and linked to its page."""
    return mapas.comunidades_mapa(cuentas)


def hueyapan_mapa_selector(ident: str, modo: str) -> Any:
    """The map of a staff form: ``modo`` "comunidades" (a click on a circle picks that
    community) or "ubicacion" (a click marks the place of the obra)."""
    if modo == "comunidades":
        return mapas.svg_selector(ident, tk._("Map of the communities"), tk._(
            "Click a community's circle to add it to the list, or again to remove it."))
    return mapas.svg_selector(ident, tk._("Map of the municipality"), tk._(
        "Click the place of the work. For a road or a network, choose \"Draw a line\" and click "
        "each point of its route."))


def hueyapan_comunidades_con_mas(cuentas: dict[str, int], limit: int = 8) -> list[dict[str, Any]]:
    """The communities named by most datasets (not the whole municipality), most first."""
    keys = [key for key in cuentas if key != str(tk.config["ckanext.hueyapan.municipio.cvegeo"])]
    names = {key: nombre for key, nombre in model.Session.query(Comunidad.id, Comunidad.nombre)
             .filter(Comunidad.id.in_(keys))} if keys else {}
    ranked = sorted(names, key=lambda key: (-cuentas[key], names[key]))
    return [{"clave": key, "nombre": names[key], "cuenta": cuentas[key]} for key in ranked[:limit]]


_ERROR_TITLES = {
    400: N_("Bad request"),
    403: N_("You cannot see this page"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("The file is too large"),
    429: N_("Too many requests: wait a moment and try again"),
    500: N_("Something went wrong on our side"),
    503: N_("The catalog is not available right now"),
}
_ERROR_TEXTS = {
    404: N_("We could not find this page. It may have been moved, or the address may be "
            "mistyped. Try the search box or go back to the home page."),
    403: N_("You do not have permission to see this page."),
    500: N_("The error was recorded. Please try again in a few minutes."),
}


def hueyapan_error(code: Any, name: str | None, content: Any) -> dict[str, str]:
    """Spanish title and text of an error page. The generic English texts of the web server
    (werkzeug's descriptions) are replaced; a specific message the catalog gave is kept."""
    from werkzeug.exceptions import default_exceptions

    try:
        number = int(code[0] if isinstance(code, (list, tuple)) else code)
    except (TypeError, ValueError, IndexError):
        number = 500
    exception = default_exceptions.get(number)
    generic = {getattr(exception, "description", None), "Internal server error", None, ""}
    text = str(content) if content not in generic else tk._(
        _ERROR_TEXTS.get(number, _ERROR_TEXTS[500] if number >= 500 else _ERROR_TEXTS[404]))
    title = _ERROR_TITLES.get(number)
    return {"codigo": str(number), "titulo": tk._(title) if title else (name or ""), "texto": text}


def hueyapan_tipo_plural(dataset_type: str) -> str:
    """The plural name of a dataset type, in the current language ("Obras públicas")."""
    return tipo_plural(dataset_type)


@functools.lru_cache(maxsize=1)
def hueyapan_mapa_busqueda() -> dict[str, Any]:
    """What the map of the search pages needs: the municipality's bounds as Leaflet's
    [[south, west], [north, east]] and its simplified boundary as GeoJSON (a light overlay).
    Worked out once per process: the boundary is INEGI's published one."""
    import shapely
    from shapely.geometry import mapping

    boundary = shapely.set_precision(municipal_boundary(tolerance=0.002), 0.0001)
    minx, miny, maxx, maxy = boundary.bounds
    return {"extension": [[miny, minx], [maxy, maxx]], "limite": mapping(boundary)}


def hueyapan_gettext(textos: dict[str, str]) -> Callable[..., str]:
    """A gettext for another extension's snippet whose strings we word our own way: a msgid of
    ``textos`` gives its (already translated) text there, any other goes through the catalog as
    usual. The snippet takes it as ``_``, which its ``{{ _('...') }}`` then call:
    ``{% snippet "spatial/snippets/spatial_query.html", _=h.hueyapan_gettext({'Clear':
    _('Remove the area')}) %}`` (see ``hueyapan/snippets/busqueda_mapa.html``)."""
    def gettext(message: str, **variables: Any) -> str:
        text = textos[message] if message in textos else tk._(message)
        return text % variables if variables else text

    return gettext


def hueyapan_comunidades_nombres(keys: list[str]) -> str:
    """The names of some communities, comma-separated, in one query ("Los Mangos, Barrosa")."""
    labels = comunidades.comunidad_labels(list(keys))
    return ", ".join(labels[key] for key in keys)


# --- Dataset pages of an obra, a programa social and a convocatoria (see paginas/fichas.py) -------

def hueyapan_ficha(nombre: str, *args: Any, **kwargs: Any) -> Any:
    """One of the values of a dataset page computed in ``paginas/fichas.py``, by name: e.g.
    ``h.hueyapan_ficha('consultas', pkg)``, ``h.hueyapan_ficha('mapa', pkg)``."""
    if nombre not in fichas.__all__ or not callable(getattr(fichas, nombre)):
        raise ValueError(f"unknown value of a dataset page: {nombre}")
    return getattr(fichas, nombre)(*args, **kwargs)


def hueyapan_fecha_larga(value: Any) -> str:
    """A date as people write it, in the page's language: "1 de marzo de 2025"."""
    return fichas.fecha_larga(value)


def hueyapan_aviso_consulta(data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """The box "publish without a recorded consultation" of an obra's staff form: ``mostrar``
    once the form came back with that warning on the stage (or, for another reason, with the
    box ticked; never with the hard stop on), ``marcado`` when it was ticked, ``campo`` the name
    of the form-only field."""
    marcado = bool(str((data or {}).get(AVISO_SIN_CONSULTA) or "").strip())
    pedido = aviso_sin_consulta() in ((errors or {}).get("etapa") or [])
    obligatoria = tk.asbool(tk.config["ckanext.hueyapan.obra.consulta_obligatoria"])
    return {"mostrar": pedido or (marcado and not obligatoria), "marcado": marcado,
            "campo": AVISO_SIN_CONSULTA}


# --- Participation in calls (see participacion/) -----------------------------------------------

def hueyapan_resultados_convocatoria(name: str) -> dict[str, Any]:
    """The public results of a call's proposals (``hueyapan_convocatoria_resultados``)."""
    try:
        return tk.get_action("hueyapan_convocatoria_resultados")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"publicados": False, "total": 0}


def hueyapan_propuesta_estado_label(estado: str) -> str:
    return tk._(PROPUESTA_ESTADO_LABELS.get(estado, estado))


def hueyapan_dataset_publico(dataset_id: str | None) -> dict[str, str] | None:
    """Name, type and title of a public, active dataset, or None (a draft stays hidden)."""
    return participacion.public_dataset(dataset_id)


def hueyapan_licencia_predeterminada() -> dict[str, Any]:
    """The licence of a dataset that names none (``ckanext.hueyapan.licencia_predeterminada``,
    an id of the licence register): id, title, url and isopen."""
    return predeterminada()


# --- CKAN's own helpers, chained: two made safe (tests/browser/test_hostil.py), one in words --

@tk.chained_helper
def render_markdown(next_helper: Any, data: str, auto_link: bool = True,
                    allow_html: bool = False) -> Any:
    """CKAN's ``render_markdown``, sanitised once more after it links bare addresses. CKAN
    2.12.0 links them after sanitising, inside attribute values too: a description such as
    ``![a](x "b>http://x.com/onerror=...//")`` would leave an event handler on the image."""
    from markupsafe import Markup
    from nh3 import clean

    from ckan.lib.helpers import MARKDOWN_ATTRIBUTES, MARKDOWN_TAGS

    html = next_helper(data, auto_link=auto_link, allow_html=allow_html)
    if allow_html or not auto_link or not html:
        return html
    attributes = {**MARKDOWN_ATTRIBUTES, "a": MARKDOWN_ATTRIBUTES["a"] | {"target"}}
    return Markup(clean(str(html), tags=MARKDOWN_TAGS, attributes=attributes))


#: The "add" button of each type's search page, named in words: CKAN's own answer is the type's
#: machine name ("Añadir Programa-social").
_ADD_LINKS = {
    "obra": N_("Add a public work"),
    "programa-social": N_("Add a social programme"),
    "convocatoria": N_("Add a call"),
}

#: CKAN's own label for the other types' add button (``snippets/add_dataset.html``), kept in our
#: catalog: CKAN's Spanish says "Agrega conjunto de datos".
N_("Add Dataset")


@tk.chained_helper
def humanize_entity_type(next_helper: Any, entity_type: str, object_type: str,
                         purpose: str) -> Any:
    """CKAN's ``humanize_entity_type``, with our types' "add" buttons in words (CKAN's
    ``snippets/add_dataset.html`` asks it for the ``add link``)."""
    if entity_type == "package" and purpose == "add link" and object_type in _ADD_LINKS:
        return tk._(_ADD_LINKS[object_type])
    return next_helper(entity_type, object_type, purpose)


@tk.chained_helper
def mail_to(next_helper: Any, email_address: str, name: str) -> Any:
    """CKAN's ``mail_to`` with the address quoted: CKAN 2.12.0 writes ``href=mailto:...``
    unquoted, so a space in a stored e-mail (a harvested one, say) starts an event handler."""
    from markupsafe import Markup

    return Markup('<a href="mailto:{0}">{1}</a>').format(email_address, name)


# Every hueyapan_* function above is a template helper, and so are the chained CKAN helpers:
# keep this line at the end of the module.
__all__ = sorted(name for name, value in list(globals().items())  # pyright: ignore[reportUnsupportedDunderAll]
                 if name.startswith("hueyapan_") and callable(value)) + [
                     "humanize_entity_type", "mail_to", "render_markdown"]
