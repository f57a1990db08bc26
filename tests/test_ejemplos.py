"""Example data is generated, visibly marked and can be switched off."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckan import model
from ckan.cli.cli import ckan as ckan_command

from ckanext.hueyapan import ejemplos

SAMPLE = Path(ejemplos.__file__).parent / "public" / ejemplos.SAMPLE_PATH


def test_the_shipped_sample_is_the_generator_output_and_every_row_is_marked():
    rows = ejemplos.obras_rows(24)
    assert SAMPLE.read_bytes() == ejemplos.obras_csv(rows)
    assert all(ejemplos.MARCA in row["Nombre de la obra"] for row in rows)
    assert all(row["Clave de la obra"].startswith("EJEMPLO-") for row in rows)
    assert ejemplos.obras_rows(24) == rows  # reproducible


@pytest.mark.usefixtures("with_plugins", "comunidades")
def test_sample_rows_are_read_without_errors():
    from ckanext.hueyapan.harvesters import tabla

    table = tabla.read_table(SAMPLE.read_bytes(), SAMPLE.name, "obra")
    assert table.errors == [] and len(table.rows) == 24


@pytest.mark.usefixtures("with_plugins", "comunidades")
def test_cosecha_ejemplo_registers_the_source_once_and_can_be_switched_off(cli, ckan_config,
                                                                         monkeypatch):
    cli.invoke(ckan_command, ["hueyapan", "cargar-areas"])
    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.datos_ejemplo", True)
    first = cli.invoke(ckan_command, ["hueyapan", "cosecha-ejemplo"])
    assert first.exit_code == 0, first.output
    assert "enviada a la cola" in first.output
    source = model.Package.get("obras-datos-de-ejemplo")
    assert source.type == "harvest" and ejemplos.MARCA in source.title
    again = cli.invoke(ckan_command, ["hueyapan", "cosecha-ejemplo"])
    assert "no se repite" in again.output

    monkeypatch.setitem(ckan_config, "ckanext.hueyapan.datos_ejemplo", False)
    off = cli.invoke(ckan_command, ["hueyapan", "cosecha-ejemplo"])
    assert off.exit_code == 0, off.output
    assert "apagados" in off.output
    assert model.Package.get("obras-datos-de-ejemplo").state == "deleted"
