#!/usr/bin/env bash
# CKAN behind gunicorn, the production WSGI server (ckanext/hueyapan/wsgi.py), for the
# benchmarks (bench/) and the load test: sync workers, one process per core by default.
# Usage: services/gunicorn.sh start NAME INI PORT [WORKERS]   (returns once it answers)
#        services/gunicorn.sh stop NAME
#        services/gunicorn.sh pids NAME                       (the worker processes, one per line)
source "$(dirname "$0")/lib.sh"

NAME="${2:-}"
[[ "$NAME" =~ ^[a-z][a-z0-9_-]{0,30}$ ]] || die gunicorn "NAME must be lowercase letters, digits, - or _ (got '$NAME')"
PID_FILE="$STATE_DIR/run/gunicorn-$NAME.pid"
LOG="$STATE_DIR/log/gunicorn-$NAME.log"

cmd_start() {
    local ini="${3:?INI}" port="${4:?PORT}" workers="${5:-2}"
    [[ -f "$ini" ]] || die gunicorn "no configuration file $ini"
    pid_alive "$PID_FILE" && die gunicorn "$NAME is already running (services/gunicorn.sh stop $NAME)"
    port_in_use "$port" && die gunicorn "port $port is taken by another process"
    CKAN_INI="$(cd "$(dirname "$ini")" && pwd)/$(basename "$ini")" \
        "$VENV_DIR/bin/gunicorn" --workers "$workers" --bind "127.0.0.1:$port" \
        --timeout "${HUEYAPAN_GUNICORN_TIMEOUT:-60}" --graceful-timeout 10 \
        --pid "$PID_FILE" --daemon --log-file "$LOG" --capture-output \
        ckanext.hueyapan.wsgi:application \
        || die gunicorn "$NAME did not start (see $LOG)"
    wait_for 90 http_ok "http://127.0.0.1:$port/api/3/action/status_show" \
        || die gunicorn "$NAME did not answer on port $port within 90 s (see $LOG)"
    info "gunicorn: $NAME serving $ini on http://127.0.0.1:$port with $workers workers"
}

cmd_stop() {
    pid_alive "$PID_FILE" || { rm -f "$PID_FILE"; return 0; }
    local pid
    pid=$(cat "$PID_FILE")
    kill -TERM "$pid"
    wait_for 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    info "gunicorn: $NAME stopped"
}

cmd_pids() {
    pid_alive "$PID_FILE" || die gunicorn "$NAME is not running"
    pgrep -P "$(cat "$PID_FILE")" || true
}

"cmd_${1:?usage: $0 start NAME INI PORT [WORKERS] | stop NAME | pids NAME}" "$@"
