"""The one filter engine of the catalog: from a request to the datasets it means.

Every output that lists datasets (the search pages, ``package_search``, the CSV and XLSX exports,
the OC4IDS package, the Atom feeds, ``hueyapan_resumen``, the home page's figures and the
community pages) takes its filters here, so the same filters find the same datasets everywhere.

* :func:`parse_busqueda` turns a query string as the search page takes it (facet fields such as
  ``hueyapan_comunidad=300730030``, ``q``, ``ext_bbox``, the virtual ``hueyapan_alerta`` and
  ``hueyapan_estado``) into a :class:`Busqueda`, exactly as CKAN's search view does: each
  ``field=value`` pair is one required clause (two values of one field: both must hold);
  :func:`clausula` writes one clause of any of several values (``hueyapan_resumen``'s lists).
* :meth:`Busqueda.params` gives the ``package_search`` parameters; :func:`iterate_datasets` reads
  every dataset a search finds, a page at a time.
* :func:`translate_query` (``before_dataset_search``, so inside ``package_search`` itself) turns the
  two virtual fields, which Solr does not hold as such, into Solr queries: the red flags that
  depend on today's date (``retraso``, ``sin_finiquito``) and a convocatoria's estado are
  evaluated against Solr's ``NOW``. Every form a client may write is understood:
  ``hueyapan_alerta:retraso``, ``hueyapan_alerta:"retraso"``,
  ``hueyapan_alerta:(retraso OR sobrecosto)``, ``hueyapan_alerta:("retraso" OR "sobrecosto")``,
  each with or without ``+`` or ``-``; an unknown value is a Spanish ``ValidationError``.
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.hueyapan.comun import ESTADOS, TIMEZONE
from ckanext.hueyapan.reglas import alertas

__all__ = [
    "ALERTA_FIELD", "ESTADO_FIELD", "ESTADOS", "Busqueda", "alerta_query", "iterate_datasets",
    "clausula", "parse_busqueda", "estado_query", "solr_instant", "translate_query",
]

ALERTA_FIELD = "hueyapan_alerta"
ESTADO_FIELD = "hueyapan_estado"
#: Query-string parameters of a search page that are not field filters.
NO_FILTROS = ("q", "page", "sort")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_OPEN = "-hueyapan_etapa:(concluida OR finiquitada OR cancelada)"
_PAGE = 500


def solr_instant(day: datetime.date, end_of_day: bool = False) -> str:
    """The UTC instant at which a local (Mexico City) day starts or ends."""
    local = datetime.datetime.combine(
        day, datetime.time.max if end_of_day else datetime.time.min, TIMEZONE
    )
    return local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def alerta_query(alerta: str) -> str:
    """Solr query of the obras with a red flag, the date-dependent ones against Solr's NOW."""
    due = "hueyapan_termino_programado_date"
    if alerta == "retraso":
        return f"({ALERTA_FIELD}:retraso OR ({due}:[* TO NOW] AND {_OPEN}))"
    if alerta == "sin_finiquito":
        return (f"({due}:[* TO NOW-{alertas.DIAS_FINIQUITO}DAYS] AND "
                "-hueyapan_etapa:(finiquitada OR cancelada))")
    return f"{ALERTA_FIELD}:{alerta}"


def estado_query(estado: str) -> str:
    """Solr query of the datasets in an estado, evaluated against Solr's NOW."""
    apertura, cierre = "hueyapan_fecha_apertura_date", "hueyapan_fecha_cierre_date"
    resultados = "hueyapan_fecha_resultados_date"
    return {
        "proxima": f"{apertura}:{{NOW TO *]",
        "abierta": f"({apertura}:[* TO NOW] AND {cierre}:[NOW TO *])",
        "cerrada": f"({cierre}:[* TO NOW}} AND -{resultados}:[* TO NOW])",
        "resuelta": f"({cierre}:[* TO NOW}} AND {resultados}:[* TO NOW])",
    }[estado]


# --- Inside package_search: the virtual fields --------------------------------------------------

_VALUE = r'"[^"]*"|[^\s()"]+'
_LIST = rf'\(\s*(?:{_VALUE})(?:\s+(?:(?:OR|AND|\|\||&&)\s+)?(?:{_VALUE}))*\s*\)'
_VIRTUAL = re.compile(
    rf'(?<![\w.\\])(?P<sign>[+-]?)(?P<field>{ALERTA_FIELD}|{ESTADO_FIELD}):'
    rf'(?P<value>{_LIST}|{_VALUE})')
_TOKEN = re.compile(rf'{_VALUE}')
_OPERATORS = {"OR": "OR", "||": "OR", "AND": "AND", "&&": "AND"}


def _unknown(field: str, value: str) -> tk.ValidationError:

    if field == ALERTA_FIELD:
        return tk.ValidationError({"fq": [
            tk._("Unknown red flag \"{alerta}\": use one of {alertas}").format(
                alerta=value, alertas=", ".join(alertas.ALERTAS))]})
    return tk.ValidationError({"fq": [
        tk._("Unknown status \"{estado}\": use one of {estados}").format(
            estado=value, estados=", ".join(ESTADOS))]})


def _query(field: str, value: str) -> str:

    name = value[1:-1].strip() if value.startswith('"') else value
    if field == ALERTA_FIELD and name in alertas.ALERTAS:
        return alerta_query(name)
    if field == ESTADO_FIELD and name in ESTADOS:
        return estado_query(name)
    raise _unknown(field, name)


def _clause(match: re.Match[str]) -> str:
    field, value = match["field"], match["value"]
    if not value.startswith("("):
        return f"{match['sign']}{_query(field, value)}"
    parts: list[str] = []
    for token in _TOKEN.findall(value[1:-1]):
        joined = bool(parts) and parts[-1] not in ("OR", "AND")
        if token in _OPERATORS:
            if joined:
                parts.append(_OPERATORS[token])
            continue
        if joined:
            parts.append("AND")  # no operator between two values: Solr's q.op (CKAN: AND)
        parts.append(_query(field, token))
    if parts and parts[-1] in ("OR", "AND"):
        parts.pop()
    return f"{match['sign']}({' '.join(parts)})"


def translate_query(text: str) -> str:
    """``text`` (a Solr ``q`` or ``fq``) with every clause on a virtual field turned into the
    Solr query it means; any other mention of them (a range, a wildcard) is refused."""
    if ALERTA_FIELD not in text and ESTADO_FIELD not in text:
        return text
    out, last = [], 0
    for match in _VIRTUAL.finditer(text):
        out += [_refuse_leftovers(text[last:match.start()]), _clause(match)]
        last = match.end()
    out.append(_refuse_leftovers(text[last:]))
    return "".join(out)


_LEFTOVER = re.compile(rf'(?<![\w.\\])({ALERTA_FIELD}|{ESTADO_FIELD}):(\S*)')


def _refuse_leftovers(text: str) -> str:
    found = _LEFTOVER.search(text)
    if found:
        raise _unknown(found[1], found[2] or '""')
    return text


# --- From a request to package_search -----------------------------------------------------------


def _literal(value: str) -> str:
    return '"{}"'.format(str(value).replace("\\", "\\\\").replace('"', '\\"'))


def clausula(field: str, values: Iterable[Any]) -> str:
    """One required clause: ``field`` holds any of ``values`` (``+field:("a" OR "b")``)."""
    values = [str(v) for v in values if v not in (None, "")]
    if not _FIELD_NAME.fullmatch(field) or not values:
        raise ValueError(f"no clause for {field!r} = {values!r}")
    if len(values) == 1:
        return f"+{field}:{_literal(values[0])}"
    return f"+{field}:({' OR '.join(_literal(v) for v in values)})"


@dataclasses.dataclass(frozen=True)
class Busqueda:
    """A search: free text, field clauses, ``ext_`` extras (``ext_bbox``) and a dataset type."""

    q: str = ""
    clausulas: tuple[str, ...] = ()
    extras: tuple[tuple[str, str], ...] = ()
    tipo: str | None = None

    @property
    def filtra(self) -> bool:
        """Whether it narrows the datasets of its type at all."""
        return bool(self.q or self.clausulas or self.extras)

    def narrow(self, *clausulas: str, tipo: str | None = None) -> Busqueda:
        """The same search narrowed by more clauses (and of a type)."""
        return dataclasses.replace(self, clausulas=self.clausulas + clausulas,
                                   tipo=tipo or self.tipo)

    def params(self, **more: Any) -> dict[str, Any]:
        """The ``package_search`` data dict (``more``: rows, sort, fl…)."""
        clauses = self.clausulas + ((f"+dataset_type:{self.tipo}",) if self.tipo else ())
        params: dict[str, Any] = {"q": self.q, "fq": " ".join(clauses)}
        if self.extras:
            params["extras"] = dict(self.extras)
        params.update(more)
        return params


def _pairs(args: Any) -> list[tuple[str, str]]:
    if hasattr(args, "items") and hasattr(args, "getlist"):  # werkzeug MultiDict
        return [(k, v) for k, v in args.items(multi=True)]
    if isinstance(args, Mapping):
        return [(k, v) for k, values in args.items()
                for v in (values if isinstance(values, (list, tuple)) else [values])]
    return list(args)


def parse_busqueda(args: Any, tipo: str | None = None) -> Busqueda:
    """The search a query string means, as CKAN's search page reads it (``args``: a MultiDict,
    a mapping of values or lists, or (name, value) pairs)."""
    q, clauses, extras = "", [], {}
    for key, value in _pairs(args):
        value = str(value or "").strip()
        if not value or key in ("page", "sort") or key.startswith("_"):
            continue
        if key == "q":
            q = q or value
        elif key.startswith("ext_"):
            extras.setdefault(key, value)
        elif _FIELD_NAME.fullmatch(key):
            clauses.append(f"{key}:{_literal(value)}")
    return Busqueda(q=q, clausulas=tuple(clauses), extras=tuple(sorted(extras.items())), tipo=tipo)


def iterate_datasets(busqueda: Busqueda, context: Context | None = None, limite: int = 50000,
             **more: Any) -> Iterator[dict[str, Any]]:
    """Every dataset a search finds (at most ``limite``), a page of ``package_search`` at a time,
    newest change first; ``context`` is the caller's (anonymous by default)."""
    start = 0
    while start < limite:
        page_context: Context = {**context} if context else {}  # actions change theirs
        result = tk.get_action("package_search")(page_context, busqueda.params(
            rows=min(_PAGE, limite - start), start=start, sort="metadata_modified desc", **more))
        yield from result["results"]
        start += _PAGE
        if start >= result["count"] or not result["results"]:
            return
