#!/usr/bin/env python3
"""The catalog against plain CKAN 2.12, side by side in one run, at N datasets.

    make bench                       # N = 1000
    make bench N=10000
    .venv/bin/python bench/rendimiento.py --datasets 1000 [--harvest-rows 1000] [--requests 100]

Two sides on the same running services (make up): "hueyapan" (ckan.ini's plugins and settings)
and "ckan" (the same settings, CKAN's own plugins only: activity, text_view, image_view), each
with a database, Solr core and Redis db of its own (``ckan_bench_<side>``, created and dropped
by this script; the catalog's and the tests' stores are not touched). For each side it loads the
same N generated records (bench/generador.py: ours as obras, programas and convocatorias; plain
CKAN's as ``dataset`` with tags and extras), then measures package_create/s, package_show and
package_search (API) and the home, search, dataset and community pages through gunicorn with 2
workers (services/gunicorn.sh), the full search-index rebuild, the workers' peak memory, and the
harvest of a spreadsheet (bench/harvest.py). Prints one table (ours, plain CKAN, ratio, target)
and writes .state/bench/rendimiento.json. See bench/README.md.
"""
from __future__ import annotations

import argparse
import configparser
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import requests
import yaml

import generador
from relevancia import create_core, solr_home, unload_core, write_ckan_conf, write_hueyapan_conf

if TYPE_CHECKING:
    from ckan.types import Context

REPO = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("HUEYAPAN_STATE_DIR", REPO / ".state"))
BENCH_DIR = STATE / "bench"
VENV = REPO / ".venv" / "bin"
PG_PORT = os.environ.get("HUEYAPAN_PG_PORT", "5433")
REDIS_PORT = os.environ.get("HUEYAPAN_REDIS_PORT", "6380")
SOLR_URL = f"http://127.0.0.1:{os.environ.get('HUEYAPAN_SOLR_PORT', '8983')}/solr"
PG_PSQL = ["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/psql",
           "-h", str(STATE / "postgres" / "run"), "-p", PG_PORT, "-d", "postgres",
           "-v", "ON_ERROR_STOP=1", "-qtA"]

SIDES: dict[str, dict[str, Any]] = {
    "hueyapan": {"port": 5201, "redis_db": 9, "conf": write_hueyapan_conf},
    "ckan": {"port": 5202, "redis_db": 10, "conf": write_ckan_conf,
             "plugins": "activity text_view image_view"},
}
# Typical citizen searches (Spanish, some without accents) and the facets each side's pages show.
CONSULTAS = ["agua potable", "pavimentacion", "escuela", "apoyo", "", "drenaje", "salud",
             "convocatoria", "maiz", ""]
FACETAS = {
    "hueyapan": ["hueyapan_comunidad", "organization", "hueyapan_etapa", "hueyapan_ejercicio",
                 "res_format"],
    "ckan": ["tags", "organization", "res_format", "license_id"],
}
TARGETS = {  # metric -> (highest ratio allowed, compared with)
    "package_show": (1.2, "package_show"), "package_search": (1.2, "package_search"),
    "page_dataset": (1.2, "page_dataset"), "page_search": (1.2, "page_search"),
    "page_home": (1.5, "page_home"), "page_community": (1.5, "page_home"),
    "rebuild": (1.5, "rebuild"),
}


def say(message: str) -> None:
    print(f"· {datetime.datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.exit(f"ERROR: bench: {' '.join(command[:6])} failed:\n{done.stdout[-2000:]}"
                 f"{done.stderr[-3000:]}")
    return done


# --------------------------------------------------------------------------------------------
# Stores and configurations of the two sides
# --------------------------------------------------------------------------------------------

def check_services() -> None:
    for url, name in ((f"{SOLR_URL}/admin/info/system?wt=json", "Solr"),):
        try:
            requests.get(url, timeout=5).raise_for_status()
        except requests.RequestException:
            sys.exit(f"ERROR: bench: {name} does not answer at {url} (run `make up` first)")
    if subprocess.run(PG_PSQL + ["-c", "SELECT 1"], capture_output=True).returncode != 0:
        sys.exit(f"ERROR: bench: PostgreSQL does not answer on port {PG_PORT} "
                 "(run `make up` first)")


def database(side: str) -> str:
    return f"ckan_bench_{side}"


def reset_stores(side: str) -> None:
    """A new empty database and Solr core for ``side``, its Redis db and storage emptied."""
    name = database(side)
    run(PG_PSQL + ["-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
    run(PG_PSQL + ["-c", f"CREATE DATABASE {name} OWNER ckan ENCODING 'UTF8' TEMPLATE template0"])
    home = solr_home(SOLR_URL)
    create_core(SOLR_URL, home, name, SIDES[side]["conf"])
    run(["redis-cli", "-p", REDIS_PORT, "-n", str(SIDES[side]["redis_db"]), "FLUSHDB"])


def drop_stores(side: str) -> None:
    name = database(side)
    unload_core(SOLR_URL, solr_home(SOLR_URL), name)
    subprocess.run(PG_PSQL + ["-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True)


def catalog_plugins() -> str:
    parser = configparser.RawConfigParser(strict=False)
    parser.read([REPO / "catalogo.ini", REPO / "ckan.ini"])  # ckan.ini's chain: it wins
    return " ".join(parser.get("app:main", "ckan.plugins").split())


def write_ini(side: str) -> Path:
    """ckan.ini with this side's stores (and, for plain CKAN, CKAN's own plugins only)."""
    spec = SIDES[side]
    lines = [
        f"# Written by bench/rendimiento.py: ckan.ini with the stores of the '{side}' side.",
        "[DEFAULT]", "debug = false", "", "[app:main]", f"use = config:{REPO / 'ckan.ini'}",
        f"ckan.site_id = bench_{side}", f"ckan.site_url = http://127.0.0.1:{spec['port']}",
        f"sqlalchemy.url = postgresql://ckan:ckan@127.0.0.1:{PG_PORT}/{database(side)}",
        f"solr_url = {SOLR_URL}/{database(side)}",
        f"ckan.redis.url = redis://127.0.0.1:{REDIS_PORT}/{spec['redis_db']}",
        f"ckan.harvest.mq.redis_db = {spec['redis_db']}",
        f"ckan.storage_path = {BENCH_DIR / ('storage-' + side)}",
        "ckanext.hueyapan.datos_ejemplo = false",
    ]
    # Written out (not inherited) so that bench/harvest.py, which reads this file, sees them.
    lines.append(f"ckan.plugins = {spec.get('plugins') or catalog_plugins()}")
    lines += ["", "[loggers]", "keys = root", "[handlers]", "keys = console", "[formatters]",
              "keys = generic", "[logger_root]", "level = WARNING", "handlers = console",
              "[handler_console]", "class = StreamHandler", "args = (sys.stderr,)",
              "level = NOTSET", "formatter = generic", "[formatter_generic]",
              "format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s", ""]
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"rendimiento-{side}.ini"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def initialise(side: str, ini: Path) -> None:
    """Migrations; our side also gets its seeds (communities, vocabularies, áreas) as make up."""
    ckan = [str(VENV / "ckan"), "-c", str(ini)]
    run(ckan + ["db", "upgrade"])
    if side == "hueyapan":
        for seed in ("cargar-comunidades", "cargar-vocabularios", "cargar-areas"):
            run(ckan + ["hueyapan", seed])


# --------------------------------------------------------------------------------------------
# Children: loading and reindexing, each in a fresh process (as an API worker would be)
# --------------------------------------------------------------------------------------------

def load_ckan(ini: Path) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    app._wsgi_app.test_request_context().push()  # pyright: ignore[reportAttributeAccessIssue] - set by make_app


def site_context() -> Context:
    from ckan.plugins import toolkit as tk

    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": user["name"], "ignore_auth": True}


def child_load(side: str, ini: Path, job: Path) -> dict[str, Any]:
    """package_create of every record, one database session each (as one API request)."""
    from ckan import model
    from ckan.lib import search
    from ckan.plugins import toolkit as tk

    load_ckan(ini)
    records = json.loads(job.read_text(encoding="utf-8"))
    create = tk.get_action("package_create")
    orgs = {}
    for area in yaml.safe_load((generador.DATA / "areas.yaml").read_text(encoding="utf-8")):
        try:
            orgs[area["name"]] = tk.get_action("organization_show")(
                site_context(), {"id": area["name"]})["id"]
        except tk.ObjectNotFound:
            orgs[area["name"]] = tk.get_action("organization_create")(
                site_context(), dict(area))["id"]
        model.Session.remove()
    durations, errors = [], []
    started = time.perf_counter()
    for record in records:
        data = dict(record, owner_org=orgs[record["owner_org"]])
        before = time.perf_counter()
        try:
            create(site_context(), data)
            durations.append(time.perf_counter() - before)
        except tk.ValidationError as error:
            model.Session.rollback()
            if len(errors) < 5:
                errors.append(f"{record['name']}: {error.error_dict}")
        finally:
            model.Session.remove()
    seconds = time.perf_counter() - started
    search.commit()
    return {"ok": len(durations), "errors": len(records) - len(durations), "first_errors": errors,
            "seconds": round(seconds, 2), "per_s": round(len(durations) / seconds, 2),
            "median_ms": round(statistics.median(durations) * 1000, 1) if durations else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def child_rebuild(side: str, ini: Path, job: Path) -> dict[str, Any]:
    """What `ckan search-index rebuild` does: every dataset indexed again, one commit at the end."""
    from ckan.lib import search

    load_ckan(ini)
    started = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


CHILDREN = {"load": child_load, "rebuild": child_rebuild}


def in_child(task: str, side: str, ini: Path, payload: Any = None) -> dict[str, Any]:
    job = BENCH_DIR / f"{task}-{side}.json"
    job.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    run([sys.executable, __file__, "--child", task, "--side", side, "--ini", str(ini),
         "--job", str(job)])
    result = json.loads(job.with_suffix(".result.json").read_text(encoding="utf-8"))
    job.unlink()
    job.with_suffix(".result.json").unlink()
    return result


# --------------------------------------------------------------------------------------------
# The web: API calls and pages through gunicorn with 2 workers
# --------------------------------------------------------------------------------------------

def requests_of(side: str, records: list[dict[str, Any]], count: int, seed: int
                ) -> dict[str, list[str]]:
    """The same citizen requests for both sides (same datasets, queries and communities),
    written the way each side's pages and API express them."""
    rng = random.Random(seed)
    names = {p["key"]: p["name"] for p in generador.localities()}
    popular = sorted(names, key=lambda k: -next(p["pop"] for p in generador.localities()
                                                if p["key"] == k))[:12]
    picks = [rng.choice(records) for _ in range(count)]
    places = [rng.choice(popular) for _ in range(count)]
    queries = [CONSULTAS[i % len(CONSULTAS)] for i in range(count)]
    ours = side == "hueyapan"
    facets = json.dumps(FACETAS[side])
    urls: dict[str, list[str]] = {key: [] for key in (
        "package_show", "package_search", "page_home", "page_search", "page_dataset",
        "page_community")}
    for record, place, q in zip(picks, places, queries, strict=True):
        urls["package_show"].append("/api/3/action/package_show?"
                                    + urlencode({"id": record["name"]}))
        tag = generador.etiqueta(names[place])
        fq = f'hueyapan_comunidad:"{place}"' if ours else f'tags:"{tag}"'
        urls["package_search"].append("/api/3/action/package_search?" + urlencode(
            {"q": q, "fq": fq, "facet.field": facets, "rows": 20}))
        urls["page_home"].append("/")
        urls["page_search"].append("/dataset/?" + urlencode(
            {"q": q, "hueyapan_comunidad": place} if ours else {"q": q, "tags": tag}))
        urls["page_dataset"].append(f"/{record['type']}/{record['name']}" if ours
                                    else f"/dataset/{record['name']}")
        if ours:
            urls["page_community"].append(f"/comunidad/{place}")
    return {k: v for k, v in urls.items() if v}


def gunicorn(*args: str) -> str:
    return run(["bash", str(REPO / "services" / "gunicorn.sh"), *args]).stdout


def peak_memory_mb(pids: list[str]) -> float:
    """The highest resident set size any of ``pids`` reached (VmHWM), in MB."""
    peaks = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines()
                  if line.startswith("VmHWM:")]
    return round(max(peaks), 1) if peaks else 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_web(inis: dict[str, Path], urls: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """Both sides served at once, each by gunicorn with 2 workers; the requests of the two
    sides alternate one by one (the first side changes each time), so that whatever else the
    machine does in the meantime weighs on both alike."""
    sides = list(inis)
    bases = {side: f"http://127.0.0.1:{SIDES[side]['port']}" for side in sides}
    for side in sides:
        gunicorn("start", f"bench-{side}", str(inis[side]), str(SIDES[side]["port"]), "2")
    results: dict[str, dict[str, Any]] = {side: {} for side in sides}
    try:
        sessions = {side: requests.Session() for side in sides}
        # Warm-up: every kind of request a few times, so both workers have loaded their
        # templates and caches (steady state, as in production after the first visitors).
        for side in sides:
            for paths in urls[side].values():
                for path in paths[:6]:
                    sessions[side].get(bases[side] + path, timeout=120)
        for kind in urls[sides[0]]:
            times: dict[str, list[float]] = {side: [] for side in sides}
            errors: dict[str, list[str]] = {side: [] for side in sides}
            active = [side for side in sides if kind in urls[side]]
            for number in range(len(urls[sides[0]][kind])):
                order = active if number % 2 == 0 else active[::-1]
                for side in order:
                    path = urls[side][kind][number]
                    before = time.perf_counter()
                    response = sessions[side].get(bases[side] + path, timeout=120)
                    times[side].append((time.perf_counter() - before) * 1000)
                    if response.status_code != 200:
                        errors[side].append(f"{response.status_code} {path}")
            for side in active:
                results[side][kind] = {
                    "p50_ms": round(statistics.median(times[side]), 1),
                    "p95_ms": round(percentile(times[side], 0.95), 1),
                    "requests": len(times[side]), "errors": len(errors[side]),
                    "first_errors": errors[side][:3]}
        for side in sides:
            pids = gunicorn("pids", f"bench-{side}").split()
            results[side]["worker_peak_mb"] = peak_memory_mb(pids)
    finally:
        for side in sides:
            gunicorn("stop", f"bench-{side}")
    return results


# --------------------------------------------------------------------------------------------
# Harvest (bench/harvest.py on our side's stores)
# --------------------------------------------------------------------------------------------

def measure_harvest(ini: Path, rows: int) -> dict[str, Any]:
    try:
        run([sys.executable, str(REPO / "bench" / "harvest.py"), "--rows", str(rows), "--ini",
             str(ini), "--allow-any-database"])
    except SystemExit as failure:  # the table of the rest is still worth printing
        return {"rows": rows, "harvest_per_s": None, "errors": 1,
                "first_errors": [str(failure)[-800:]]}
    result = json.loads((BENCH_DIR / "harvest.json").read_text(encoding="utf-8"))["results"][0]
    return {"rows": rows, "harvest_per_s": result["harvest"].get("datasets_per_s"),
            "package_create_per_s": result["plain"]["datasets_per_s"],
            "errors": result["harvest"].get("errors"), "ratio": result["ratio"],
            "first_errors": result["harvest"].get("first_errors", [])}


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def table(results: dict[str, Any]) -> list[dict[str, Any]]:
    ours, plain = results["hueyapan"], results["ckan"]
    rows = [{"metric": "package_create (datasets/s)", "ours": ours["load"]["per_s"],
             "ckan": plain["load"]["per_s"], "higher_is_better": True}]
    for kind, label in (("package_show", "package_show API"),
                        ("package_search", "package_search API"),
                        ("page_home", "home page"), ("page_search", "search page"),
                        ("page_dataset", "dataset page"), ("page_community", "community page")):
        compared = TARGETS[kind][1]
        for stat in ("p50_ms", "p95_ms"):
            rows.append({"metric": f"{label} {stat[:3]} (ms)", "key": kind, "stat": stat,
                         "ours": ours["web"][kind][stat], "ckan": plain["web"][compared][stat],
                         "versus": "plain home page" if compared != kind else None})
    rows.append({"metric": "search-index rebuild (s)", "key": "rebuild",
                 "ours": ours["rebuild"]["seconds"], "ckan": plain["rebuild"]["seconds"]})
    rows.append({"metric": "web worker peak memory (MB)", "ours": ours["web"]["worker_peak_mb"],
                 "ckan": plain["web"]["worker_peak_mb"]})
    rows.append({"metric": "loader process peak memory (MB)", "ours": ours["load"]["peak_rss_mb"],
                 "ckan": plain["load"]["peak_rss_mb"]})
    if results.get("harvest"):
        h = results["harvest"]
        rows.append({"metric": f"harvest of {h['rows']} obras (datasets/s)",
                     "ours": h["harvest_per_s"], "ckan": None, "target_text": ">= 20/s",
                     "versus": ("our package_create loop of the same obras: "
                                f"{h['package_create_per_s']}/s"
                                if h.get("package_create_per_s") else None),
                     "met": bool(h["harvest_per_s"]) and h["harvest_per_s"] >= 20})
    for row in rows:
        if row["ours"] is not None and row.get("ckan"):
            row["ratio"] = round(row["ours"] / row["ckan"], 2)
        key = row.get("key")
        if key in TARGETS and "ratio" in row:
            limit = TARGETS[key][0]
            row["target_text"] = f"<= {limit}x"
            row["met"] = row["ratio"] <= limit
    return rows


def print_table(rows: list[dict[str, Any]], count: int) -> None:
    print(f"\n{count} datasets per side · ours = ckanext-hueyapan, ckan = plain CKAN 2.12 · "
          "ratio = ours / ckan")
    print(f"{'metric':38} {'ours':>10} {'ckan':>10} {'ratio':>7}  target")
    for row in rows:
        ckan = "" if row.get("ckan") is None else f"{row['ckan']:.1f}"
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else ""
        target = row.get("target_text", "")
        if "met" in row:
            target += "  ok" if row["met"] else "  MISSED"
        if row.get("versus"):
            target += f"  ({row['versus']})" if ":" in row["versus"] else f"  (vs {row['versus']})"
        ours = "n/a" if row["ours"] is None else f"{row['ours']:.1f}"
        print(f"{row['metric']:38} {ours:>10} {ckan:>10} {ratio:>7}  {target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=1000,
                        help="datasets per side (default 1000)")
    parser.add_argument("--requests", type=int, default=100,
                        help="measured requests of each kind per side (default 100)")
    parser.add_argument("--harvest-rows", type=int, default=1000,
                        help="rows of the harvest measurement; 0 skips it (default 1000)")
    parser.add_argument("--seed", type=int, default=generador.SEED)
    parser.add_argument("--keep", action="store_true", help="keep the two sides' stores")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--side", help=argparse.SUPPRESS)
    parser.add_argument("--ini", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--job", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = CHILDREN[args.child](args.side, args.ini, args.job)
        args.job.with_suffix(".result.json").write_text(json.dumps(result), encoding="utf-8")
        return 0

    check_services()
    started = time.perf_counter()
    records = generador.catalogo(args.datasets, args.seed)
    results: dict[str, Any] = {}
    inis = {}
    for side in SIDES:
        say(f"{side}: empty stores, migrations")
        reset_stores(side)
        inis[side] = write_ini(side)
        initialise(side, inis[side])
        data = records if side == "hueyapan" else [generador.comun(r) for r in records]
        say(f"{side}: package_create of {len(data)} datasets")
        results[side] = {"load": in_child("load", side, inis[side], data)}
        load = results[side]["load"]
        say(f"{side}: {load['ok']} created, {load['per_s']} datasets/s, {load['errors']} errors")
    for side in SIDES:
        say(f"{side}: search-index rebuild")
        results[side]["rebuild"] = in_child("rebuild", side, inis[side])
    say("API and pages through gunicorn (2 workers per side), the two sides alternating")
    web = measure_web(inis, {side: requests_of(side, records, args.requests, args.seed)
                             for side in SIDES})
    for side in SIDES:
        results[side]["web"] = web[side]
    if args.harvest_rows:
        say(f"harvest of {args.harvest_rows} rows (bench/harvest.py, wipes our side's stores)")
        results["harvest"] = measure_harvest(inis["hueyapan"], args.harvest_rows)
    if not args.keep:
        for side in SIDES:
            drop_stores(side)
    rows = table(results)
    print_table(rows, args.datasets)
    problems = [f"{side} {part}: {results[side][part]['errors']} errors "
                f"{results[side][part].get('first_errors', [])[:2]}"
                for side in SIDES for part in ("load",) if results[side][part]["errors"]]
    problems += [f"{side} {kind}: {r['errors']} errors {r['first_errors']}"
                 for side in SIDES for kind, r in results[side]["web"].items()
                 if isinstance(r, dict) and r["errors"]]
    if results.get("harvest", {}).get("first_errors"):
        problems.append(f"harvest: {results['harvest']['first_errors'][0]}")
    for problem in problems:
        print(f"  ! {problem}")
    output = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "datasets": args.datasets, "requests": args.requests, "seed": args.seed,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "git": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip(),
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "table": rows, "results": results,
    }
    (BENCH_DIR / "rendimiento.json").write_text(
        json.dumps(output, indent=2, ensure_ascii=False) + "\n")
    say(f"written to {BENCH_DIR / 'rendimiento.json'} ({output['minutes']} min)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
