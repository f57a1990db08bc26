#!/usr/bin/env bash
# Installs what the catalog needs on a Debian 12 machine, idempotently and quickly when warm:
# system packages (only the missing ones), the Solr server's Maven artifacts, a Python virtual
# environment with the pinned requirements and this package, and axe-core and pyright from npm
# (tests, make lint).
source "$(dirname "$0")/lib.sh"

# Debian packages, each with the command or file that proves it is there.
declare -A DEBIAN_PACKAGES=(
    [postgresql-15]=/usr/lib/postgresql/15/bin/initdb
    [redis-server]=/usr/bin/redis-server
    [redis-tools]=/usr/bin/redis-cli
    [openjdk-17-jdk-headless]=/usr/bin/javac
    [maven]=/usr/bin/mvn
    [curl]=/usr/bin/curl
    [python3-venv]=python-venv
    [python3-dev]=python-dev
    [libpq-dev]=/usr/bin/pg_config
    [build-essential]=/usr/bin/gcc
    [libmagic1]=/usr/lib/x86_64-linux-gnu/libmagic.so.1
    [chromium]=/usr/bin/chromium
    [chromium-driver]=/usr/bin/chromedriver
    [nodejs]=/usr/bin/node
    [npm]=/usr/bin/npm
    [wrk]=/usr/bin/wrk
)

python_bin() {
    local candidate
    for candidate in "${HUEYAPAN_PYTHON:-}" python3.11 python3; do
        [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null && { command -v "$candidate"; return; }
    done
}

have() {
    local package="$1" proof="$2" py
    case "$proof" in
        python-venv) py=$(python_bin); [[ -n "$py" ]] && "$py" -c 'import venv, ensurepip' 2>/dev/null ;;
        python-dev) py=$(python_bin); [[ -n "$py" ]] && [[ -f "$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]] ;;
        *) [[ -e "$proof" ]] ;;
    esac
}

install_debian_packages() {
    local missing=() package
    for package in "${!DEBIAN_PACKAGES[@]}"; do
        have "$package" "${DEBIAN_PACKAGES[$package]}" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    [[ $EUID -eq 0 ]] || die install "missing Debian packages (${missing[*]}); run as root or install them"
    info "install: Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || die install "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || die install "apt-get install ${missing[*]} failed"
}

# Re-run pip only when the requirement files or the package metadata changed.
install_python() {
    local py stamp want
    py=$(python_bin)
    [[ -n "$py" ]] || die install "Python 3 is missing (apt-get install python3)"
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die install "Python 3.10+ is needed, found $("$py" --version)"
    [[ -x "$VENV_DIR/bin/python" ]] || { info "install: virtual environment in $VENV_DIR"; "$py" -m venv "$VENV_DIR"; }
    stamp="$VENV_DIR/.hueyapan-installed"
    want=$(cat "$REPO_DIR/requirements.txt" "$REPO_DIR/dev-requirements.txt" "$REPO_DIR/pyproject.toml" | sha256sum | cut -d' ' -f1)
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        return 0
    fi
    info "install: Python packages (pinned in requirements.txt and dev-requirements.txt)"
    local log="$STATE_DIR/log/pip.log" pip=("$VENV_DIR/bin/pip" install --disable-pip-version-check)
    "${pip[@]}" -U pip==26.3 setuptools==84.2.1 wheel==0.48.0 >"$log" 2>&1 \
        || die install "pip could not upgrade itself (see $log)"
    "${pip[@]}" -r "$REPO_DIR/requirements.txt" -r "$REPO_DIR/dev-requirements.txt" >>"$log" 2>&1 \
        || die install "pip install of the requirements failed (see $log)"
    "${pip[@]}" --no-deps -e "$REPO_DIR" >>"$log" 2>&1 \
        || die install "pip install of ckanext-hueyapan failed (see $log)"
    echo "$want" >"$stamp"
}

# axe-core (accessibility checks of the browser tests) and pyright (make lint), pinned in
# package-lock.json; npm ci runs again only when the lock file changed.
install_node_tools() {
    local stamp="$REPO_DIR/node_modules/.hueyapan-installed" want log="$STATE_DIR/log/npm.log"
    want=$(sha256sum "$REPO_DIR/package-lock.json" | cut -d' ' -f1)
    [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && return 0
    info "install: axe-core and pyright for the tests (pinned in package-lock.json)"
    (cd "$REPO_DIR" && npm ci --no-audit --no-fund >"$log" 2>&1) \
        || die install "npm ci failed (see $log)"
    echo "$want" >"$stamp"
}

install_debian_packages
install_python
install_node_tools
bash "$REPO_DIR/services/solr.sh" install
