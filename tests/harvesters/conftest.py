"""Harvesting against real processes: a loopback HTTP server that plays the remote source, the
gather and fetch consumers of ckanext-harvest as separate processes (as in production), and a
helper that runs one harvest job to its end.

The consumers are `ckan -c <test ini> hueyapan consumidor gather|fetch` (one gather, two fetch)
started with subprocess; they read the same ckan_test database and Redis db as the tests, so
whatever a test creates through actions (which commit) is visible to them, and the datasets they
create are visible to the test once the job is finished. A set of consumers is started once per
configuration and paused between the tests that use it (:class:`ConsumerPool`).
"""
from __future__ import annotations

import atexit
import contextlib
import dataclasses
import hashlib
import http.server
import json
import os
import shutil
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ckanext.hueyapan.harvesters.workers import (
    ConsumerProcesses,
    blocked_in_blpop,
    redis_clients,
    socket_ports,
)

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
    # Redis here (ckan.harvest.mq.type in test.ini); get_connection is typed as pika's connection
    conn: Any = queue.get_connection()
    for key in conn.scan_iter(f"ckanext-harvest:{config.get('ckan.site_id')}:*"):
        conn.delete(key)


def _redis() -> Any:
    from ckanext.harvest.queue import get_connection

    return get_connection()


def _process_state(pid: int) -> str:
    """The state letter of /proc/PID/stat (``T``: stopped by a signal); ``X`` when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "X"


class Consumers(ConsumerProcesses):
    """The gather and two fetch consumers of one configuration (as services/harvest.sh runs
    them); a consumer that ends fails the test with its log. :data:`CONSUMERS` keeps a set
    between the tests that ask for the same configuration, paused in between."""

    def __init__(self, ini: str, prefix: str = "test-harvest") -> None:
        ckan = str(REPO_DIR / ".venv" / "bin" / "ckan")
        if not os.path.exists(ckan):
            ckan = shutil.which("ckan") or os.path.join(os.path.dirname(sys.executable), "ckan")
        super().__init__(ckan, ini, LOG_DIR, prefix, fetch=FETCH_CONSUMERS)
        if shutil.which("setpriv"):
            # they are killed with the test session, even when it is killed itself
            self.command_prefix = ["setpriv", "--pdeathsig", "KILL", "--"]
        self.paused = False
        self.in_use = False

    def start(self, timeout: float = 60.0) -> None:  # type: ignore[override]
        try:
            super().start(_redis(), timeout)
        except RuntimeError as error:
            self.stop()
            pytest.fail(str(error))

    def check(self) -> None:
        try:
            super().check()
        except RuntimeError as error:
            pytest.fail(str(error))

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes.values()]

    def note(self, text: str) -> None:
        """Append a line to every consumer's log (which test the lines that follow belong to)."""
        for path in self.logs.values():
            with open(path, "ab") as handle:
                handle.write(f"\n===== {text} =====\n".encode())

    def idle(self) -> bool:
        """Every consumer blocked in BLPOP at one instant (one ``CLIENT LIST``): none is handling
        a message, none can queue one, and the queues they wait on are empty."""
        clients = redis_clients(_redis(), self.pids)
        return all(any(map(blocked_in_blpop, found)) for found in clients.values())

    def open_transactions(self) -> list[str]:
        """The states of the consumers' database connections that are not plain ``idle``
        (``idle in transaction`` holds locks that a paused process would keep)."""
        import sqlalchemy as sa

        from ckan import model

        ports: set[int] = set().union(*(socket_ports(pid) for pid in self.pids))
        with model.meta.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT client_port, state FROM pg_stat_activity "
                "WHERE datname = current_database() AND client_port IS NOT NULL")).all()
        return [f"{port}: {state}" for port, state in rows if port in ports and state != "idle"]

    def pause(self) -> None:
        """Stop the processes (SIGSTOP) and end the BLPOP that Redis still holds for each one
        (``CLIENT UNBLOCK`` answers it as a timeout would), so that no message is taken while
        they are paused: a job queued meanwhile stays queued, as with no consumers at all."""
        conn = _redis()
        for process in self.processes.values():
            process.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while any(_process_state(pid) not in "TX" for pid in self.pids):
            if time.monotonic() > deadline:
                raise RuntimeError("the consumers did not stop on SIGSTOP")
            time.sleep(0.01)
        calm = 0
        while calm < 2:  # twice in a row nothing blocked: a BLPOP still on its way is answered too
            blocked = [client for found in redis_clients(conn, self.pids).values()
                       for client in found if "b" in client.get("flags", "")]
            for client in blocked:
                conn.client_unblock(int(client["id"]))
            calm = 0 if blocked else calm + 1
            time.sleep(0.02)
        self.paused = True

    def resume(self, timeout: float = 30.0) -> bool:
        """Continue the processes and wait until each one waits on its queue again; False
        (and the set stopped) when one has ended meanwhile or does not come back: a test that
        cut the connections of the database or Redis may have ended it."""
        for process in self.processes.values():
            process.send_signal(signal.SIGCONT)
        self.paused = False
        deadline = time.monotonic() + timeout
        while not self.idle():
            if not all(self.alive().values()) or time.monotonic() > deadline:
                self.stop()
                return False
            time.sleep(0.05)
        return True


def _config_key(ini: str) -> str:
    """What a consumer's configuration depends on: the file's text, and its folder when that
    text has relative parts (``%(here)s``, a relative ``use = config:``)."""
    path = Path(ini).resolve()
    text = path.read_text(encoding="utf-8")
    relative = "%(here)s" in text or any(
        line.split("config:", 1)[1].strip()[:1] != "/"
        for line in text.splitlines() if line.replace(" ", "").startswith("use=config:"))
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return f"{path.parent}/{digest}" if relative else digest


class ConsumerPool:
    """The consumer sets of a test session, one per configuration.

    Starting the gather and two fetch consumers costs three CKAN starts (about 10 s of CPU);
    a harvesting test then needs a second or two. So a set is started the first time its
    configuration is asked for and kept for the tests that follow, with at most
    :attr:`MAX_SETS` alive (the least recently used one is stopped first).

    Between two tests a set is paused (:meth:`Consumers.pause`), once every consumer waits on
    its empty queue: a consumer then holds no database transaction (ckanext-harvest removes
    its session after each message; :meth:`release` checks it in ``pg_stat_activity`` and
    stops a set that does), so CKAN's ``clean_db``, which deletes rows, never waits for it, and
    a paused consumer takes no message, so tests that queue jobs without consumers see them
    stay queued. Before a set is resumed the queues are emptied, as before a start. Consumers
    keep no catalog data of their own between messages; the site user's name, which
    ckanext-harvest's harvesters remember, is ``ckan.site_id`` in every test.
    """

    MAX_SETS = 2

    def __init__(self) -> None:
        self.sets: dict[str, Consumers] = {}  # least recently used first

    def acquire(self, ini: str) -> Consumers:
        key = _config_key(ini)
        running = self.sets.get(key)
        if running is not None and running.in_use:
            running = None  # asked for twice at once: a set of its own, not kept
            key = ""
        elif running is not None:
            del self.sets[key]
            if not all(running.alive().values()):
                running.stop()
                running = None
        purge_harvest_queues()
        if running is not None and not running.resume():
            running = None
        if running is None:
            for old in [k for k, s in self.sets.items() if not s.in_use][
                    :max(0, len(self.sets) + 1 - self.MAX_SETS)]:
                self.sets.pop(old).stop()
            running = Consumers(ini, "test-harvest" if not self.sets else
                                f"test-harvest-{(key or str(time.monotonic_ns()))[-8:]}")
            running.start()
        running.note(os.environ.get("PYTEST_CURRENT_TEST", "") or "in use")
        running.in_use = True
        if key:
            self.sets[key] = running
        return running

    def release(self, running: Consumers, timeout: float = 30.0) -> None:
        """Empty the queues, wait until every consumer is idle, and pause the set (or stop it:
        a consumer that ended, stays busy past ``timeout`` or holds a transaction)."""
        running.in_use = False
        kept = running in self.sets.values()
        deadline = time.monotonic() + timeout
        while kept:
            purge_harvest_queues()  # what the test left queued is not handled
            if not all(running.alive().values()) or time.monotonic() > deadline:
                kept = False
            elif running.idle():
                break
            else:
                time.sleep(0.05)
        if kept:
            busy = running.open_transactions()
            if busy:
                running.note("stopped, not paused: connections in a transaction " + ", ".join(busy))
                kept = False
        if kept:
            try:
                running.pause()
            except RuntimeError:
                kept = False
        if not kept:
            for key in [k for k, s in self.sets.items() if s is running]:
                del self.sets[key]
            running.stop()
        purge_harvest_queues()

    def stop_all(self) -> None:
        while self.sets:
            self.sets.popitem()[1].stop()


#: The consumer sets of this test session (stopped at its end by tests/conftest.py).
CONSUMERS = ConsumerPool()
atexit.register(CONSUMERS.stop_all)


@contextlib.contextmanager
def running_consumers(ini: str) -> Iterator[Consumers]:
    """Consumers of configuration ``ini`` from empty queues, for the block; the queues are
    emptied again at its end. The set is :data:`CONSUMERS`'s: started the first time ``ini``'s
    configuration is asked for, paused after the block and resumed by the next one."""
    running = CONSUMERS.acquire(ini)
    try:
        yield running
    finally:
        CONSUMERS.release(running)


@pytest.fixture
def consumers(request: pytest.FixtureRequest, clean_db_all: None) -> Iterator[Consumers]:
    """Gather and fetch consumers running as separate processes against the test configuration,
    after the database was cleaned (while it is cleaned they are paused, holding no transaction)."""
    ini = str(request.config.getoption("--ckan-ini"))
    with running_consumers(str(Path(ini).resolve())) as running:
        yield running


# --- Running a job --------------------------------------------------------------------------------


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
