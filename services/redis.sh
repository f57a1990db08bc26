#!/usr/bin/env bash
# Redis 7 from Debian packages, with its data in .state/redis.
# Usage: services/redis.sh install|start|stop|status
source "$(dirname "$0")/lib.sh"

REDIS_DIR="$STATE_DIR/redis"
REDIS_PID="$STATE_DIR/run/redis.pid"
REDIS_LOG="$STATE_DIR/log/redis.log"

ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

cmd_install() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        info "redis: installing redis-server from Debian packages"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server redis-tools >/dev/null \
            || die redis "apt-get install redis-server failed (run 'apt-get update' first?)"
    fi
}

cmd_start() {
    cmd_install
    if pid_alive "$REDIS_PID" && ping; then
        info "redis: already running on port $REDIS_PORT"
        return 0
    fi
    need_disk redis 50
    port_in_use "$REDIS_PORT" && die redis "port $REDIS_PORT is taken by another process (set HUEYAPAN_REDIS_PORT)"
    mkdir -p "$REDIS_DIR"
    info "redis: starting on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --pidfile "$REDIS_PID" \
        --dir "$REDIS_DIR" --logfile "$REDIS_LOG" --save "300 1" --appendonly no \
        || die redis "did not start (see $REDIS_LOG)"
    wait_for 15 ping || die redis "not answering on port $REDIS_PORT within 15 s (see $REDIS_LOG)"
}

cmd_stop() {
    if pid_alive "$REDIS_PID"; then
        local pid
        pid=$(cat "$REDIS_PID")
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$pid"
        wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || true
        info "redis: stopped"
    fi
    rm -f "$REDIS_PID"
}

cmd_status() {
    if pid_alive "$REDIS_PID" && ping; then
        echo "redis: running on port $REDIS_PORT ($(redis-server --version | awk '{print $3}'))"
    else
        echo "redis: stopped"; return 3
    fi
}

"cmd_${1:?usage: $0 install|start|stop|status}"
