"""The built wheel carries everything the plugin needs at run time."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_contains_templates_data_migrations_and_translations(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob("ckanext_hueyapan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "ckanext/hueyapan/plugin.py",
        "ckanext/hueyapan/logic/action.py",
        "ckanext/hueyapan/config_declaration.yaml",
        "ckanext/hueyapan/templates/footer.html",
        "ckanext/hueyapan/i18n/es/LC_MESSAGES/ckanext-hueyapan.mo",
        "ckanext/hueyapan/data/hueyapan_localidades.csv",
        "ckanext/hueyapan/data/hueyapan_localidades_amanzanadas_poligonos.geojson",
        "ckanext/hueyapan/data/ATRIBUCION.md",
        "ckanext/hueyapan/migration/hueyapan/alembic.ini",
        "ckanext/hueyapan/migration/hueyapan/versions/01_a3c1e5f2b7d0_crear_comunidades.py",
        "ckanext/hueyapan/solr/solrconfig.xml",
    }
    assert expected <= names, sorted(expected - names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hueyapan = ckanext.hueyapan.plugin:HueyapanPlugin" in (
        zipfile.ZipFile(wheel).read(entry_points).decode()
    )
