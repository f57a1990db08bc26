"""A pytest plugin that writes the outcome of every test to a JSON file, for contrato/comparar.py.

Loaded with ``-p resultados`` (``contrato/`` on ``sys.path``); the file is named by the
environment variable ``HUEYAPAN_CONTRATO_SALIDA``. Each test id maps to ``passed``, ``failed``,
``skipped``, ``error`` (its set-up or tear-down failed), ``xfailed`` or ``xpassed``, and, when it
did not pass, the last line of the failure (``detalle``).
"""
from __future__ import annotations

import json
import os
from typing import Any

import pytest

__all__ = ["pytest_runtest_logreport", "pytest_sessionfinish"]

_RESULTS: dict[str, dict[str, str]] = {}


def _detail(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr or "").strip().splitlines()
    errors = [line for line in text if line.startswith("E ")]
    return (errors[0] if errors else (text[-1] if text else ""))[:300]


def _outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.when != "call" and report.failed:
        return "error"
    return report.outcome


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    outcome = _outcome(report)
    previous = _RESULTS.get(report.nodeid)
    if report.when == "call" or outcome in {"error", "skipped", "xfailed"} or previous is None:
        if (previous and previous["resultado"] in {"error", "skipped", "xfailed", "failed"}
                and outcome == "passed"):
            return  # a passed tear-down does not undo a failed set-up or call
        entry: dict[str, Any] = {"resultado": outcome}
        if outcome not in {"passed", "xpassed"}:
            entry["detalle"] = _detail(report)
        _RESULTS[report.nodeid] = entry


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get("HUEYAPAN_CONTRATO_SALIDA")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_RESULTS, out, ensure_ascii=False, indent=1, sort_keys=True)
