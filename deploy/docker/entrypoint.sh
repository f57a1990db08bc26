#!/bin/bash
# Entrypoint of the catalog's CKAN image (deploy/docker/Dockerfile). CKAN reads its configuration
# from $CKAN_INI (/srv/app/production.ini), whose deployment values come from the environment.
#
#   init          database migrations (core and plugins), INEGI localities, vocabularies, municipal
#                 areas, first sysadmin, search index, example-data switch. Safe to repeat:
#                 compose.yaml runs it once before any other CKAN process starts.
#   web           CKAN under gunicorn on port 5000 (HUEYAPAN_WEB_WORKERS processes, a request
#                 may take HUEYAPAN_WEB_TIMEOUT seconds)
#   harvest-run   `ckan harvester run` every HUEYAPAN_HARVEST_INTERVAL seconds: starts due jobs,
#                 finishes completed ones, fails the ones stuck longer than ckan.harvest.timeout
#   anything else runs as given, e.g. `ckan jobs worker`, `ckan hueyapan consumidor fetch`
#
# The checks here stop with one line "ERROR: ..."; a ckan command that fails stops the step with
# its own message and exit status (the init container then exits non-zero and nothing starts).
set -euo pipefail

die() { echo "ERROR: $*" >&2; exit 1; }
info() { echo "· $*" >&2; }

# The deployment's configuration is complete and no secret is still the .env.example placeholder.
check_environment() {
    local name
    for name in CKAN_SITE_URL CKAN_SQLALCHEMY_URL CKAN_SOLR_URL CKAN_REDIS_URL \
                CKAN_SECRET_KEY CKAN_API_TOKEN_SECRET CKAN__PLUGINS; do
        [[ -n "${!name:-}" ]] || die "$name is not set (see deploy/docker/.env.example)"
    done
    for name in CKAN_SECRET_KEY CKAN_API_TOKEN_SECRET CKAN_SQLALCHEMY_URL; do
        [[ "${!name}" != *CHANGE-ME* ]] \
            || die "$name still holds a CHANGE-ME placeholder of .env.example (POSTGRES_PASSWORD for the URL; generate secrets with openssl rand -hex 32)"
    done
    local value
    for name in CKAN_SECRET_KEY CKAN_API_TOKEN_SECRET; do
        value="${!name}"
        (( ${#value} >= 32 )) || die "$name needs 32 characters or more (openssl rand -hex 32)"
    done
    # CKAN reads every CKAN_* variable into its configuration file, where "%" starts a reference.
    while IFS='=' read -r name _; do
        [[ "${!name}" != *%* ]] || die "$name contains '%', which CKAN's configuration cannot hold"
    done < <(env | grep -E '^CKAN_[A-Za-z0-9_]*=' || true)
}

# http_get URL: print the body of URL; false on any error (Python: the image has no curl promise).
http_get() {
    python3 -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r:
    sys.stdout.buffer.write(r.read())' "$1"
}

# wait_until SECONDS WHAT COMMAND...: retry COMMAND every 2 s (a managed service may start later).
wait_until() {
    local seconds="$1" what="$2" deadline
    shift 2
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        (( SECONDS < deadline )) || die "$what did not answer within $seconds s"
        sleep 2
    done
}

db_answers() {
    python3 -c 'import os, sqlalchemy
sqlalchemy.create_engine(os.environ["CKAN_SQLALCHEMY_URL"]).connect().close()'
}

# The search index. Solr serves the conf of its image (deploy/docker/solr/start-solr.sh); it must
# be the schema this image generates. When it differs from the one the index was last built with
# (or on the first start), every dataset is indexed again: the index is emptied and the core
# reloaded first, because Lucene keeps a field's old type until its index writer is reopened.
search_index() {
    local solr="${CKAN_SOLR_URL%/}" expected served marker tmp
    local base="${solr%/*}" core="${solr##*/}"
    marker="$CKAN_STORAGE_PATH/hueyapan/solr-schema.sha256"
    tmp=$(mktemp -d)
    python3 -m ckanext.hueyapan.busqueda.esquema_solr "$tmp" >/dev/null \
        || die "could not generate the expected Solr schema"
    expected=$(sha256sum <"$tmp/schema.xml" | cut -d' ' -f1)
    rm -rf "$tmp"
    served=$(http_get "$solr/admin/file?file=schema.xml" | sha256sum | cut -d' ' -f1) \
        || die "Solr at $solr did not serve its schema.xml"
    [[ "$served" == "$expected" ]] \
        || die "Solr at $solr serves another schema than this image's (rebuild both images: docker compose build)"
    if [[ -f "$marker" && "$(cat "$marker")" == "$expected" ]]; then
        info "search index: adding the datasets that are missing"
        ckan search-index rebuild --only-missing
        return
    fi
    info "search index: new schema (or first start): indexing every dataset again"
    ckan search-index clear
    http_get "$base/admin/cores?action=RELOAD&core=$core" >/dev/null \
        || http_get "$base/admin/collections?action=RELOAD&name=$core" >/dev/null \
        || die "Solr did not reload core or collection $core"
    ckan search-index rebuild
    mkdir -p "${marker%/*}"
    echo "$expected" >"$marker"
}

cmd_init() {
    wait_until 120 "PostgreSQL (CKAN_SQLALCHEMY_URL)" db_answers
    wait_until 120 "Solr ($CKAN_SOLR_URL)" http_get "${CKAN_SOLR_URL%/}/admin/ping"
    info "database migrations (core and plugins)"
    ckan db upgrade
    info "seed data: INEGI localities, vocabularies, municipal areas (only what is missing)"
    ckan hueyapan cargar-comunidades
    ckan hueyapan cargar-vocabularios
    ckan hueyapan cargar-areas
    # Prints the password once, in this container's log, when the account is created.
    ckan hueyapan crear-admin --usuario "${CKAN_SYSADMIN_NAME:-admin}" --correo "${CKAN_SYSADMIN_EMAIL:-admin@localhost}"
    search_index
    # Loads the example data when ckanext.hueyapan.datos_ejemplo is true, removes it when false.
    ckan hueyapan cosecha-ejemplo
    info "init: done"
}

# gunicorn, the WSGI server requirements.txt pins and the benchmarks measure, with the
# catalog's WSGI module. Behind nginx, which sets X-Forwarded-Proto (https links) and is the only
# client on the containers' network.
cmd_web() {
    exec gunicorn --bind 0.0.0.0:5000 \
        --workers "${HUEYAPAN_WEB_WORKERS:-2}" --timeout "${HUEYAPAN_WEB_TIMEOUT:-60}" \
        --graceful-timeout 20 --max-requests 5000 --max-requests-jitter 500 \
        --worker-tmp-dir /dev/shm --forwarded-allow-ips '*' \
        ckanext.hueyapan.wsgi:application
}

cmd_harvest_run() {
    local interval="${HUEYAPAN_HARVEST_INTERVAL:-300}" child="" rc
    [[ "$interval" =~ ^[1-9][0-9]*$ ]] \
        || die "HUEYAPAN_HARVEST_INTERVAL must be a number of seconds, not '$interval'"
    trap '[[ -n "$child" ]] && kill "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
        # A run normally takes seconds; a hung one never stops the loop.
        timeout --kill-after=30 "$(( interval > 600 ? interval : 600 ))" ckan harvester run &
        child=$!
        rc=0; wait "$child" || rc=$?
        child=""
        (( rc == 0 )) || echo "ERROR: 'ckan harvester run' exited with status $rc" >&2
        sleep "$interval" & child=$!
        wait "$child" || true
        child=""
    done
}

check_environment
case "${1:-web}" in
    init) cmd_init ;;
    web) cmd_web ;;
    harvest-run) cmd_harvest_run ;;
    *) exec "$@" ;;
esac
