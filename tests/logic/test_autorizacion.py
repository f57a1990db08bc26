"""Authorization matrix: who may do what in the catalog, every cell performed for real.

Five roles (an anonymous visitor, a registered user with no membership, an editor of área A, an
admin of área B, a sysadmin) × every operation on the datasets of each type, and every action of
the extension and of harvesting. ``MATRIX`` is the expected outcome of each cell, written out in
full; ``test_cell`` performs each cell through the action layer as that user (``get_action`` with
``{"user": name}`` and no ``ignore_auth``: the real auth functions run) and
``test_matrix_is_complete`` fails when a cell, an operation or an action of the extension is
missing. The README's "Permisos" table summarises it.
"""
from __future__ import annotations

import io
import itertools
import json
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.types import Context

from tests import fabricas

ROLES = ("anonymous", "registered", "editor_a", "admin_b", "sysadmin")
TYPES = ("obra", "programa-social", "convocatoria", "dataset")
NONE = "-"  # an operation that is not about datasets of one type

YES = "allowed"   # the action succeeds and does what was asked
NO = "denied"     # NotAuthorized
HIDDEN = "hidden"  # answered, but what the user may not read is left out (or "not found")

# Every dataset operation acts on a private dataset of the type, of área A (created by the
# site), except the three "..._b" ones, which act in área B: its admin is allowed there and
# denied in área A. "package_show_private" also asserts that package_search with
# include_private=True finds the dataset exactly when package_show shows it.
DATASET_OPERATIONS = (
    "package_create", "package_update", "package_patch", "package_delete",
    "package_show_private", "resource_create", "resource_update", "resource_delete",
    "package_create_in_b", "package_update_of_b", "package_show_private_of_b",
)
# Actions of the extension and of harvesting. Proposals: one proposal "recibida" to área A's
# open call, submitted by a citizen outside the matrix (the proponent may read it and upload its
# reports; the área reviews it; nobody else reads it before the call is resuelta). Harvest
# sources are of type hueyapan_tabular; the área a source harvests into is its configuration's
# "organizacion", which may differ from the área that owns the source.
OTHER_OPERATIONS = (
    "hueyapan_comunidad_list", "hueyapan_comunidad_show", "hueyapan_comunidad_create",
    "hueyapan_comunidad_update", "hueyapan_comunidad_merge", "hueyapan_comunidad_retire",
    "hueyapan_termino_list", "hueyapan_termino_create", "hueyapan_termino_update",
    "hueyapan_resumen", "hueyapan_resumen_private",
    "hueyapan_propuesta_create", "hueyapan_propuesta_show", "hueyapan_propuesta_list",
    "hueyapan_propuesta_estado", "hueyapan_propuesta_convertir", "hueyapan_propuesta_informe",
    "hueyapan_convocatoria_resultados",
    "harvest_source_create", "harvest_source_create_in_b_into_a", "harvest_source_show",
    "harvest_source_update", "harvest_source_update_of_b", "harvest_source_update_b_into_a",
    "harvest_source_delete", "harvest_job_create",
)

# (operation, type): outcome for    anonymous  registered  editor_A  admin_B  sysadmin
MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    ("package_create", "obra"):                       (NO,  NO,  YES, NO,  YES),
    ("package_create", "programa-social"):            (NO,  NO,  YES, NO,  YES),
    ("package_create", "convocatoria"):               (NO,  NO,  YES, NO,  YES),
    ("package_create", "dataset"):                    (NO,  NO,  YES, NO,  YES),
    ("package_update", "obra"):                       (NO,  NO,  YES, NO,  YES),
    ("package_update", "programa-social"):            (NO,  NO,  YES, NO,  YES),
    ("package_update", "convocatoria"):               (NO,  NO,  YES, NO,  YES),
    ("package_update", "dataset"):                    (NO,  NO,  YES, NO,  YES),
    ("package_patch", "obra"):                        (NO,  NO,  YES, NO,  YES),
    ("package_patch", "programa-social"):             (NO,  NO,  YES, NO,  YES),
    ("package_patch", "convocatoria"):                (NO,  NO,  YES, NO,  YES),
    ("package_patch", "dataset"):                     (NO,  NO,  YES, NO,  YES),
    ("package_delete", "obra"):                       (NO,  NO,  YES, NO,  YES),
    ("package_delete", "programa-social"):            (NO,  NO,  YES, NO,  YES),
    ("package_delete", "convocatoria"):               (NO,  NO,  YES, NO,  YES),
    ("package_delete", "dataset"):                    (NO,  NO,  YES, NO,  YES),
    ("package_show_private", "obra"):                 (NO,  NO,  YES, NO,  YES),
    ("package_show_private", "programa-social"):      (NO,  NO,  YES, NO,  YES),
    ("package_show_private", "convocatoria"):         (NO,  NO,  YES, NO,  YES),
    ("package_show_private", "dataset"):              (NO,  NO,  YES, NO,  YES),
    ("resource_create", "obra"):                      (NO,  NO,  YES, NO,  YES),
    ("resource_create", "programa-social"):           (NO,  NO,  YES, NO,  YES),
    ("resource_create", "convocatoria"):              (NO,  NO,  YES, NO,  YES),
    ("resource_create", "dataset"):                   (NO,  NO,  YES, NO,  YES),
    ("resource_update", "obra"):                      (NO,  NO,  YES, NO,  YES),
    ("resource_update", "programa-social"):           (NO,  NO,  YES, NO,  YES),
    ("resource_update", "convocatoria"):              (NO,  NO,  YES, NO,  YES),
    ("resource_update", "dataset"):                   (NO,  NO,  YES, NO,  YES),
    ("resource_delete", "obra"):                      (NO,  NO,  YES, NO,  YES),
    ("resource_delete", "programa-social"):           (NO,  NO,  YES, NO,  YES),
    ("resource_delete", "convocatoria"):              (NO,  NO,  YES, NO,  YES),
    ("resource_delete", "dataset"):                   (NO,  NO,  YES, NO,  YES),
    ("package_create_in_b", "obra"):                  (NO,  NO,  NO,  YES, YES),
    ("package_create_in_b", "programa-social"):       (NO,  NO,  NO,  YES, YES),
    ("package_create_in_b", "convocatoria"):          (NO,  NO,  NO,  YES, YES),
    ("package_create_in_b", "dataset"):               (NO,  NO,  NO,  YES, YES),
    ("package_update_of_b", "obra"):                  (NO,  NO,  NO,  YES, YES),
    ("package_update_of_b", "programa-social"):       (NO,  NO,  NO,  YES, YES),
    ("package_update_of_b", "convocatoria"):          (NO,  NO,  NO,  YES, YES),
    ("package_update_of_b", "dataset"):               (NO,  NO,  NO,  YES, YES),
    ("package_show_private_of_b", "obra"):            (NO,  NO,  NO,  YES, YES),
    ("package_show_private_of_b", "programa-social"): (NO,  NO,  NO,  YES, YES),
    ("package_show_private_of_b", "convocatoria"):    (NO,  NO,  NO,  YES, YES),
    ("package_show_private_of_b", "dataset"):         (NO,  NO,  NO,  YES, YES),

    # Communities and vocabularies: anyone reads them, only sysadmins change them.
    ("hueyapan_comunidad_list", NONE):                (YES, YES, YES, YES, YES),
    ("hueyapan_comunidad_show", NONE):                (YES, YES, YES, YES, YES),
    ("hueyapan_comunidad_create", NONE):              (NO,  NO,  NO,  NO,  YES),
    ("hueyapan_comunidad_update", NONE):              (NO,  NO,  NO,  NO,  YES),
    ("hueyapan_comunidad_merge", NONE):               (NO,  NO,  NO,  NO,  YES),
    ("hueyapan_comunidad_retire", NONE):              (NO,  NO,  NO,  NO,  YES),
    ("hueyapan_termino_list", NONE):                  (YES, YES, YES, YES, YES),
    ("hueyapan_termino_create", NONE):                (NO,  NO,  NO,  NO,  YES),
    ("hueyapan_termino_update", NONE):                (NO,  NO,  NO,  NO,  YES),
    # Summaries are public; with include_private they count A's private obra only for those
    # who may read it.
    ("hueyapan_resumen", NONE):                       (YES, YES, YES, YES, YES),
    ("hueyapan_resumen_private", NONE):               (HIDDEN, HIDDEN, YES, HIDDEN, YES),
    # Proposals to área A's open call.
    ("hueyapan_propuesta_create", NONE):              (NO,  YES, YES, YES, YES),
    ("hueyapan_propuesta_show", NONE):                (HIDDEN, HIDDEN, YES, HIDDEN, YES),
    ("hueyapan_propuesta_list", NONE):                (HIDDEN, HIDDEN, YES, HIDDEN, YES),
    ("hueyapan_propuesta_estado", NONE):              (NO,  NO,  YES, NO,  YES),
    ("hueyapan_propuesta_convertir", NONE):           (NO,  NO,  YES, NO,  YES),
    ("hueyapan_propuesta_informe", NONE):             (NO,  NO,  YES, NO,  YES),
    ("hueyapan_convocatoria_resultados", NONE):       (YES, YES, YES, YES, YES),
    # Harvest sources (public, like every source of ckanext-harvest).
    ("harvest_source_create", NONE):                  (NO,  NO,  YES, NO,  YES),
    ("harvest_source_create_in_b_into_a", NONE):      (NO,  NO,  NO,  NO,  YES),
    ("harvest_source_show", NONE):                    (YES, YES, YES, YES, YES),
    ("harvest_source_update", NONE):                  (NO,  NO,  YES, NO,  YES),
    ("harvest_source_update_of_b", NONE):             (NO,  NO,  NO,  YES, YES),
    ("harvest_source_update_b_into_a", NONE):         (NO,  NO,  NO,  NO,  YES),
    ("harvest_source_delete", NONE):                  (NO,  NO,  YES, NO,  YES),
    ("harvest_job_create", NONE):                     (NO,  NO,  YES, NO,  YES),
}

# Harvest actions the matrix must exercise (the rest of ckanext-harvest is not ours to test).
HARVEST_ACTIONS = ("harvest_source_create", "harvest_source_update", "harvest_source_delete",
                   "harvest_source_show", "harvest_job_create")

LOS_MANGOS = "300730030"
PDF = b"%PDF-1.4\n% informe (datos de ejemplo)\n%%EOF\n"
VOCABULARIO = "fuente_financiamiento"


# --- The world the cells act on ---------------------------------------------------------------

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


def _site() -> Context:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
            "ignore_auth": True}


def _as_site(action: str, **data: Any) -> Any:
    """Set-up work, as the site user (not part of any cell)."""
    return tk.get_action(action)(_site(), data)


def _call(context: dict[str, Any], action: str, **data: Any) -> Any:
    """One action as the cell's user: a fresh context each time (actions change it)."""
    return tk.get_action(action)(Context(**context), data)


def _dataset_data(tipo: str, org: dict[str, Any], **fields: Any) -> dict[str, Any]:
    n = _n()
    name = fields.pop("name", f"{tipo}-autorizacion-{n}")
    if tipo == "obra":
        return fabricas.obra(org, name=name, clave_obra=f"HUE-2025-AUT-{n:03d}", **fields)
    if tipo == "programa-social":
        return fabricas.programa(org, name=name, clave_programa=f"AUT-2025-{n:03d}", **fields)
    if tipo == "convocatoria":
        return fabricas.convocatoria(org, name=name, folio=f"AUT-2026-{n:03d}", **fields)
    data = {"type": "dataset", "owner_org": org["id"], "name": name,
            "title": f"Padrón de apoyos {n}", "notes": "Datos de ejemplo.",
            "comunidades": [LOS_MANGOS]}
    data.update(fields)
    return data


def _private_dataset(tipo: str, org: dict[str, Any]) -> dict[str, Any]:
    """A private dataset of ``org`` with one linked PDF (never fetched: not a table)."""
    return _as_site("package_create", **_dataset_data(
        tipo, org, private=True,
        resources=[{"name": "Informe", "url": "https://example.org/informe.pdf", "format": "PDF"}]))


def _community() -> dict[str, Any]:
    return _as_site("hueyapan_comunidad_create", nombre=f"Colonia de prueba {_n()}", ambito="R")


class _Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


def _source_data(owner: dict[str, Any], into: dict[str, Any], **fields: Any) -> dict[str, Any]:
    n = _n()
    data = {"name": f"fuente-autorizacion-{n}", "title": f"Hoja de obras {n}",
            "url": f"http://127.0.0.1:9/hoja-{n}.csv", "source_type": "hueyapan_tabular",
            "owner_org": owner["id"], "frequency": "MANUAL",
            "config": json.dumps({"tipo": "obra", "organizacion": into["name"]})}
    data.update(fields)
    return data


def _source(owner: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    return _as_site("harvest_source_create", **_source_data(owner, into))


class Mundo(types.SimpleNamespace):
    """The users, áreas and data of the matrix."""

    def context(self, role: str) -> dict[str, Any]:
        return {"user": self.users[role]}

    def propuesta(self, estado: str = "recibida") -> dict[str, Any]:
        """A new proposal of the proponent to área A's open call, moved to ``estado``."""
        propuesta = _call(
            {"user": self.proponente}, "hueyapan_propuesta_create",
            convocatoria=self.abierta["name"], titulo=f"Rehabilitar el pozo {_n()}",
            comunidad=LOS_MANGOS, problema="El pozo se seca en abril.",
            descripcion="Desazolve y bomba nueva.", costo_estimado="$250,000")
        if estado != "recibida":
            propuesta = _as_site("hueyapan_propuesta_estado", id=propuesta["id"], estado=estado)
        return propuesta


def _build() -> Mundo:
    editor_a = factories.User(name="autorizacion-editor-a")
    admin_b = factories.User(name="autorizacion-admin-b")
    area_a = factories.Organization(
        name="area-a", title="Área A", users=[{"name": editor_a["name"], "capacity": "editor"}])
    area_b = factories.Organization(
        name="area-b", title="Área B", users=[{"name": admin_b["name"], "capacity": "admin"}])
    users = {
        "anonymous": "",
        "registered": factories.User(name="autorizacion-registrado")["name"],
        "editor_a": editor_a["name"],
        "admin_b": admin_b["name"],
        "sysadmin": factories.Sysadmin(name="autorizacion-sysadmin")["name"],
    }
    mundo = Mundo(
        users=users, area_a=area_a, area_b=area_b,
        proponente=factories.User(name="autorizacion-proponente")["name"],
        privado_a={tipo: _private_dataset(tipo, area_a) for tipo in TYPES},
        privado_b={tipo: _private_dataset(tipo, area_b) for tipo in TYPES},
        abierta=_as_site("package_create", **fabricas.convocatoria(
            area_a, name="convocatoria-abierta-a", folio="AUT-ABIERTA",
            fecha_apertura=fabricas.dia(-5), fecha_cierre=fabricas.dia(10),
            fecha_resultados=fabricas.dia(20))),
        termino=_as_site("hueyapan_termino_create", vocabulario=VOCABULARIO,
                         clave="autorizacion", etiqueta="Fondo de prueba"),
        fuente_a=_source(area_a, area_a),
        fuente_b=_source(area_b, area_b),
    )
    mundo.recibida = mundo.propuesta()
    return mundo


@pytest.fixture(scope="module")
def mundo(reset_db, reset_index, migrate_db_for) -> Iterator[Mundo]:
    """Built once for the whole matrix, with the plugins loaded for the whole module: a few
    hundred cells, and a clean database (or CKAN's ``with_plugins``, which loads every plugin
    again) per cell would take many minutes. CKAN's ``with_plugins`` and ``clean_index`` and our
    ``comunidades`` are function fixtures, so this does what they do, once, with CKAN's
    session-scoped callables: plugins loaded, a clean database with every plugin's tables, the
    communities and vocabularies seeded, an empty index. Cells that change or delete something
    act on their own new copy, so the order of the cells does not matter."""
    from tests.conftest import catalogo_vacio

    plugins.load_all()
    try:
        catalogo_vacio(reset_db, migrate_db_for, reset_index)
        yield _build()
    finally:
        plugins.unload_all()


# --- The operations: each performs one cell and reports what happened --------------------------

#: operation name -> (the action it exercises, the function that performs it)
OPERATIONS: dict[str, tuple[str, Callable[[Mundo, dict[str, Any], str], str]]] = {}


def operation(name: str, action: str | None = None):
    def register(perform: Callable[[Mundo, dict[str, Any], str], str]):
        OPERATIONS[name] = (action or name, perform)
        return perform
    return register


def _outcome(attempt: Callable[[], Any], hidden_when_not_found: bool = False) -> str:
    """YES when ``attempt`` returns, NO on NotAuthorized; HIDDEN on "not found" where that is
    how the action hides what the user may not read. Anything else (a validation error) fails
    the cell."""
    try:
        attempt()
    except tk.NotAuthorized:
        return NO
    except tk.ObjectNotFound:
        if not hidden_when_not_found:
            raise
        return HIDDEN
    return YES


def _title(context: dict[str, Any]) -> str:
    return f"Cambiado por {context['user'] or 'visitante'} {_n()}"


def _create_in(org_key: str) -> Callable[[Mundo, dict[str, Any], str], str]:
    def perform(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
        org = getattr(mundo, org_key)

        def attempt() -> None:
            created = _call(context, "package_create", **_dataset_data(tipo, org))
            assert created["owner_org"] == org["id"] and created["type"] == tipo
        return _outcome(attempt)
    return perform


def _update_of(datasets_key: str) -> Callable[[Mundo, dict[str, Any], str], str]:
    def perform(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
        dataset = getattr(mundo, datasets_key)[tipo]

        def attempt() -> None:
            data = _as_site("package_show", id=dataset["id"])
            data["title"] = title = _title(context)
            updated = _call(context, "package_update", **data)
            assert updated["title"] == title and updated["resources"]
        return _outcome(attempt)
    return perform


def _show_private_of(datasets_key: str) -> Callable[[Mundo, dict[str, Any], str], str]:
    def perform(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
        dataset = getattr(mundo, datasets_key)[tipo]
        shown = _outcome(lambda: _call(context, "package_show", id=dataset["id"]))
        found = _call(context, "package_search", fq=f"name:{dataset['name']}",
                      include_private=True)["count"]
        if (shown, found) == (YES, 1) or (shown, found) == (NO, 0):
            return shown
        return f"package_show {shown} but package_search found {found}"
    return perform


operation("package_create")(_create_in("area_a"))
operation("package_create_in_b", "package_create")(_create_in("area_b"))
operation("package_update")(_update_of("privado_a"))
operation("package_update_of_b", "package_update")(_update_of("privado_b"))
operation("package_show_private", "package_show")(_show_private_of("privado_a"))
operation("package_show_private_of_b", "package_show")(_show_private_of("privado_b"))


@operation("package_patch")
def _package_patch(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    def attempt() -> None:
        title = _title(context)
        patched = _call(context, "package_patch", id=mundo.privado_a[tipo]["id"], title=title)
        assert patched["title"] == title
    return _outcome(attempt)


@operation("package_delete")
def _package_delete(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    dataset = _private_dataset(tipo, mundo.area_a)

    def attempt() -> None:
        _call(context, "package_delete", id=dataset["id"])
        assert _as_site("package_show", id=dataset["id"])["state"] == "deleted"
    return _outcome(attempt)


@operation("resource_create")
def _resource_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    def attempt() -> None:
        created = _call(context, "resource_create", package_id=mundo.privado_a[tipo]["id"],
                        name="Anexo", url="https://example.org/anexo.pdf", format="PDF")
        assert created["package_id"] == mundo.privado_a[tipo]["id"]
    return _outcome(attempt)


@operation("resource_update")
def _resource_update(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    resource = mundo.privado_a[tipo]["resources"][0]

    def attempt() -> None:
        name = _title(context)
        updated = _call(context, "resource_update", id=resource["id"], name=name,
                        url=resource["url"], format="PDF")
        assert updated["name"] == name
    return _outcome(attempt)


@operation("resource_delete")
def _resource_delete(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    resource = _as_site("resource_create", package_id=mundo.privado_a[tipo]["id"],
                        name="Para borrar", url="https://example.org/borrar.pdf", format="PDF")

    def attempt() -> None:
        _call(context, "resource_delete", id=resource["id"])
        dataset = _as_site("package_show", id=mundo.privado_a[tipo]["id"])
        assert resource["id"] not in {r["id"] for r in dataset["resources"]}
    return _outcome(attempt)


# Communities and vocabularies

@operation("hueyapan_comunidad_list")
def _comunidad_list(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    def attempt() -> None:
        assert len(_call(context, "hueyapan_comunidad_list")) >= 50
    return _outcome(attempt)


@operation("hueyapan_comunidad_show")
def _comunidad_show(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_comunidad_show", id=LOS_MANGOS))


@operation("hueyapan_comunidad_create")
def _comunidad_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_comunidad_create",
                                  nombre=f"Colonia nueva {_n()}", ambito="R"))


@operation("hueyapan_comunidad_update")
def _comunidad_update(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    comunidad = _community()
    return _outcome(lambda: _call(context, "hueyapan_comunidad_update", id=comunidad["id"],
                                  nombre=f"Colonia renombrada {_n()}"))


@operation("hueyapan_comunidad_merge")
def _comunidad_merge(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    comunidad = _community()
    return _outcome(lambda: _call(context, "hueyapan_comunidad_merge", id=comunidad["id"],
                                  destino=LOS_MANGOS))


@operation("hueyapan_comunidad_retire")
def _comunidad_retire(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    comunidad = _community()
    return _outcome(lambda: _call(context, "hueyapan_comunidad_retire", id=comunidad["id"]))


@operation("hueyapan_termino_list")
def _termino_list(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_termino_list", vocabulario=VOCABULARIO))


@operation("hueyapan_termino_create")
def _termino_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_termino_create", vocabulario=VOCABULARIO,
                                  clave=f"prueba-{_n()}", etiqueta="Fondo nuevo"))


@operation("hueyapan_termino_update")
def _termino_update(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_termino_update", vocabulario=VOCABULARIO,
                                  clave=mundo.termino["clave"], etiqueta=_title(context)))


# Summaries

@operation("hueyapan_resumen")
def _resumen(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_resumen", tipo="obra"))


@operation("hueyapan_resumen_private", "hueyapan_resumen")
def _resumen_private(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    counted = []
    outcome = _outcome(lambda: counted.append(_call(
        context, "hueyapan_resumen", include_private=True,
        fq=f"name:{mundo.privado_a['obra']['name']}")["datasets"]))
    return outcome if outcome != YES or counted == [1] else HIDDEN


# Proposals

@operation("hueyapan_propuesta_create")
def _propuesta_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    def attempt() -> None:
        created = _call(context, "hueyapan_propuesta_create",
                        convocatoria=mundo.abierta["name"], titulo="Techado de la cancha",
                        comunidad=LOS_MANGOS, problema="No hay sombra.",
                        descripcion="Estructura metálica.")
        assert created["estado"] == "recibida"
    return _outcome(attempt)


@operation("hueyapan_propuesta_show")
def _propuesta_show(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "hueyapan_propuesta_show", id=mundo.recibida["id"]),
                    hidden_when_not_found=True)


@operation("hueyapan_propuesta_list")
def _propuesta_list(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    listed: list[dict[str, Any]] = []
    outcome = _outcome(lambda: listed.extend(_call(
        context, "hueyapan_propuesta_list", convocatoria=mundo.abierta["name"])))
    seen = mundo.recibida["id"] in {p["id"] for p in listed}
    return outcome if outcome != YES or seen else HIDDEN


@operation("hueyapan_propuesta_estado")
def _propuesta_estado(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    propuesta = mundo.propuesta()

    def attempt() -> None:
        moved = _call(context, "hueyapan_propuesta_estado", id=propuesta["id"],
                      estado="en_revision")
        assert moved["estado"] == "en_revision"
    return _outcome(attempt)


@operation("hueyapan_propuesta_convertir")
def _propuesta_convertir(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    propuesta = mundo.propuesta("aprobada")

    def attempt() -> None:
        converted = _call(context, "hueyapan_propuesta_convertir", id=propuesta["id"])
        obra = _as_site("package_show", id=converted["dataset"]["id"])
        assert obra["owner_org"] == mundo.area_a["id"] and obra["private"] is True
    return _outcome(attempt)


@operation("hueyapan_propuesta_informe")
def _propuesta_informe(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    propuesta = mundo.propuesta("aprobada")

    def attempt() -> None:
        _call(context, "hueyapan_propuesta_informe", id=propuesta["id"],
              tipo="informe_preliminar", archivo=_Upload("informe.pdf", PDF))
    return _outcome(attempt)


@operation("hueyapan_convocatoria_resultados")
def _convocatoria_resultados(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    def attempt() -> None:
        resultados = _call(context, "hueyapan_convocatoria_resultados", id=mundo.abierta["name"])
        assert resultados["publicados"] is False and "aprobadas" not in resultados
    return _outcome(attempt)


# Harvest sources

@operation("harvest_source_create")
def _harvest_source_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "harvest_source_create",
                                  **_source_data(mundo.area_a, mundo.area_a)))


@operation("harvest_source_create_in_b_into_a", "harvest_source_create")
def _harvest_source_create_b_into_a(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "harvest_source_create",
                                  **_source_data(mundo.area_b, mundo.area_a)))


@operation("harvest_source_show")
def _harvest_source_show(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _outcome(lambda: _call(context, "harvest_source_show", id=mundo.fuente_a["id"]))


def _update_source(context: dict[str, Any], source: dict[str, Any], owner: dict[str, Any],
                   into: dict[str, Any]) -> str:
    def attempt() -> None:
        title = _title(context)
        updated = _call(context, "harvest_source_update", id=source["id"], **_source_data(
            owner, into, name=source["name"], url=source["url"], title=title))
        assert updated["title"] == title
    return _outcome(attempt)


@operation("harvest_source_update")
def _harvest_source_update(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _update_source(context, mundo.fuente_a, mundo.area_a, mundo.area_a)


@operation("harvest_source_update_of_b", "harvest_source_update")
def _harvest_source_update_of_b(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _update_source(context, mundo.fuente_b, mundo.area_b, mundo.area_b)


@operation("harvest_source_update_b_into_a", "harvest_source_update")
def _harvest_source_update_b_into_a(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    return _update_source(context, _source(mundo.area_b, mundo.area_b), mundo.area_b,
                          mundo.area_a)


@operation("harvest_source_delete")
def _harvest_source_delete(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    source = _source(mundo.area_a, mundo.area_a)
    return _outcome(lambda: _call(context, "harvest_source_delete", id=source["id"]))


@operation("harvest_job_create")
def _harvest_job_create(mundo: Mundo, context: dict[str, Any], tipo: str) -> str:
    source = _source(mundo.area_a, mundo.area_a)  # one unrun job per source at most

    def attempt() -> None:
        # run=False: the job is created (and authorised) but not sent to the gather queue,
        # where no consumer runs in these tests.
        job = _call(context, "harvest_job_create", source_id=source["id"], run=False)
        assert job["source_id"] == source["id"]
    return _outcome(attempt)


# --- The tests ----------------------------------------------------------------------------------

CELLS = [
    pytest.param(operation_, tipo, role, expected, id=f"{operation_}-{tipo}-{role}")
    for (operation_, tipo), row in MATRIX.items()
    for role, expected in zip(ROLES, row, strict=True)
]


def test_matrix_is_complete():
    """Every role × operation × type has its expected outcome, every operation is performed by
    some code, and every action of the extension (and the harvest actions above) is exercised."""
    from ckanext.hueyapan.logic import action

    expected_cells = {(op, tipo) for op in DATASET_OPERATIONS for tipo in TYPES}
    expected_cells |= {(op, NONE) for op in OTHER_OPERATIONS}
    assert set(MATRIX) == expected_cells
    assert all(len(row) == len(ROLES) and set(row) <= {YES, NO, HIDDEN}
               for row in MATRIX.values())
    assert len(CELLS) == len(ROLES) * len(expected_cells)
    assert set(OPERATIONS) == set(DATASET_OPERATIONS) | set(OTHER_OPERATIONS)
    exercised = {exercised_action for exercised_action, _ in OPERATIONS.values()}
    ours = {name for name in action.__all__ if name.startswith("hueyapan_")}  # not chained ones
    assert ours | set(HARVEST_ACTIONS) <= exercised


@pytest.mark.parametrize(("operation_", "tipo", "role", "expected"), CELLS)
def test_cell(mundo, operation_, tipo, role, expected):
    _, perform = OPERATIONS[operation_]
    observed = perform(mundo, mundo.context(role), tipo)
    assert observed == expected, f"{role}: {operation_} ({tipo}) {observed}, expected {expected}"
