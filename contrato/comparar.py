"""CKAN's own API tests, on plain CKAN and on the catalog, compared test by test (make test-ckan).

Runs the installed CKAN's tests ``ckan/tests/logic/action``,
``ckan/tests/controllers/test_package.py`` and ``ckan/tests/controllers/test_api.py`` twice, at the
same time, each on private test stores that this script creates and drops
(``services/test-stores.sh``):

* ``ckan``: plain CKAN 2.12.0, no plugin but those a test asks for, CKAN's own Solr schema and
  CKAN's defaults (English), stores ``contrato_plano``;
* ``catalogo``: ``test.ini`` (our plugins, our Solr schema, Spanish by default) with our plugins
  loaded into every test (``contrato/catalogo_cargado.py``), stores ``contrato``.

Every test that passes on plain CKAN and whose outcome differs on the catalog must be listed,
with the outcome of each side and the reason, in ``contrato/diferencias.yaml`` (a test that fails
on plain CKAN itself here is counted but not compared). The script fails (exit 1) on a difference
that is not listed, on a listed difference that is no longer what the file says (fixed or
changed: update the file), and when either pytest run stops before its end. It prints the counts
of both sides and writes both results to ``.state/contrato/``.

Usage: .venv/bin/python contrato/comparar.py [--conservar] [pytest arguments, e.g. -k x]
(``--conservar`` keeps the stores instead of dropping them at the end; ``--comparar`` only
compares the results of the last run, in ``.state/contrato/``, again).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LADOS", "comparar", "main"]

REPO = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("HUEYAPAN_STATE_DIR", REPO / ".state"))
OUT = STATE / "contrato"
PYTHON = REPO / ".venv" / "bin" / "python"
DIFERENCIAS = Path(__file__).resolve().parent / "diferencias.yaml"
TESTS = ("logic/action", "controllers/test_package.py", "controllers/test_api.py")
RESULTADOS = ("passed", "failed", "skipped", "error", "xfailed", "xpassed")

#: side -> private stores (name, Redis db, Solr schema) and whether our plugins are loaded
LADOS: dict[str, dict[str, Any]] = {
    "ckan": {"stores": "contrato_plano", "redis_db": "8", "solr": "ckan", "catalogo": False},
    "catalogo": {"stores": "contrato", "redis_db": "7", "solr": "", "catalogo": True},
}

#: What CKAN's own tests assume of their configuration (CKAN's test-core.ini, which the sdist and
#: the wheel do not ship), on both sides: permissions the factories rely on (datasets without an
#: organization, users creating organizations and groups), the mail sender.
CKAN_TEST_SETTINGS = """
ckan.auth.user_create_organizations = true
ckan.auth.user_create_groups = true
ckan.auth.create_user_via_api = false
ckan.auth.create_user_via_web = true
ckan.auth.create_dataset_if_not_in_organization = true
ckan.auth.anon_create_dataset = false
ckan.auth.user_delete_groups = true
ckan.auth.user_delete_organizations = true
ckan.auth.create_unowned_dataset = true
ckan.extra_resource_fields = alt_url
ckan.datasets_per_page = 20
ckan.activity_list_limit = 15
smtp.test_server = localhost:6675
smtp.mail_from = info@test.ckan.net
"""

#: Plain CKAN's own settings: no plugin, CKAN's site title, default language and avatars, its
#: signed cookie sessions (with test.ini's Redis sessions, plain CKAN leaves the Redis connection
#: in its configuration and its ckan_config fixture cannot copy it; the catalog takes it out).
PLAIN_SETTINGS = """
SESSION_TYPE = cookie
ckan.plugins =
ckan.site_title = CKAN
ckan.locale_default = en
ckan.locales_offered =
ckan.locale_order =
ckan.gravatar_default = identicon
"""


def say(message: str) -> None:
    print(f"· {time.strftime('%H:%M:%S')} contrato: {message}", file=sys.stderr, flush=True)


def stores(command: str, side: str) -> None:
    spec = LADOS[side]
    args = ["bash", "services/test-stores.sh", command, spec["stores"]]
    if command == "create":
        args += [spec["redis_db"]] + ([spec["solr"]] if spec["solr"] else [])
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ERROR: contrato: test-stores.sh {command} {spec['stores']} failed:\n"
                 f"{done.stdout}{done.stderr}")


def ini_for(side: str) -> Path:
    """The ini of ``side``: over the stores' ini (test.ini with other stores), CKAN's test
    settings, and for plain CKAN its own settings."""
    base = STATE / f"test-{LADOS[side]['stores']}.ini"
    settings = CKAN_TEST_SETTINGS + ("" if LADOS[side]["catalogo"] else PLAIN_SETTINGS)
    path = OUT / f"{side}.ini"
    path.write_text("# Written by contrato/comparar.py: "
                    f"side '{side}' on the stores of {base.name}\n"
                    f"[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:{base}\n{settings}",
                    encoding="utf-8")
    return path


def ckan_tests() -> Path:
    import ckan.tests

    return Path(ckan.tests.__file__).resolve().parent


def start(side: str, extra: list[str]) -> subprocess.Popen:
    """pytest of CKAN's tests on ``side`` (CKAN's fixtures make the database themselves)."""
    ini = ini_for(side)
    tests = ckan_tests()
    plugins = ["-p", "resultados"] + (["-p", "catalogo_cargado"] if LADOS[side]["catalogo"] else [])
    command = [str(PYTHON), "-m", "pytest", "-c", str(Path(__file__).parent / "pytest.ini"),
               f"--rootdir={tests.parents[1]}", f"--ckan-ini={ini}", "-q", "--no-header",
               "-rN", "--tb=short", *plugins, *extra, *(str(tests / path) for path in TESTS)]
    env = dict(os.environ, HUEYAPAN_CONTRATO_SALIDA=str(OUT / f"{side}.json"),
               PYTHONPATH=os.pathsep.join([str(Path(__file__).parent),
                                           os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    log = open(OUT / f"{side}.log", "w", encoding="utf-8")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def counts(results: dict[str, dict[str, str]]) -> dict[str, int]:
    total = {name: 0 for name in RESULTADOS}
    for entry in results.values():
        total[entry["resultado"]] += 1
    return total


def comparable(plain: str) -> bool:
    """Whether a test says something about the catalog: it passes (or is skipped) on plain CKAN.
    A test that fails on plain CKAN here (CKAN's test-core.ini settings it needs, or data left
    by an earlier ``non_clean_db`` test) is listed by ``not_comparable`` but never compared."""
    return plain in ("passed", "skipped", "xfailed")


def not_comparable(ckan: dict[str, dict[str, str]]) -> list[str]:
    return sorted(test for test, entry in ckan.items() if not comparable(entry["resultado"]))


def comparar(ckan: dict[str, dict[str, str]], catalogo: dict[str, dict[str, str]],
             expected: dict[str, dict[str, str]]) -> list[str]:
    """Problems: differences not listed in ``expected`` and listed ones that no longer hold."""
    problems = []
    for test in sorted(set(ckan) | set(catalogo)):
        plain = ckan.get(test, {}).get("resultado", "absent")
        ours = catalogo.get(test, {}).get("resultado", "absent")
        listed = expected.get(test)
        if not comparable(plain) and (listed is None or comparable(listed.get("ckan", ""))):
            continue  # fails on plain CKAN itself in this run: says nothing about the catalog
        if plain == ours and listed is None:
            continue
        if listed is None:
            problems.append(f"NEW DIFFERENCE {test}: ckan {plain}, catalogo {ours}: "
                            f"{catalogo.get(test, ckan.get(test, {})).get('detalle', '')}")
        elif (listed.get("ckan"), listed.get("catalogo")) != (plain, ours):
            problems.append(f"LISTED BUT NOW ckan {plain}, catalogo {ours} (the file says ckan "
                            f"{listed.get('ckan')}, catalogo {listed.get('catalogo')}): {test}")
    return problems


def load_expected(selected: set[str] | None) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(DIFERENCIAS.read_text(encoding="utf-8")) or {}
    entries = {}
    for reason in data.get("diferencias", []):
        for test in reason["pruebas"]:
            entries[test] = {"ckan": reason["ckan"], "catalogo": reason["catalogo"],
                             "motivo": reason["motivo"]}
    if selected is not None:  # a partial run (-k ...): only the tests that ran
        entries = {test: entry for test, entry in entries.items() if test in selected}
    return entries


def table(ckan: dict[str, dict[str, str]], catalogo: dict[str, dict[str, str]]) -> str:
    plain, ours = counts(ckan), counts(catalogo)
    rows = ["| | " + " | ".join(RESULTADOS) + " | total |",
            "|---|" + "---|" * (len(RESULTADOS) + 1)]
    for name, total in (("plain CKAN", plain), ("catalogo", ours)):
        rows.append(f"| {name} | " + " | ".join(str(total[key]) for key in RESULTADOS)
                    + f" | {sum(total.values())} |")
    return "\n".join(rows)


def run_both(extra: list[str], keep: bool) -> None:
    """Both sides at once on new stores (dropped at the end unless ``keep``)."""
    for side in LADOS:
        stores("drop", side)  # left over from an interrupted run
        stores("create", side)
    try:
        say("running CKAN's tests on plain CKAN and on the catalog, side by side")
        runs = {side: start(side, extra) for side in LADOS}
        codes = {side: run.wait() for side, run in runs.items()}
    finally:
        if not keep:
            for side in LADOS:
                stores("drop", side)
    broken = [side for side, code in codes.items() if code not in (0, 1)]
    if broken:
        for side in broken:
            print((OUT / f"{side}.log").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
        sys.exit(f"ERROR: contrato: pytest stopped early on {', '.join(broken)} "
                 f"(exit {[codes[side] for side in broken]}; see .state/contrato/<side>.log)")


def main(argv: list[str]) -> int:
    keep, only_compare = "--conservar" in argv, "--comparar" in argv
    extra = [arg for arg in argv if arg not in ("--conservar", "--comparar")]
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if not only_compare:
        run_both(extra, keep)
    minutes = (time.monotonic() - started) / 60
    results = {side: json.loads((OUT / f"{side}.json").read_text(encoding="utf-8"))
               for side in LADOS}
    selected = None if not extra else set(results["ckan"]) | set(results["catalogo"])
    problems = comparar(results["ckan"], results["catalogo"], load_expected(selected))
    print(table(results["ckan"], results["catalogo"]))
    skipped = not_comparable(results["ckan"])
    print(f"{len(skipped)} test(s) fail on plain CKAN itself and are not compared "
          f"(see .state/contrato/ckan.json)")
    print(f"{minutes:.1f} min; results in {OUT.relative_to(REPO)}/")
    if problems:
        print(f"\n{len(problems)} difference(s) against {DIFERENCIAS.relative_to(REPO)}:")
        print("\n".join(problems))
        return 1
    print(f"Every difference is listed in {DIFERENCIAS.relative_to(REPO)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
