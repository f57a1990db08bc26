#!/usr/bin/env bash
# PostgreSQL 15 from Debian packages, with its cluster in .state/postgres.
# Usage: services/postgres.sh install|start|stop|status
source "$(dirname "$0")/lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA="$STATE_DIR/postgres/data"
PG_SOCK="$STATE_DIR/postgres/run"
PG_LOG="$STATE_DIR/log/postgres.log"
DB_USER=ckan
DB_PASSWORD=ckan
DATABASES=(ckan ckan_test)

as_postgres() { runuser -u postgres -- "$@"; }

psql_admin() {
    as_postgres "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

running() { [[ -f "$PG_DATA/postmaster.pid" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

cmd_install() {
    if [[ ! -x "$PG_BIN/initdb" ]]; then
        info "postgres: installing postgresql-15 from Debian packages"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-15 >/dev/null \
            || die postgres "apt-get install postgresql-15 failed (run 'apt-get update' first?)"
    fi
}

# The server refuses to run as root, so the cluster belongs to the 'postgres' system user, who
# must be able to reach the state folder.
make_reachable() {
    mkdir -p "$PG_DATA" "$PG_SOCK"
    local dir="$STATE_DIR"
    while [[ "$dir" != "/" ]]; do
        if ! as_postgres test -x "$dir" 2>/dev/null; then
            chmod o+x "$dir" || die postgres "user postgres cannot enter $dir"
        fi
        dir=$(dirname "$dir")
    done
    chown -R postgres:postgres "$STATE_DIR/postgres"
    chmod 700 "$PG_DATA"
    touch "$PG_LOG" && chown postgres "$PG_LOG"
}

cmd_start() {
    cmd_install
    if running; then
        info "postgres: already running on port $PG_PORT"
    else
        need_disk postgres 200
        port_in_use "$PG_PORT" && die postgres "port $PG_PORT is taken by another process (set HUEYAPAN_PG_PORT)"
        make_reachable
        if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
            info "postgres: creating the cluster in $PG_DATA"
            as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
                --auth-local=peer --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 \
                || die postgres "initdb failed (see $PG_LOG)"
        fi
        info "postgres: starting on 127.0.0.1:$PG_PORT"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_SOCK" \
            >/dev/null 2>&1 || die postgres "did not start (last log line: $(tail -n 1 "$PG_LOG"))"
    fi
    wait_for 30 as_postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" \
        || die postgres "not answering on port $PG_PORT within 30 s (see $PG_LOG)"
    ensure_databases
}

ensure_databases() {
    if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]]; then
        psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD'" >/dev/null
    fi
    local db
    for db in "${DATABASES[@]}"; do
        if [[ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
            info "postgres: creating database $db"
            psql_admin -c "CREATE DATABASE $db OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0" >/dev/null
        fi
    done
}

cmd_stop() {
    if running; then
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        info "postgres: stopped"
    fi
}

cmd_status() {
    if running && as_postgres "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        echo "postgres: running on port $PG_PORT ($("$PG_BIN/postgres" --version))"
    else
        echo "postgres: stopped"; return 3
    fi
}

"cmd_${1:?usage: $0 install|start|stop|status}"
