"""ckanext-harvest's consumer processes: the queue loop, and whether a consumer is waiting.

**The loop** (``ckan hueyapan consumidor gather|fetch``). ckanext-harvest 1.6.3 waits on its Redis
queue with a ``BLPOP`` that has no timeout, and redis-py 8 (pinned by CKAN 2.12) reads every
answer with a 5 s socket timeout: a consumer whose queue stays empty ends with
``TimeoutError: Timeout reading from socket`` after about a minute (ckanext-harvest issue #581).
:func:`consume` waits with a ``BLPOP`` that returns after :data:`WAIT_SECONDS`, well inside the
socket timeout, and hands every message to ckanext-harvest's own ``gather_callback`` or
``fetch_callback``, with the same "being processed" key ckanext-harvest's Redis consumer sets. So
the stages, retries and bookkeeping are ckanext-harvest's; only the wait differs. With another
queue backend (RabbitMQ) it runs ckanext-harvest's consumer unchanged.

**Readiness.** A consumer is ready when it is blocked in ``BLPOP`` on Redis. Redis lists its
clients with their address; ``/proc`` tells which local ports belong to a process. Used by the
test fixtures and the benchmark that start consumers as separate processes
(``services/harvest.sh`` does the same in bash).
"""
from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ckanext.hueyapan.comun.idioma import default_language
from ckanext.hueyapan.salvaguardas import redes

__all__ = ["WAIT_SECONDS", "ConsumerProcesses", "blocked_in_blpop", "consume", "limit_http_waits",
           "redis_clients", "socket_ports", "waiting_on_queue"]

log = logging.getLogger(__name__)

#: Seconds one BLPOP waits for a message before it is issued again (below redis-py's 5 s).
WAIT_SECONDS = 2


def _queue(kind: str) -> tuple[str, Callable[..., Any]]:
    from ckanext.harvest import queue

    if kind == "gather":
        return queue.get_gather_routing_key(), queue.gather_callback
    if kind == "fetch":
        return queue.get_fetch_routing_key(), queue.fetch_callback
    raise ValueError(f"unknown queue {kind!r}: gather or fetch")


def limit_http_waits(seconds: float) -> None:
    """Give every HTTP request of this process that has no timeout one of ``seconds``, and
    refuse local and private addresses (``redes.check``) for every request and every redirect
    hop, with no exemption.

    ckanext-harvest's ``ckan`` harvester and ckanext-dcat's harvesters call ``requests`` without
    a timeout: a remote catalog that accepts the connection and never answers would hold the
    consumer, and every job queued behind it, for ever. ``requests`` sends each redirect hop
    through the adapter again, so each hop is checked. The catalog's Solr is reached only by
    CKAN's own search client (:func:`_search_client_unguarded`), never by the harvesters' HTTP.
    Only the consumer processes call this.
    """
    from requests.adapters import HTTPAdapter
    from requests.exceptions import ConnectionError as RequestsConnectionError

    send = HTTPAdapter.send
    if getattr(send, "hueyapan_default_timeout", None) is not None:
        return

    def send_with_timeout(self: Any, request: Any, stream: bool = False,
                          timeout: Any = None, **kwargs: Any) -> Any:
        try:
            with default_language():  # the job's report is read in the catalog's language
                redes.check(request.url)  # no harvest source may reach local addresses
        except redes.AddressNotAllowed as error:
            raise RequestsConnectionError(str(error), request=request) from error
        return send(self, request, stream=stream,
                    timeout=seconds if timeout is None else timeout, **kwargs)

    send_with_timeout.hueyapan_default_timeout = seconds  # type: ignore[attr-defined]
    HTTPAdapter.send = send_with_timeout  # type: ignore[method-assign]
    _search_client_unguarded(send)


def _search_client_unguarded(send: Callable[..., Any]) -> None:
    """CKAN's search client (pysolr) keeps a ``requests`` session of its own: mount on it, for
    its Solr address alone, an adapter that sends without the address guard. No harvester uses
    that session, so no harvest source nor any redirect reaches Solr through it."""
    import pysolr
    from requests.adapters import HTTPAdapter

    class SearchAdapter(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            return send(self, request, *args, **kwargs)

    get_session = pysolr.Solr.get_session

    def get_search_session(self: Any) -> Any:
        session = get_session(self)
        prefix = self.url.rstrip("/") + "/"
        if not isinstance(session.adapters.get(prefix), SearchAdapter):
            session.mount(prefix, SearchAdapter())
        return session

    pysolr.Solr.get_session = get_search_session  # type: ignore[method-assign]


def consume(kind: str, redis_conn: Any = None, messages: int | None = None) -> int:
    """Take messages from the ``gather`` or ``fetch`` queue and process them, for ever (or until
    ``messages`` were processed; the tests use that). Returns how many were processed."""
    from ckan.plugins.toolkit import config
    from ckanext.harvest import queue

    limit_http_waits(float(config["ckanext.hueyapan.cosecha.timeout"]))
    routing_key, callback = _queue(kind)
    if config.get("ckan.harvest.mq.type", queue.MQ_TYPE) != "redis":
        # Not Redis: ckanext-harvest's own consumer loop
        consumer = queue.get_gather_consumer() if kind == "gather" else queue.get_fetch_consumer()
        name = queue.get_gather_queue_name() if kind == "gather" else queue.get_fetch_queue_name()
        if consumer is None:
            raise RuntimeError(f"ckanext-harvest gave no {kind} consumer")
        for method, header, body in consumer.consume(queue=name):
            callback(consumer, method, header, body)
        return 0
    redis_conn = redis_conn if redis_conn is not None else queue.get_connection()
    consumer = queue.RedisConsumer(redis_conn, routing_key)
    log.info("%s consumer waiting on %s", kind, routing_key)
    done = 0
    while messages is None or done < messages:
        item = redis_conn.blpop([routing_key], timeout=WAIT_SECONDS)
        if item is None:
            continue  # nothing queued: wait again
        _key, body = item
        redis_conn.set(consumer.persistance_key(body), str(datetime.datetime.now()))
        callback(consumer, queue.FakeMethod(body), None, body)
        done += 1
    return done


def socket_ports(pid: int) -> set[int]:
    """Local TCP ports of the sockets process ``pid`` holds (from /proc, no extra package)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def redis_clients(redis_conn: Any, pids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The clients of this Redis that each process of ``pids`` holds, from one ``CLIENT LIST``
    (Redis answers it at one instant, so the lists describe the processes at the same time)."""
    ports = {pid: socket_ports(pid) for pid in pids}
    found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in pids}
    for client in redis_conn.client_list():
        port = int(client["addr"].rsplit(":", 1)[1])
        for pid in pids:
            if port in ports[pid]:
                found[pid].append(client)
    return found


def blocked_in_blpop(client: dict[str, Any]) -> bool:
    """Whether a client of ``CLIENT LIST`` is blocked in BLPOP now (flag ``b``); a client whose
    BLPOP has just been answered still shows ``cmd=blpop`` until its next command, not ``b``."""
    return client.get("cmd") == "blpop" and "b" in client.get("flags", "")


def waiting_on_queue(redis_conn: Any, pid: int) -> bool:
    """True when process ``pid`` is blocked in BLPOP on this Redis: the consumer is ready."""
    return any(blocked_in_blpop(c) for c in redis_clients(redis_conn, [pid])[pid])


class ConsumerProcesses:
    """One gather and ``fetch`` fetch consumers (``ckan hueyapan consumidor``) as separate
    processes, as ``services/harvest.sh`` runs them: for the tests and the benchmark.

    ``check()`` raises ``RuntimeError`` with the log of a consumer that ended: a consumer never
    ends on its own. ``profile_dir`` runs them under cProfile (statistics written at ``stop()``).
    """

    def __init__(self, ckan: str, ini: str, log_dir: Path, prefix: str, fetch: int = 2,
                 profile_dir: Path | None = None) -> None:
        self.ckan, self.ini, self.profile_dir = ckan, ini, profile_dir
        self.names = ["gather"] + [f"fetch-{n}" for n in range(1, fetch + 1)]
        self.logs = {name: log_dir / f"{prefix}-{name}.log" for name in self.names}
        self.processes: dict[str, Any] = {}
        #: put before each command (e.g. ``setpriv --pdeathsig KILL --``)
        self.command_prefix: list[str] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, redis_conn: Any, timeout: float = 60.0) -> None:
        """Start every consumer and wait until each one waits on its queue."""
        import subprocess
        import sys
        import time

        for name in self.names:
            command = [self.ckan, "-c", self.ini, "hueyapan", "consumidor", name.split("-")[0]]
            if self.profile_dir is not None:
                self.profile_dir.mkdir(parents=True, exist_ok=True)
                command = [sys.executable, "-m", "cProfile", "-o",
                           str(self.profile_dir / f"{name}.prof")] + command
            command = self.command_prefix + command
            self.logs[name].write_bytes(b"")
            # appended to, so that whoever started the consumer may add lines of its own
            with open(self.logs[name], "ab") as handle:
                self.processes[name] = subprocess.Popen(
                    command, cwd=Path(self.ini).parent, stdout=handle,
                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        waiting = set(self.names)
        while waiting:
            self.check()
            clients = redis_clients(redis_conn, [self.processes[n].pid for n in waiting])
            waiting = {n for n in waiting
                       if not any(map(blocked_in_blpop, clients[self.processes[n].pid]))}
            if waiting and time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"consumers {sorted(waiting)} not waiting on their queue after "
                                   f"{timeout:.0f} s\n" + "\n".join(self.log(n) for n in waiting))
            if waiting:
                time.sleep(0.2)

    def check(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} consumer ended with status "
                                   f"{process.returncode}\n{self.log(name)}")

    def alive(self) -> dict[str, bool]:
        return {name: p.poll() is None for name, p in self.processes.items()}

    def log(self, name: str, tail: int = 60) -> str:
        try:
            lines = self.logs[name].read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return (f"--- {name} consumer (last {tail} lines of {self.logs[name]}) ---\n"
                + "\n".join(lines[-tail:]))

    def stop(self) -> None:
        import signal
        import subprocess

        for process in self.processes.values():
            if process.poll() is None:
                # SIGINT lets cProfile write its statistics; a consumer stops on it too
                process.send_signal(signal.SIGINT if self.profile_dir else signal.SIGTERM)
                process.send_signal(signal.SIGCONT)  # one paused with SIGSTOP gets it now
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
