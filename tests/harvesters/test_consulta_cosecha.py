"""Harvests are never refused by the citizen-consultation rule: with the hard stop on
(``ckanext.hueyapan.obra.consulta_obligatoria = true``, which refuses the staff form and the API:
tests/reglas/test_consulta.py), the tabular harvester, run by consumer processes of that
configuration, publishes an obra past planeación without a consultation, with its red flag."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.harvesters.conftest import running_consumers

SHEET = ("Obras 2025 — Datos de ejemplo\n"
         "Clave de la obra,Nombre de la obra,Ejercicio fiscal,Comunidades,Etapa,"
         "Monto aprobado (MXN)\n"
         "HUE-2025-FISM-021,Pavimentación en Los Mangos,2025,Los Mangos,En ejecución,"
         "\"$1,234,567.89\"\n").encode()


@pytest.fixture
def hard_stop_ini(request, tmp_path) -> str:
    """The test configuration with the hard stop on, for the consumer processes."""
    base = Path(request.config.getoption("--ckan-ini")).resolve()
    ini = tmp_path / "consulta-obligatoria.ini"
    ini.write_text(f"[app:main]\nuse = config:{base}\n"
                   "ckanext.hueyapan.obra.consulta_obligatoria = true\n", encoding="utf-8")
    return str(ini)


@pytest.mark.usefixtures("with_plugins", "clean_index")
@pytest.mark.ckan_config("ckanext.hueyapan.obra.consulta_obligatoria", "true")
def test_the_hard_stop_never_refuses_a_harvested_obra(comunidades, file_server, harvest,
                                                      hard_stop_ini):
    org = factories.Organization(name="obras-publicas", title="Obras Públicas")
    file_server.add("/obras.csv", SHEET, content_type="text/csv")
    source = harvest.create_source(
        name="obras-2025", title="Obras 2025", url=file_server.url("/obras.csv"),
        source_type="hueyapan_tabular", owner_org=org["id"],
        config={"tipo": "obra", "organizacion": "obras-publicas"})
    with running_consumers(hard_stop_ini) as consumers:
        job = harvest.run(source["id"], consumers=consumers)
    assert job["stats"].get("added") == 1, harvest.errors(job)
    found = call_action("package_search", fq="hueyapan_alerta:sin_consulta")["results"]
    assert [(d["clave_obra"], d["etapa"]) for d in found] == [("HUE-2025-FISM-021", "ejecucion")]
