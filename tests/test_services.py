"""The service scripts stop with one clear line when a service cannot start."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def taken_port():
    """A port on loopback that something else is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def run_script(script: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HUEYAPAN_STATE_DIR": str(tmp_path / "state"), **env}
    return subprocess.run(
        ["bash", str(REPO / "services" / script), "start"],
        env=full_env, capture_output=True, text=True, timeout=120,
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]


@pytest.mark.parametrize("script, service, variable", [
    ("postgres.sh", "postgres", "HUEYAPAN_PG_PORT"),
    ("redis.sh", "redis", "HUEYAPAN_REDIS_PORT"),
    ("solr.sh", "solr", "HUEYAPAN_SOLR_PORT"),
])
def test_a_taken_port_stops_with_one_clear_line(script, service, variable, taken_port, tmp_path):
    result = run_script(script, {variable: str(taken_port)}, tmp_path)
    assert result.returncode != 0
    assert error_lines(result) == [
        f"ERROR: {service}: port {taken_port} is taken by another process (set {variable})"
    ]


def test_solr_without_java_stops_with_one_clear_line(tmp_path):
    """Every command of the PATH is there but java."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        for tool in Path(directory).glob("*") if Path(directory).is_dir() else []:
            target = bin_dir / tool.name
            if tool.name != "java" and not target.exists() and os.access(tool, os.X_OK):
                target.symlink_to(tool)
    env = {"PATH": str(bin_dir), "HUEYAPAN_SOLR_PORT": str(free_port())}
    result = run_script("solr.sh", env, tmp_path)
    assert result.returncode != 0
    assert error_lines(result) == [
        "ERROR: solr: Java 17 is missing (install openjdk-17-jdk-headless)"
    ]
