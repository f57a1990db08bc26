"""The examples of the page "Datos para periodistas" (``/datos-para-periodistas``).

Each example is code a reader can copy: a ``curl`` command, a Python snippet with ckanapi, or an
address to open in a spreadsheet program or a browser. The page shows them with the catalog's own
address, and ``tests/browser/test_periodistas.py`` runs every one of them, as shown on the page,
against a running catalog: an example that stops working fails the tests.
"""
from __future__ import annotations

import dataclasses

from ckanext.hueyapan.comun.idioma import N_

__all__ = ["Ejemplo", "EJEMPLOS", "render"]


@dataclasses.dataclass(frozen=True)
class Ejemplo:
    """One example: its id, kind (``curl``, ``python`` or ``url``), what it does, and its text
    with ``{sitio}`` where the catalog's address goes."""

    id: str
    kind: str
    titulo: str
    texto: str


EJEMPLOS: tuple[Ejemplo, ...] = (
    Ejemplo("buscar-obras", "curl",
            N_("Every public work of fiscal year 2025 paid with FISM-DF, as JSON"),
            "curl '{sitio}/api/3/action/package_search?"
            "fq=dataset_type:obra+hueyapan_ejercicio:2025+hueyapan_fuente:fism&rows=100'"),
    Ejemplo("resumen", "curl",
            N_("How many works and how much money per community, fiscal year and source"),
            "curl '{sitio}/api/3/action/hueyapan_resumen?tipo=obra&ejercicio=2025'"),
    Ejemplo("comunidades", "curl",
            N_("The communities with their INEGI keys and 2020 population"),
            "curl '{sitio}/api/3/action/hueyapan_comunidad_list'"),
    Ejemplo("python", "python",
            N_("The same search in Python, with ckanapi (pip install ckanapi)"),
            "from ckanapi import RemoteCKAN\n"
            "\n"
            "catalogo = RemoteCKAN('{sitio}')\n"
            "obras = catalogo.action.package_search(\n"
            "    fq='dataset_type:obra hueyapan_ejercicio:2025 hueyapan_fuente:fism', rows=100)\n"
            "for obra in obras['results']:\n"
            "    print(obra['clave_obra'], obra['title'], obra.get('monto_aprobado'))"),
    Ejemplo("csv", "url",
            N_("The same works as a spreadsheet (CSV; use .xlsx for Excel)"),
            "{sitio}/exportar/obra.csv?hueyapan_ejercicio=2025&hueyapan_fuente=fism"),
    Ejemplo("diccionario", "url",
            N_("What each column of that spreadsheet means"),
            "{sitio}/exportar/obra-diccionario.csv"),
    Ejemplo("oc4ids", "url",
            N_("The same works in OC4IDS, the open standard for infrastructure projects"),
            "{sitio}/exportar/oc4ids.json?hueyapan_ejercicio=2025&hueyapan_fuente=fism"),
    Ejemplo("dcat", "url",
            N_("The whole catalog in DCAT (RDF Turtle), for other catalogs"),
            "{sitio}/catalog.ttl"),
    Ejemplo("cambios", "url",
            N_("Follow the changes: Atom feed of the public works"),
            "{sitio}/cambios/obra.atom"),
)


def render(sitio: str) -> list[dict[str, str]]:
    """The examples with the catalog's address, for the page."""
    sitio = sitio.rstrip("/")
    return [{"id": e.id, "kind": e.kind, "titulo": e.titulo, "texto": e.texto.format(sitio=sitio)}
            for e in EJEMPLOS]
