"""The Docker deployment (deploy/docker/): compose file, images, configuration and entrypoint.

No Docker engine is needed. When Compose v2 is available (``docker compose``, or a standalone
``docker-compose`` on PATH), ``docker compose config`` must accept the compose file with
``.env.example``; in every case the compose file, the two
Dockerfiles, ``.env.example`` and ``production.ini`` are checked against each other and against
the project (``catalogo.ini``'s plugins and settings, the CLI commands,
``busqueda/esquema_solr.py``), and the entrypoint and the Solr start script are run with
stand-ins for ``ckan``, ``gunicorn``, ``solr-precreate`` and Solr's HTTP API. Nothing here
touches the catalog's database, Redis or Solr.

Run without CKAN's pytest plugin (it would start CKAN against test.ini):
``.venv/bin/python -m pytest tests/test_despliegue.py -q -p no:ckan -o addopts=""``.
"""
from __future__ import annotations

import ast
import configparser
import hashlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy" / "docker"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
PRODUCTION_INI = DEPLOY / "production.ini"
CATALOGO_INI = REPO / "catalogo.ini"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
CKAN_DOCKERFILE = DEPLOY / "Dockerfile"
SOLR_DOCKERFILE = DEPLOY / "solr" / "Dockerfile"
CKAN_IMAGE = "hueyapan/ckan"

REQUIRED_SERVICES = {"init", "ckan", "worker", "harvest-gather", "harvest-fetch", "harvest-run",
                     "db", "solr", "redis", "nginx"}
# The catalog's settings are in catalogo.ini, which ckan.ini (through .state/ckan-secrets.ini),
# test.ini and production.ini pull in with `use = config:`. The ones of its settings that a
# configuration sets otherwise, on purpose: test.ini loads the plugins without the resource views,
# production.ini takes the deployment's choices from .env.
OVERRIDES = {"ckan.ini": set(), "test.ini": {"ckan.plugins"},
             "production.ini": {"ckan.plugins", "ckanext.hueyapan.obra.consulta_obligatoria"}}
RESOURCE_VIEWS = {"text_view", "image_view"}
# Settings of ckan.ini that belong to this machine (addresses, stores, example data).
MACHINE_KEYS = {"use", "sqlalchemy.url", "ckan.redis.url", "solr_url", "ckan.storage_path",
                "ckan.site_url", "ckanext.hueyapan.datos_ejemplo",
                "ckan.harvest.mq.hostname", "ckan.harvest.mq.port", "ckan.harvest.mq.redis_db"}
# Catalog settings that cannot be in catalogo.ini, since test.ini leaves them at CKAN's defaults
# (or gives its own ckan.site_id): ckan.ini and production.ini each set them, to the same value.
NOT_FOR_TESTS = {"ckan.site_id", "ckan.site_description", "ckan.search.solr_commit",
                 "ckan.display_timezone", "ckan.auth.public_user_details",
                 "ckanext.spatial.common_map.custom_url", "ckanext.spatial.common_map.attribution"}
# Settings only production.ini has.
PRODUCTION_ONLY = {"SECRET_KEY", "api_token.jwt.encode.secret", "api_token.jwt.decode.secret",
                   "ckan.webassets.path", "ckanext.hueyapan.cosecha.permitir_direcciones_locales",
                   "ckanext.hueyapan.oc4ids.prefijo", "ckanext.hueyapan.limites.proxies"}
# CKAN_* variables the entrypoint reads itself (not CKAN's configuration).
ENTRYPOINT_VARIABLES = {"CKAN_SYSADMIN_NAME", "CKAN_SYSADMIN_EMAIL"}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")
VALID_SECRET = "0123456789abcdef" * 4


# --- readers ----------------------------------------------------------------------------------

def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker compose reads them: quotes stripped, comments on own lines."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        assert match, f"{path.name}:{number}: not KEY=VALUE: {line!r}"
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        assert key not in values, f"{path.name}:{number}: {key} defined twice"
        values[key] = value
    return values


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text("utf-8"))


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def interpolate(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return VARIABLE.sub(lambda m: env[m.group(1)], node)
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    return node


def ini_app_main(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser.items("app:main"))


def catalog_plugins() -> list[str]:
    return ini_app_main(CATALOGO_INI)["ckan.plugins"].split()


def image_configuration(root: Path) -> Path:
    """The ini files of the CKAN image laid out under ``root`` as its Dockerfile copies them
    (production.ini and catalogo.ini, which it pulls in); the path of the image's CKAN_INI."""
    dockerfile = CKAN_DOCKERFILE.read_text("utf-8")
    match = re.search(r"^ENV CKAN_INI=(\S+)", dockerfile, re.M)
    assert match, "the Dockerfile sets no CKAN_INI"
    ckan_ini = match.group(1)
    for line in dockerfile.splitlines():
        words = [w for w in line.split()[1:] if not w.startswith("--")]
        if line.startswith("COPY ") and len(words) == 2 and words[0].endswith(".ini"):
            target = root / words[1].replace("${CKAN_INI}", ckan_ini).lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((REPO / words[0]).read_bytes())
    return root / ckan_ini.lstrip("/")


def ckan_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: service for name, service in compose["services"].items()
            if str(service.get("image", "")).startswith(CKAN_IMAGE + ":")}


def from_lines(dockerfile: Path) -> list[str]:
    return [line.split()[1] for line in dockerfile.read_text("utf-8").splitlines()
            if line.strip().upper().startswith("FROM ")]


def split_image(reference: str) -> tuple[str, str]:
    if ":" not in reference.split("/")[-1]:
        return reference, ""
    name, _, tag = reference.rpartition(":")
    return name, tag


# --- the CLI commands -------------------------------------------------------------------------

def command_groups() -> dict[str, click.Command]:
    from ckan.cli.cli import ckan
    from ckanext.harvest.cli import get_commands as harvest_commands

    from ckanext.hueyapan.cli import hueyapan

    groups = dict(ckan.commands)
    groups.update({str(command.name): command for command in harvest_commands()})
    groups[str(hueyapan.name)] = hueyapan
    return groups


def check_ckan_command(args: list[str]) -> None:
    """``ckan <args>`` is a command of this project's CLI and its arguments parse."""
    groups = command_groups()
    assert args and args[0] in groups, f"'ckan {' '.join(args)}': no command {args[:1]}"
    command, rest, path = groups[args[0]], list(args[1:]), [args[0]]
    while isinstance(command, click.Group):
        assert rest and rest[0] in command.commands, \
            f"'ckan {' '.join(args)}': {' '.join(path)} has no command {rest[:1]}"
        path.append(rest[0])
        command, rest = command.commands[rest.pop(0)], rest
    try:
        command.make_context(" ".join(path), rest)
    except click.ClickException as error:
        pytest.fail(f"'ckan {' '.join(args)}': {error.format_message()}")


def ckan_lines(script: Path) -> list[list[str]]:
    """The arguments of every ``ckan ...`` command line in a bash script."""
    found = []
    for line in script.read_text("utf-8").splitlines():
        if line.lstrip().startswith("#") or not re.search(r"(^|\s)ckan\s", line):
            continue
        lexer = shlex.shlex(line.rstrip("\\"), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        if "ckan" not in tokens:
            continue
        args = []
        for token in tokens[tokens.index("ckan") + 1:]:
            if token in {"&", "&&", "||", ";", "|", ">", ">>", "<", ")"} or token.startswith("2>"):
                break
            args.append(token)
        found.append(args)
    return found


# --- docker compose ---------------------------------------------------------------------------

def compose_command() -> list[str] | None:
    """``docker compose`` (the Docker CLI plugin), else a standalone Compose v2 on PATH."""
    for command in (["docker", "compose"], ["docker-compose"]):
        try:
            result = subprocess.run([*command, "version"], capture_output=True, text=True,
                                    timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if result.returncode == 0 and "version 1." not in result.stdout:
            return command
    return None


@pytest.mark.skipif(compose_command() is None, reason="docker compose is not installed here")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE), "--env-file", str(ENV_EXAMPLE), "config"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "is not set" not in result.stderr, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert REQUIRED_SERVICES <= set(resolved["services"])
    assert resolved["services"]["harvest-fetch"]["deploy"]["replicas"] == 2


def test_required_services_exist(compose):
    assert REQUIRED_SERVICES <= set(compose["services"])
    assert set(ckan_services(compose)) == REQUIRED_SERVICES - {"db", "solr", "redis", "nginx"}


def test_every_variable_is_in_env_example_and_back(compose, env_example):
    used = {match for text in strings(compose) for match in VARIABLE.findall(text)}
    assert used - set(env_example) == set(), "used in compose.yaml, missing in .env.example"
    assert set(env_example) - used == set(), "in .env.example, never used by compose.yaml"
    bare = [text for text in strings(compose) if re.search(r"\$(?!\{)", text)]
    assert bare == [], "write ${NAME}, never $NAME or $$"


def test_env_example_values_are_safe(env_example):
    for key, value in env_example.items():
        assert "%" not in value and "$" not in value, key
        if re.search(r"SECRET|PASSWORD|TOKEN", key):
            assert value == "" or "CHANGE-ME" in value, f"{key} must be a placeholder"
    assert env_example["CKAN_HUEYAPAN_DATOS_EJEMPLO"] == "false"


def test_images_are_pinned(compose, env_example):
    services = interpolate(compose["services"], env_example)
    references = {name: service["image"] for name, service in services.items()}
    references.update({f"{path.relative_to(REPO)}: FROM {ref}": ref
                       for path in (CKAN_DOCKERFILE, SOLR_DOCKERFILE) for ref in from_lines(path)})
    for where, reference in references.items():
        name, tag = split_image(reference)
        assert tag and tag != "latest", f"{where}: {reference} has no fixed tag"
        assert re.match(r"\d+\.\d+", tag), f"{where}: {reference} is not a versioned tag"
    assert split_image(services["db"]["image"])[1].startswith("15.")
    assert split_image(services["redis"]["image"])[1].startswith("7.")
    assert split_image(services["nginx"]["image"])[0] == "nginx"
    # Built images carry the package's version.
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M)
    assert version and env_example["HUEYAPAN_IMAGE_TAG"] == version.group(1)
    for name, service in services.items():
        if "build" in service:
            assert split_image(service["image"])[1] == version.group(1), name


def test_dockerfiles_start_from_ckan_212_and_the_ckan_solr_9_image():
    ckan_from = from_lines(CKAN_DOCKERFILE)
    solr_from = from_lines(SOLR_DOCKERFILE)
    assert len(ckan_from) == 1 and re.fullmatch(r"ckan/ckan-base:2\.12\.\d+", ckan_from[0])
    # The Solr conf is generated with the very same CKAN as the catalog's image.
    assert solr_from[0] == ckan_from[0]
    assert re.fullmatch(r"ckan/ckan-solr:2\.1\d-solr9", solr_from[-1])


def test_ckan_image_installs_pinned_requirements_and_this_package():
    dockerfile = CKAN_DOCKERFILE.read_text("utf-8")
    installs = re.findall(r"pip3? install ([^\n&\\]*)", dockerfile)
    assert installs, "no pip install"
    for arguments in installs:
        words = arguments.split()
        assert ("-r" in words and words[words.index("-r") + 1].endswith("/requirements.txt")) \
            or words[-2:] == ["-e", "."] and "--no-deps" in words, f"unpinned install: {arguments}"
    assert re.search(r"^COPY .*\brequirements\.txt ", dockerfile, re.M)
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        assert not line or re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-]*", line), line
    assert "pybabel compile -D ckanext-hueyapan -d ckanext/hueyapan/i18n" in dockerfile
    assert re.search(r"^ENV CKAN_INI=/srv/app/production\.ini", dockerfile, re.M)
    assert re.search(r"^COPY .*deploy/docker/production\.ini \$\{CKAN_INI\}", dockerfile, re.M)


def test_the_images_plugin_check_fails_on_a_missing_plugin():
    """The build-time check of the Dockerfile, run here as Docker runs it (continuation lines
    joined): it passes with catalogo.ini's plugins and stops the build on one that is not there."""
    joined = CKAN_DOCKERFILE.read_text().replace("\\\n", "")
    [run] = [line for line in joined.splitlines() if "entry_points(group='ckan.plugins')" in line]
    words = shlex.split(run)
    code = words[words.index("-c") + 1]
    plugins = " ".join(catalog_plugins())
    passed = subprocess.run([sys.executable, "-c", code, plugins], capture_output=True, text=True)
    assert passed.returncode == 0, passed.stderr
    failed = subprocess.run([sys.executable, "-c", code, plugins + " datastore_nope"],
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "datastore_nope" in failed.stderr


def test_the_images_plugins_are_catalogo_ini_plugins(env_example):
    match = re.search(r'^ARG HUEYAPAN_PLUGINS="([^"]*)"', CKAN_DOCKERFILE.read_text(), re.M)
    assert match and match.group(1).split() == catalog_plugins()
    assert env_example["CKAN__PLUGINS"].split() == catalog_plugins()
    assert ini_app_main(PRODUCTION_INI)["ckan.plugins"] == "%(CKAN__PLUGINS)s"


@pytest.fixture
def no_ckan_variables(monkeypatch):
    """CKAN's loader reads every CKAN_* variable of the environment: none of this one's."""
    for key in list(os.environ):
        if key.startswith("CKAN"):
            monkeypatch.delenv(key)


@pytest.fixture
def production_config(compose, env_example, monkeypatch, no_ckan_variables, tmp_path):
    """production.ini as CKAN loads it in the ckan container with .env.example's values, from
    the files where the Dockerfile puts them."""
    from ckan.cli import CKANConfigLoader

    environment = interpolate(compose["services"]["ckan"]["environment"], env_example)
    environment.update(CKAN_SECRET_KEY=VALID_SECRET, CKAN_API_TOKEN_SECRET=VALID_SECRET)
    for key, value in environment.items():
        monkeypatch.setenv(key, str(value))
    ini = image_configuration(tmp_path / "image")
    return CKANConfigLoader(str(ini)).get_config(), environment


def test_production_settings(production_config, env_example):
    config, environment = production_config
    assert config["ckan.plugins"].split() == catalog_plugins()
    assert config["ckan.locale_default"] == "es"
    assert config["ckanext.hueyapan.cosecha.permitir_direcciones_locales"] == "false"
    assert config["ckanext.hueyapan.datos_ejemplo"] == "false"
    assert config["debug"] == "false"
    assert config["SECRET_KEY"] == VALID_SECRET
    assert config["api_token.jwt.decode.secret"] == f"string:{VALID_SECRET}"
    assert config["sqlalchemy.url"] == (
        f"postgresql://ckan:{env_example['POSTGRES_PASSWORD']}@db:5432/ckan?sslmode=prefer")
    assert config["solr_url"] == env_example["CKAN_SOLR_URL"]
    assert config["ckan.redis.url"] == env_example["CKAN_REDIS_URL"]
    assert config["ckan.site_url"] == env_example["CKAN_SITE_URL"]
    assert "ckan.harvest.mq.hostname" not in config  # the harvest queues use ckan.redis.url
    assert config["ckanext.hueyapan.limites.proxies"] == "1"  # behind the compose file's nginx


def test_nginx_sends_hsts_and_limits_the_account_forms():
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r'add_header Strict-Transport-Security "max-age=\d{8,}[^"]*" always;', nginx)
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=cuentas:\S+ rate=\d+r/m;", nginx)
    location = re.search(r"location ~ \^/\(en/\)\?user/\(([^)]*)\) \{([^}]*)\}", nginx)
    assert location and set(location.group(1).split("|")) >= {"login", "reset", "register"}
    assert "limit_req zone=cuentas" in location.group(2)
    assert "proxy_pass http://ckan;" in location.group(2)


def test_the_three_configurations_inherit_catalogo_ini(production_config, no_ckan_variables,
                                                     tmp_path):
    """ckan.ini, test.ini and production.ini, as CKAN's loader reads them, have catalogo.ini's
    settings, and none sets one of them again but the OVERRIDES. ckan.ini is loaded with a
    secrets file written before catalogo.ini existed, as ``services/ckan.sh secrets`` (run by
    make run, up and test) leaves it: its secrets kept, its ``use`` line at catalogo.ini."""
    from ckan.cli import CKANConfigLoader

    parser = configparser.RawConfigParser(strict=False)
    parser.read(CATALOGO_INI, encoding="utf-8")
    assert parser.sections() == ["app:main"] and not parser.defaults()
    shared = ini_app_main(CATALOGO_INI)
    assert shared.pop("use") == "egg:ckan", "the chain ends in catalogo.ini"

    development = tmp_path / "repo" / "ckan.ini"
    state = development.parent / ".state"
    state.mkdir(parents=True)
    development.write_bytes((REPO / "ckan.ini").read_bytes())
    (state / "ckan-secrets.ini").write_text(
        f"[app:main]\nuse = egg:ckan\nSECRET_KEY = {VALID_SECRET}\n", encoding="utf-8")
    subprocess.run(["bash", str(REPO / "services" / "ckan.sh"), "secrets"], check=True,
                   env={**os.environ, "HUEYAPAN_STATE_DIR": str(state)}, capture_output=True)
    loaded = {"ckan.ini": CKANConfigLoader(str(development)).get_config(),
              "test.ini": CKANConfigLoader(str(REPO / "test.ini")).get_config(),
              "production.ini": production_config[0]}
    assert loaded["ckan.ini"]["SECRET_KEY"] == VALID_SECRET
    files = {"ckan.ini": REPO / "ckan.ini", "test.ini": REPO / "test.ini",
             "production.ini": PRODUCTION_INI}
    for name, config in loaded.items():
        assert set(ini_app_main(files[name])) & set(shared) == OVERRIDES[name], \
            f"{name} sets again a setting of catalogo.ini"
        for key in set(shared) - OVERRIDES[name]:
            assert config[key] == shared[key], f"{name}: {key}"
    assert loaded["ckan.ini"]["ckan.plugins"].split() == catalog_plugins()
    assert loaded["production.ini"]["ckan.plugins"].split() == catalog_plugins()
    assert loaded["test.ini"]["ckan.plugins"].split() == [
        plugin for plugin in catalog_plugins() if plugin not in RESOURCE_VIEWS]


def test_ckan_ini_and_production_ini_agree_beside_catalogo_ini(production_config):
    """A catalog setting goes into catalogo.ini; ckan.ini sets only its machine's and the few
    that test.ini must not have, which production.ini sets to the same values."""
    config, _ = production_config
    development = ini_app_main(REPO / "ckan.ini")
    production = ini_app_main(PRODUCTION_INI)
    assert set(development) - MACHINE_KEYS - {"debug"} == NOT_FOR_TESTS  # debug: every [DEFAULT]
    for key in NOT_FOR_TESTS:
        assert config[key] == development[key], f"{key} differs from ckan.ini"
    assert set(production) - set(development) - OVERRIDES["production.ini"] <= PRODUCTION_ONLY


def test_every_ckan_variable_reaches_ckan(compose):
    from ckan.config.environment import CONFIG_FROM_ENV_VARS

    referenced = set(re.findall(r"%\((CKAN_[A-Za-z0-9_]+)\)s", PRODUCTION_INI.read_text()))
    given = {key for key in compose["services"]["ckan"]["environment"] if key.startswith("CKAN_")}
    assert referenced <= given, "production.ini refers to variables compose.yaml does not give"
    stray = given - referenced - set(CONFIG_FROM_ENV_VARS.values()) - ENTRYPOINT_VARIABLES
    assert stray == set(), "variables nothing reads"


def test_ckan_services_run_real_commands(compose):
    subcommands = set(re.findall(r"^\s*([a-z][a-z-]*)\) cmd_", ENTRYPOINT.read_text(), re.M))
    assert subcommands == {"init", "web", "harvest-run"}
    for name, service in ckan_services(compose).items():
        command = service["command"]
        if command[0] == "ckan":
            check_ckan_command(command[1:])
        else:
            assert command[0] in subcommands, f"{name}: {command}"
    for args in ckan_lines(ENTRYPOINT):
        check_ckan_command(args)
    # The web server's application: a module of this package that defines it.
    tree = ast.parse((REPO / "ckanext" / "hueyapan" / "wsgi.py").read_text())
    assigned = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert "application" in assigned
    assert "ckanext.hueyapan.wsgi:application" in ENTRYPOINT.read_text()


def test_the_command_check_refuses_what_does_not_exist():
    for args in (["hueyapan", "consumidor", "todo"], ["hueyapan", "cosechar"],
                 ["search-index", "rebuild", "--solo-faltantes"], ["harvester", "correr"]):
        with pytest.raises((AssertionError, pytest.fail.Exception)):
            check_ckan_command(args)


def test_healthchecks_and_start_order(compose):
    services = compose["services"]
    for name in ("db", "solr", "redis", "ckan"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    healthy = {name: {"condition": "service_healthy"} for name in ("db", "solr", "redis")}
    assert services["init"]["depends_on"] == healthy
    assert services["init"]["restart"] == "no"
    for name, service in ckan_services(compose).items():
        if name != "init":
            assert service["depends_on"] == {
                "init": {"condition": "service_completed_successfully"}, **healthy}, name
    assert services["nginx"]["depends_on"] == {"ckan": {"condition": "service_healthy"}}
    assert "status_show" in " ".join(services["ckan"]["healthcheck"]["test"])


def test_named_volumes(compose):
    declared = set(compose["volumes"])
    assert {"ckan_storage", "pg_data", "solr_data"} <= declared
    mounts = {}
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if not source.startswith("."):
                assert source in declared, f"{name}: volume {source} is not declared"
                mounts.setdefault(source, set()).add(target)
    storage = ini_app_main(PRODUCTION_INI)["ckan.storage_path"]
    assert mounts["ckan_storage"] == {storage}
    assert mounts["pg_data"] == {"/var/lib/postgresql/data"}
    assert mounts["solr_data"] == {"/var/solr"}
    for name, service in ckan_services(compose).items():
        assert f"ckan_storage:{storage}" in service["volumes"], name


def test_build_contexts_send_what_the_dockerfiles_copy():
    for dockerfile in (CKAN_DOCKERFILE, SOLR_DOCKERFILE):
        ignore = Path(f"{dockerfile}.dockerignore").read_text().splitlines()
        patterns = [line.strip() for line in ignore if line.strip() and not line.startswith("#")]
        assert patterns[0] == "*", "the build context is a list of what is needed"
        included = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY ") and "--from=" not in line:
                for source in [w for w in line.split()[1:-1] if not w.startswith("--")]:
                    source = source.rstrip("/")
                    assert any(source == i or source.startswith(i + "/") for i in included), \
                        f"{dockerfile.name}: {source} is left out of the build context"


# --- the Solr image ---------------------------------------------------------------------------

def test_solr_image_generates_its_conf_with_esquema_solr_py(tmp_path):
    dockerfile = SOLR_DOCKERFILE.read_text()
    assert re.search(r"^COPY ckanext/hueyapan/busqueda/esquema_solr\.py "
                     r"/tmp/hueyapan/busqueda/esquema_solr\.py$", dockerfile, re.M)
    assert re.search(r"^COPY ckanext/hueyapan/solr/ /tmp/hueyapan/solr/$", dockerfile, re.M)
    assert re.search(r"^RUN python3 /tmp/hueyapan/busqueda/esquema_solr\.py /tmp/conf$",
                     dockerfile, re.M)
    assert "/tmp/conf /opt/solr/server/solr/configsets/hueyapan/conf" in dockerfile
    # Run as the image runs it (a script in busqueda/ beside solr/), it writes what the module
    # writes.
    copy = tmp_path / "hueyapan"
    (copy / "solr").mkdir(parents=True)
    (copy / "busqueda").mkdir()
    (copy / "busqueda" / "esquema_solr.py").write_bytes(
        (REPO / "ckanext/hueyapan/busqueda/esquema_solr.py").read_bytes())
    (copy / "solr" / "solrconfig.xml").write_bytes(
        (REPO / "ckanext/hueyapan/solr/solrconfig.xml").read_bytes())
    for command, out in (([sys.executable, str(copy / "busqueda" / "esquema_solr.py")], "script"),
                         ([sys.executable, "-m", "ckanext.hueyapan.busqueda.esquema_solr"],
                          "module")):
        subprocess.run([*command, str(tmp_path / out)], check=True, capture_output=True, cwd=REPO)
    script, module = tmp_path / "script", tmp_path / "module"
    assert sorted(p.name for p in script.iterdir()) == sorted(p.name for p in module.iterdir())
    for path in module.iterdir():
        assert (script / path.name).read_bytes() == path.read_bytes(), path.name
    assert b"SnowballPorterFilterFactory" in (script / "schema.xml").read_bytes()


def test_solr_image_pins_the_jts_of_the_development_solr():
    dockerfile = SOLR_DOCKERFILE.read_text()
    version = re.search(r"<jts\.version>([^<]+)</jts\.version>",
                        (REPO / "services/solr/pom.xml").read_text()).group(1)
    assert f"ARG JTS_VERSION={version}" in dockerfile
    pinned = re.search(r"^ARG JTS_SHA256=([0-9a-f]{64})$", dockerfile, re.M).group(1)
    jar = (Path.home() / ".m2/repository/org/locationtech/jts/jts-core" / version
           / f"jts-core-{version}.jar")
    # make test installs Solr's Maven artifacts (services/solr.sh install) before pytest runs
    assert jar.is_file(), f"{jar} is missing: run services/solr.sh install"
    assert hashlib.sha256(jar.read_bytes()).hexdigest() == pinned


def test_fetch_jar_keeps_only_the_pinned_file(tmp_path):
    source = tmp_path / "lib.jar"
    source.write_bytes(b"jar bytes")
    digest = hashlib.sha256(b"jar bytes").hexdigest()
    script = DEPLOY / "solr" / "fetch_jar.py"
    good = subprocess.run([sys.executable, str(script), source.as_uri(), digest,
                           str(tmp_path / "good.jar")], capture_output=True, text=True)
    assert good.returncode == 0 and (tmp_path / "good.jar").read_bytes() == b"jar bytes"
    bad = subprocess.run([sys.executable, str(script), source.as_uri(), "0" * 64,
                          str(tmp_path / "bad.jar")], capture_output=True, text=True)
    assert bad.returncode != 0 and "SHA-256" in bad.stderr
    assert not (tmp_path / "bad.jar").exists()


def test_solr_start_takes_the_conf_of_the_image(tmp_path):
    configset = tmp_path / "configset"
    (configset / "conf").mkdir(parents=True)
    (configset / "conf" / "schema.xml").write_text("new")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "solr-precreate").write_text('#!/bin/bash\necho "$@" > "$PRECREATE_LOG"\n')
    (bin_dir / "solr-precreate").chmod(0o755)
    core = tmp_path / "data" / "ckan"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HUEYAPAN_SOLR_CONFIGSET": str(configset),
           "HUEYAPAN_SOLR_CORE_DIR": str(core), "PRECREATE_LOG": str(tmp_path / "log")}
    script = str(DEPLOY / "solr" / "start-solr.sh")
    # No core yet: solr-precreate creates it from the configset.
    subprocess.run(["bash", script], env=env, check=True, capture_output=True)
    assert not core.exists()
    assert (tmp_path / "log").read_text().split() == ["ckan", str(configset)]
    # A core from an older image: its conf is replaced, its index kept.
    (core / "conf").mkdir(parents=True)
    (core / "conf" / "schema.xml").write_text("old")
    (core / "conf" / "stale.txt").write_text("old")
    (core / "data").mkdir()
    (core / "data" / "index").write_text("documents")
    subprocess.run(["bash", script], env=env, check=True, capture_output=True)
    assert (core / "conf" / "schema.xml").read_text() == "new"
    assert not (core / "conf" / "stale.txt").exists()
    assert (core / "data" / "index").read_text() == "documents"


# --- the entrypoint ---------------------------------------------------------------------------

class FakeSolr(BaseHTTPRequestHandler):
    """Answers what the init step asks Solr: ping, the served schema.xml and core reloads."""

    schema = b""
    reloads: list[dict[str, list[str]]] = []

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path == "/solr/ckan/admin/ping":
            body = b'{"status":"OK"}'
        elif (url.path == "/solr/ckan/admin/file"
              and parse_qs(url.query) == {"file": ["schema.xml"]}):
            body = self.schema
        elif url.path == "/solr/admin/cores":
            self.reloads.append(parse_qs(url.query))
            body = b"{}"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_solr() -> Iterator[tuple[str, type[FakeSolr]]]:
    handler = type("Solr", (FakeSolr,), {"reloads": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/solr/ckan", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def container(tmp_path, compose, env_example):
    """The environment of a CKAN container, with stand-ins for ckan and gunicorn on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("ckan", "gunicorn"):
        (bin_dir / program).write_text(
            f'#!/bin/bash\necho "{program} $*" >> "$COMMAND_LOG"\n')
        (bin_dir / program).chmod(0o755)
    env = {key: str(value) for key, value in
           interpolate(compose["services"]["ckan"]["environment"], env_example).items()}
    env.update(
        CKAN_SECRET_KEY=VALID_SECRET, CKAN_API_TOKEN_SECRET=VALID_SECRET,
        CKAN_SQLALCHEMY_URL=f"sqlite:///{tmp_path / 'catalog.db'}",
        CKAN_STORAGE_PATH=str(tmp_path / "storage"), COMMAND_LOG=str(tmp_path / "commands"),
        PATH=f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin", HOME=str(tmp_path))
    return env


def run_entrypoint(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ENTRYPOINT), *args], env=env, capture_output=True,
                          text=True, timeout=180, cwd=REPO)


def commands(env: dict[str, str]) -> list[str]:
    log = Path(env["COMMAND_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def expected_schema(tmp_path: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "ckanext.hueyapan.busqueda.esquema_solr",
                    str(tmp_path / "conf")], check=True, capture_output=True, cwd=REPO)
    return (tmp_path / "conf" / "schema.xml").read_bytes()


def test_init_runs_the_steps_of_services_ckan_sh(container, fake_solr, tmp_path):
    solr_url, solr = fake_solr
    solr.schema = expected_schema(tmp_path)
    container["CKAN_SOLR_URL"] = solr_url
    first = run_entrypoint(container, "init")
    assert first.returncode == 0, first.stderr
    steps = [
        "ckan db upgrade",
        "ckan hueyapan cargar-comunidades",
        "ckan hueyapan cargar-vocabularios",
        "ckan hueyapan cargar-areas",
        "ckan hueyapan crear-admin --usuario admin --correo admin@localhost",
    ]
    # First start: the whole index is built with the schema Solr serves (core reloaded first).
    assert commands(container) == [*steps, "ckan search-index clear", "ckan search-index rebuild",
                                   "ckan hueyapan cosecha-ejemplo"]
    assert solr.reloads == [{"action": ["RELOAD"], "core": ["ckan"]}]
    marker = Path(container["CKAN_STORAGE_PATH"]) / "hueyapan" / "solr-schema.sha256"
    assert marker.read_text().strip() == hashlib.sha256(solr.schema).hexdigest()
    # Again, same schema: only the missing datasets are indexed.
    Path(container["COMMAND_LOG"]).unlink()
    again = run_entrypoint(container, "init")
    assert again.returncode == 0, again.stderr
    assert commands(container) == [*steps, "ckan search-index rebuild --only-missing",
                                   "ckan hueyapan cosecha-ejemplo"]
    assert len(solr.reloads) == 1
    # The same commands as the development init (services/ckan.sh cmd_init), in the same order.
    ckan_sh = (REPO / "services" / "ckan.sh").read_text()
    init = ckan_sh[ckan_sh.index("cmd_init()"):ckan_sh.index("cmd_start()")]
    seeds = re.search(r"for seed in ([a-z -]+); do", init).group(1).split()
    development = ["db upgrade", *(f"hueyapan {seed}" for seed in seeds), "hueyapan crear-admin",
                   "search-index rebuild --only-missing"]
    positions = [next(i for i, line in enumerate(commands(container))
                      if line.startswith(f"ckan {step}")) for step in development]
    assert positions == sorted(positions)
    for line in commands(container):
        check_ckan_command(shlex.split(line)[1:])


def test_init_stops_when_solr_serves_another_schema(container, fake_solr, tmp_path):
    solr_url, solr = fake_solr
    solr.schema = expected_schema(tmp_path).replace(b"Spanish", b"English")
    container["CKAN_SOLR_URL"] = solr_url
    result = run_entrypoint(container, "init")
    assert result.returncode != 0
    assert "ERROR: Solr at" in result.stderr and "another schema" in result.stderr
    assert not any("search-index" in line for line in commands(container))
    assert solr.reloads == []


def test_secrets_must_be_set_and_not_placeholders(container, env_example):
    assert run_entrypoint(container, "true").returncode == 0
    for key, value, message in (
            ("CKAN_SECRET_KEY", env_example["CKAN_SECRET_KEY"], "placeholder"),
            ("CKAN_API_TOKEN_SECRET", "short", "32 characters"),
            ("CKAN_SECRET_KEY", "", "not set"),
            ("CKAN_SQLALCHEMY_URL", "postgresql://ckan:CHANGE-ME@db/ckan", "placeholder"),
            ("CKAN_SITE_TITLE", "100% abierto", "contains '%'")):
        result = run_entrypoint({**container, key: value}, "true")
        assert result.returncode != 0, key
        assert f"ERROR: {key}" in result.stderr and message in result.stderr, result.stderr
    assert commands(container) == []


def test_web_starts_gunicorn_with_the_catalogs_wsgi_module(container):
    container.update(HUEYAPAN_WEB_WORKERS="5", HUEYAPAN_WEB_TIMEOUT="75")
    result = run_entrypoint(container, "web")
    assert result.returncode == 0, result.stderr
    [line] = commands(container)
    args = shlex.split(line)
    assert args[0] == "gunicorn" and args[-1] == "ckanext.hueyapan.wsgi:application"
    assert args[args.index("--bind") + 1] == "0.0.0.0:5000"
    assert args[args.index("--workers") + 1] == "5"
    assert args[args.index("--timeout") + 1] == "75"


def test_harvest_run_repeats_until_stopped(container):
    container["HUEYAPAN_HARVEST_INTERVAL"] = "1"
    process = subprocess.Popen(["bash", str(ENTRYPOINT), "harvest-run"], env=container,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while commands(container).count("ckan harvester run") < 2:
            assert time.monotonic() < deadline, "harvester run did not repeat"
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert set(commands(container)) == {"ckan harvester run"}
    bad = run_entrypoint({**container, "HUEYAPAN_HARVEST_INTERVAL": "soon"}, "harvest-run")
    assert bad.returncode != 0 and "HUEYAPAN_HARVEST_INTERVAL" in bad.stderr
