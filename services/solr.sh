#!/usr/bin/env bash
# Apache Solr 9 for ckanext-hueyapan (development, tests, single-machine demo).
#
# The real Solr server, from Maven Central artifacts (services/solr/pom.xml), run by
# our one-file launcher services/solr/HueyapanSolr.java on 127.0.0.1:$SOLR_PORT/solr
# with two cores: "ckan" (the catalog) and "ckan_test" (the test suite). Their conf
# comes from ckanext.hueyapan.busqueda.esquema_solr. Everything lives under .state/:
#   .state/solr/classpath.txt   resolved jars (from ~/.m2)
#   .state/solr/home/           Solr home: solr.xml, <core>/conf, <core>/data (the index)
#   .state/run/solr.pid         .state/log/solr.log
#
# Usage: services/solr.sh install|setup|start|stop|restart|status
#   install  check Java 17 and resolve the jars with Maven (only when the pom changed)
#   setup    (re)generate the Solr home and the cores' conf; keeps the index;
#            reloads changed cores when Solr is running
#   start    install + setup + start in the background, wait until both cores answer
#   stop     SIGTERM, then SIGKILL after 20 s
#   status   "solr: running on port N (Solr X)" (exit 0) or "solr: stopped" (exit 3)
# Environment: HUEYAPAN_SOLR_PORT (8983), HUEYAPAN_SOLR_HEAP (512m), and lib.sh's.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly SERVICE=solr
readonly SOLR_VERSION=9.10.1
readonly CORES=(ckan ckan_test)
readonly SOLR_SRC="$REPO_DIR/services/solr"
readonly POM="$SOLR_SRC/pom.xml"
readonly LAUNCHER="$SOLR_SRC/HueyapanSolr.java"
readonly SOLR_STATE="$STATE_DIR/solr"
readonly SOLR_HOME="$SOLR_STATE/home"
readonly CLASSPATH_FILE="$SOLR_STATE/classpath.txt"
readonly POM_SUM_FILE="$SOLR_STATE/pom.sha256"
readonly PID_FILE="$STATE_DIR/run/solr.pid"
readonly LOG_FILE="$STATE_DIR/log/solr.log"
readonly INSTALL_LOG="$STATE_DIR/log/solr-install.log"
readonly SOLR_HEAP="${HUEYAPAN_SOLR_HEAP:-512m}"
readonly START_TIMEOUT=90
readonly STOP_TIMEOUT=20
readonly BASE_URL="http://127.0.0.1:$SOLR_PORT/solr"

# rel PATH: PATH relative to the repository, for messages.
rel() { printf '%s' "${1#"$REPO_DIR"/}"; }

# check_java: Java 17+ with its compiler (the source launcher compiles in memory).
check_java() {
    local hint="install openjdk-17-jdk-headless" version
    command -v java >/dev/null || die "$SERVICE" "Java 17 is missing ($hint)"
    version=$(java -XshowSettings:properties -version 2>&1 |
        awk -F' = ' '/java.specification.version/ {print $2}')
    version="${version#1.}"
    [[ "$version" =~ ^[0-9]+$ ]] || die "$SERVICE" "cannot tell the version of $(command -v java) ($hint)"
    ((version >= 17)) || die "$SERVICE" "Java $version is too old, Java 17 or newer is needed ($hint)"
    java --list-modules 2>/dev/null | grep -q '^jdk.compiler@' ||
        die "$SERVICE" "Java $version has no compiler, which the launcher needs (a JRE only; $hint)"
}

# classpath_complete: every jar of the resolved classpath is still in ~/.m2.
classpath_complete() {
    local jars jar
    [[ -s "$CLASSPATH_FILE" ]] || return 1
    IFS=: read -r -a jars <"$CLASSPATH_FILE" || true
    for jar in "${jars[@]}"; do
        [[ -f "$jar" ]] || return 1
    done
}

cmd_install() {
    check_java
    mkdir -p "$SOLR_STATE"
    local sum
    sum=$(sha256sum "$POM" | cut -d' ' -f1)
    if [[ -f "$POM_SUM_FILE" && "$(<"$POM_SUM_FILE")" == "$sum" ]] && classpath_complete; then
        return 0 # warm: no Maven, no network
    fi
    command -v mvn >/dev/null || die "$SERVICE" "Maven is missing, it fetches the Solr jars (install maven)"
    info "solr: resolving the Solr $SOLR_VERSION jars from Maven Central"
    if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:build-classpath \
        -Dmdep.outputFile="$CLASSPATH_FILE.tmp" >"$INSTALL_LOG" 2>&1; then
        tail -n 20 "$INSTALL_LOG" >&2
        die "$SERVICE" "Maven could not resolve the Solr jars (see $(rel "$INSTALL_LOG"))"
    fi
    mv "$CLASSPATH_FILE.tmp" "$CLASSPATH_FILE"
    printf '%s\n' "$sum" >"$POM_SUM_FILE"
    local count
    count=$(tr ':' '\n' <"$CLASSPATH_FILE" | grep -c .)
    info "solr: $count jars resolved"
}

# write_if_changed FILE CONTENT: write FILE only when its content differs.
write_if_changed() {
    if [[ ! -f "$1" || "$(<"$1")" != "$2" ]]; then
        printf '%s\n' "$2" >"$1"
    fi
}

# generate_conf CORE: write the core's conf from ckanext.hueyapan.busqueda.esquema_solr;
# true when some file changed. Files Solr may add to conf are left alone.
generate_conf() {
    local core="$1" conf="$SOLR_HOME/$1/conf" tmp errors file changed=1
    tmp=$(mktemp -d "$SOLR_STATE/conf.XXXXXX")
    if ! errors=$(PYTHONPATH="$REPO_DIR${PYTHONPATH:+:$PYTHONPATH}" \
        "$VENV_DIR/bin/python" -m ckanext.hueyapan.busqueda.esquema_solr "$tmp" 2>&1 >/dev/null); then
        rm -rf "$tmp"
        die "$SERVICE" "could not generate the conf of core $core ($(tail -n 1 <<<"$errors"))"
    fi
    mkdir -p "$conf"
    for file in "$tmp"/*; do
        if ! cmp -s "$file" "$conf/${file##*/}"; then
            cp "$file" "$conf/" || die "$SERVICE" "could not write $(rel "$conf")/${file##*/}"
            changed=0
        fi
    done
    rm -rf "$tmp"
    return "$changed"
}

cmd_setup() {
    [[ -x "$VENV_DIR/bin/python" ]] || die "$SERVICE" "no Python at $(rel "$VENV_DIR")/bin/python (create the venv first)"
    mkdir -p "$SOLR_HOME"
    write_if_changed "$SOLR_HOME/solr.xml" '<?xml version="1.0" encoding="UTF-8" ?>
<!-- Written by services/solr.sh. Cores are discovered from */core.properties. -->
<solr/>'
    local core changed=()
    for core in "${CORES[@]}"; do
        mkdir -p "$SOLR_HOME/$core/data"
        write_if_changed "$SOLR_HOME/$core/core.properties" "name=$core"
        if generate_conf "$core"; then
            changed+=("$core")
        fi
    done
    ((${#changed[@]})) || return 0
    info "solr: new conf for core(s) ${changed[*]}"
    # The catalog's documents were analysed by the old conf: services/ckan.sh init reindexes all
    # of them once (the test core is emptied by every test that needs it).
    [[ " ${changed[*]} " == *" ckan "* ]] && touch "$STATE_DIR/run/solr-ckan-reindex"
    if running_pid >/dev/null && http_ok "$BASE_URL/admin/info/system?wt=json" 2>/dev/null; then
        for core in "${changed[@]}"; do
            info "solr: reloading core $core"
            http_ok "$BASE_URL/admin/cores?action=RELOAD&core=$core" ||
                die "$SERVICE" "core $core did not reload with its new conf (see $(rel "$LOG_FILE"); restart solr)"
        done
    fi
}

# is_ours PID: PID is our launcher serving our Solr home.
is_ours() {
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
    [[ "$cmdline" == *HueyapanSolr.java*"$SOLR_HOME"* ]]
}

# running_pid: print the pid of our running Solr, from the pidfile, or else from
# the process listening on the port (a Solr of ours whose pidfile was lost).
running_pid() {
    local pid
    if pid_alive "$PID_FILE"; then
        pid=$(<"$PID_FILE")
        if is_ours "$pid"; then
            printf '%s\n' "$pid"
            return 0
        fi
    fi
    command -v ss >/dev/null || return 1
    pid=$(ss -ltnpH "sport = :$SOLR_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
    [[ -n "$pid" ]] && is_ours "$pid" && printf '%s\n' "$pid"
}

# cores_answer: every core answers its ping.
cores_answer() {
    local core
    for core in "${CORES[@]}"; do
        http_ok "$BASE_URL/$core/admin/ping" 2>/dev/null || return 1
    done
}

# wait_healthy PID: wait until both cores answer; false when PID dies or time runs out.
wait_healthy() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 1
        cores_answer && return 0
        sleep 1
    done
    return 1
}

# pid_gone PID: the process has ended.
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# terminate PID: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
terminate() {
    local pid="$1"
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! wait_for "$STOP_TIMEOUT" pid_gone "$pid"; then
        info "solr: pid $pid still running after ${STOP_TIMEOUT} s, killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_for 5 pid_gone "$pid" || true
    fi
}

cmd_start() {
    local pid
    if pid=$(running_pid); then
        printf '%s\n' "$pid" >"$PID_FILE"
        if cores_answer; then
            cmd_setup # a changed schema reaches the running cores
            info "solr: already running on port $SOLR_PORT (pid $pid)"
            return 0
        fi
        info "solr: pid $pid is running, waiting for its cores"
        wait_healthy "$pid" ||
            die "$SERVICE" "pid $pid runs but its cores do not answer on port $SOLR_PORT (see $(rel "$LOG_FILE"); try services/solr.sh restart)"
        info "solr: running on port $SOLR_PORT (pid $pid)"
        return 0
    fi
    rm -f "$PID_FILE"

    need_disk "$SERVICE" 500
    port_in_use "$SOLR_PORT" && die "$SERVICE" "port $SOLR_PORT is taken by another process (set HUEYAPAN_SOLR_PORT)"
    cmd_install
    cmd_setup

    local classpath started=$SECONDS
    classpath=$(<"$CLASSPATH_FILE")
    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    info "solr: starting Solr $SOLR_VERSION on 127.0.0.1:$SOLR_PORT (log in $(rel "$LOG_FILE"))"
    nohup java -Xms"$SOLR_HEAP" -Xmx"$SOLR_HEAP" \
        -XX:+ExitOnOutOfMemoryError \
        -Dfile.encoding=UTF-8 -Duser.timezone=UTC \
        -Dsolr.log.dir="$STATE_DIR/log" \
        -cp "$classpath" "$LAUNCHER" "$SOLR_HOME" "$SOLR_PORT" \
        >"$LOG_FILE" 2>&1 </dev/null 9>&- &  # 9: our lock, not Solr's
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"

    if ! wait_healthy "$pid"; then
        local why="did not answer on port $SOLR_PORT within $START_TIMEOUT s"
        pid_gone "$pid" && why="exited during start-up"
        terminate "$pid"
        rm -f "$PID_FILE"
        # The end of the log without Java stack frames: messages and causes.
        grep -v -E '^[[:space:]]+(at |\.\.\. [0-9]+ more)' "$LOG_FILE" | tail -n 15 >&2 || true
        die "$SERVICE" "$why (see $(rel "$LOG_FILE"))"
    fi
    info "solr: running on port $SOLR_PORT (pid $pid, cores ${CORES[*]}, ready in $((SECONDS - started)) s)"
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        rm -f "$PID_FILE"
        info "solr: not running"
        return 0
    fi
    info "solr: stopping pid $pid"
    terminate "$pid"
    pid_gone "$pid" || die "$SERVICE" "pid $pid did not stop"
    rm -f "$PID_FILE"
    info "solr: stopped"
}

cmd_status() {
    local pid version
    if pid=$(running_pid) &&
        version=$(curl -fsS --max-time 5 "$BASE_URL/admin/info/system?wt=json" |
            grep -o '"solr-spec-version" *: *"[^"]*"' | cut -d'"' -f4) && [[ -n "$version" ]]; then
        echo "solr: running on port $SOLR_PORT (Solr $version)"
        return 0
    fi
    if [[ -n "${pid:-}" ]]; then
        echo "solr: not answering on port $SOLR_PORT (pid $pid)"
    else
        echo "solr: stopped"
    fi
    return 3
}

# lock: one install/setup/start/stop at a time (e.g. parallel make targets).
lock() {
    exec 9>"$STATE_DIR/run/solr.lock"
    if command -v flock >/dev/null; then
        flock -w 180 9 || die "$SERVICE" "another services/solr.sh is still running after 180 s"
    fi
}

case "${1:-}" in
    install) lock && cmd_install ;;
    setup) lock && cmd_setup ;;
    start) lock && cmd_start ;;
    stop) lock && cmd_stop ;;
    restart) lock && cmd_stop && cmd_start ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 install|setup|start|stop|restart|status" >&2
        exit 2
        ;;
esac
