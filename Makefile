# Hueyapan de Ocampo open-data catalog: one command brings it up, one runs every test.
# Services (PostgreSQL, Redis, Solr) run from the project's own scripts in services/, with
# their data in .state/ (ignored by git).

SHELL := /bin/bash
VENV := .venv
CKAN := $(VENV)/bin/ckan
PYTEST_ARGS ?=
CKAN_TEST_ARGS ?=
N ?= 1000
BACKUP ?=

.PHONY: run up down test lint test-ckan install services init status clean backup restore bench loadtest

## make run: install, start everything and serve the catalog at http://127.0.0.1:5000 until Ctrl-C
## (the harvest consumers and the periodic `harvester run` stay in the background until make down)
run: init
	@bash services/harvest.sh start
	@bash services/ckan.sh ejemplo &
	@bash services/ckan.sh serve

## make up: the same as run, but return once every service and CKAN answer
up: init
	@bash services/ckan.sh start
	@bash services/harvest.sh start
	@bash services/ckan.sh ejemplo
	@$(MAKE) --no-print-directory status

## make down: stop CKAN and the services (data stays in .state/)
down:
	@bash services/harvest.sh stop-all
	@bash services/ckan.sh stop
	@bash services/solr.sh stop
	@bash services/redis.sh stop
	@bash services/postgres.sh stop

## make test: the linters (make lint), then the whole test suite against the real services,
## starting them if needed
test: lint services
	@bash services/ckan.sh secrets
	@$(CKAN) -c test.ini db upgrade >/dev/null 2>.state/log/test-db-upgrade.log \
		|| { echo "ERROR: ckan: test database migration failed (see .state/log/test-db-upgrade.log)"; exit 1; }
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

## make lint: ruff (style, import order, likely bugs) and pyright (types, basic mode) over the
## code, tests and scripts, as pyproject.toml configures them; stops at the first that fails
lint: install
	@echo "lint: ruff check"
	@$(VENV)/bin/ruff check --no-cache .
	@echo "lint: pyright"
	@node_modules/.bin/pyright

## make test-ckan: CKAN 2.12.0's own API tests (logic/action, controllers/test_package.py and
## test_api.py) on plain CKAN and with our plugins loaded, side by side on private stores that it
## creates and drops; fails on any difference not listed in contrato/diferencias.yaml
test-ckan: services
	@$(VENV)/bin/python contrato/comparar.py $(CKAN_TEST_ARGS)

## make loadtest: 50 clients for 60 s on gunicorn with 2 workers (zero errors), then Solr stopped
## and PostgreSQL restarted under load, on a stack of its own (.state/carga) that it starts and
## stops; see loadtest/carga.py. Figures in .state/carga/carga.json
loadtest: install
	@$(VENV)/bin/python loadtest/carga.py

## make bench: the catalog against plain CKAN 2.12 at N datasets per side (default 1000; the
## figures in bench/README.md are of N=10000), on the running services (make up); prints one
## table and writes .state/bench/rendimiento.json
bench: services
	@$(VENV)/bin/python bench/rendimiento.py --datasets $(N)

install:
	@bash services/install.sh

services: install
	@bash services/postgres.sh start
	@bash services/redis.sh start
	@bash services/solr.sh start

init: services
	@bash services/ckan.sh init

status:
	@bash services/postgres.sh status || true
	@bash services/redis.sh status || true
	@bash services/solr.sh status || true
	@bash services/ckan.sh status || true
	@bash services/harvest.sh status || true

## make clean: delete all local data (databases, index, uploads) after a confirmation
clean:
	@read -r -p "Esto borra bases de datos, índice y archivos de .state/. ¿Continuar? [s/N] " answer; \
	if [[ "$$answer" == [sSyY]* ]]; then $(MAKE) --no-print-directory down && rm -rf .state && echo "Datos locales borrados."; \
	else echo "Cancelado."; fi

## make backup: copy the catalog (database, uploaded files, manifest) into .state/backups/<UTC time>/
## while it runs (BACKUP=DIR for another folder)
backup:
	@bash services/backup.sh backup $(BACKUP)

## make restore: put a backup back after a confirmation (BACKUP=.state/backups/<time>; default the
## newest), then rebuild the search index
restore:
	@bash services/backup.sh restore $(BACKUP)
