"""contrato/comparar.py (make test-ckan): how outcomes are compared, and the expectations file."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

CONTRATO = Path(__file__).resolve().parents[1] / "contrato"


@pytest.fixture(scope="module")
def comparar():
    spec = importlib.util.spec_from_file_location("comparar", CONTRATO / "comparar.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome(name: str) -> dict[str, str]:
    return {"resultado": name}


def test_an_unlisted_difference_fails_and_a_listed_one_passes(comparar):
    ckan = {"t::a": outcome("passed"), "t::b": outcome("passed")}
    ours = {"t::a": outcome("failed"), "t::b": outcome("passed")}
    assert len(comparar.comparar(ckan, ours, {})) == 1
    listed = {"t::a": {"ckan": "passed", "catalogo": "failed", "motivo": "x"}}
    assert comparar.comparar(ckan, ours, listed) == []


def test_a_listed_difference_that_no_longer_holds_fails(comparar):
    ckan = {"t::a": outcome("passed")}
    listed = {"t::a": {"ckan": "passed", "catalogo": "failed", "motivo": "x"}}
    problems = comparar.comparar(ckan, {"t::a": outcome("passed")}, listed)
    assert len(problems) == 1 and "LISTED BUT NOW" in problems[0]


def test_a_test_missing_on_one_side_is_a_difference(comparar):
    assert comparar.comparar({"t::a": outcome("passed")}, {}, {})


def test_tests_that_fail_on_plain_ckan_are_not_compared(comparar):
    ckan = {"t::a": outcome("failed"), "t::b": outcome("error")}
    ours = {"t::a": outcome("passed"), "t::b": outcome("failed")}
    assert comparar.comparar(ckan, ours, {}) == []
    assert comparar.not_comparable(ckan) == ["t::a", "t::b"]


def test_a_listed_difference_is_not_compared_in_a_run_where_plain_ckan_fails_it(comparar):
    """Some of CKAN's tests depend on what earlier tests left (``non_clean_db``): when one that
    the file lists as passing on plain CKAN fails there in a run, that run says nothing about it."""
    listed = {"t::a": {"ckan": "passed", "catalogo": "failed", "motivo": "x"}}
    assert comparar.comparar({"t::a": outcome("failed")}, {"t::a": outcome("failed")}, listed) == []
    assert comparar.comparar({"t::a": outcome("passed")}, {"t::a": outcome("passed")}, listed)


def test_every_expected_difference_has_its_reason_and_outcomes():
    data = yaml.safe_load((CONTRATO / "diferencias.yaml").read_text(encoding="utf-8"))
    seen: set[str] = set()
    outcomes = {"passed", "failed", "skipped", "error", "xfailed", "xpassed", "absent"}
    for group in data["diferencias"]:
        assert group["motivo"].strip() and group["pruebas"]
        assert {group["ckan"], group["catalogo"]} <= outcomes and group["ckan"] != group["catalogo"]
        assert group["ckan"] == "passed", "only tests that pass on plain CKAN are compared"
        for test in group["pruebas"]:
            assert test.startswith("ckan/tests/") and "::" in test and test not in seen
            seen.add(test)
