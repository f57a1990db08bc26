#!/usr/bin/env bash
# ckanext-harvest's workers: the gather and fetch consumers (Redis queues) and a periodic
# `ckan harvester run`, which starts the jobs that are due, marks finished jobs as finished and
# finishes with an error the jobs stuck longer than `ckan.harvest.timeout` minutes.
#
# Usage: services/harvest.sh start|stop|stop-all|status
#   HUEYAPAN_CKAN_INI           CKAN configuration (default ckan.ini; tests use test.ini)
#   HUEYAPAN_HARVEST_INTERVAL   seconds between two `harvester run` (default 300)
#   HUEYAPAN_FETCH_CONSUMERS    fetch consumers working in parallel (default 2, one per core)
#
# The consumers are `ckan hueyapan consumidor gather|fetch`: ckanext-harvest's own gather and
# fetch callbacks behind a queue wait that survives an idle queue (ckanext-harvest's
# `harvester gather-consumer` ends after a minute without work with redis-py 8, issue #581; see
# ckanext/hueyapan/harvesters/workers.py). Each consumer runs under a small supervisor that
# restarts it when it exits: ckanext-harvest lets an exception of a harvester, or a lost database
# or Redis connection, end the consumer process, and a dead consumer leaves its jobs "Running"
# until the timeout.
source "$(dirname "$0")/lib.sh"

CKAN="$VENV_DIR/bin/ckan"
INI="${HUEYAPAN_CKAN_INI:-ckan.ini}"
[[ "$INI" == /* ]] || INI="$REPO_DIR/$INI"
INTERVAL="${HUEYAPAN_HARVEST_INTERVAL:-300}"
# One set of processes per configuration file: ckan.ini -> harvest-ckan-*, test.ini -> harvest-test-*
TAG="harvest-$(basename "$INI" .ini)"
RUN_LOG="$STATE_DIR/log/$TAG-run.log"
RUN_STATUS="$STATE_DIR/run/$TAG-run.last"   # "<date> <time> <exit status> <interval>" of the last run
FETCH_CONSUMERS="${HUEYAPAN_FETCH_CONSUMERS:-2}"
[[ "$FETCH_CONSUMERS" =~ ^[1-9][0-9]?$ ]] \
    || die harvest "HUEYAPAN_FETCH_CONSUMERS must be a number from 1 to 99, not '$FETCH_CONSUMERS'"
CONSUMERS=(gather)
for ((n = 1; n <= FETCH_CONSUMERS; n++)); do CONSUMERS+=("fetch-$n"); done

pidfile() { echo "$STATE_DIR/run/$TAG-$1.pid"; }
logfile() { echo "$STATE_DIR/log/$TAG-$1.log"; }
stamp() { date '+%Y-%m-%d %H:%M:%S'; }

# socket_ports PID: the local TCP ports of the sockets process PID holds (from /proc).
socket_ports() {
    local pid="$1" inodes hex
    inodes=" $(ls -l "/proc/$pid/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ') "
    [[ "$inodes" == "  " ]] && return 0
    for hex in $(awk -v inodes="$inodes" 'FNR > 1 && index(inodes, " " $10 " ") { split($2, a, ":"); print a[2] }' \
                 "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6" 2>/dev/null); do
        echo $((16#$hex))
    done
}

# consumer_ready PID: true when process PID is blocked in BLPOP on our Redis, i.e. waiting for
# work. Redis lists its clients with their address; /proc tells which process owns that socket.
consumer_ready() {
    local ports blpop
    ports=" $(socket_ports "$1" | tr '\n' ' ') "
    for blpop in $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" client list 2>/dev/null \
                   | awk '/ cmd=blpop / { for (i = 1; i <= NF; i++) if ($i ~ /^addr=/) { n = split($i, a, ":"); print a[n] } }'); do
        [[ "$ports" == *" $blpop "* ]] && return 0
    done
    return 1
}

# rotate FILE: keep a log under 20 MB (one previous file is kept as FILE.1).
rotate() {
    if [[ -f "$1" ]] && (( $(stat -c %s "$1") > 20 * 1024 * 1024 )); then mv -f "$1" "$1.1"; fi
}

# The supervisor of one consumer (runs in the background, started by cmd_start).
supervise() {
    local name="$1" child="" rc delay=5 started
    local child_pid log
    child_pid="$(pidfile "$name-consumer")"; log="$(logfile "$name")"
    echo $$ >"$(pidfile "$name")"
    on_term() {
        if [[ -n "$child" ]]; then kill "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
        rm -f "$child_pid"
        exit 0
    }
    trap on_term TERM INT
    while true; do
        rotate "$log"
        started=$SECONDS
        echo "$(stamp) · $name-consumer: starting ($INI)" >>"$log"
        "$CKAN" -c "$INI" hueyapan consumidor "${name%%-*}" >>"$log" 2>&1 &
        child=$!
        echo "$child" >"$child_pid"
        rc=0; wait "$child" || rc=$?
        child=""; rm -f "$child_pid"
        if (( SECONDS - started > 30 )); then
            delay=1   # it ran: restart at once
        fi
        echo "$(stamp) ERROR: harvest: $name-consumer exited with status $rc; restarting in $delay s" >>"$log"
        sleep "$delay" & child=$!
        wait "$child" || true
        child=""
        (( delay = delay < 5 ? 5 : (delay * 2 > 120 ? 120 : delay * 2) ))
    done
}

# The periodic runner (runs in the background, started by cmd_start).
runner() {
    local child="" rc
    echo $$ >"$(pidfile runner)"
    on_term() {
        if [[ -n "$child" ]]; then kill "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
        exit 0
    }
    trap on_term TERM INT
    while true; do
        # A `harvester run` normally takes seconds; never let a hung one stop the loop.
        rotate "$RUN_LOG"
        timeout --kill-after=30 "$(( INTERVAL > 600 ? INTERVAL : 600 ))" \
            "$CKAN" -c "$INI" harvester run >>"$RUN_LOG" 2>&1 &
        child=$!
        rc=0; wait "$child" || rc=$?
        child=""
        echo "$(stamp) $rc $INTERVAL" >"$RUN_STATUS"
        (( rc == 0 )) || echo "$(stamp) ERROR: harvest: 'ckan harvester run' exited with status $rc" >>"$RUN_LOG"
        sleep "$INTERVAL" & child=$!
        wait "$child" || true
        child=""
    done
}

alive() { pid_alive "$(pidfile "$1")"; }

cmd_start() {
    [[ -f "$INI" ]] || die harvest "configuration file $INI not found (HUEYAPAN_CKAN_INI)"
    [[ -x "$CKAN" ]] || die harvest "$CKAN is missing (run 'make install')"
    [[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || die harvest "HUEYAPAN_HARVEST_INTERVAL must be a number of seconds, not '$INTERVAL'"
    [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] \
        || die harvest "Redis is not answering on port $REDIS_PORT (start it first: make up)"
    local name started=()
    for name in "${CONSUMERS[@]}" runner; do
        if alive "$name"; then continue; fi
        rm -f "$(pidfile "$name")" "$(pidfile "$name-consumer")"
        if [[ "$name" == runner ]]; then
            rm -f "$RUN_STATUS"
            nohup bash "$0" _runner >>"$(logfile runner)" 2>&1 &
        else
            nohup bash "$0" _supervise "$name" >>"$(logfile "$name")" 2>&1 &
        fi
        echo $! >"$(pidfile "$name")"
        started+=("$name")
    done
    if (( ${#started[@]} == 0 )); then
        info "harvest: already running for $(basename "$INI")"
        return 0
    fi
    info "harvest: starting ${started[*]} for $(basename "$INI")"
    # Health check: every consumer waits on its queue, and the first `harvester run` succeeded.
    local i pid ready
    for ((i = 0; i < 90; i++)); do
        ready=1
        for name in "${CONSUMERS[@]}"; do
            alive "$name" || die harvest "$name consumer supervisor died at start (see $(logfile "$name"))"
            pid=$(cat "$(pidfile "$name-consumer")" 2>/dev/null || true)
            [[ -n "$pid" ]] && consumer_ready "$pid" || ready=0
        done
        alive runner || die harvest "the periodic runner died at start (see $(logfile runner))"
        if [[ -f "$RUN_STATUS" ]]; then
            [[ "$(awk '{print $3}' "$RUN_STATUS")" == 0 ]] \
                || { cmd_stop >/dev/null 2>&1; die harvest "'ckan -c $(basename "$INI") harvester run' failed (see $RUN_LOG)"; }
        else
            ready=0
        fi
        (( ready )) && return 0
        sleep 1
    done
    cmd_stop >/dev/null 2>&1
    die harvest "the consumers were not waiting on Redis port $REDIS_PORT within 90 s (see $(logfile gather), $(logfile fetch))"
}

# stop_tag TAG: stop the processes of one configuration (supervisors first, then their consumers).
stop_tag() {
    local tag="$1" name file pid stopped=0
    # supervisors (gather, fetch-N, runner) before the consumers they would restart
    for file in $(ls "$STATE_DIR/run/$tag"-*.pid 2>/dev/null | grep -v -- '-consumer\.pid$') \
                $(ls "$STATE_DIR/run/$tag"-*-consumer.pid 2>/dev/null); do
        if pid_alive "$file"; then
            pid=$(cat "$file")
            kill "$pid" 2>/dev/null || true
            wait_for 15 bash -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
            stopped=1
        fi
        rm -f "$file"
    done
    rm -f "$STATE_DIR/run/$tag-run.last"
    (( stopped )) && info "harvest: stopped (${tag#harvest-}.ini)"
    return 0
}

cmd_stop() { stop_tag "$TAG"; }

# Every configuration's workers (make down stops the test ones too, before their services go).
cmd_stop-all() {
    local file tag
    for file in "$STATE_DIR"/run/harvest-*-runner.pid "$STATE_DIR"/run/harvest-*-gather.pid; do
        [[ -e "$file" ]] || continue
        tag=$(basename "$file" .pid); tag=${tag%-runner}; tag=${tag%-gather}
        stop_tag "$tag"
    done
}

cmd_status() {
    local name pids=() missing=() last="" time rc=0 every="$INTERVAL"
    for name in "${CONSUMERS[@]}"; do
        if alive "$name" && pid_alive "$(pidfile "$name-consumer")"; then
            pids+=("$name-consumer pid $(cat "$(pidfile "$name-consumer")")")
        elif alive "$name"; then
            pids+=("$name-consumer restarting")   # its supervisor is starting it again
        else
            missing+=("$name-consumer not running")
        fi
    done
    if alive runner; then
        if [[ -f "$RUN_STATUS" ]]; then
            read -r _ time rc every <"$RUN_STATUS"
            last=", last at $time exit $rc"
            [[ "$rc" == 0 ]] || missing+=("the last 'harvester run' failed")
        fi
        pids+=("harvester run every ${every:-$INTERVAL} s$last")
    else
        missing+=("periodic runner not running")
    fi
    if (( ${#missing[@]} == 0 )); then
        echo "harvest: running for $(basename "$INI") ($(IFS=';'; echo "${pids[*]}" | sed 's/;/, /g'))"
    elif (( ${#pids[@]} == 0 )); then
        echo "harvest: stopped"; return 3
    else
        echo "harvest: degraded for $(basename "$INI"): $(IFS=';'; echo "${missing[*]}" | sed 's/;/, /g') (see $STATE_DIR/log/$TAG-*.log)"
        return 3
    fi
}

case "${1:-}" in
    _supervise) supervise "$2" ;;
    _runner) runner ;;
    start | stop | stop-all | status) "cmd_$1" ;;
    *) echo "usage: $0 start|stop|stop-all|status" >&2; exit 2 ;;
esac
