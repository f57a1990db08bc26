#!/usr/bin/env bash
# Private test stores, so that two test runs (or a test run and a benchmark) can run at once:
# a database ckan_test_NAME, a Solr core ckan_test_NAME with the project's generated conf, and
# .state/test-NAME.ini (test.ini pointing at them, Redis db given as the third argument, and its
# `use` line at catalogo.ini from the state folder).
#
# Usage: services/test-stores.sh create NAME [REDIS_DB] [ckan]   (services must be running: make up)
#        (a fourth argument `ckan` gives the Solr core CKAN's own schema.xml, for plain-CKAN runs)
#        services/test-stores.sh drop NAME
# Then:  .venv/bin/python -m pytest --ckan-ini=.state/test-NAME.ini ...
source "$(dirname "$0")/lib.sh"

NAME="${2:-}"
[[ "$NAME" =~ ^[a-z][a-z0-9_]{0,30}$ ]] || die test-stores "NAME must be lowercase letters, digits or _ (got '$NAME')"
DB="ckan_test_$NAME"
CORE="ckan_test_$NAME"
INI="$STATE_DIR/test-$NAME.ini"
SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr"
CORE_DIR="$STATE_DIR/solr/home/$CORE"
# As the cluster's owner (services/postgres.sh runs it as the 'postgres' system user)
psql_ckan() {
    runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$STATE_DIR/postgres/run" -p "$PG_PORT" \
        -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

create() {
    local redis_db="${3:-2}" schema_flag=""
    case "${4:-}" in
        "") ;;
        ckan) schema_flag="--ckan" ;;
        *) die test-stores "the fourth argument may only be 'ckan' (got '$4')" ;;
    esac
    [[ "$redis_db" =~ ^([2-9]|1[0-5])$ ]] || die test-stores "REDIS_DB must be 2..15 (0 and 1 are the catalog's and the tests')"
    if [[ -z "$(psql_ckan -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]]; then
        psql_ckan -c "CREATE DATABASE $DB OWNER ckan ENCODING 'UTF8' TEMPLATE template0" >/dev/null \
            || die test-stores "could not create database $DB"
    fi
    if ! curl -sf "$SOLR_URL/admin/cores?action=STATUS&core=$CORE" | grep -q "\"instanceDir\""; then
        mkdir -p "$CORE_DIR/conf" "$CORE_DIR/data"
        "$VENV_DIR/bin/python" -m ckanext.hueyapan.busqueda.esquema_solr $schema_flag "$CORE_DIR/conf" >/dev/null \
            || die test-stores "could not generate the Solr conf"
        curl -sf "$SOLR_URL/admin/cores?action=CREATE&name=$CORE&instanceDir=$CORE_DIR&dataDir=$CORE_DIR/data" >/dev/null \
            || die test-stores "Solr did not create core $CORE"
    fi
    sed -e "s#^use = config:catalogo.ini\$#use = $(catalogo_use "$STATE_DIR")#" \
        -e "s#/ckan_test\$#/$DB#" -e "s#solr/ckan_test\$#solr/$CORE#" \
        -e "s#^ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/1#ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/$redis_db#" \
        -e "s#^ckan.harvest.mq.redis_db = 1#ckan.harvest.mq.redis_db = $redis_db#" \
        -e "s#^ckan.site_id = hueyapan_test#ckan.site_id = hueyapan_test_$NAME#" \
        -e "s#%(here)s/.state/test-storage#%(here)s/test-storage-$NAME#" \
        "$REPO_DIR/test.ini" >"$INI"
    info "test-stores: database $DB, Solr core $CORE, Redis db $redis_db -> $(basename "$INI")"
}

drop() {
    curl -sf "$SOLR_URL/admin/cores?action=UNLOAD&core=$CORE&deleteInstanceDir=true" >/dev/null || true
    psql_ckan -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || die test-stores "could not drop $DB"
    rm -rf "$INI" "$STATE_DIR/test-storage-$NAME"
    info "test-stores: $NAME dropped"
}

case "${1:-}" in
    create) create "$@" ;;
    drop) drop ;;
    *) echo "usage: $0 create NAME [REDIS_DB] [ckan] | drop NAME" >&2; exit 2 ;;
esac
