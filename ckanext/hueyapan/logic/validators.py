"""Validators of the catalog's fields. Messages are Spanish through the translation catalog.

Validators named in ``schemas/presets.yaml``; those decorated with ``scheming_validator`` receive
the scheming field definition and return the actual validator.
"""
from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import has_request_context, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey
from ckanext.scheming.validation import scheming_validator

from ckanext.hueyapan.comun.lectura import normalise_header
from ckanext.hueyapan.model import ESTADO_ACTIVA, ESTADO_FUSIONADA, Comunidad
from ckanext.hueyapan.registros import comunidades, espacial, vocabularios
from ckanext.hueyapan.reglas import beneficiarios

__all__ = ["AVISO_SIN_CONSULTA", "aviso_sin_consulta", "hueyapan_ambito", "hueyapan_comunidad",
           "hueyapan_comunidades", "hueyapan_comunidades_del_lugar", "hueyapan_coordenada",
    "hueyapan_cvegeo", "hueyapan_ejercicio", "hueyapan_enlaces_datasets", "hueyapan_entero",
    "hueyapan_geojson", "hueyapan_geojson_objeto", "hueyapan_monto", "hueyapan_orden_fechas",
    "hueyapan_porcentaje", "hueyapan_regla_consulta", "hueyapan_rfc_moral", "hueyapan_termino",
    "hueyapan_terminos", "hueyapan_total_beneficiarios", "parse_money"]

Invalid = tk.Invalid
_MISSING = tk.missing

# "$1,234,567.89", "1234567.89", "1,234.5", "$ 1234": thousands separated by commas, dot decimals.
_MONEY = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
_RFC_MORAL = re.compile(r"^[A-ZÑ&]{3}\d{6}[A-Z0-9]{3}$")
_RFC_FISICA = re.compile(r"^[A-ZÑ&]{4}\d{6}[A-Z0-9]{3}$")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")


def _blank(value: Any) -> bool:
    return value is _MISSING or value is None or (isinstance(value, str) and not value.strip())


def parse_money(value: Any) -> Decimal:
    """A non-negative amount of pesos from "1,234.50", "$1,234.50", "1234.5" or a number."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = str(value).strip()
        if not _MONEY.match(text):
            raise ValueError(text)
        amount = Decimal(text.lstrip("$").strip().replace(",", ""))
    if amount < 0:
        raise ValueError(value)
    return amount.quantize(Decimal("0.01"))


def hueyapan_monto(value: Any) -> Any:
    """Money: stores the amount as a plain decimal string with two decimals."""
    if _blank(value):
        return value
    try:
        return str(parse_money(value))
    except (ValueError, InvalidOperation):
        raise Invalid(
            tk._(
                "Invalid amount \"{value}\": write an amount in pesos, "
                "for example 1,234,567.89 or $1,234,567.89"
            ).format(value=value)
        ) from None


def hueyapan_porcentaje(value: Any) -> Any:
    """Percentage from 0 to 100 ("45", "45%", "45.5")."""
    if _blank(value):
        return value
    text = str(value).strip().rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not Decimal(0) <= number <= Decimal(100):
        raise Invalid(
            tk._("Invalid percentage \"{value}\": write a number from 0 to 100").format(value=value)
        )
    return format(number.normalize(), "f")


def hueyapan_total_beneficiarios(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                                 context: Context) -> None:
    """The total of a row of beneficiaries (``reglas/beneficiarios.py``): women plus men when it
    is left empty and both are given; refused when it is smaller than women plus men. Runs
    before ``scheming_required``, which would stop at an empty total."""
    value = data.get(key)
    mujeres = data.get(key[:-1] + ("mujeres",))
    hombres = data.get(key[:-1] + ("hombres",))
    if _blank(value):
        total = beneficiarios.total_of(mujeres, hombres, None)
        if total is not None:
            data[key] = str(total)
        return
    recorded = beneficiarios.count(value)
    least = beneficiarios.smallest_total(mujeres, hombres)
    if recorded is not None and recorded < least:
        errors[key].append(tk._(
            "The total ({total}) is smaller than the women plus the men ({least}): write "
            "{least} or more, or leave it empty and it is worked out").format(
                total=recorded, least=least))


def hueyapan_entero(value: Any) -> Any:
    """A whole number, 0 or more."""
    if _blank(value):
        return value
    text = str(value).strip().replace(",", "")
    if not text.isdigit():
        raise Invalid(
            tk._("Invalid number \"{value}\": write a whole number, 0 or more").format(value=value)
        )
    return str(int(text))


def hueyapan_ejercicio(value: Any) -> Any:
    """A plausible fiscal year: from 2000 to next year."""
    if _blank(value):
        return value
    text = str(value).strip()
    last = datetime.date.today().year + 1
    if not text.isdigit() or not 2000 <= int(text) <= last:
        raise Invalid(
            tk._("Invalid fiscal year \"{value}\": write a year from 2000 to {last}").format(
                value=value, last=last
            )
        )
    return str(int(text))


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@scheming_validator
def hueyapan_orden_fechas(field: dict[str, Any], schema: dict[str, Any]):
    """The date may not be earlier than the date of the field named by ``no_antes_de``."""
    earlier_name = field.get("no_antes_de")

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        if not earlier_name:
            return
        this = _as_date(data.get(key))
        earlier = _as_date(data.get(key[:-1] + (earlier_name,)))
        if this and earlier and this < earlier:
            earlier_label = _field_label(schema, earlier_name)
            errors[key].append(
                tk._("This date ({date}) is earlier than {other} ({other_date})").format(
                    date=this.isoformat(), other=earlier_label, other_date=earlier.isoformat()
                )
            )

    return validator


def _field_label(schema: dict[str, Any], name: str) -> str:
    from ckanext.scheming.helpers import scheming_language_text

    for field in schema.get("dataset_fields", []):
        if field["field_name"] == name:
            return scheming_language_text(field.get("label", name))
    return name


def _as_list(value: Any) -> list[str]:
    if _blank(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list):
                return [str(v).strip() for v in loaded if str(v).strip()]
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _community_problem(key: str, previous: set[str]) -> str | None:
    """Why ``key`` cannot be assigned to a dataset, or None when it can."""
    if key == tk.config["ckanext.hueyapan.municipio.cvegeo"]:
        return None
    comunidad = model.Session.get(Comunidad, key) or (
        model.Session.query(Comunidad).filter(Comunidad.cvegeo == key).first()
    )
    if comunidad is None:
        return tk._("Unknown community \"{key}\": choose one of the list").format(key=key)
    if comunidad.estado == ESTADO_ACTIVA or comunidad.id in previous:
        return None
    if comunidad.estado == ESTADO_FUSIONADA:
        return tk._("The community \"{name}\" was merged into another one: choose that one").format(
            name=comunidad.nombre
        )
    return tk._("The community \"{name}\" was retired: choose another one").format(
        name=comunidad.nombre
    )


def _canonical_community(key: str) -> str:
    comunidad = model.Session.query(Comunidad).filter(Comunidad.cvegeo == key).first()
    return comunidad.id if comunidad is not None else key


def _previous_communities(context: Context) -> set[str]:
    package = context.get("package")
    if package is None:
        return set()
    return set(_as_list((package.extras or {}).get("comunidades")))


@scheming_validator
def hueyapan_comunidades(field: dict[str, Any], schema: dict[str, Any]):
    """One or more communities of the register (ids or INEGI keys), or the municipality's key.

    A retired community stays valid on a dataset that already had it, so editing an old dataset
    never fails because of a community retired since.
    """

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        values = _as_list(data.get(key))
        if not values:
            if field.get("required"):
                errors[key].append(
                    tk._("Choose at least one community, or the whole municipality")
                )
            data[key] = json.dumps([]) if not field.get("required") else data.get(key)
            return
        previous = _previous_communities(context)
        keys = []
        for value in values:
            problem = _community_problem(value, previous)
            if problem:
                errors[key].append(problem)
            else:
                canonical = _canonical_community(value)
                if canonical not in keys:
                    keys.append(canonical)
        data[key] = json.dumps(keys)

    return validator


#: Fields (top level or extras) where harvested metadata names its place: dct:spatial's label
#: (ckanext-dcat's ``spatial_text``) and the names other catalogs use.
PLACE_FIELDS = ("spatial_text", "comunidad", "comunidades", "localidad", "localidades", "lugar")


def _place_of(data: FlattenDataDict) -> tuple[list[str], Any]:
    """The place names and the GeoJSON geometry (``spatial``) a dataset carries, from its top-level
    fields or its free extras."""
    fields: dict[str, Any] = {}
    for flat_key, value in data.items():
        if len(flat_key) == 1 and flat_key[0] in PLACE_FIELDS + ("spatial",):
            fields.setdefault(flat_key[0], value)
        elif len(flat_key) == 3 and flat_key[0] == "extras" and flat_key[2] == "key":
            name = str(value or "").strip().lower()
            if name in PLACE_FIELDS + ("spatial",):
                fields.setdefault(name, data.get(flat_key[:2] + ("value",)))
    texts = [str(fields[name]) for name in PLACE_FIELDS
             if name in fields and not _blank(fields[name])]
    geometry = fields.get("spatial")
    return texts, None if _blank(geometry) else geometry


def communities_named(texts: list[str]) -> list[str]:
    """Keys of the communities the place names name (register names with or without accents,
    INEGI keys; several separated by commas or semicolons). When a locality is named, the
    municipality named beside it ("Nacaxtle, Hueyapan de Ocampo") only says where it is."""
    register = comunidades.communities_register()
    municipality = str(tk.config["ckanext.hueyapan.municipio.cvegeo"])
    # Another catalog saying "Hueyapan de Ocampo" means the municipality, not its seat
    municipality_name = normalise_header(tk.config["ckanext.hueyapan.municipio.nombre"])
    keys: list[str] = []
    for text in texts:
        for part in re.split(r"[,;|/\n]+", text):
            if not part.strip():
                continue
            found = (municipality if normalise_header(part) == municipality_name
                     else getattr(register.resolve(part.strip()), "value", None))
            if found and found not in keys:
                keys.append(found)
    if any(key != municipality for key in keys):
        keys = [key for key in keys if key != municipality]
    return keys


@scheming_validator
def hueyapan_comunidades_del_lugar(field: dict[str, Any], schema: dict[str, Any]):
    """Communities from the place the metadata names, when none were chosen.

    For datasets from other catalogs (DCAT, CKAN): their ``spatial_text`` or a place extra names
    our communities. Names that are not ours are left alone, and nothing is guessed when the
    dataset's geometry lies outside the municipality (a namesake locality elsewhere).
    """

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        if _as_list(data.get(key)):
            return
        texts, geometry = _place_of(data)
        if not texts:
            return
        if geometry is not None and comunidades.in_municipality(geometry) is False:
            return
        found = communities_named(texts)
        if found:
            data[key] = json.dumps(found)

    return validator


@scheming_validator
def hueyapan_comunidad(field: dict[str, Any], schema: dict[str, Any]):
    """Exactly one community of the register (for per-community rows of repeating groups)."""

    def validator(value: Any, context: Context) -> Any:
        if _blank(value):
            return value
        problem = _community_problem(str(value).strip(), _previous_communities(context))
        if problem:
            raise Invalid(problem)
        return _canonical_community(str(value).strip())

    return validator


def _fiscal_year(data: FlattenDataDict, key: FlattenKey) -> int | None:
    for candidate in (("ejercicio_fiscal",), key[:-1] + ("ejercicio_fiscal",)):
        value = data.get(candidate)
        if isinstance(value, (str, int)) and str(value).strip().isdigit():
            return int(str(value).strip())
    return None


def _term_problem(vocabulary: str, value: str, year: int | None) -> str | None:
    term = vocabularios.term(vocabulary, value)
    if term is None:
        return tk._("\"{value}\" is not an option of this list").format(value=value)
    if year is not None and not term.vigente_en(year):
        return tk._("\"{label}\" cannot be used for fiscal year {year}").format(
            label=term.etiqueta, year=year
        )
    return None


@scheming_validator
def hueyapan_termino(field: dict[str, Any], schema: dict[str, Any]):
    """A term of the vocabulary named by the field's ``vocabulario``, valid for the fiscal year."""
    vocabulary = field["vocabulario"]

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        value = data.get(key)
        if _blank(value):
            return
        problem = _term_problem(vocabulary, str(value).strip(), _fiscal_year(data, key))
        if problem:
            errors[key].append(problem)

    return validator


@scheming_validator
def hueyapan_terminos(field: dict[str, Any], schema: dict[str, Any]):
    """Several terms of the vocabulary named by the field's ``vocabulario``; stored as JSON."""
    vocabulary = field["vocabulario"]

    def validator(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                  context: Context) -> None:
        values = _as_list(data.get(key))
        if not values and field.get("required"):
            errors[key].append(tk._("Missing value"))
            return
        year = _fiscal_year(data, key)
        for value in values:
            problem = _term_problem(vocabulary, value, year)
            if problem:
                errors[key].append(problem)
        data[key] = json.dumps(values)

    return validator


def hueyapan_rfc_moral(value: Any) -> Any:
    """The RFC of a company (12 characters). A person's RFC (13) is personal data."""
    if _blank(value):
        return value
    rfc = str(value).strip().upper().replace(" ", "").replace("-", "")
    if _RFC_FISICA.match(rfc):
        raise Invalid(
            tk._(
                "\"{value}\" looks like the RFC of a person (13 characters): it is personal data "
                "and is not published. Write only the RFC of a company (12 characters)"
            ).format(value=value)
        )
    if not _RFC_MORAL.match(rfc):
        raise Invalid(
            tk._("Invalid RFC \"{value}\": a company's RFC has 12 characters").format(value=value)
        )
    return rfc


def _positions(geometry: dict[str, Any]) -> list[Any]:
    def walk(node: Any) -> list[Any]:
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            return [node]
        if isinstance(node, list):
            return [p for child in node for p in walk(child)]
        raise ValueError
    return walk(geometry.get("coordinates"))


def hueyapan_geojson(value: Any) -> Any:
    """A GeoJSON geometry (point, line or polygon) in longitude/latitude degrees."""
    if _blank(value):
        return value
    try:
        geometry = espacial.parse_ubicacion(value) if isinstance(value, str) else value
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
            raise ValueError
        positions = _positions(geometry)
        if not positions or any(
            len(p) < 2 or not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in positions
        ):
            raise ValueError
    except (ValueError, TypeError):
        raise Invalid(
            tk._(
                "Invalid location: click the place on the map, or write its latitude and "
                "longitude (e.g. {pair}; several pairs separated by \";\" draw a line), or paste a "
                "GeoJSON geometry (Point, LineString or Polygon), e.g. {example}"
            ).format(pair="18.15, -95.14",
                     example='{"type": "Point", "coordinates": [-95.14, 18.15]}')
        ) from None
    return json.dumps(geometry)


#: The staff form's box "publish without a recorded consultation". A form-only field: not in any
#: schema, so navl puts it in ``__extras``, where :func:`hueyapan_regla_consulta` reads it and
#: CKAN's ``'__extras': [ignore]`` drops it; it is never stored.
AVISO_SIN_CONSULTA = "hueyapan_publicar_sin_consulta"

_SIN_CONSULTA_BASTA = ("planeacion", "cancelada")
_ACCIONES_API = ("package_create", "package_update", "package_patch", "package_revise")


def origen_guardado(dataset_type: str) -> str:
    """Who is saving a dataset: ``"formulario"`` (a POST to the new or edit form of its type),
    ``"api"`` (a ``package_*`` call of the action API: always a logged-in user) or ``"interno"``
    (harvest consumers, CLI commands, background jobs, other pages: no request, or one that is
    neither). Read from the Flask request that is being served, which no API client can fake."""
    if not has_request_context() or request.method != "POST":
        return "interno"
    if request.endpoint in (f"{dataset_type}.new", f"{dataset_type}.edit", "hueyapan.obra_nueva"):
        return "formulario"
    if request.endpoint == "api.action" and (
            (request.view_args or {}).get("logic_function") in _ACCIONES_API):
        return "api"
    return "interno"


def _sin_consulta(etapa: Any, consultas: Any) -> bool:
    return not _blank(etapa) and etapa not in _SIN_CONSULTA_BASTA and not consultas


def _consultas_en(data: FlattenDataDict) -> bool:
    return any(k[0] == "consultas" and len(k) == 3 and k[2] == "fecha" and not _blank(v)
               for k, v in data.items())


def _ya_sin_consulta(context: Context) -> bool:
    """The stored obra (when updating) already was past planning without a consultation."""
    package = context.get("package")
    if package is None:
        return False
    try:
        consultas = json.loads(package.extras.get("consultas") or "[]")
    except ValueError:
        consultas = []
    return _sin_consulta(package.extras.get("etapa"), consultas)


def aviso_sin_consulta() -> str:
    """The staff form's warning on the stage of an obra saved without a consultation."""
    return tk._(
        "This obra is past \"Planning\" and has no recorded citizen consultation. Record it in "
        "\"Citizen consultations\" (date and place), or tick the box below to publish it as it is: "
        "it will show the red flag \"No recorded consultation\""
    )


def hueyapan_regla_consulta(key: FlattenKey, data: FlattenDataDict, errors: FlattenErrorDict,
                            context: Context) -> None:
    """An obra past planning without a recorded citizen consultation.

    Transparency never refuses a real obra: it is saved, and carries the red flag
    ``sin_consulta`` (alertas.py). Who saves it (:func:`origen_guardado`) changes only this:

    * the staff form returns it once with :func:`aviso_sin_consulta` until its box
      :data:`AVISO_SIN_CONSULTA` is ticked (not again when the stored obra already was so);
    * with ``ckanext.hueyapan.obra.consulta_obligatoria`` the form and the API refuse it;
    * harvests, CLI commands and background jobs are never stopped by the rule.
    """
    if not _sin_consulta(data.get(key), _consultas_en(data)):
        return
    origen = origen_guardado(str(data.get(("type",)) or "obra"))
    if origen == "interno":
        return
    if tk.asbool(tk.config["ckanext.hueyapan.obra.consulta_obligatoria"]):
        errors[key].append(
            tk._(
                "An obra cannot move past \"Planning\" without a recorded citizen consultation: "
                "add the consultation (date and place) first"
            )
        )
    elif origen == "formulario" and not _ya_sin_consulta(context) and _blank(
            (data.get(("__extras",)) or {}).get(AVISO_SIN_CONSULTA)):
        errors[key].append(aviso_sin_consulta())


def hueyapan_enlaces_datasets(value: Any, context: Context) -> Any:
    """Links to other datasets of the catalog by name or id; stored as a JSON list of names."""
    names = []
    for reference in _as_list(value):
        package = model.Package.get(reference)
        if package is None or package.state == "deleted":
            raise Invalid(
                tk._("The dataset \"{reference}\" does not exist in the catalog").format(
                    reference=reference
                )
            )
        names.append(package.name)
    return json.dumps(names)


def hueyapan_cvegeo(value: Any) -> Any:
    """A 9-digit INEGI locality key of this municipality."""
    if _blank(value):
        return None
    key = str(value).strip()
    municipio = tk.config["ckanext.hueyapan.municipio.cvegeo"]
    if not (len(key) == 9 and key.isdigit() and key.startswith(municipio)):
        raise Invalid(
            tk._("Invalid INEGI key \"{value}\": a locality of this municipality has 9 digits "
                 "starting with {municipio}").format(value=value, municipio=municipio)
        )
    return key


def hueyapan_coordenada(value: Any) -> Any:
    """A coordinate in decimal degrees."""
    if _blank(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Invalid(tk._("Invalid coordinate \"{value}\": write decimal degrees").format(
            value=value)) from None


def hueyapan_ambito(value: Any) -> Any:
    """INEGI's ámbito: U (urbano) or R (rural)."""
    if _blank(value):
        return None
    text = str(value).strip().upper()[:1]
    if text not in ("U", "R"):
        raise Invalid(tk._("Invalid ámbito \"{value}\": U (urban) or R (rural)").format(
            value=value))
    return text


def hueyapan_geojson_objeto(value: Any) -> Any:
    """A GeoJSON geometry, kept as an object."""
    if _blank(value):
        return None
    return json.loads(hueyapan_geojson(value))
