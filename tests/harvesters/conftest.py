"""Harvesting against real processes: a loopback HTTP server that plays the remote source, the
gather and fetch consumers of ckanext-harvest as separate processes (as in production), and a
helper that runs one harvest job to its end.

The consumers are `ckan -c <test ini> hueyapan consumidor gather|fetch` (one gather, two fetch)
started with subprocess; they read the same ckan_test database and Redis db as the tests, so whatever a test
creates through actions (which commit) is visible to them, and the datasets they create are visible
to the test once the job is finished.
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from ckanext.hueyapan.harvesters.workers import ConsumerProcesses

REPO_DIR = Path(__file__).resolve().parents[2]
LOG_DIR = REPO_DIR / ".state" / "log"
FETCH_CONSUMERS = 2


# --- A remote source on loopback ----------------------------------------------------------------


@dataclasses.dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0            # seconds to wait before answering (slow server)
    huge: int = 0                 # bytes of a generated body (size limits)
    huge_line: bytes = b""        # the line repeated to make the huge body
    send_length: bool = True      # announce Content-Length (False: the client finds out by reading)


class FileServer:
    """Serves what a test registers, on 127.0.0.1 and a free port.

    Routes match the path, and the path with its query string when one was registered with it
    (``add("/api/3/action/package_search?start=100", ...)``); everything else answers 404. Every
    request is recorded in ``requests`` as ``(method, path_with_query)``.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []
        self._stopping = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep pytest's output clean
                pass

            def do_HEAD(self) -> None:
                server._answer(self, head=True)

            def do_GET(self) -> None:
                server._answer(self, head=False)

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="file_server",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    # registering

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, content: bytes | str, content_type: str = "application/octet-stream",
            status: int = 200, headers: dict[str, str] | None = None) -> str:
        body = content.encode("utf-8") if isinstance(content, str) else content
        self.routes[path] = Route(status=status, body=body, content_type=content_type,
                                  headers=dict(headers or {}))
        return self.url(path)

    def add_json(self, path: str, data: Any) -> str:
        return self.add(path, json.dumps(data, ensure_ascii=False),
                        content_type="application/json;charset=utf-8")

    def add_error(self, path: str, status: int = 500, content: str = "Error interno") -> str:
        """A 404, 500 ... with a short text body."""
        return self.add(path, content, content_type="text/plain; charset=utf-8", status=status)

    def add_slow(self, path: str, seconds: float = 15.0, content: bytes | str = b"",
                 content_type: str = "text/plain; charset=utf-8") -> str:
        """Answers only after ``seconds`` (to test the client's timeouts)."""
        url = self.add(path, content, content_type=content_type)
        self.routes[path].delay = seconds
        return url

    def add_huge(self, path: str, size: int, line: bytes = b"0123456789" * 10 + b"\n",
                 content_type: str = "text/plain; charset=utf-8", send_length: bool = True,
                 first: bytes = b"") -> str:
        """A body of ``size`` bytes (``first`` then ``line`` repeated), streamed without holding
        it in memory; ``send_length=False`` hides its size until it has been read."""
        self.routes[path] = Route(body=first, content_type=content_type, huge=size,
                                  huge_line=line, send_length=send_length)
        return self.url(path)

    # serving

    def _route(self, raw_path: str) -> Route:
        return (self.routes.get(raw_path) or self.routes.get(urlsplit(raw_path).path)
                or Route(status=404, body=b"No encontrado", content_type="text/plain"))

    def _wait(self, seconds: float) -> bool:
        """Sleep in small steps; False when the server is shutting down."""
        return not self._stopping.wait(seconds)

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, head: bool) -> None:
        self.requests.append((handler.command, handler.path))
        route = self._route(handler.path)
        if route.delay and not self._wait(route.delay):
            handler.close_connection = True  # shutting down: drop the connection, answer nothing
            return
        try:
            handler.send_response(route.status)
            handler.send_header("Content-Type", route.content_type)
            size = route.huge or len(route.body)
            if route.send_length:
                handler.send_header("Content-Length", str(size))
            else:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            for name, value in route.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if head:
                return
            if not route.huge:
                handler.wfile.write(route.body)
                return
            sent = 0
            chunk = route.body
            block = route.huge_line * max(1, 65536 // max(1, len(route.huge_line)))
            while sent < size and not self._stopping.is_set():
                piece = (chunk or block)[: size - sent]
                handler.wfile.write(piece)
                sent += len(piece)
                chunk = b""
            if sent < size:
                handler.close_connection = True  # stopped early by the shutdown
        except (BrokenPipeError, ConnectionResetError):
            # the client gave up (size limit, timeout): that is what such tests look for
            handler.close_connection = True

    def close(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = FileServer()
    try:
        yield server
    finally:
        server.close()


# --- The consumers, as separate processes ---------------------------------------------------------


def purge_harvest_queues() -> None:
    """Empty the gather and fetch queues of the test Redis db, and forget the "being processed"
    markers a killed consumer leaves (ckanext-harvest would re-queue them)."""
    from ckan.plugins.toolkit import config
    from ckanext.harvest import queue

    queue.purge_queues()
    conn = queue.get_connection()
    for key in conn.scan_iter(f"ckanext-harvest:{config.get('ckan.site_id')}:*"):
        conn.delete(key)


class Consumers(ConsumerProcesses):
    """The gather and two fetch consumers of one test (as services/harvest.sh runs them); a
    consumer that ends fails the test with its log."""

    def __init__(self, ini: str) -> None:
        ckan = str(REPO_DIR / ".venv" / "bin" / "ckan")
        if not os.path.exists(ckan):
            ckan = shutil.which("ckan") or os.path.join(os.path.dirname(sys.executable), "ckan")
        super().__init__(ckan, ini, LOG_DIR, "test-harvest", fetch=FETCH_CONSUMERS)

    def start(self, timeout: float = 60.0) -> None:  # type: ignore[override]
        from ckanext.harvest.queue import get_connection

        try:
            super().start(get_connection(), timeout)
        except RuntimeError as error:
            self.stop()
            pytest.fail(str(error))

    def check(self) -> None:
        try:
            super().check()
        except RuntimeError as error:
            pytest.fail(str(error))


@contextlib.contextmanager
def running_consumers(ini: str) -> Iterator[Consumers]:
    """Consumers of configuration ``ini`` from empty queues, stopped (and the queues emptied
    again) at the end of the block."""
    purge_harvest_queues()
    running = Consumers(ini)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        purge_harvest_queues()


@pytest.fixture
def consumers(request: pytest.FixtureRequest, clean_db_all: None) -> Iterator[Consumers]:
    """Gather and fetch consumers running as separate processes against the test configuration,
    after the database was cleaned (they must never hold it while it is rebuilt)."""
    with running_consumers(str(Path(request.config.getoption("--ckan-ini")).resolve())) as running:
        yield running


# --- Running a job ---------------------------------------------------------------------------------


def _sysadmin_context() -> dict[str, Any]:
    from ckan.tests.helpers import call_action

    return {"ignore_auth": True, "user": call_action("get_site_user")["name"]}


def create_source(**fields: Any) -> dict[str, Any]:
    """``harvest_source_create`` as the site user; ``config`` may be given as a dict."""
    from ckan.tests.helpers import call_action

    if isinstance(fields.get("config"), dict):
        fields["config"] = json.dumps(fields["config"])
    fields.setdefault("frequency", "MANUAL")
    return call_action("harvest_source_create", context=_sysadmin_context(), **fields)


def pending_objects(job_id: str) -> int:
    """Objects of the job not yet imported nor failed (WAITING, FETCH or IMPORT)."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    return (model.Session.query(HarvestObject)
            .filter(HarvestObject.harvest_job_id == job_id,
                    HarvestObject.state.in_(("WAITING", "FETCH", "IMPORT")))
            .count())


def run_harvest(source_id: str, timeout: float = 60.0,
                consumers: Consumers | None = None) -> dict[str, Any]:
    """Create a job for the source (``harvest_job_create`` sends it to the gather queue), wait
    for the consumers to gather and import it, then mark it Finished with ``harvest_jobs_run``
    (what ``ckan harvester run`` does).

    ``harvest_jobs_run`` is called only once the gather is over and no object is pending: while a
    gather is still saving objects, its ``resubmit_objects`` re-queues every WAITING object that
    is not in Redis yet, and the gather then queues them again (each would be imported twice).

    Returns ``harvest_job_show`` with ``report`` (``harvest_job_report``: gather errors and
    object errors) and ``elapsed`` (seconds from job creation to Finished).
    """
    from ckan import model
    from ckan.tests.helpers import call_action

    started = time.monotonic()
    job = call_action("harvest_job_create", context=_sysadmin_context(), source_id=source_id)
    deadline = started + timeout
    while True:
        # Drop the session's cached objects: the consumers change the job from other processes.
        model.Session.remove()
        job = call_action("harvest_job_show", id=job["id"])
        if job["status"] == "Finished":
            break
        if job["gather_finished"] and not pending_objects(job["id"]):
            call_action("harvest_jobs_run", context=_sysadmin_context(), source_id=source_id)
            continue
        if consumers:
            consumers.check()
        if time.monotonic() > deadline:
            details = "\n".join(consumers.log(n) for n in consumers.names) if consumers else ""
            raise AssertionError(
                f"harvest job {job['id']} still {job['status']} after "
                f"{time.monotonic() - started:.0f} s (consumers alive: "
                f"{consumers.alive() if consumers else '?'}); stats {job.get('stats')}\n{details}"
            )
        time.sleep(0.2)
    job["elapsed"] = time.monotonic() - started
    job["report"] = call_action("harvest_job_report", id=job["id"])
    return job


def report_errors(job: dict[str, Any]) -> list[str]:
    """Every gather and object error message of a finished job, flattened."""
    report = job["report"]
    messages = [e["message"] for e in report["gather_errors"]]
    for obj in report["object_errors"].values():
        messages += [f"{obj.get('guid')}: {e['message']}" for e in obj["errors"]]
    return messages


@pytest.fixture
def harvest() -> types.SimpleNamespace:
    """The helpers as a fixture (no import from a conftest needed): ``harvest.create_source(...)``,
    ``harvest.run(source_id, timeout=60, consumers=None)``, ``harvest.errors(job)``,
    ``harvest.purge_queues()``."""
    return types.SimpleNamespace(create_source=create_source, run=run_harvest,
                                 errors=report_errors, purge_queues=purge_harvest_queues)
