"""The plugin declares its options and the shipped configurations pass CKAN's validation."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CKAN = Path(sys.executable).with_name("ckan")


@pytest.mark.parametrize("ini", ["test.ini", "ckan.ini"])
def test_config_validate_reports_nothing_about_our_plugin(ini):
    if ini == "ckan.ini" and not (REPO / ".state" / "ckan-secrets.ini").exists():
        pytest.fail("ckan.ini needs .state/ckan-secrets.ini: `make test` creates it")
    result = subprocess.run(
        [str(CKAN), "-c", str(REPO / ini), "config", "validate"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines()
                if "hueyapan" in line and ("ERROR" in line or "invalid" in line.lower())]
    assert problems == []


@pytest.mark.usefixtures("with_plugins")
def test_declared_defaults_are_in_force():
    import ckan.plugins.toolkit as tk

    assert tk.h.hueyapan_municipio() == {"nombre": "Hueyapan de Ocampo", "cvegeo": "30073"}
