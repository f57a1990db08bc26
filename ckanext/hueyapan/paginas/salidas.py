"""Cross-output table: the same filter asked of every output of the catalog, one count each.

For every dataset type and every filter its search page offers (each value of each facet of the
type as the catalog counts it, every red flag and every estado of a convocatoria even when none
has it, and no filter at all), the catalog is asked, anonymously and through its own web
application, as a visitor would:

``pagina``
    the search page (``/obra/?hueyapan_alerta=retraso``): the count in its heading;
``api``
    ``package_search`` with the filters as the search page writes them;
``csv``, ``xlsx``
    the data rows of ``/exportar/<tipo>.csv|xlsx`` with the same query string;
``resumen``
    ``datasets`` of ``hueyapan_resumen`` (its own parameters where it has one, else ``fq``);
``oc4ids``
    the projects of ``/exportar/oc4ids.json`` (obras);
``atom``
    the entries of ``/cambios/<tipo>.atom`` (at most the feed's size);
``comunidad``, ``comunidad_atom``
    for a community filter: the count on the community's page and the entries of its feed;
``inicio``
    the home page's figures, where one counts the same thing (obras, obras by etapa,
    convocatorias abiertas).

:func:`tabla` builds it, :func:`texto` prints it; ``ckan hueyapan salidas`` and
``tests/paginas/test_salidas.py`` both use them, so what the test checks is what the command shows.
"""
from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.busqueda import filtros, indice
from ckanext.hueyapan.comun import DATASET_TYPES, ENTRADAS_ATOM
from ckanext.hueyapan.paginas import cifras, resumen
from ckanext.hueyapan.reglas import alertas

__all__ = ["COLUMNAS", "Fila", "filtros_de", "fila", "tabla", "texto"]

COLUMNAS = ("pagina", "api", "csv", "xlsx", "resumen", "oc4ids", "atom", "comunidad",
            "comunidad_atom", "inicio")
#: Columns that list at most a feed's entries.
_FEEDS = ("atom", "comunidad_atom")
_ATOM = "{http://www.w3.org/2005/Atom}"
_BADGE = {"obra": "hy-obras", "programa-social": "hy-programas",
          "convocatoria": "hy-convocatorias"}
Filtro = tuple[tuple[str, str], ...]


@dataclasses.dataclass
class Fila:
    """The counts of one filter of one type, by output (None: the output does not apply)."""

    tipo: str
    filtro: Filtro
    cuentas: dict[str, int | None]

    @property
    def esperado(self) -> int | None:
        return self.cuentas.get("api")

    def esperado_en(self, columna: str) -> int | None:
        """What ``columna`` should say: the search's count, capped at a feed's size."""
        if self.esperado is None:
            return None
        return min(self.esperado, ENTRADAS_ATOM) if columna in _FEEDS else self.esperado

    @property
    def discrepancias(self) -> list[str]:
        """The outputs whose count differs from what they should say."""
        return [columna for columna, cuenta in self.cuentas.items()
                if cuenta is not None and cuenta != self.esperado_en(columna)]

    @property
    def nombre(self) -> str:
        return " & ".join(f"{k}={v}" for k, v in self.filtro) or "(sin filtro)"


class _Cliente:
    """Anonymous GET requests to the catalog's web application (a Flask app)."""

    def __init__(self, flask_app: Any) -> None:
        self.client = flask_app.test_client()
        self.base = tk.config["ckan.site_url"]

    def get(self, path: str, args: Iterable[tuple[str, str]] = ()) -> tuple[int, bytes]:
        response = self.client.get(path, query_string=list(args), base_url=self.base)
        return response.status_code, response.get_data()

    def ok(self, path: str, args: Iterable[tuple[str, str]] = ()) -> bytes:
        status, body = self.get(path, args)
        if status != 200:
            raise AssertionError(f"GET {path}?{list(args)}: HTTP {status}\n{body[:500]!r}")
        return body

    def api(self, action: str, args: Iterable[tuple[str, str]]) -> Any:
        return json.loads(self.ok(f"/api/3/action/{action}", args))["result"]


def filtros_de(flask_app: Any, tipo: str) -> list[Filtro]:
    """Every filter the search page of ``tipo`` offers: no filter, each value of each facet (as
    the catalog counts them), every red flag (obras) and every estado (convocatorias)."""
    cliente = _Cliente(flask_app)
    campos = list(indice.add_facets(
        {"organization": "", "groups": "", "tags": "", "res_format": "", "license_id": ""}, tipo))
    facetas = cliente.api("package_search", [
        ("fq", f"+dataset_type:{tipo}"), ("rows", "0"), ("facet.limit", "-1"),
        ("facet.field", json.dumps(campos))])["facets"]
    result: list[Filtro] = [()]
    for campo in campos:
        valores = list(facetas.get(campo) or {})
        if campo == filtros.ALERTA_FIELD:
            valores = list(alertas.ALERTAS)
        elif campo == filtros.ESTADO_FIELD:
            valores = list(filtros.ESTADOS)
        result += [((campo, valor),) for valor in sorted(valores)]
    return result


def _pagina(body: bytes) -> int:
    """The count in the heading of a search page ("3 obras públicas encontradas")."""
    text = body.decode("utf-8")
    start = text.find('class="search-form')
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text[start:], re.S) if start >= 0 else None
    if heading is None:
        raise AssertionError("the search page shows no count of results")
    words = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).strip()
    number = re.match(r"([\d][\d,.\s]*)", words)
    return int(re.sub(r"\D", "", number.group(1))) if number else 0


def _csv_rows(body: bytes) -> int:
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


def _xlsx_rows(body: bytes) -> int:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True)["Datos"]
    return sum(1 for row in sheet.iter_rows(min_row=2, values_only=True)
               if any(value not in (None, "") for value in row))


def _entries(body: bytes) -> int:
    return len(ET.fromstring(body).findall(f"{_ATOM}entry"))


def _resumen_args(tipo: str, filtro: Filtro) -> list[tuple[str, str]]:

    param_of = {field: param for param, field in resumen.FILTERS.items()}
    args = [("tipo", tipo)]
    for key, value in filtro:
        if key == "q" or key.startswith("ext_"):
            args.append((key, value))
        elif key in param_of:
            args.append((param_of[key], value))
        else:
            args.append(("fq", f'{key}:"{value}"'))
    return args


def _comunidad(cliente: _Cliente, tipo: str, clave: str) -> tuple[int | None, int | None]:
    status, body = cliente.get(f"/comunidad/{clave}")
    if status != 200:
        return None, None  # the whole municipality has no page of its own
    badge = re.search(rf'id="{_BADGE[tipo]}".*?<span class="badge[^"]*">([\d,.\s]+)</span>',
                      body.decode("utf-8"), re.S)
    if badge is None:
        raise AssertionError(f"/comunidad/{clave} shows no count of {tipo}")
    feed = cliente.ok(f"/comunidad/{clave}/cambios.atom", [("dataset_type", tipo)])
    return int(re.sub(r"\D", "", badge.group(1))), _entries(feed)


def _inicio(tipo: str, filtro: Filtro, cifras: dict[str, Any] | None) -> int | None:
    if cifras is None:
        return None
    if tipo == "obra" and not filtro:
        return int(cifras["obras"])
    if tipo == "obra" and len(filtro) == 1 and filtro[0][0] == "hueyapan_etapa":
        return next((item["obras"] for item in cifras["obras_por_etapa"]
                     if item["clave"] == filtro[0][1]), 0)
    if tipo == "convocatoria" and filtro == ((filtros.ESTADO_FIELD, "abierta"),):
        return len(cifras["convocatorias_abiertas"])
    return None


def fila(flask_app: Any, tipo: str, filtro: Filtro, cifras: dict[str, Any] | None = None) -> Fila:
    """The counts of one filter (query-string pairs) of one type in every output."""
    cliente = _Cliente(flask_app)
    args = list(filtro)
    busqueda = filtros.parse_busqueda(args, tipo)
    api_args = [("q", busqueda.q), ("fq", busqueda.params()["fq"]), ("rows", "0"),
                *busqueda.extras]
    cuentas: dict[str, int | None] = dict.fromkeys(COLUMNAS)
    cuentas.update({
        "pagina": _pagina(cliente.ok(f"/{tipo}/", args)),
        "api": int(cliente.api("package_search", api_args)["count"]),
        "csv": _csv_rows(cliente.ok(f"/exportar/{tipo}.csv", args)),
        "xlsx": _xlsx_rows(cliente.ok(f"/exportar/{tipo}.xlsx", args)),
        "resumen": int(cliente.api("hueyapan_resumen", _resumen_args(tipo, filtro))["datasets"]),
        "atom": _entries(cliente.ok(f"/cambios/{tipo}.atom", args)),
        "inicio": _inicio(tipo, filtro, cifras),
    })
    if tipo == "obra":
        cuentas["oc4ids"] = len(json.loads(cliente.ok("/exportar/oc4ids.json", args))["projects"])
    if len(filtro) == 1 and filtro[0][0] == "hueyapan_comunidad":
        cuentas["comunidad"], cuentas["comunidad_atom"] = _comunidad(cliente, tipo, filtro[0][1])
    return Fila(tipo, filtro, cuentas)


def tabla(flask_app: Any, tipos: Sequence[str] = DATASET_TYPES,
          extra: Iterable[tuple[str, Filtro]] = ()) -> list[Fila]:
    """The cross-output table of every filter of ``tipos`` (and the ``extra`` ones, e.g. a
    bounding box or a combination of filters)."""
    figures = cifras.compute()
    filas = [fila(flask_app, tipo, filtro, figures)
             for tipo in tipos for filtro in filtros_de(flask_app, tipo)]
    return filas + [fila(flask_app, tipo, filtro, figures) for tipo, filtro in extra]


def texto(filas: Sequence[Fila]) -> str:
    """The table as text: one line per filter, "—" where an output does not apply, and a last
    column that says whether every output agrees."""
    header = ("tipo", "filtro", *COLUMNAS, "coinciden")
    lines: list[tuple[str, ...]] = [header]
    for row in filas:
        counts = ["—" if row.cuentas[c] is None else str(row.cuentas[c]) for c in COLUMNAS]
        lines.append((row.tipo, row.nombre, *counts,
                      "sí" if not row.discrepancias else "NO: " + ", ".join(row.discrepancias)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width)
                               for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in lines)
