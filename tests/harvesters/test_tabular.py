"""The tabular harvester end to end: a spreadsheet served over loopback, the gather and fetch
consumers running as separate processes, real PostgreSQL, Redis and Solr."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.harvesters.conftest import running_consumers

REPO = Path(__file__).resolve().parents[2]
HEADER = ("Clave de la obra,Nombre de la obra,Ejercicio fiscal,Comunidades,Etapa,"
          "Monto aprobado (MXN),Fecha de inicio,Avance físico (%)\n")
ROWS = {
    "HUE-2025-FISM-001": "HUE-2025-FISM-001,Pavimentación de calle en Los Mangos,2025,Los Mangos,"
                         "Planeación,\"$1,234,567.89\",01/03/2025,0\n",
    "HUE-2025-FISM-002": "HUE-2025-FISM-002,Red de agua en El Aguacate,2025,El Aguacate,"
                         "Planeación,\"$850,000.00\",2025-04-15,10%\n",
    "HUE-2025-FISM-003": "HUE-2025-FISM-003,Aula en Juan Díaz Covarrubias,2025,"
                         "juan diaz covarrubias,Planeación,\"500,000\",45678,0.45\n",
}


def csv(*keys: str, title: str = "Obras 2025 — Datos de ejemplo\n") -> bytes:
    return (title + HEADER + "".join(ROWS[k] for k in keys)).encode("utf-8")


@pytest.fixture
def source(comunidades, file_server, harvest):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    file_server.add("/obras.csv", csv(*ROWS), content_type="text/csv")

    def make(url_path="/obras.csv", **config):
        return harvest.create_source(
            name="obras-" + url_path.strip("/").replace(".", "-"), title="Obras 2025",
            url=file_server.url(url_path), source_type="hueyapan_tabular",
            owner_org=org["id"],
            config={"tipo": "obra", "organizacion": "obras-publicas", **config})

    return make


def obras() -> dict[str, dict]:
    found = call_action("package_search", fq="dataset_type:obra", rows=100, include_private=True)
    return {d["clave_obra"]: d for d in found["results"]}


@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestTabularHarvest:
    def test_first_harvest_creates_one_dataset_per_row(self, source, consumers, harvest):
        job = harvest.run(source()["id"], consumers=consumers)
        assert harvest.errors(job) == []
        assert job["stats"]["added"] == 3
        found = obras()
        assert set(found) == set(ROWS)
        uno = found["HUE-2025-FISM-001"]
        assert (uno["monto_aprobado"], uno["fecha_inicio"], uno["comunidades"]) == (
            "1234567.89", "2025-03-01", ["300730030"])
        tres = found["HUE-2025-FISM-003"]
        assert (tres["comunidades"], tres["fecha_inicio"], tres["avance_fisico"]) == (
            ["300730022"], "2025-01-21", "45")
        assert found["HUE-2025-FISM-002"]["avance_fisico"] == "10"

    def test_reharvest_skips_unchanged_updates_changed_and_keeps_hand_edits(
            self, source, consumers, harvest, file_server):
        src = source()
        harvest.run(src["id"], consumers=consumers)
        # staff correct a title by hand in the catalog
        uno = obras()["HUE-2025-FISM-001"]
        call_action("package_patch", {"user": factories.Sysadmin()["name"]}, id=uno["id"],
                    title="Pavimentación de la calle Hidalgo")
        # the spreadsheet changes the title and the amount of that row, and another row
        changed = csv(*ROWS).decode().replace("Pavimentación de calle en Los Mangos",
                                              "Pavimentación en Los Mangos (2a etapa)")
        changed = changed.replace('"$1,234,567.89"', '"$1,300,000.00"')
        changed = changed.replace('"$850,000.00"', '"$900,000.00"')
        file_server.add("/obras.csv", changed.encode(), content_type="text/csv")
        job = harvest.run(src["id"], consumers=consumers)
        assert job["stats"]["updated"] == 2
        found = obras()
        assert found["HUE-2025-FISM-001"]["title"] == "Pavimentación de la calle Hidalgo"
        assert found["HUE-2025-FISM-001"]["monto_aprobado"] == "1300000.00"
        assert found["HUE-2025-FISM-002"]["monto_aprobado"] == "900000.00"
        notices = " ".join(harvest.errors(job))
        assert "se editó en el catálogo" in notices and "Nombre de la obra" in notices
        # a third run with the same file changes nothing
        again = harvest.run(src["id"], consumers=consumers)
        assert again["stats"].get("updated", 0) == 0 and again["stats"].get("added", 0) == 0

    @pytest.mark.parametrize("policy, expected", [
        ("marcar", "si"), ("borrar", None), ("conservar", "")])
    def test_rows_that_disappear_are_withdrawn_per_source(
            self, source, consumers, harvest, file_server, policy, expected):
        src = source(retirados=policy)
        harvest.run(src["id"], consumers=consumers)
        file_server.add("/obras.csv", csv("HUE-2025-FISM-001", "HUE-2025-FISM-003"),
                        content_type="text/csv")
        harvest.run(src["id"], consumers=consumers)
        dos = model.Package.get("hue-2025-fism-002")
        if expected is None:
            assert dos.state == "deleted"
        else:
            assert dos.state == "active"
            shown = call_action("package_show", id=dos.id)
            assert shown.get("retirado_de_origen", "") == expected
        assert call_action("package_show", id="hue-2025-fism-001")["state"] == "active"

    def test_bad_rows_are_reported_in_spanish_and_good_rows_import(
            self, source, consumers, harvest, file_server):
        bad = (HEADER
               + ROWS["HUE-2025-FISM-001"]
               + "HUE-2025-FISM-004,Obra con monto ilegible,2025,Los Mangos,Planeación,"
                 "doce mil,01/03/2025,0\n"
               + "HUE-2025-FISM-005,Obra en comunidad inexistente,2025,Villa Inventada,"
                 "Planeación,100,01/03/2025,0\n"
               + ROWS["HUE-2025-FISM-001"]
               + ",,,,,,,\n"
               + "Total,,,,,\"$2,000,000.00\",,\n")
        file_server.add("/malo.csv", bad.encode("utf-8"), content_type="text/csv")
        job = harvest.run(source("/malo.csv")["id"], consumers=consumers)
        errors = harvest.errors(job)
        # an unreadable optional value drops that value only; an unknown community (required)
        # drops the row; the repeated key keeps its first row
        found = obras()
        assert set(found) == {"HUE-2025-FISM-001", "HUE-2025-FISM-004"}
        assert "monto_aprobado" not in found["HUE-2025-FISM-004"]
        text = "\n".join(errors)
        assert "Fila 3" in text and "«Monto aprobado (MXN)»" in text and "«doce mil»" in text
        assert "Fila 4" in text and "«Villa Inventada»" in text
        assert "Fila 5" in text  # the duplicate key
        assert len(errors) == 3, errors

    def test_windows_1252_file_with_title_rows(self, source, consumers, harvest, file_server):
        content = ("Ayuntamiento de Hueyapan de Ocampo\nObras públicas — Datos de ejemplo\n"
                   + HEADER + ROWS["HUE-2025-FISM-003"]).encode("cp1252")
        file_server.add("/cp1252.csv", content, content_type="text/csv")
        job = harvest.run(source("/cp1252.csv")["id"], consumers=consumers)
        assert harvest.errors(job) == []
        assert obras()["HUE-2025-FISM-003"]["title"] == "Aula en Juan Díaz Covarrubias"

    @pytest.mark.parametrize("kind", ["404", "500", "timeout", "too_big", "not_a_table"])
    def test_a_bad_file_changes_nothing(self, source, consumers, harvest, file_server, kind):
        src = source()
        harvest.run(src["id"], consumers=consumers)
        before = {k: (d["id"], d["metadata_modified"]) for k, d in obras().items()}
        if kind == "404":
            file_server.add_error("/obras.csv", status=404, content="No encontrado")
            expected = "HTTP 404"
        elif kind == "500":
            file_server.add_error("/obras.csv", status=500)
            expected = "HTTP 500"
        elif kind == "timeout":
            file_server.add_slow("/obras.csv", seconds=15)
            expected = "no respondió"
        elif kind == "too_big":
            file_server.add_huge("/obras.csv", size=3 * 1024 * 1024)
            expected = "mayor que"
        else:
            file_server.add("/obras.csv", b"\x00\x01\x02 no es una tabla", content_type="text/csv")
            expected = "No se cambió nada"
        job = harvest.run(src["id"], consumers=consumers, timeout=90)
        assert any(expected in e and "No se cambió nada" in e for e in harvest.errors(job)), \
            harvest.errors(job)
        after = {k: (d["id"], d["metadata_modified"]) for k, d in obras().items()}
        assert after == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_solr_down_during_the_import_keeps_datasets_and_rebuild_indexes_them(
        source, harvest, clean_db_all, tmp_path, request):
    """The consumers run with a Solr address where nothing answers: datasets are stored in
    PostgreSQL and found once the index is rebuilt (the README's recovery command)."""
    base = Path(request.config.getoption("--ckan-ini")).resolve()
    broken = tmp_path / "sin-solr.ini"
    broken.write_text(f"[app:main]\nuse = config:{base}\n"
                      f"solr_url = http://127.0.0.1:{_closed_port()}/solr/ckan_test\n")
    with running_consumers(str(broken)) as consumers:
        job = harvest.run(source()["id"], consumers=consumers, timeout=120)
    assert "search-index rebuild --only-missing" in " ".join(harvest.errors(job))
    stored = model.Session.query(model.Package).filter_by(type="obra", state="active").count()
    assert stored == 3
    assert obras() == {}
    rebuilt = subprocess.run(
        [str(Path(sys.executable).with_name("ckan")), "-c", str(base),
         "search-index", "rebuild", "--only-missing"], capture_output=True, text=True, cwd=REPO)
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert set(obras()) == set(ROWS)


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_an_object_imported_twice_never_duplicates_its_dataset(source, consumers, harvest):
    """ckanext-harvest's resubmit_objects may queue an object twice; the second import updates
    the dataset the first one created."""
    from ckanext.harvest.model import HarvestObject

    from ckanext.hueyapan.harvesters.tabular import TabularHarvester

    job = harvest.run(source()["id"], consumers=consumers)
    model.Session.remove()
    obj = model.Session.query(HarvestObject).filter_by(
        harvest_job_id=job["id"], guid="HUE-2025-FISM-001").one()
    # tk.blanket.config_declarations types the class as type[Plugin], without import_stage
    harvester: Any = TabularHarvester()
    assert harvester.import_stage(obj) is True
    assert model.Session.query(model.Package).filter(
        model.Package.type == "obra", model.Package.state == "active").count() == 3
    assert model.Package.get("hue-2025-fism-001-1") is None


@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_source_on_a_local_address_is_refused(with_plugins, source, harvest, file_server,
                                                tmp_path, request):
    """With local addresses not allowed (the production default), the consumers refuse a
    source on 127.0.0.1: the job ends with a Spanish gather error and nothing is imported."""
    ini = tmp_path / "sin-locales.ini"
    base = Path(request.config.getoption("--ckan-ini")).resolve()
    ini.write_text(f"[app:main]\nuse = config:{base}\n"
                   "ckanext.hueyapan.cosecha.permitir_direcciones_locales = false\n")
    with running_consumers(str(ini)) as strict:
        job = harvest.run(source()["id"], consumers=strict, timeout=60)
    assert any("red local o privada" in e and "No se cambió nada" in e
               for e in harvest.errors(job)), harvest.errors(job)
    assert job["stats"].get("added", 0) == 0
    assert ("GET", "/obras.csv") not in file_server.requests
