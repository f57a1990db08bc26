"""Backups (`services/backup.sh`, `make backup` and `make restore`): a catalog with data of every
kind is copied, damaged and restored, and then compared with what it held, field by field and byte
by byte; a damaged backup is refused without touching anything.

The script runs as a subprocess against the stores this pytest session uses. A restore replaces
the database and the storage folder, so these tests run only on private test stores
(``services/test-stores.sh create NAME``, then ``--ckan-ini=.state/test-NAME.ini``), never on
``test.ini``, whose database and files other test sessions share. On ``test.ini`` (``make test``)
they are skipped and ``test_the_backup_tests_run_on_private_stores`` runs them instead: it creates
the private stores ``respaldo``, runs this file on them in a pytest subprocess, requires every one
of them to pass (none skipped) and drops the stores. So a normal run does run them.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ckan import model
from ckan.lib import search as ckan_search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.fabricas import convocatoria, dia, obra, programa

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "services" / "backup.sh"
AUTH = "Authorization"
# The cache of exports is derived from the database and left out of backups on purpose.
EXPORT_CACHE = "hueyapan-exportaciones"
# The private stores the normal run (test.ini) creates to run these tests on, and their Redis db
# (0 and 1 are the catalog's and test.ini's; other private stores here use 4, 5 and 8).
STORES, STORES_REDIS_DB = "respaldo", "6"
WRAPPER = "test_the_backup_tests_run_on_private_stores"
# The tests of this file that run on private stores: the wrapper runs them and expects them all
# to pass. Adding a test here means raising this number.
INNER_TESTS = 6

CSV = "localidad,cvegeo,mujeres,hombres,monto\nLos Mangos,300730030,64,60,\"$1,234.50\"\n"
PDF = b"%PDF-1.4\n% bases de la convocatoria (datos de ejemplo)\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
       b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


# --- The stores, and the script -------------------------------------------------------------------


def private_stores(ckan_config) -> re.Match | None:
    """This session's private test stores (database ``ckan_test_NAME``; group 1 is NAME), or None
    on shared stores (``test.ini``'s ``ckan_test``, the catalog's ``ckan``)."""
    database = make_url(ckan_config["sqlalchemy.url"]).database or ""
    return re.fullmatch(r"ckan_test_([a-z][a-z0-9_]*)", database)


@pytest.fixture
def almacen(ckan_config) -> dict[str, Any]:
    """This session's private stores: the ini, database and storage folder a restore replaces.
    The first fixture of every test here, so that on shared stores the test is skipped before
    any fixture empties them."""
    database = make_url(ckan_config["sqlalchemy.url"]).database or ""
    name = private_stores(ckan_config)
    if not name:
        pytest.skip(f"a restore replaces database {database!r}, so this test runs on private "
                    f"stores only: {WRAPPER} runs it there (and fails if it does not pass)")
    storage = Path(ckan_config["ckan.storage_path"])
    assert storage.name == f"test-storage-{name[1]}", storage
    return {"ini": ckan_config["__file__"], "database": database, "storage": storage}


def script(almacen, command: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    # The session's connections go first: a restore renames the database, and a backup must see
    # every change committed.
    model.Session.remove()
    model.meta.engine.dispose()
    if command == "restore":  # never the catalog's or the shared test database
        assert almacen["database"].startswith("ckan_test_")
        assert almacen["database"] not in ("ckan", "ckan_test")
    return subprocess.run(
        ["bash", str(SCRIPT), command, *map(str, args)],
        env={**os.environ, "HUEYAPAN_CKAN_INI": almacen["ini"], **env},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]


# --- A catalog with data of every kind ------------------------------------------------------------


def as_user(user) -> dict:
    return {"user": user["name"], "ignore_auth": False}


def upload(app, user, action: str, content: bytes, filename: str, **fields):
    response = app.post(f"/api/3/action/{action}", data={"upload": (io.BytesIO(content), filename),
                                                          **fields},
                        headers={AUTH: user["token"]}, content_type="multipart/form-data")
    assert response.status_code == 200, response.body
    return response.json["result"]


@pytest.fixture
def catalogo(almacen, app, with_plugins, clean_index, comunidades, ckan_config, monkeypatch):
    """Datasets of the four types (public, private and deleted), uploaded files, organizations
    with members and an image, users (one deleted), an edited community, a harvest source with a
    job, a proposal with its minutes, and the activity of several updates."""
    # A proposal e-mails its proponent: a closed port, so the mailer fails at once (and logs it)
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:9")
    admin = factories.SysadminWithToken(name="respaldo-admin")
    editor = factories.UserWithToken(name="editora-obras")
    miembro = factories.User(name="miembro-social")
    proponente = factories.User(name="agente-los-mangos", email="agente@example.org")
    baja = factories.User(name="cuenta-dada-de-baja")
    call_action("user_delete", id=baja["id"])
    obras = factories.Organization(name="obras-publicas", title="Obras Públicas",
                                   users=[{"name": editor["name"], "capacity": "editor"}])
    social = factories.Organization(name="desarrollo-social", title="Desarrollo Social",
                                    users=[{"name": miembro["name"], "capacity": "member"}])
    call_action("organization_member_create", id=social["id"], username=editor["name"],
                role="editor")
    response = app.post("/api/3/action/organization_patch",
                        data={"id": obras["id"], "image_upload": (io.BytesIO(PNG), "escudo.png")},
                        headers={AUTH: admin["token"]}, content_type="multipart/form-data")
    assert response.status_code == 200, response.body

    ctx = lambda: as_user(admin)  # noqa: E731 - a fresh context per call
    publica = call_action("package_create", ctx(), **obra(obras))
    privada = call_action("package_create", ctx(), **obra(
        obras, name="obra-privada", clave_obra="HUE-2025-FISM-014", private=True,
        title="Rehabilitación del pozo de El Aguacate"))
    prog = call_action("package_create", ctx(), **programa(social))
    conv = call_action("package_create", ctx(), **convocatoria(
        obras, fecha_apertura=dia(-5), fecha_cierre=dia(10), fecha_resultados=dia(20)))
    generico = call_action("package_create", ctx(), type="dataset", name="presupuesto-2025",
                           title="Presupuesto de egresos 2025", owner_org=obras["id"],
                           notes="Presupuesto aprobado por el cabildo.", comunidades=["30073"],
                           license_id="cc-by")
    cancelada = call_action("package_create", ctx(), **obra(
        obras, name="obra-cancelada", clave_obra="HUE-2025-FISM-015"))
    call_action("package_delete", ctx(), id=cancelada["id"])

    avance = upload(app, admin, "resource_create", CSV.encode(), "avance.csv",
                    package_id=publica["id"], name="Avance físico")
    upload(app, admin, "resource_create", PNG, "fachada.png", package_id=publica["id"],
           name="Fotografía de la fachada", tipo_recurso="evidencia_fotografica")
    upload(app, editor, "resource_create", PDF, "contrato.pdf", package_id=privada["id"],
           name="Contrato")
    upload(app, admin, "resource_create", CSV.encode(), "beneficiarios.csv",
           package_id=prog["id"], name="Beneficiarios por comunidad")
    upload(app, admin, "resource_create", PDF, "bases.pdf", package_id=conv["id"], name="Bases")
    upload(app, admin, "resource_create", CSV.encode(), "egresos.csv",
           package_id=generico["id"], name="Egresos")
    call_action("resource_create", ctx(), package_id=generico["id"], name="Portal estatal",
                url="https://www.veracruz.gob.mx/finanzas/", format="HTML")

    # Updates: activity, a replaced file, a renamed resource, an edited community
    call_action("package_patch", ctx(), id=publica["id"], notes="Primera etapa de trabajos.")
    call_action("package_patch", as_user(editor), id=publica["id"],
                notes="Segunda etapa: guarniciones y banquetas.")
    upload(app, admin, "resource_update",
           (CSV + "Los Mangos,300730030,70,66,\"$2,000\"\n").encode(), "avance.csv",
           id=avance["id"], name="Avance físico (actualizado)")
    call_action("package_patch", ctx(), id=prog["id"], notes="Padrón actualizado en julio.")
    call_action("resource_patch", ctx(), id=avance["id"], description="Corte al 30 de junio.")
    call_action("hueyapan_comunidad_update", ctx(), id="300730029", nombre="El Aguacate (Ejido)")

    site = {"user": call_action("get_site_user")["name"], "ignore_auth": True}
    fuente = call_action("harvest_source_create", dict(site), name="hoja-de-obras",
                         title="Hoja de obras del área", url="http://127.0.0.1:9/obras.csv",
                         source_type="hueyapan_tabular", owner_org=obras["id"],
                         config=json.dumps({"tipo": "obra", "organizacion": "obras-publicas"}))
    call_action("harvest_job_create", dict(site), source_id=fuente["id"])
    # ckanext-harvest puts a source's job status in its search document when the source is
    # indexed, not when a job is created: index it now, so that the index holds what a rebuild
    # makes of this database and search results compare whole after the restore.
    ckan_search.rebuild(fuente["id"])

    propuesta = call_action(
        "hueyapan_propuesta_create", as_user(proponente), convocatoria=conv["name"],
        titulo="Rehabilitar el pozo de agua", comunidad="300730030",
        problema="El pozo se seca en abril.", descripcion="Desazolve y bomba nueva.",
        beneficiarios_mujeres="120", beneficiarios_hombres="110", costo_estimado="$250,000",
        contacto_nombre="Persona de contacto (ejemplo)", contacto_telefono="555-000-0000",
        acta=_Upload("acta.pdf", PDF))
    call_action("hueyapan_propuesta_estado", ctx(), id=propuesta["id"], estado="en_revision")
    return {"admin": admin, "editor": editor, "publica": publica, "privada": privada,
            "programa": prog, "convocatoria": conv, "fuente": fuente}


class _Upload:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename, self.stream = name, io.BytesIO(data)


# --- What the catalog holds -----------------------------------------------------------------------


def tables() -> dict[str, list[str]]:
    """Every row of every table and the value of every sequence."""
    found: dict[str, list[str]] = {}
    with model.meta.engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).scalars()
        for table in list(names):
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"'))
            found[table] = sorted(repr(tuple(row)) for row in rows)
        for sequence in list(conn.execute(sa.text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars()):
            found[f"sequence {sequence}"] = [repr(conn.execute(sa.text(
                f'SELECT last_value, is_called FROM "{sequence}"')).one())]
    return found


def storage_files(storage: Path) -> dict[str, str]:
    return {str(path.relative_to(storage)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(storage.rglob("*"))
            if path.is_file() and path.relative_to(storage).parts[0] != EXPORT_CACHE}


def searches(app, admin) -> dict[str, Any]:
    ctx = lambda: as_user(admin)  # noqa: E731
    found = {}
    for label, fq in (("datasets", ""), ("harvest sources", "+dataset_type:harvest")):
        with app.flask_app.test_request_context():  # facet labels follow the request's language
            found[label] = call_action("package_search", ctx(), q="*:*", fq=fq, rows=1000,
                                       sort="name asc", include_private=True,
                                       include_drafts=True, **{"facet.field": json.dumps([
                                           "organization", "hueyapan_comunidad", "hueyapan_etapa",
                                           "dataset_type"])})
    return found


def snapshot(app, almacen, admin, *, before: bool) -> dict[str, Any]:
    """Everything the catalog holds: every table, the files on disk, and what the API shows.

    Reading through the API as a user updates that token's ``last_access`` (bookkeeping of
    requests, not catalog data). So the snapshot taken before the backup (or before a refused
    restore) reads the tables after its own requests, and the one taken after the restore reads
    them before any request: both then see the tables exactly as the backup holds them, and no
    column has to be ignored."""
    ctx = lambda: as_user(admin)  # noqa: E731
    shot: dict[str, Any] = {"files in storage": storage_files(almacen["storage"])}
    if not before:
        shot["tables"] = tables()
    package_ids = sorted(model.Session.scalars(sa.select(model.Package.id)))
    shot["datasets"] = {i: call_action("package_show", ctx(), id=i) for i in package_ids}
    shot["downloads"] = {}
    for dataset in shot["datasets"].values():
        for resource in dataset.get("resources", []):
            if resource.get("url_type") == "upload":
                response = app.get(urlparse(resource["url"]).path, headers={AUTH: admin["token"]})
                assert response.status_code == 200, resource["url"]
                shot["downloads"][resource["id"]] = response.data
    shot["dataset activity"] = {i: call_action(
        "package_activity_list", ctx(), id=i, limit=100, include_hidden_activity=True)
        for i in package_ids}
    org_ids = call_action("organization_list", ctx())
    shot["organizations"] = {i: call_action("organization_show", ctx(), id=i, include_users=True,
                                            include_extras=True, include_datasets=False)
                             for i in org_ids}
    shot["organization activity"] = {i: call_action(
        "organization_activity_list", ctx(), id=i, limit=100, include_hidden_activity=True)
        for i in org_ids}
    shot["users"] = call_action("user_list", ctx(), order_by="name")
    shot["user activity"] = {u["name"]: call_action("user_activity_list", ctx(), id=u["id"],
                                                    limit=100) for u in shot["users"]}
    shot["harvest sources"] = {s["id"]: call_action("harvest_source_show", ctx(), id=s["id"])
                               for s in call_action("harvest_source_list", ctx())}
    shot["harvest jobs"] = {i: call_action("harvest_job_list", ctx(), source_id=i)
                            for i in shot["harvest sources"]}
    shot["communities"] = call_action("hueyapan_comunidad_list", ctx(), incluir_retiradas=True)
    shot["proposals"] = call_action("hueyapan_propuesta_list", ctx())
    shot["search"] = searches(app, admin)
    if before:
        shot["tables"] = tables()
    return shot


def differences(expected: Any, found: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, as paths with both values."""
    if isinstance(expected, dict) and isinstance(found, dict):
        return [line for key in sorted(set(expected) | set(found), key=str)
                for line in differences(expected.get(key, "<missing>"),
                                        found.get(key, "<missing>"), f"{path}/{key}")]
    if isinstance(expected, list) and isinstance(found, list) and len(expected) == len(found):
        return [line for i, (a, b) in enumerate(zip(expected, found, strict=True))
                for line in differences(a, b, f"{path}[{i}]")]
    return [] if expected == found else [f"{path}: {expected!r:.300} became {found!r:.300}"]


def assert_same(before: dict[str, Any], after: dict[str, Any]) -> None:
    lost = differences(before, after)
    assert not lost, "\n".join(lost[:20])


# --- The round trip -------------------------------------------------------------------------------


def test_a_restore_brings_back_every_dataset_file_and_activity(almacen, app, catalogo, tmp_path):
    from ckanext.hueyapan.paginas import cifras

    admin = catalogo["admin"]
    figures = cifras.figures()
    before = snapshot(app, almacen, admin, before=True)
    # The snapshot is not empty: every kind of data is there to be lost
    types = {d["type"] for d in before["datasets"].values()}
    assert types == {"obra", "programa-social", "convocatoria", "dataset", "harvest"}
    assert {d["state"] for d in before["datasets"].values()} == {"active", "deleted"}
    assert any(d["private"] for d in before["datasets"].values())
    assert len(before["downloads"]) == 6
    assert any(name.startswith("hueyapan/propuestas/") for name in before["files in storage"])
    assert any(name.startswith("storage/uploads/group/") for name in before["files in storage"])
    assert len(before["dataset activity"][catalogo["publica"]["id"]]) >= 6
    assert before["proposals"] and before["harvest jobs"][catalogo["fuente"]["id"]]
    assert before["search"]["datasets"]["count"] == 5

    backup = tmp_path / "copia"
    made = script(almacen, "backup", backup)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(backup)
    manifest = json.loads((backup / "manifiesto.json").read_text())
    counts = manifest["conteos"]
    assert counts["conjuntos_de_datos"] == 5 and counts["conjuntos_borrados"] == 1
    assert counts["fuentes_de_cosecha"] == 1
    assert counts["recursos"] == 7
    assert counts["actividades"] == len(before["tables"]["activity"])
    assert counts["usuarios"] == len(before["users"]) + 1  # user_list leaves out the site user
    assert counts["archivos"] == len(before["files in storage"])
    assert manifest["base_de_datos"] == almacen["database"]
    for name, listed in manifest["archivos"].items():
        assert hashlib.sha256((backup / name).read_bytes()).hexdigest() == listed["sha256"]

    # Damage every store: datasets deleted and purged, one added, files gone, a stray file, a user
    # deleted, a community renamed, the search index emptied.
    ctx = lambda: as_user(admin)  # noqa: E731
    call_action("package_delete", ctx(), id=catalogo["publica"]["id"])
    call_action("dataset_purge", ctx(), id=catalogo["programa"]["id"])
    call_action("package_create", ctx(), **obra(
        {"id": catalogo["publica"]["owner_org"]}, name="creada-tras-la-copia",
        clave_obra="HUE-2025-FISM-099"))
    call_action("user_delete", ctx(), id=catalogo["editor"]["id"])
    call_action("hueyapan_comunidad_update", ctx(), id="300730030", nombre="Nombre equivocado")
    assert cifras.figures() != figures  # cached now for the damaged catalog
    for folder in ("resources", "hueyapan"):
        for path in sorted((almacen["storage"] / folder).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    (almacen["storage"] / "ajeno.txt").write_text("no es parte del catálogo")
    ckan_search.clear_all()
    assert searches(app, admin)["datasets"]["count"] == 0
    damaged = tables()
    assert damaged["package"] != before["tables"]["package"]
    assert damaged["activity"] != before["tables"]["activity"]

    restored = script(almacen, "restore", backup)
    assert restored.returncode == 0, restored.stderr
    assert error_lines(restored) == []

    after = snapshot(app, almacen, admin, before=False)
    assert_same(before, after)
    # The search index was rebuilt: every dataset and harvest source is found again
    found = {r["id"] for r in after["search"]["datasets"]["results"]}
    assert found == {i for i, d in before["datasets"].items()
                     if d["state"] != "deleted" and d["type"] != "harvest"}
    assert [r["id"] for r in after["search"]["harvest sources"]["results"]] == [
        catalogo["fuente"]["id"]]
    # The figures cached for the damaged catalog are not served any more
    assert cifras.figures() == figures
    # Tokens issued before the backup still work (same secrets on this machine)
    response = app.get(f"/api/3/action/package_show?id={catalogo['privada']['id']}",
                       headers={AUTH: catalogo["editor"]["token"]})
    assert response.status_code == 200
    assert_nothing_left(almacen)


# --- Damaged backups ------------------------------------------------------------------------------


@pytest.fixture
def una_obra(almacen, app, with_plugins, clean_index, comunidades):
    admin = factories.SysadminWithToken(name="respaldo-admin")
    obras = factories.Organization(name="obras-publicas")
    dataset = call_action("package_create", as_user(admin), **obra(obras))
    upload(app, admin, "resource_create", CSV.encode(), "avance.csv", package_id=dataset["id"])
    return admin, obras


def flip_a_byte(path: Path) -> None:
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def count_one_more_dataset(path: Path) -> None:
    """The dump and the files are intact, but the manifest counts a dataset the dump lacks."""
    manifest = json.loads(path.read_text())
    manifest["conteos"]["conjuntos_de_datos"] += 1
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("damaged, damage, why", [
    ("base-de-datos.dump", flip_a_byte,
     "the backup in {backup} is damaged or unusable: base-de-datos.dump does not match the sha256 "
     "of the manifest"),
    ("almacenamiento.tar.gz", flip_a_byte,
     "the backup in {backup} is damaged or unusable: almacenamiento.tar.gz does not match the "
     "sha256 of the manifest"),
    ("manifiesto.json", count_one_more_dataset,
     "the restored dump holds conjuntos_de_datos 1 instead of 2"),
], ids=["dump", "files", "counts"])
def test_a_damaged_backup_is_refused_and_nothing_changes(almacen, app, una_obra, tmp_path,
                                                          damaged, damage, why):
    admin, obras = una_obra
    backup = tmp_path / "copia"
    assert script(almacen, "backup", backup).returncode == 0
    damage(backup / damaged)
    # The catalog changes after the backup: a restore would lose this dataset and its file
    later = call_action("package_create", as_user(admin), **obra(
        obras, name="creada-tras-la-copia", clave_obra="HUE-2025-FISM-099"))
    upload(app, admin, "resource_create", PDF, "acta.pdf", package_id=later["id"])
    before = snapshot(app, almacen, admin, before=True)

    refused = script(almacen, "restore", backup, HUEYAPAN_RESTORE_YES="1")
    assert refused.returncode != 0
    assert error_lines(refused) == [
        f"ERROR: restore: {why.format(backup=backup)} (nothing was changed)"]
    assert_same(before, snapshot(app, almacen, admin, before=False))
    assert_nothing_left(almacen)


def assert_nothing_left(almacen) -> None:
    """No database or folder of a restore is left aside."""
    storage = almacen["storage"]
    assert not (storage.parent / f"{storage.name}.anterior").exists()
    assert not (storage.parent / f"{storage.name}.restaurando").exists()
    with model.meta.engine.connect() as conn:
        assert not conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :n"),
                                {"n": almacen["database"] + "\\_%"}).all()


def test_a_folder_without_a_manifest_is_not_a_backup(almacen, tmp_path):
    (tmp_path / "base-de-datos.dump").write_bytes(b"PGDMP")
    refused = script(almacen, "restore", tmp_path, HUEYAPAN_RESTORE_YES="1")
    assert refused.returncode != 0
    assert error_lines(refused) == [
        f"ERROR: restore: the backup in {tmp_path} is damaged or unusable: {tmp_path} has no "
        "manifiesto.json: it is not a backup, or an unfinished one (nothing was changed)"]


def test_a_restore_that_fails_midway_puts_the_previous_catalog_back(almacen, app, una_obra,
                                                                    tmp_path):
    """A backup whose database `ckan db upgrade` cannot migrate (it names a database migration
    that this CKAN lacks, as a backup made by a development version would): the restore finds out
    after swapping the database and the folder in, and swaps them back."""
    admin, obras = una_obra
    version = sa.text("SELECT version_num FROM alembic_version")
    with model.meta.engine.begin() as conn:
        current = conn.execute(version).scalar_one()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    backup = tmp_path / "copia"
    assert script(almacen, "backup", backup).returncode == 0
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"),
                     {"v": current})
    later = call_action("package_create", as_user(admin), **obra(
        obras, name="creada-tras-la-copia", clave_obra="HUE-2025-FISM-099"))
    upload(app, admin, "resource_create", PDF, "acta.pdf", package_id=later["id"])
    before = snapshot(app, almacen, admin, before=True)

    failed = script(almacen, "restore", backup)
    assert failed.returncode != 0
    assert [line.split(" (see ")[0] for line in error_lines(failed)] == [
        "ERROR: restore: ckan db upgrade failed on the restored database"]
    assert "putting the previous database and files back" in failed.stderr
    assert_same(before, snapshot(app, almacen, admin, before=False))
    with model.meta.engine.connect() as conn:
        assert conn.execute(version).scalar_one() == current
    assert_nothing_left(almacen)


# --- On test.ini: the tests above, run on private stores ------------------------------------------


def summary_counts(output: str) -> dict[str, int] | None:
    """The counts of pytest's last summary line ("6 passed, 1 deselected in 95.31s"), or None."""
    lines = [line.strip("= ") for line in output.splitlines()]
    found = [line for line in lines if re.fullmatch(r"(\d+ \w+)(, \d+ \w+)* in [\d.]+s\b.*", line)]
    if not found:
        return None
    counts: list[tuple[str, str]] = re.findall(r"(\d+) (\w+)", found[-1].split(" in ")[0])
    return {{"error": "errors", "warning": "warnings"}.get(k, k): int(n) for n, k in counts}


def test_the_backup_tests_run_on_private_stores(ckan_config):
    """The normal run (test.ini, where the tests above skip) creates the private stores
    ``respaldo``, runs this file on them in a pytest subprocess and requires all of its tests to
    pass, none skipped; the stores are dropped afterwards. On private stores the tests above run
    directly, and this one is skipped (the subprocess deselects it: no recursion)."""
    if private_stores(ckan_config):
        pytest.skip("on private stores the tests of this file run directly")
    stores = ["bash", str(REPO / "services" / "test-stores.sh")]
    ini = REPO / ".state" / f"test-{STORES}.ini"
    module = Path(__file__).resolve().relative_to(REPO)
    try:
        made = subprocess.run([*stores, "create", STORES, STORES_REDIS_DB], cwd=REPO,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=300)
        assert made.returncode == 0, made.stdout + made.stderr
        assert ini.is_file(), made.stderr
        run = subprocess.run(
            [sys.executable, "-m", "pytest", f"--ckan-ini={ini.relative_to(REPO)}", str(module),
             "-q", "-p", "no:cacheprovider", "-rfEs", f"--deselect={module}::{WRAPPER}"],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=1800)
        counts = summary_counts(run.stdout)
        shown = f"pytest exited with {run.returncode}:\n{run.stdout[-20000:]}"
        assert run.returncode == 0, shown
        assert counts is not None, shown
        assert counts.get("passed") == INNER_TESTS, shown
        assert counts.get("skipped", 0) == 0, shown
        assert counts.get("deselected") == 1, shown  # this test, and only this test
        assert set(counts) <= {"passed", "deselected", "warnings"}, shown
    finally:
        dropped = subprocess.run([*stores, "drop", STORES], cwd=REPO, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=300)
    assert dropped.returncode == 0, dropped.stdout + dropped.stderr
    assert not ini.exists()
