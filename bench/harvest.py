#!/usr/bin/env python3
"""How fast obras get into the catalog: a plain ``package_create`` loop against a harvest of the
same rows from a CSV (the ``hueyapan_tabular`` harvester, gather and fetch consumers as separate
processes, as in production).

    .venv/bin/python bench/harvest.py --rows 1000 --rows 5000 [--ini test.ini]

**It wipes the database, the Solr core and the harvest queues of that configuration** (by default
test.ini: database ckan_test, core ckan_test, Redis db 1), and refuses a configuration whose
database name has no "test" in it. Needs the services running (make up or make test). Results: one
table on stdout and .state/bench/harvest.json. See bench/README.md.
"""
from __future__ import annotations

import argparse
import configparser
import csv
import datetime
import http.server
import importlib
import io
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from generador import MUNICIPIO, localities, obras

if TYPE_CHECKING:
    from ckan.types import Context

REPO = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("HUEYAPAN_STATE_DIR", REPO / ".state"))
BENCH_DIR = STATE / "bench"
LOG_DIR = STATE / "log"
DATA = REPO / "ckanext" / "hueyapan" / "data"
SCHEMAS = REPO / "ckanext" / "hueyapan" / "schemas"
CKAN_BIN = REPO / ".venv" / "bin" / "ckan"
TABULAR = "hueyapan_tabular"
ORG = {"name": "obras-publicas", "title": "Obras Públicas"}


def say(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------

def tabular_available() -> tuple[bool, str]:
    """Whether the hueyapan_tabular plugin is registered and imports."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group="ckan.plugins") if ep.name == TABULAR]
    if not found:
        return False, f"plugin {TABULAR} is not registered (pyproject.toml, pip install -e .)"
    try:
        found[0].load()
    except Exception as error:  # noqa: BLE001 - any import problem means "not usable yet"
        return False, f"plugin {TABULAR} does not import: {type(error).__name__}: {error}"
    return True, ""


def write_bench_ini(base: Path, with_tabular: bool) -> Path:
    """The configuration under test plus the benchmark's overrides (see bench/README.md)."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(base)
    plugins = parser.get("app:main", "ckan.plugins", fallback="").split()
    if with_tabular and TABULAR not in plugins:
        plugins.append(TABULAR)
    if not with_tabular:
        plugins = [p for p in plugins if p != TABULAR]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"bench-{base.stem}.ini"
    path.write_text(
        "# Written by bench/harvest.py on each run: the configuration under test, plus\n"
        "# - the tabular harvester's download limits at their defaults (50 MB, 60 s): test.ini\n"
        "#   lowers them for its own tests;\n"
        "# - loopback addresses allowed: the benchmark serves its spreadsheet on 127.0.0.1;\n"
        "# - ckan.plugins with hueyapan_tabular only when it is available.\n"
        "[app:main]\n"
        f"use = config:{base}\n"
        "ckanext.hueyapan.cosecha.max_bytes = 52428800\n"
        "ckanext.hueyapan.cosecha.timeout = 60\n"
        "ckanext.hueyapan.cosecha.permitir_direcciones_locales = true\n"
        f"ckan.plugins = {' '.join(plugins)}\n",
        encoding="utf-8",
    )
    return path


def load_ckan(ini: Path) -> Any:
    """CKAN in this process, as the `ckan` command loads it, inside a request context."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    flask_app = app._wsgi_app  # pyright: ignore[reportAttributeAccessIssue] - set by make_app
    context = flask_app.test_request_context()
    context.push()
    return context


def check_wipeable(allow_any: bool) -> dict[str, str]:
    from ckan.plugins.toolkit import config

    url = urlsplit(config["sqlalchemy.url"])
    stores = {
        "database": url.path.lstrip("/"),
        "solr": config.get("solr_url"),
        "redis_db": str(config.get("ckan.harvest.mq.redis_db")),
        "site_id": config.get("ckan.site_id"),
    }
    if "test" not in stores["database"] and not allow_any:
        sys.exit(f"ERROR: bench: refusing to wipe database {stores['database']!r} (no 'test' in "
                 "its name); pass --allow-any-database if you really mean it")
    return stores


# --------------------------------------------------------------------------------------------
# The stores: wiped and seeded before each part
# --------------------------------------------------------------------------------------------

def site_context() -> Context:
    from ckan.plugins import toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def purge_queues() -> None:
    from ckan.plugins.toolkit import config
    from ckanext.harvest import queue

    queue.purge_queues()
    conn = queue.get_connection_redis()  # the bench's harvest queues are in Redis
    for key in conn.scan_iter(f"ckanext-harvest:{config.get('ckan.site_id')}:*"):
        conn.delete(key)


def reset_stores() -> dict[str, Any]:
    """Empty database (with every plugin's tables), communities and vocabularies seeded, the
    Obras Públicas organization, empty search index and harvest queues."""
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.plugins import toolkit as tk
    from ckan.tests.helpers import reset_db

    from ckanext.hueyapan.registros.comunidades import seed_localities
    from ckanext.hueyapan.registros.vocabularios import seed_terms

    reset_db()
    for plugin in ("activity", "harvest", "hueyapan"):
        _run_migrations(plugin)
    seed_localities()
    seed_terms()
    org = tk.get_action("organization_create")(site_context(), dict(ORG))
    search.clear_all()
    purge_queues()
    model.Session.remove()
    return org


def count_obras() -> int:
    from ckan.plugins import toolkit as tk

    return tk.get_action("package_search")({"ignore_auth": True},
                                           {"fq": "+type:obra", "rows": 0})["count"]


# --------------------------------------------------------------------------------------------
# Example rows
# --------------------------------------------------------------------------------------------

def _labels() -> dict[str, str]:
    """Spanish label of each obra field (obra.yaml)."""
    schema = yaml.safe_load((SCHEMAS / "obra.yaml").read_text(encoding="utf-8"))
    labels = {}
    for field in schema["dataset_fields"]:
        label = field.get("label")
        labels[field["field_name"]] = label.get("es") if isinstance(label, dict) else label
    return labels


def _vocabularies() -> dict[str, dict[str, str]]:
    seed = yaml.safe_load((DATA / "vocabularios.yaml").read_text(encoding="utf-8"))
    return {name: {t["clave"]: t["es"] for t in terms} for name, terms in seed.items()}


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """The rows as staff keep them: Spanish headers (obra.yaml labels), names and labels instead
    of keys, day/month/year dates, money with $ and thousands separators."""
    labels = _labels()
    vocab = _vocabularies()
    names = {p["key"]: p["name"] for p in localities()}
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    present = {field for row in rows for field in row}
    fields = [f for f in labels if f in present and f != "fuentes_financiamiento"]
    money = {"monto_aprobado", "monto_modificado", "monto_ejercido", "monto_contratado",
             "monto_final"}
    dates = {"fecha_inicio", "fecha_termino_programada", "fecha_termino_real", "contrato_fecha"}
    vocabulary_of = {"etapa": "etapa_obra", "rubro_fais": "rubro_fais",
                     "modalidad_fais": "modalidad_fais", "sector": "sector",
                     "modalidad_contratacion": "modalidad_contratacion",
                     "mecanismos_vigilancia": "mecanismo_vigilancia"}
    header = [labels[f] for f in fields]
    funding = ["Fuente de financiamiento 1", "Monto fuente 1 (MXN)",
               "Fuente de financiamiento 2", "Monto fuente 2 (MXN)"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header + funding)
    for row in rows:
        cells = []
        for field in fields:
            value = row.get(field)
            if value in (None, "", []):
                cells.append("")
            elif field == "comunidades":
                cells.append("; ".join(
                    "Todo el municipio" if k == MUNICIPIO
                    else (k if names[k] in shared else names[k])
                    for k in value))
            elif field in vocabulary_of:
                terms = vocab[vocabulary_of[field]]
                values = value if isinstance(value, list) else [value]
                cells.append("; ".join(terms[v] for v in values))
            elif field in money:
                cells.append(f"${float(value):,.2f}")
            elif field in dates:
                cells.append(datetime.date.fromisoformat(value).strftime("%d/%m/%Y"))
            elif field in ("avance_fisico", "avance_financiero"):
                cells.append(f"{value}%")
            else:
                cells.append(str(value))
        for number in range(2):
            fuentes = row["fuentes_financiamiento"]
            if number < len(fuentes):
                cells += [vocab["fuente_financiamiento"][fuentes[number]["fuente"]],
                          f"${float(fuentes[number]['monto']):,.2f}"]
            else:
                cells += ["", ""]
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# (a) plain package_create
# --------------------------------------------------------------------------------------------

def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_text.lower()).strip("-")[:90]


def run_plain_in_child(rows: list[dict[str, Any]], org: dict[str, Any],
                       ini: Path) -> dict[str, Any]:
    """run_plain in a fresh process, like the fetch consumer is: in the process that has just
    rebuilt the database with CKAN's reset_db, every package_create is about 30 % slower
    (measured), which would favour the harvest."""
    job = BENCH_DIR / f"plain-{len(rows)}.json"
    job.write_text(json.dumps({"rows": rows, "org": org}, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, __file__, "--plain-child", str(job), "--ini", str(ini)],
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ERROR: bench: the package_create loop failed:\n{done.stderr[-3000:]}")
    result = json.loads(job.with_suffix(".result.json").read_text(encoding="utf-8"))
    job.unlink()
    job.with_suffix(".result.json").unlink()
    return result


def plain_child(job: Path, ini: Path) -> None:
    load_ckan(ini)
    data = json.loads(job.read_text(encoding="utf-8"))
    result = run_plain(data["rows"], data["org"])
    job.with_suffix(".result.json").write_text(json.dumps(result), encoding="utf-8")


def run_plain(rows: list[dict[str, Any]], org: dict[str, Any]) -> dict[str, Any]:
    """package_create of type obra, as the site user: the same action, schema and validators
    the harvester's import stage calls."""
    from ckan import model
    from ckan.plugins import toolkit as tk

    create = tk.get_action("package_create")
    context = site_context()
    errors: list[str] = []
    ok = 0
    durations = []
    started = time.perf_counter()
    for row in rows:
        data = dict(row, type="obra", owner_org=org["id"], name=slug(row["clave_obra"]))
        before = time.perf_counter()
        try:
            create(context.copy(), data)
            ok += 1
            durations.append(time.perf_counter() - before)
        except tk.ValidationError as error:
            model.Session.rollback()
            if len(errors) < 5:
                errors.append(f"{row['clave_obra']}: {error.error_dict}")
        finally:
            model.Session.remove()  # a fresh session per dataset, as each API request gets
    seconds = time.perf_counter() - started
    indexed = count_obras()
    return {"ok": ok, "errors": len(rows) - ok, "first_errors": errors, "indexed": indexed,
            "seconds": round(seconds, 3),
            "median_ms_per_dataset": (round(statistics.median(durations) * 1000, 1)
                                      if durations else None),
            "datasets_per_s": round(ok / seconds, 2) if seconds else None}


COMPARED = ("title", "clave_obra", "ejercicio_fiscal", "etapa", "comunidades", "rubro_fais",
            "sector", "monto_aprobado", "monto_ejercido", "fecha_inicio",
            "fecha_termino_programada", "avance_fisico", "contratista_rfc",
            "fuentes_financiamiento", "mecanismos_vigilancia", "spatial", "owner_org", "type")


def stored_sample(rows: list[dict[str, Any]], every: int) -> dict[str, dict[str, Any]]:
    """Some fields of every ``every``-th obra as package_show returns them (to check that both
    paths stored the same values)."""
    from ckan.plugins import toolkit as tk

    sample = {}
    for row in rows[::every]:
        name = slug(row["clave_obra"])
        try:
            shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
        except tk.ObjectNotFound:
            sample[name] = {}
            continue
        shown["owner_org"] = "obras-publicas" if shown.get("owner_org") else None
        sample[name] = {f: shown.get(f) for f in COMPARED}
    return sample


def differences(plain: dict[str, dict[str, Any]],
                harvested: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for name, fields in plain.items():
        other = harvested.get(name) or {}
        for field, value in fields.items():
            if other.get(field) != value:
                found.append(f"{name}.{field}: package_create {value!r} / "
                             f"harvest {other.get(field)!r}")
    return found


# --------------------------------------------------------------------------------------------
# (b) harvest of the same rows as a CSV
# --------------------------------------------------------------------------------------------

class CsvServer:
    """Serves one file on 127.0.0.1 and a free port."""

    def __init__(self, path: str, content: bytes) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if urlsplit(self.path).path != path:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _pending(job_id: str) -> int:
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    return (model.Session.query(HarvestObject)
            .filter(HarvestObject.harvest_job_id == job_id,
                    HarvestObject.state.in_(("WAITING", "FETCH", "IMPORT"))).count())


def _import_times(job_id: str) -> list[float]:
    """Seconds each object of the job spent in its import stage (package_create inside)."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    return [(finished - started).total_seconds() for started, finished in
            model.Session.query(HarvestObject.import_started, HarvestObject.import_finished)
            .filter(HarvestObject.harvest_job_id == job_id,
                    HarvestObject.import_started.isnot(None),
                    HarvestObject.import_finished.isnot(None))]


def _when(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def run_harvest(rows: list[dict[str, Any]], org: dict[str, Any], ini: Path,
                fetch: int, profile: bool = False) -> dict[str, Any]:
    """A hueyapan_tabular source for the CSV; one job, from its creation until Finished."""
    from ckan import model
    from ckan.plugins import toolkit as tk

    content = to_csv(rows)
    (BENCH_DIR / f"obras-{len(rows)}.csv").write_bytes(content)
    server = CsvServer(f"/obras-{len(rows)}.csv", content)
    from ckanext.harvest.queue import get_connection

    from ckanext.hueyapan.harvesters.workers import ConsumerProcesses

    consumers = ConsumerProcesses(
        str(CKAN_BIN), str(ini), LOG_DIR, "bench-harvest", fetch=fetch,
        profile_dir=BENCH_DIR / f"profile-{len(rows)}" if profile else None)
    try:
        consumers.start(get_connection(), timeout=90)
        source = tk.get_action("harvest_source_create")(site_context(), {
            "name": f"bench-obras-{len(rows)}", "title": f"Obras de ejemplo ({len(rows)} filas)",
            "url": server.url, "source_type": TABULAR, "frequency": "MANUAL",
            "owner_org": org["id"],
            "config": json.dumps({"tipo": "obra", "organizacion": org["name"]}),
        })
        timeout = 300 + 2 * len(rows)
        started = time.perf_counter()
        job = tk.get_action("harvest_job_create")(site_context(), {"source_id": source["id"]})
        while True:
            model.Session.remove()
            job = tk.get_action("harvest_job_show")(site_context(), {"id": job["id"]})
            if job["status"] == "Finished":
                break
            # `harvester run` only once nothing is pending: while a gather still saves objects,
            # its resubmit_objects would queue them a second time (see bench/README.md).
            if job["gather_finished"] and not _pending(job["id"]):
                tk.get_action("harvest_jobs_run")(site_context(), {"source_id": source["id"]})
                continue
            consumers.check()
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"job {job['id']} not finished after {timeout} s: "
                                   f"{job['stats']}")
            time.sleep(0.5)
        wall = time.perf_counter() - started
        report = tk.get_action("harvest_job_report")(site_context(), {"id": job["id"]})
    finally:
        consumers.stop()
        server.close()
    created, finished = _when(job.get("created")), _when(job.get("finished"))
    gather_start, gather_end = _when(job.get("gather_started")), _when(job.get("gather_finished"))
    seconds = (finished - created).total_seconds() if created and finished else wall
    indexed = count_obras()
    imports = _import_times(job["id"])
    errors = [e["message"] for e in report["gather_errors"]][:5]
    for obj in report["object_errors"].values():
        errors += [f"{obj['guid']}: {e['message']}" for e in obj["errors"]][: 5 - len(errors)]
    return {
        "ok": job["stats"].get("added", 0) + job["stats"].get("updated", 0),
        "errors": job["stats"].get("errored", 0), "first_errors": errors[:5],
        "indexed": indexed, "stats": job["stats"],
        "seconds": round(seconds, 3), "wall_seconds": round(wall, 3),
        "gather_seconds": round((gather_end - gather_start).total_seconds(), 3)
        if gather_start and gather_end else None,
        "median_ms_per_dataset": round(statistics.median(imports) * 1000, 1) if imports else None,
        "csv_bytes": len(content), "fetch_consumers": fetch,
        "datasets_per_s": round((job["stats"].get("added", 0) + job["stats"].get("updated", 0))
                                / seconds, 2) if seconds else None,
    }


# --------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append",
                        help="number of obras (repeatable; default 1000)")
    parser.add_argument("--ini", default="test.ini", help="CKAN configuration (default test.ini)")
    parser.add_argument("--seed", type=int, default=30073, help="random seed of the rows")
    parser.add_argument("--wait-for-tabular", type=float, default=0, metavar="MINUTES",
                        help="poll up to MINUTES for the hueyapan_tabular plugin before part (b)")
    parser.add_argument("--allow-any-database", action="store_true",
                        help="wipe even a database without 'test' in its name")
    parser.add_argument("--fetch-consumers", type=int, default=2, metavar="N",
                        help="fetch consumers in parallel (default 2, as services/harvest.sh)")
    parser.add_argument("--profile", action="store_true",
                        help="run the consumers under cProfile (.state/bench/profile-N/*.prof); "
                             "slows them down: not for the figures")
    parser.add_argument("--plain-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_child:  # internal: the package_create loop in its own process
        plain_child(args.plain_child, Path(args.ini))
        return
    # stopped with kill: still stop the consumers and the file server (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = args.rows or [1000]
    base = (REPO / args.ini).resolve() if not os.path.isabs(args.ini) else Path(args.ini)
    if not base.exists():
        sys.exit(f"ERROR: bench: configuration {base} not found")

    available, why = tabular_available()
    if not available and args.wait_for_tabular:
        say(f"waiting up to {args.wait_for_tabular:.0f} min for {TABULAR}: {why}")
        deadline = time.monotonic() + args.wait_for_tabular * 60
        while not available and time.monotonic() < deadline:
            time.sleep(30)
            importlib.invalidate_caches()
            available, why = tabular_available()
    ini = write_bench_ini(base, available)
    load_ckan(ini)
    stores = check_wipeable(args.allow_any_database)
    say(f"WARNING: this wipes database {stores['database']}, Solr {stores['solr']} and the "
        f"harvest queues of Redis db {stores['redis_db']} ({base.name})")
    if not available:
        say(f"part (b) skipped: {why}")

    results = []
    for size in sizes:
        rows = obras(size, args.seed)
        say(f"{size} rows: (a) package_create loop")
        org = reset_stores()
        plain = run_plain_in_child(rows, org, ini)
        say(f"{size} rows: (a) {plain['ok']} created in {plain['seconds']:.1f} s")
        every = max(1, size // 50)
        plain_sample = stored_sample(rows, every)
        harvest: dict[str, Any] = {"skipped": why} if not available else {}
        if available:
            say(f"{size} rows: (b) harvest of the CSV by {TABULAR}")
            org = reset_stores()
            harvest = run_harvest(rows, org, ini, args.fetch_consumers, args.profile)
            if harvest["ok"]:
                harvest["differences_with_plain"] = differences(plain_sample,
                                                                stored_sample(rows, every))
                harvest["rows_compared"] = len(plain_sample)
            say(f"{size} rows: (b) {harvest['indexed']} datasets in {harvest['seconds']:.1f} s "
                f"({harvest['errors']} errored)")
        ratio = (round(harvest["datasets_per_s"] / plain["datasets_per_s"], 2)
                 if harvest.get("datasets_per_s") and plain["datasets_per_s"] else None)
        results.append({"rows": size, "plain": plain, "harvest": harvest, "ratio": ratio})

    purge_queues()
    print()
    print(f"{'rows':>6}  {'plain datasets/s':>16}  {'harvest datasets/s':>18}  {'ratio':>6}")
    for r in results:
        h = r["harvest"].get("datasets_per_s")
        harvest_text = f"{h:.2f}" if h else "n/a"
        ratio_text = f"{r['ratio']:.2f}" if r["ratio"] else "n/a"
        print(f"{r['rows']:>6}  {r['plain']['datasets_per_s']:>16.2f}  {harvest_text:>18}  "
              f"{ratio_text:>6}")
    for r in results:
        for part in ("plain", "harvest"):
            if r[part].get("errors"):
                print(f"  {r['rows']} rows, {part}: {r[part]['errors']} errors, e.g. "
                      f"{r[part]['first_errors'][:2]}")
        if r["harvest"].get("differences_with_plain"):
            differing = r["harvest"]["differences_with_plain"]
            print(f"  {r['rows']} rows: {len(differing)} stored values "
                  f"differ between the two paths, e.g. {differing[:2]}")
    output = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "ini": str(base), "seed": args.seed, "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "tabular": available or why,
        "git": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip(),
        "results": results,
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / "harvest.json").write_text(json.dumps(output, indent=2, ensure_ascii=False) + "\n")
    say(f"results written to {BENCH_DIR / 'harvest.json'}")


if __name__ == "__main__":
    main()
