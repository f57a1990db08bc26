#!/usr/bin/env python3
"""Recall of Spanish searches: our Solr schema against CKAN's shipped one, in the same run.

    .venv/bin/python bench/relevancia.py [--ini test.ini]

Creates two temporary Solr cores next to the catalog's (CoreAdmin CREATE, instanceDir in the
Solr home under .state/solr/home/): one with the schema of
``ckanext.hueyapan.busqueda.esquema_solr``, one with the ``schema.xml`` of the installed ckan,
unchanged. Creates the datasets of
``tests/data/relevancia.yaml`` through ``package_create`` (indexed in the first core), indexes
them again in the second with CKAN's own ``search-index rebuild`` code, then runs every query of
the set through ``package_search`` against each core in turn (CKAN's dismax parameters, the
first 10 results). Prints recall@10 side by side and the queries each schema misses, writes
``.state/bench/relevancia.json`` and unloads and deletes both cores.

**It wipes the database of that configuration** (by default test.ini: database ckan_test) and
refuses one whose name has no "test" in it. It does not touch the configuration's own Solr core.
See bench/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.busqueda.test_relevancia: the same corpus, queries and search

STATE = Path(os.environ.get("HUEYAPAN_STATE_DIR", REPO / ".state"))
BENCH_DIR = STATE / "bench"
#: The two temporary cores: (label, core name).
CORES = (("hueyapan", "bench_relevancia_hueyapan"), ("ckan", "bench_relevancia_ckan"))


def say(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# CKAN
# --------------------------------------------------------------------------------------------

def load_ckan(ini: Path) -> Any:
    """CKAN in this process, as the `ckan` command loads it, inside a request context."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    context = app._wsgi_app.test_request_context()  # pyright: ignore[reportAttributeAccessIssue] - set by make_app
    context.push()
    return context


def check_wipeable(allow_any: bool) -> str:
    """The database name of the loaded configuration, if it may be wiped."""
    from ckan.plugins.toolkit import config

    database = urlsplit(config["sqlalchemy.url"]).path.lstrip("/")
    if "test" not in database and not allow_any:
        sys.exit(f"ERROR: bench: refusing to wipe database {database!r} (no 'test' in its name);"
                 " pass --allow-any-database if you really mean it")
    return database


def reset_database() -> None:
    """An empty database with every plugin's tables and the communities register."""
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.tests.helpers import reset_db

    from ckanext.hueyapan.registros.comunidades import seed_localities
    from ckanext.hueyapan.registros.vocabularios import seed_terms

    reset_db()
    for plugin in ("activity", "harvest", "hueyapan"):
        _run_migrations(plugin)
    seed_localities()
    seed_terms()
    model.Session.remove()


def use_core(base_url: str, core: str) -> None:
    """Point CKAN's search (indexing and package_search) at ``core``."""
    from ckan.plugins.toolkit import config

    config["solr_url"] = f"{base_url}/{core}"


# --------------------------------------------------------------------------------------------
# Solr cores
# --------------------------------------------------------------------------------------------

def solr_get(url: str, **params: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({**params, "wt": "json"})
    with urllib.request.urlopen(f"{url}?{query}", timeout=120) as response:
        return json.load(response)


def solr_home(base_url: str) -> Path:
    """The running Solr's home folder (cores' instanceDirs must be inside it)."""
    return Path(solr_get(f"{base_url}/admin/info/system")["solr_home"])


def write_ckan_conf(conf: Path) -> None:
    """CKAN's shipped schema.xml unchanged, with our solrconfig.xml and empty word lists."""
    from ckanext.hueyapan.busqueda import esquema_solr

    esquema_solr.write_ckan_core(conf)


def write_hueyapan_conf(conf: Path) -> None:
    """Our schema, as services/solr.sh writes it for the catalog's cores."""
    from ckanext.hueyapan.busqueda import esquema_solr

    esquema_solr.write_core(conf)


def create_core(base_url: str, home: Path, core: str, write_conf: Callable[[Path], None]) -> None:
    """A new empty core ``core`` whose conf ``write_conf`` writes."""
    unload_core(base_url, home, core)  # left over from an interrupted run
    instance = home / core
    write_conf(instance / "conf")
    (instance / "data").mkdir(parents=True, exist_ok=True)
    solr_get(f"{base_url}/admin/cores", action="CREATE", name=core, instanceDir=core)


def unload_core(base_url: str, home: Path, core: str) -> None:
    """Unload ``core`` if Solr has it, and delete its folder."""
    status = solr_get(f"{base_url}/admin/cores", action="STATUS", core=core)["status"]
    if status.get(core):
        solr_get(f"{base_url}/admin/cores", action="UNLOAD", core=core,
                 deleteInstanceDir="true")
    shutil.rmtree(home / core, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------

def commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def measure(base_url: str, datasets: list[Any], queries: list[Any]) -> dict[str, Any]:
    """Index the corpus in both cores and run every query against each."""
    from ckan import model
    from ckan.lib import search

    from tests.busqueda.test_relevancia import create_corpus, run_queries

    first_label, first_core = CORES[0]
    use_core(base_url, first_core)
    started = time.perf_counter()
    create_corpus(datasets)  # package_create indexes into the first core
    timings = {f"create_and_index_{first_label}_s": time.perf_counter() - started}

    results: dict[str, Any] = {}
    for label, core in CORES:
        use_core(base_url, core)
        if core != first_core:
            started = time.perf_counter()
            search.rebuild(quiet=True)  # what `ckan search-index rebuild` runs
            search.commit()
            timings[f"reindex_{label}_s"] = time.perf_counter() - started
        count = search.query_for(model.Package).run({"q": "*:*", "rows": 0})["count"]
        if count != len(datasets):
            sys.exit(f"ERROR: bench: core {core} holds {count} datasets, not {len(datasets)}")
        records, misses = run_queries(queries)
        found = sum(r["encontrados"] for r in records)
        expected = sum(r["esperados"] for r in records)
        results[label] = {
            "core": core,
            "recall_at_10": sum(r["recall"] for r in records) / len(records),
            "pairs_found": found,
            "pairs_expected": expected,
            "queries_passing": len(records) - len(misses),
            "queries": records,
            "misses": misses,
        }
    results["timings"] = timings
    return results


def by_case(results: dict[str, Any]) -> list[tuple[str, dict[str, tuple[int, int]]]]:
    """Queries passing per `caso`, per schema: [(caso, {label: (passing, total)})]."""
    cases: dict[str, dict[str, list[int]]] = {}
    for label, _ in CORES:
        for record in results[label]["queries"]:
            counts = cases.setdefault(record["caso"], {}).setdefault(label, [0, 0])
            counts[0] += record["encontrados"] == record["esperados"]
            counts[1] += 1
    return [(case, {k: (v[0], v[1]) for k, v in labels.items()}) for case, labels in cases.items()]


def print_report(results: dict[str, Any]) -> None:
    ours, ckan = results["hueyapan"], results["ckan"]
    print()
    print(f"{'':28} {'hueyapan (español)':>20} {'ckan (schema.xml)':>20}")
    print(f"{'recall@10 (media)':28} {ours['recall_at_10']:>20.3f} {ckan['recall_at_10']:>20.3f}")
    print(f"{'pares encontrados':28} "
          f"{ours['pairs_found']:>14}/{ours['pairs_expected']:<5} "
          f"{ckan['pairs_found']:>14}/{ckan['pairs_expected']:<5}")
    print(f"{'consultas completas':28} "
          f"{ours['queries_passing']:>14}/{len(ours['queries']):<5} "
          f"{ckan['queries_passing']:>14}/{len(ckan['queries']):<5}")
    for case, counts in by_case(results):
        h, c = counts["hueyapan"], counts["ckan"]
        print(f"{'  ' + case:28} {h[0]:>14}/{h[1]:<5} {c[0]:>14}/{c[1]:<5}")
    for label, _ in CORES:
        misses = results[label]["misses"]
        print(f"\n{label}: {len(misses)} consultas con faltantes")
        for miss in misses:
            print(f"  {miss['q']!r:45} ({miss['caso']}) faltan {', '.join(miss['faltan'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--ini", type=Path, default=REPO / "test.ini",
                        help="CKAN configuration whose database is wiped (default test.ini)")
    parser.add_argument("--allow-any-database", action="store_true",
                        help="wipe the database even if its name has no 'test'")
    parser.add_argument("--keep-cores", action="store_true",
                        help="leave both cores loaded at the end, to inspect them")
    args = parser.parse_args()

    from tests.busqueda.test_relevancia import TOP_N, load_relevance_set

    datasets, queries = load_relevance_set()
    load_ckan(args.ini.resolve())
    database = check_wipeable(args.allow_any_database)

    from ckan.plugins.toolkit import config

    own_core_url = config["solr_url"].rstrip("/")
    base_url = own_core_url.rsplit("/", 1)[0]
    home = solr_home(base_url)
    say(f"Solr {base_url} (home {home}), database {database}; "
        f"{len(datasets)} datasets, {len(queries)} queries")

    writers = {"hueyapan": write_hueyapan_conf, "ckan": write_ckan_conf}
    try:
        for label, core in CORES:
            say(f"creating core {core} ({label} schema)")
            create_core(base_url, home, core, writers[label])
        # Before wiping: reset_db also empties the index of the configured core.
        use_core(base_url, CORES[0][1])
        say(f"wiping database {database}")
        reset_database()
        results = measure(base_url, datasets, queries)
    finally:
        use_core(base_url, own_core_url.rsplit("/", 1)[1])
        if not args.keep_cores:
            for _label, core in CORES:
                unload_core(base_url, home, core)
            say("temporary cores unloaded and deleted")

    import ckan

    results["meta"] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit(),
        "ckan": ckan.__version__,
        "solr": solr_get(f"{base_url}/admin/info/system")["lucene"]["solr-spec-version"],
        "python": platform.python_version(),
        "ini": str(args.ini),
        "top_n": TOP_N,
        "datasets": len(datasets),
        "queries": len(queries),
    }
    print_report(results)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_DIR / "relevancia.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    say(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
