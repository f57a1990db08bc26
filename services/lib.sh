# Shared helpers for the service scripts. Source it; do not run it.
# Every script prints progress on stderr and, on failure, exactly one line
# "ERROR: <service>: <what> (<why>)" before exiting non-zero.

set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${HUEYAPAN_STATE_DIR:-$REPO_DIR/.state}"
VENV_DIR="${HUEYAPAN_VENV:-$REPO_DIR/.venv}"

PG_PORT="${HUEYAPAN_PG_PORT:-5433}"
REDIS_PORT="${HUEYAPAN_REDIS_PORT:-6380}"
SOLR_PORT="${HUEYAPAN_SOLR_PORT:-8983}"
CKAN_PORT="${HUEYAPAN_CKAN_PORT:-5000}"

mkdir -p "$STATE_DIR/log" "$STATE_DIR/run"

info() { printf '%s\n' "· $*" >&2; }

# die SERVICE MESSAGE: one clear line, then exit 1.
die() {
    local service="$1"; shift
    printf 'ERROR: %s: %s\n' "$service" "$*" >&2
    exit 1
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PIDFILE: true when the pid in PIDFILE is a running process.
pid_alive() {
    [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_for SECONDS COMMAND...: retry COMMAND once a second until it succeeds.
wait_for() {
    local seconds="$1"; shift
    local i
    for ((i = 0; i < seconds; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    return 1
}

# need_disk SERVICE MEGABYTES: stop when the state folder's disk is nearly full.
need_disk() {
    local free_mb
    free_mb=$(df -Pm "$STATE_DIR" | awk 'NR==2 {print $4}')
    if (( free_mb < $2 )); then
        die "$1" "only ${free_mb} MB free on the disk of $STATE_DIR; ${2} MB needed"
    fi
}

# catalogo_use DIR: the value of the `use` line that pulls the catalog's shared settings,
# catalogo.ini at the repository's root, into a configuration file written in DIR (CKAN resolves
# `use = config:` relative to the folder of the file that says it).
catalogo_use() {
    printf 'config:%s\n' "$(realpath -m --relative-to="$1" "$REPO_DIR/catalogo.ini")"
}

# http_ok URL: true when URL answers with a 2xx status.
http_ok() {
    curl -fsS -o /dev/null --max-time 5 "$1"
}
