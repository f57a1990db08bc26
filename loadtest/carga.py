#!/usr/bin/env python3
"""Load test of the catalog, and what it does when Solr or PostgreSQL fail under load.

    .venv/bin/python loadtest/carga.py [--duracion 60] [--clientes 50] [--datasets 300]

(``make loadtest`` runs it with those values.) Everything runs on a stack of its own, so that
it never touches the developer's catalog or the shared services, and works the same on a fresh
machine:

* PostgreSQL, Redis and Solr started by the project's scripts (``services/*.sh``) with
  ``HUEYAPAN_STATE_DIR=.state/carga`` and their own ports (5434, 6381, 8984);
* ``.state/carga/carga.ini``: ``ckan.ini`` with that stack's addresses, its own secrets, debug off
  and no example data; initialised as ``make up`` does (``services/ckan.sh init``: migrations,
  communities, vocabularies, áreas) and filled with a few hundred generated datasets of every
  type (``bench/generador.py``: obras, programas sociales, convocatorias, and plain CKAN
  datasets), kept between runs;
* served by gunicorn with 2 workers (``services/gunicorn.sh``, ``ckanext/hueyapan/wsgi.py``) on
  port 5084; loaded by ``wrk`` (Debian) with ``loadtest/carga.lua``: home, search pages with
  text, facets and filters, dataset pages of each type, community pages and API calls
  (``package_show``, ``package_search`` with facets).

The runs, each asserted (the exit code is 1 when one fails):

1. **steady**: ``--clientes`` connections for ``--duracion`` seconds; zero errors (no socket
   error, no timeout at 30 s, every answer 2xx or 3xx). Latency is reported, not asserted.
2. **Solr stopped** for about 15 s under load, then started again: while it is down, every page
   and API call that needs search answers 503 with ``Retry-After`` and the catalog's Spanish
   message (never a 500, never a hang), ``package_show`` keeps answering 200; once Solr answers
   again, everything answers 200 within 30 s without touching gunicorn, and a short run after
   it has zero errors.
3. **PostgreSQL restarted** (``pg_ctl -m fast`` stop and start) under load: the requests that
   fail during the restart are counted; within 30 s of PostgreSQL being back every page answers
   200 with the same gunicorn workers (SQLAlchemy's ``pool_pre_ping``, on by default in CKAN 2.12,
   replaces the dead connections), and a short run after it has zero errors.

Figures: printed, and written to ``.state/carga/carga.json``. The stack is stopped at the end,
also on failure or Ctrl-C; its data stays in ``.state/carga`` (delete it to start afresh).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".state" / "carga"
INI = STATE / "carga.ini"
RESULTS = STATE / "carga.json"
LUA = REPO / "loadtest" / "carga.lua"
VENV = REPO / ".venv" / "bin"
PG_PORT, REDIS_PORT, SOLR_PORT, WEB_PORT = 5434, 6381, 8984, 5084
BASE = f"http://127.0.0.1:{WEB_PORT}"
WORKERS = 2
SPANISH_503 = "El catálogo no está disponible en este momento"
RETRY_AFTER = "30"
#: How long the fault runs wait for the catalog to answer 200 again, once the service is back.
RECOVERY_S = 30
#: How long Solr stays stopped (before it is started again, which takes some more seconds).
OUTAGE_S = 15
#: The short runs after each fault, which must have zero errors.
AFTER_S = 20

ENV = dict(
    os.environ,
    HUEYAPAN_STATE_DIR=str(STATE), HUEYAPAN_PG_PORT=str(PG_PORT),
    HUEYAPAN_REDIS_PORT=str(REDIS_PORT), HUEYAPAN_SOLR_PORT=str(SOLR_PORT),
    HUEYAPAN_CKAN_PORT=str(WEB_PORT), HUEYAPAN_CKAN_INI=str(INI), HUEYAPAN_SOLR_HEAP="384m",
)


def say(message: str) -> None:
    print(f"· carga: {message}", file=sys.stderr, flush=True)


class Fallo(Exception):
    """An assertion of the load test failed (the message says which)."""


def service(name: str, *args: str) -> None:
    """``services/<name>.sh args`` on the load test's stack; its one-line error on failure."""
    done = subprocess.run(["bash", str(REPO / "services" / f"{name}.sh"), *args], env=ENV,
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("ERROR")]
        raise Fallo(lines[-1] if lines else f"services/{name}.sh {' '.join(args)} failed: "
                    f"{done.stderr.strip()[-500:]}")


# --------------------------------------------------------------------------------------------
# The stack: configuration, data
# --------------------------------------------------------------------------------------------

def write_ini() -> None:
    """ckan.ini with the stack's addresses and secrets, example data off, less logging."""
    values = {
        "use": f"config:{STATE / 'ckan-secrets.ini'}",
        "debug": "false",
        "ckan.site_id": "hueyapan_carga",
        "ckan.site_url": BASE,
        "sqlalchemy.url": f"postgresql://ckan:ckan@127.0.0.1:{PG_PORT}/ckan",
        "ckan.redis.url": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "solr_url": f"http://127.0.0.1:{SOLR_PORT}/solr/ckan",
        "ckan.storage_path": str(STATE / "storage"),
        "ckanext.hueyapan.datos_ejemplo": "false",
        "ckan.harvest.mq.port": str(REDIS_PORT),
    }
    text = (REPO / "ckan.ini").read_text(encoding="utf-8")
    for key, value in values.items():
        text, found = re.subn(rf"(?m)^{re.escape(key)}\s*=.*$", f"{key} = {value}", text, count=1)
        if not found:
            raise Fallo(f"ckan.ini has no '{key}' any more: update loadtest/carga.py")
    # Per-request INFO lines would cost the workers time and fill the log: warnings only.
    text = re.sub(r"(?m)^(\[logger_(?:ckan|ckanext)\]\nlevel = )INFO$", r"\1WARNING", text)
    header = ("# Written by loadtest/carga.py on each run: ckan.ini with the load test's own "
              "stack\n# (.state/carga, PostgreSQL 5434, Redis 6381, Solr 8984, gunicorn 5084).\n")
    INI.write_text(header + text, encoding="utf-8")


def load_child(count: int) -> None:
    """In a child process: CKAN loaded from carga.ini, the generated datasets created (those
    missing only), and what the requests need written to .state/carga/datos.json."""
    sys.path.insert(0, str(REPO / "bench"))
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib import search
    from ckan.plugins import toolkit as tk

    import generador

    app = make_app(load_config(str(INI)))
    app._wsgi_app.test_request_context().push()  # pyright: ignore[reportAttributeAccessIssue] - set by make_app
    records = generador.catalogo(count)
    plain = [dict(generador.comun(record), name=f"comun-{record['name']}")
             for record in records[: max(count // 20, 4)]]
    existing = {name for (name,) in model.Session.query(model.Package.name)}
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    created, errors = 0, []
    started = time.perf_counter()
    for record in records + plain:
        if record["name"] in existing:
            continue
        try:
            tk.get_action("package_create")({"user": site_user, "ignore_auth": True}, dict(record))
            created += 1
        except tk.ValidationError as error:
            model.Session.rollback()
            errors.append(f"{record['name']}: {error.error_dict}")
        finally:
            model.Session.remove()
    search.commit()
    if errors:
        raise SystemExit(f"ERROR: carga: {len(errors)} datasets refused, first: {errors[0]}")
    by_type: dict[str, list[str]] = {}
    for record in records + plain:
        by_type.setdefault(record["type"], []).append(record["name"])
    communities = sorted({key for record in records for key in record["comunidades"]
                          if key != generador.MUNICIPIO})
    (STATE / "datos.json").write_text(json.dumps({
        "datasets": len(records) + len(plain), "created": created,
        "seconds": round(time.perf_counter() - started, 1),
        "by_type": by_type, "communities": communities,
    }, ensure_ascii=False), encoding="utf-8")


def load_data(count: int) -> dict[str, Any]:
    done = subprocess.run([str(VENV / "python"), __file__, "--cargar", str(count)], cwd=REPO,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise Fallo(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                    else "loading the datasets failed")
    return json.loads((STATE / "datos.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------

FACETS = json.dumps(["hueyapan_comunidad", "hueyapan_etapa", "hueyapan_fuente", "organization",
                     "res_format"])
QUERIES = ["agua", "pavimentacion", "drenaje", "escuela", "apoyo", "maíz", "camino", "salud"]


def paths(data: dict[str, Any]) -> dict[str, list[str]]:
    """The requests of the load, by kind; the weights are how often each kind is asked."""
    names = data["by_type"]
    keys = data["communities"][:12]

    def pick(kind: str, n: int) -> list[str]:
        items = names.get(kind, [])
        return items[:: max(len(items) // n, 1)][:n]

    return {
        "home": ["/"],
        "search": [f"/dataset/?{urlencode({'q': q})}" for q in QUERIES]
        + [f"/obra/?{urlencode({'hueyapan_comunidad': k})}" for k in keys[:6]]
        + ["/obra/?hueyapan_etapa=ejecucion&hueyapan_ejercicio=2025",
           "/obra/?q=agua&hueyapan_fuente=fism&sort=metadata_modified+desc",
           "/programa-social/?hueyapan_tipo_programa=especie",
           "/convocatoria/?hueyapan_estado=abierta",
           "/dataset/?organization=obras-publicas&page=2"],
        "dataset": [f"/{kind}/{name}" for kind in ("obra", "programa-social", "convocatoria")
                    for name in pick(kind, 8)]
        + [f"/dataset/{name}" for name in pick("dataset", 4)],
        "community": [f"/comunidad/{k}" for k in keys] + ["/comunidad/"],
        "api_show": [f"/api/3/action/package_show?id={name}"
                     for kind in ("obra", "programa-social", "convocatoria")
                     for name in pick(kind, 6)],
        "api_search": [
            "/api/3/action/package_search?"
            + urlencode({"q": q, "facet.field": FACETS, "rows": 10}) for q in QUERIES[:4]]
        + ["/api/3/action/package_search?"
           + urlencode({"fq": f"hueyapan_comunidad:{k}", "rows": 20}) for k in keys[:4]],
    }


#: Share of the load of each kind of request (percent).
WEIGHTS = {"home": 10, "search": 25, "dataset": 25, "community": 10, "api_show": 15,
           "api_search": 15}


def write_paths(by_kind: dict[str, list[str]]) -> Path:
    """One path a line, each kind repeated to its weight (the order is shuffled by wrk's Lua)."""
    import random

    lines = []
    for kind, items in by_kind.items():
        copies = max(1, round(WEIGHTS[kind] * 4 / len(items)))
        lines += items * copies
    random.Random(30073).shuffle(lines)
    path = STATE / "rutas.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def get(path: str, timeout: float = 30) -> dict[str, Any]:
    """One request: status, seconds, Retry-After and whether a 503 carries the Spanish message."""
    started = time.perf_counter()
    request = urllib.request.Request(BASE + path, headers={"Accept-Language": "es"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    except OSError as error:  # refused, reset, timed out
        return {"status": None, "error": type(error).__name__,
                "s": round(time.perf_counter() - started, 3)}
    text = body.decode("utf-8", "replace")
    result = {"status": status, "s": round(time.perf_counter() - started, 3)}
    if status == 503:
        result["retry_after"] = headers.get("Retry-After")
        if path.startswith("/api/"):
            try:
                message = json.loads(text)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = ""
            result["spanish"] = message.startswith(SPANISH_503)
        else:
            result["spanish"] = SPANISH_503 in text and "error 503" in text
    return result


def warm_up(by_kind: dict[str, list[str]]) -> None:
    """Every path once (the workers load templates and caches): each must answer 200."""
    from concurrent.futures import ThreadPoolExecutor

    every = [path for items in by_kind.values() for path in items]
    with ThreadPoolExecutor(WORKERS * 2) as pool:
        answers = dict(zip(every, pool.map(lambda path: get(path, timeout=120), every),
                           strict=True))
    wrong = {path: answer for path, answer in answers.items() if answer["status"] != 200}
    if wrong:
        raise Fallo(f"before the load, {len(wrong)} paths do not answer 200: "
                    f"{dict(list(wrong.items())[:5])}")


class Wrk:
    """wrk in the background: ``clients`` connections until ``seconds`` pass or :meth:`stop`."""

    def __init__(self, routes: Path, name: str, seconds: int, clients: int, threads: int) -> None:
        self.output = STATE / f"wrk-{name}.json"
        self.output.unlink(missing_ok=True)
        self.log = (STATE / "log" / f"wrk-{name}.log").open("w")
        self.process = subprocess.Popen(
            ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
             "-s", str(LUA), BASE, "--", str(routes)],
            env=dict(os.environ, CARGA_SALIDA=str(self.output)), stdout=self.log,
            stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """Ctrl-C: wrk stops, prints and writes its figures."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def result(self, timeout: float = 600) -> dict[str, Any]:
        try:
            self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.log.close()
        if not self.output.exists():
            raise Fallo(f"wrk wrote no figures (see {self.log.name})")
        figures = json.loads(self.output.read_text(encoding="utf-8"))
        figures["statuses"] = {str(k): v for k, v in sorted(figures["statuses"].items())}
        seconds = figures["duration_s"] or 1
        figures["req_per_s"] = round(figures["requests"] / seconds, 1)
        figures["socket_errors"] = sum(figures["errors"][k] for k in
                                       ("connect", "read", "write", "timeout"))
        return figures


def run_load(routes: Path, name: str, seconds: int, clients: int, threads: int) -> dict[str, Any]:
    say(f"{name}: {clients} connections for {seconds} s")
    return Wrk(routes, name, seconds, clients, threads).result(timeout=seconds + 120)


def zero_errors(name: str, figures: dict[str, Any]) -> None:
    bad = {status: n for status, n in figures["statuses"].items() if not 200 <= int(status) < 400}
    if figures["socket_errors"] or bad or figures["errors"]["status"]:
        raise Fallo(f"{name}: {figures['socket_errors']} socket errors and timeouts "
                    f"({figures['errors']}), answers other than 2xx/3xx: {bad}")


def workers() -> list[str]:
    done = subprocess.run(["bash", str(REPO / "services" / "gunicorn.sh"), "pids", "carga"],
                          env=ENV, capture_output=True, text=True)
    return sorted(done.stdout.split())


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------

class Probes:
    """One thread per path, each asking its path again and again (a citizen who reloads) while
    the load runs: every answer with the moment it was asked and the moment it came."""

    def __init__(self, paths_: dict[str, str]) -> None:
        self.paths = paths_
        self.answers: dict[str, list[dict[str, Any]]] = {name: [] for name in paths_}
        self.origin = time.monotonic()
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._ask, args=(name,), daemon=True)
                        for name in paths_]
        for thread in self.threads:
            thread.start()

    def now(self) -> float:
        return round(time.monotonic() - self.origin, 2)

    def _ask(self, name: str) -> None:
        while not self.done.is_set():
            asked = self.now()
            answer = get(self.paths[name], timeout=120)
            self.answers[name].append({"asked": asked, "came": self.now(), **answer})
            self.done.wait(0.5)

    def stop(self) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=130)

    def between(self, start: float, end: float) -> dict[str, list[dict[str, Any]]]:
        """The answers to requests asked at or after ``start`` and answered before ``end``."""
        return {name: [a for a in answers if a["asked"] >= start and a["came"] <= end]
                for name, answers in self.answers.items()}

    def recovered(self, since: float) -> dict[str, float | None]:
        """For each path, seconds from ``since`` until the answer from which on every answer was
        200 (None: the last answer was not 200)."""
        result: dict[str, float | None] = {}
        for name, answers in self.answers.items():
            first_good = None
            for answer in answers:
                if answer["status"] == 200:
                    if first_good is None:
                        first_good = answer
                else:
                    first_good = None
            result[name] = (None if first_good is None
                            else round(max(first_good["came"] - since, 0.0), 1))
        return result

    def all_200_since(self, since: float, times: int = 2) -> bool:
        """Every path answered 200 at least ``times`` times in a row after ``since``."""
        for answers in self.answers.values():
            tail = [a for a in answers if a["asked"] >= since][-times:]
            if len(tail) < times or any(a["status"] != 200 for a in tail):
                return False
        return True


def _tally(answers: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    return {name: {str(status): sum(1 for a in items if a["status"] == status)
                   for status in sorted({a["status"] for a in items}, key=str)}
            for name, items in answers.items()}


def _wait_recovery(probes: Probes, since: float) -> None:
    """Until every path answered 200 twice after ``since``, or RECOVERY_S (plus the answers in
    flight) passed."""
    deadline = time.monotonic() + RECOVERY_S + 30
    while time.monotonic() < deadline and not probes.all_200_since(since):
        time.sleep(0.5)


def fault_solr(routes: Path, by_kind: dict[str, list[str]], args: argparse.Namespace
               ) -> dict[str, Any]:
    """Solr stopped under load for OUTAGE_S seconds, then started again."""
    needs_search = {
        "home": "/", "search": by_kind["search"][0], "filter": by_kind["search"][len(QUERIES)],
        "community": by_kind["community"][0], "api_package_search": by_kind["api_search"][0],
    }
    # A dataset's page reads PostgreSQL; the boxes around it may ask Solr (then the 503).
    may_not_need_search = {"dataset_page": by_kind["dataset"][0]}
    no_search = {"api_package_show": by_kind["api_show"][0]}
    before = workers()
    load = Wrk(routes, "solr", 600, args.clientes, args.hilos)
    probes = Probes({**needs_search, **may_not_need_search, **no_search})
    times: dict[str, float] = {}
    try:
        time.sleep(10)
        say("solr fault: stopping Solr")
        service("solr", "stop")
        times["stopped"] = probes.now()
        time.sleep(OUTAGE_S)
        times["starting"] = probes.now()
        say("solr fault: starting Solr again")
        service("solr", "start")
        times["back"] = probes.now()
        _wait_recovery(probes, times["back"])
    finally:
        load.stop()
        probes.stop()
    figures = load.result()
    outage = probes.between(times["stopped"], times["starting"])
    starting = probes.between(times["starting"], times["back"])
    wrong = []
    for window, answers_by_name in (("down", outage), ("starting", starting)):
        for name, answers in answers_by_name.items():
            for answer in answers:
                spanish_503 = (answer["status"] == 503 and answer.get("spanish")
                               and answer.get("retry_after") == RETRY_AFTER)
                if name in no_search:
                    ok = answer["status"] == 200
                elif name in may_not_need_search or window == "starting":
                    ok = spanish_503 or answer["status"] == 200
                else:
                    ok = spanish_503
                if not ok:
                    wrong.append((window, name, answer))
    recovery = probes.recovered(times["back"])
    result = {
        "solr_down_s": round(times["back"] - times["stopped"], 1),
        "solr_start_s": round(times["back"] - times["starting"], 1),
        "answers_during_outage": _tally(outage),
        "answers_while_starting": _tally(starting),
        "wrong_answers_during_outage": wrong[:10],
        "recovery_s": recovery, "load": figures, "workers_unchanged": workers() == before,
    }
    bad = {s: n for s, n in figures["statuses"].items() if s not in ("200", "301", "302", "503")}
    problems = []
    if wrong:
        problems.append(f"Solr down: {len(wrong)} answers were not the Spanish 503 with "
                        f"Retry-After (nor an allowed 200), first: {wrong[:3]}")
    if any(not answers for answers in outage.values()):
        problems.append("Solr down: some paths got no answer during the outage: "
                        f"{result['answers_during_outage']}")
    late = {name: s for name, s in recovery.items() if s is None or s > RECOVERY_S}
    if late:
        problems.append(f"Solr back: not answering 200 within {RECOVERY_S} s: {late}")
    if bad or figures["socket_errors"] or figures["503_without_spanish_message"]:
        problems.append(f"Solr fault under load: answers {bad}, {figures['socket_errors']} socket "
                        "errors or timeouts, "
                        f"{figures['503_without_spanish_message']} 503s without "
                        "the Spanish message")
    if not result["workers_unchanged"]:
        problems.append("Solr fault: gunicorn's workers changed")
    result["after"] = run_load(routes, "solr-after", AFTER_S, args.clientes, args.hilos)
    try:
        zero_errors("after Solr came back", result["after"])
    except Fallo as error:
        problems.append(str(error))
    result["problems"] = problems
    return result


def fault_postgres(routes: Path, by_kind: dict[str, list[str]], args: argparse.Namespace
                   ) -> dict[str, Any]:
    """PostgreSQL restarted under load (fast shutdown: open connections are cut)."""
    pages = {"home": "/", "search": by_kind["search"][0], "dataset_page": by_kind["dataset"][0],
             "community": by_kind["community"][0], "api_package_show": by_kind["api_show"][0],
             "api_package_search": by_kind["api_search"][0]}
    before = workers()
    load = Wrk(routes, "postgres", 600, args.clientes, args.hilos)
    probes = Probes(pages)
    times: dict[str, float] = {}
    try:
        time.sleep(10)
        say("postgres fault: restarting PostgreSQL")
        times["stopping"] = probes.now()
        service("postgres", "stop")
        service("postgres", "start")
        times["back"] = probes.now()
        _wait_recovery(probes, times["back"])
    finally:
        load.stop()
        probes.stop()
    figures = load.result()
    failed = sum(n for s, n in figures["statuses"].items() if not 200 <= int(s) < 400)
    window = probes.between(times["stopping"], times["back"] + RECOVERY_S)
    not_spanish = [(name, a) for name, answers in window.items() for a in answers
                   if a["status"] not in (200, 503)
                   or (a["status"] == 503 and not a.get("spanish"))]
    recovery = probes.recovered(times["back"])
    result = {
        "restart_s": round(times["back"] - times["stopping"], 1), "recovery_s": recovery,
        "answers_around_restart": _tally(window), "load": figures,
        "failed_requests": failed + figures["socket_errors"],
        "failed_not_spanish_503": not_spanish[:10], "workers_unchanged": workers() == before,
    }
    problems = []
    late = {name: s for name, s in recovery.items() if s is None or s > RECOVERY_S}
    if late:
        problems.append(f"PostgreSQL back: not answering 200 within {RECOVERY_S} s: {late}")
    other = {s: n for s, n in figures["statuses"].items() if s not in ("200", "301", "302", "503")}
    if other or not_spanish or figures["503_without_spanish_message"]:
        problems.append(f"PostgreSQL restart: answers other than 200 or the Spanish 503: {other}, "
                        f"{figures['503_without_spanish_message']} 503s without the Spanish "
                        f"message; probes: {not_spanish[:3]}")
    if not result["workers_unchanged"]:
        problems.append("PostgreSQL fault: gunicorn's workers changed")
    result["after"] = run_load(routes, "postgres-after", AFTER_S, args.clientes, args.hilos)
    try:
        zero_errors("after PostgreSQL came back", result["after"])
    except Fallo as error:
        problems.append(str(error))
    result["problems"] = problems
    return result


# --------------------------------------------------------------------------------------------

def summary(results: dict[str, Any]) -> None:
    def line(name: str, f: dict[str, Any]) -> str:
        lat = f["latency_ms"]
        return (f"  {name:<21} {f['requests']:>6} requests {f['req_per_s']:>6} req/s  "
                f"p50 {lat['p50']} ms  p95 {lat['p95']} ms  max {lat['max']} ms  "
                f"{f['statuses']}  socket errors/timeouts {f['socket_errors']}")

    def slowest(recovery: dict[str, float | None]) -> str:
        values = list(recovery.values())
        known = [value for value in values if value is not None]
        return "never" if len(known) < len(values) else f"{max(known)} s"

    print(f"Load test: {results.get('datasets')} datasets, gunicorn {WORKERS} workers, "
          f"{results['clients']} connections, {results['machine']}")
    if "steady" in results:
        print(line("steady", results["steady"]))
    if "solr" in results:
        solr = results["solr"]
        print(line("Solr stopped", solr["load"]))
        print(f"    Solr down {solr['solr_down_s']} s (its start took {solr['solr_start_s']} s); "
              f"probes while down: {solr['answers_during_outage']}")
        print(f"    every path 200 again {slowest(solr['recovery_s'])} after Solr answered")
        print(line("after Solr", solr["after"]))
    if "postgres" in results:
        pg = results["postgres"]
        print(line("PostgreSQL restarted", pg["load"]))
        print(f"    restart took {pg['restart_s']} s; {pg['failed_requests']} requests of the load "
              f"failed; probes around it: {pg['answers_around_restart']}")
        print(f"    every path 200 again {slowest(pg['recovery_s'])} after PostgreSQL answered")
        print(line("after PostgreSQL", pg["after"]))
    for problem in results.get("problems", []):
        print(f"FAILED: {problem}")
    print(f"Figures: {RESULTS.relative_to(REPO)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--duracion", type=int, default=60, help="seconds of the steady run")
    parser.add_argument("--clientes", type=int, default=50, help="concurrent connections")
    parser.add_argument("--hilos", type=int, default=2, help="wrk threads")
    parser.add_argument("--datasets", type=int, default=300, help="generated datasets")
    parser.add_argument("--sin-fallas", action="store_true", help="the steady run only")
    parser.add_argument("--cargar", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cargar:
        load_child(args.cargar)
        return 0
    if not Path("/usr/bin/wrk").exists():
        print("ERROR: carga: wrk is missing (make install, or apt-get install wrk)",
              file=sys.stderr)
        return 1
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "log").mkdir(exist_ok=True)

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "workers": WORKERS,
        "clients": args.clientes, "duration_s": args.duracion,
        "load_average_at_start": os.getloadavg(), "problems": []}
    started = time.monotonic()
    try:
        for name in ("postgres", "redis", "solr"):
            say(f"starting {name} of the load test's stack")
            service(name, "start")
        write_ini()
        say("initialising the database (migrations, communities, vocabularies, áreas)")
        service("ckan", "init")
        say(f"loading {args.datasets} generated datasets (only those missing)")
        data = load_data(args.datasets)
        results["datasets"] = data["datasets"]
        results["load_seconds"] = data["seconds"]
        by_kind = paths(data)
        routes = write_paths(by_kind)
        service("gunicorn", "start", "carga", str(INI), str(WEB_PORT), str(WORKERS))
        say("warming up: every path once")
        warm_up(by_kind)
        results["steady"] = run_load(routes, "steady", args.duracion, args.clientes, args.hilos)
        try:
            zero_errors("steady run", results["steady"])
        except Fallo as error:
            results["problems"].append(str(error))
        if not args.sin_fallas:
            results["solr"] = fault_solr(routes, by_kind, args)
            results["problems"] += results["solr"]["problems"]
            results["postgres"] = fault_postgres(routes, by_kind, args)
            results["problems"] += results["postgres"]["problems"]
    except Fallo as error:
        results["problems"].append(str(error))
    except KeyboardInterrupt:
        results["problems"].append("interrupted")
    finally:
        say("stopping the load test's stack")
        for name, stop in (("gunicorn", ("stop", "carga")), ("solr", ("stop",)),
                           ("redis", ("stop",)), ("postgres", ("stop",))):
            try:
                service(name, *stop)
            except Fallo as error:
                results["problems"].append(f"could not stop {name}: {error}")
        results["total_s"] = round(time.monotonic() - started, 1)
        results["load_average_at_end"] = os.getloadavg()
        RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    summary(results)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
