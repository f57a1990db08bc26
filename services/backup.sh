#!/usr/bin/env bash
# Backups of a catalog: its database, its uploaded files and a manifest; and their restore.
#
# Usage: services/backup.sh backup [DIR]    (default DIR: .state/backups/<UTC time>)
#        services/backup.sh restore [DIR]   (default: the newest backup in .state/backups)
#   HUEYAPAN_CKAN_INI      the configuration whose catalog is copied or replaced (default ckan.ini)
#   HUEYAPAN_RESTORE_YES   1: restore without asking (scripts); otherwise a restore run in a
#                          terminal asks first, and one of ckan.ini outside a terminal refuses
#
# A backup holds:
#   base-de-datos.dump      pg_dump --format=custom of the database (every table of CKAN and plugins)
#   almacenamiento.tar.gz   the storage folder (ckan.storage_path): resource files, images of
#                           organizations and users, proposals' files; not the export cache
#   manifiesto.json         date, git commit, CKAN version, counts, sha256 and size of each file
# The dump comes from one snapshot of the database, and the counts of the manifest from that same
# snapshot; the files are copied after the dump, so every file the dump refers to is in the copy
# (a file replaced in between is copied in its newer version), while the catalog keeps running.
#
# A restore checks the manifest and the checksums before it touches anything, stops CKAN and the
# harvest workers of ckan.ini (only for ckan.ini), restores the dump into a new database and checks
# that it holds what the manifest counted, unpacks the files beside the storage folder, then swaps
# both in, keeping the previous database and folder aside; it runs `ckan db upgrade`, empties the
# queues (they name objects of the replaced database), refreshes the cached figures, rebuilds the
# search index and checks that it holds every dataset. Only then are the previous ones deleted; on
# any failure they are put back. The workers it stopped are started again.
source "$(dirname "$0")/lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
PY="$VENV_DIR/bin/python"
CKAN="$VENV_DIR/bin/ckan"
INI="${HUEYAPAN_CKAN_INI:-ckan.ini}"
[[ "$INI" == /* ]] || INI="$REPO_DIR/$INI"
BACKUPS_DIR="$STATE_DIR/backups"
LOG="$STATE_DIR/log/backup.log"
DUMP=base-de-datos.dump
FILES=almacenamiento.tar.gz
MANIFEST=manifiesto.json
# Derived from the database, rebuilt on demand: not copied (see ckanext/hueyapan/hojas/exportar.py)
EXCLUDED=hueyapan-exportaciones

# The Python half: configuration, the dump from one exported snapshot, counts, manifest, checks.
# Each command prints its result on stdout; on failure one line with the reason on stderr, exit 2.
read -r -d '' HELPER <<'PY' || true
import hashlib, json, os, shlex, subprocess, sys, tarfile, time, urllib.parse, urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
DUMP, FILES, MANIFEST = "base-de-datos.dump", "almacenamiento.tar.gz", "manifiesto.json"
FORMAT = 1
# Counted in the backup's snapshot, and again in the database restored from the dump
_ACTIVE = "state <> 'deleted'"
COUNTS = {  # name: (table, query)
    "conjuntos_de_datos": ("package", f"SELECT count(*) FROM package WHERE {_ACTIVE} AND type <> 'harvest'"),
    "conjuntos_borrados": ("package", "SELECT count(*) FROM package WHERE state = 'deleted'"),
    "fuentes_de_cosecha": ("package", f"SELECT count(*) FROM package WHERE {_ACTIVE} AND type = 'harvest'"),
    "recursos": ("resource", f"SELECT count(*) FROM resource WHERE {_ACTIVE}"),
    "actividades": ("activity", "SELECT count(*) FROM activity"),
    "usuarios": ('"user"', f'SELECT count(*) FROM "user" WHERE {_ACTIVE}'),
    "organizaciones": ('"group"', f'SELECT count(*) FROM "group" WHERE is_organization AND {_ACTIVE}'),
    "comunidades": ("hueyapan_comunidad", "SELECT count(*) FROM hueyapan_comunidad"),
    "propuestas": ("hueyapan_propuesta", "SELECT count(*) FROM hueyapan_propuesta"),
}


class Failure(Exception):
    pass


def settings(ini):
    """What CKAN itself reads: `use = config:` includes and %(here)s resolved by CKAN's loader,
    then the environment variables CKAN lets override these options."""
    from ckan.cli import load_config
    from sqlalchemy.engine import make_url

    if not os.path.isfile(ini):
        raise Failure(f"configuration file {ini} not found (HUEYAPAN_CKAN_INI)")
    conf = load_config(ini)
    url = os.environ.get("CKAN_SQLALCHEMY_URL") or conf.get("sqlalchemy.url")
    storage = os.environ.get("CKAN_STORAGE_PATH") or conf.get("ckan.storage_path")
    if not url or not storage:
        raise Failure(f"{ini} names no sqlalchemy.url or no ckan.storage_path")
    url = make_url(url)
    return {
        "DB_HOST": url.host or "127.0.0.1", "DB_PORT": str(url.port or 5432),
        "DB_USER": url.username or "", "DB_PASSWORD": url.password or "",
        "DB_NAME": url.database or "", "STORAGE": os.path.abspath(storage),
        "SITE_ID": os.environ.get("CKAN_SITE_ID") or conf.get("ckan.site_id") or "default",
        "SOLR_URL": os.environ.get("CKAN_SOLR_URL") or conf.get("solr_url") or "",
    }


def connect():
    import psycopg2

    try:
        return psycopg2.connect(host=os.environ["DB_HOST"], port=os.environ["DB_PORT"],
                                user=os.environ["DB_USER"], password=os.environ["DB_PASSWORD"],
                                dbname=os.environ["DB_NAME"], connect_timeout=10)
    except psycopg2.Error as error:
        raise Failure(str(error).strip().splitlines()[0])


def counts(cursor):
    found = {}
    for key, (table, query) in COUNTS.items():
        cursor.execute("SELECT to_regclass(%s)", (f"public.{table}",))
        if cursor.fetchone()[0] is None:
            found[key] = None  # the plugin that owns the table was never migrated
            continue
        cursor.execute(query)
        found[key] = cursor.fetchone()[0]
    return found


def cmd_config(ini):
    for key, value in settings(ini).items():
        print(f"{key}={shlex.quote(value)}")


def cmd_dump(out):
    """pg_dump from a snapshot this transaction exports, and the counts of the same snapshot."""
    conn = connect()
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    cursor = conn.cursor()
    cursor.execute("SELECT pg_export_snapshot()")
    snapshot = cursor.fetchone()[0]
    done = subprocess.run(
        [f"{PG_BIN}/pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-password",
         "-h", os.environ["DB_HOST"], "-p", os.environ["DB_PORT"], "-U", os.environ["DB_USER"],
         "-f", out, os.environ["DB_NAME"]],
        env={**os.environ, "PGPASSWORD": os.environ["DB_PASSWORD"]}, capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure("pg_dump: " + (done.stderr.strip().splitlines() or ["failed"])[-1])
    found = counts(cursor)
    conn.rollback()
    print(json.dumps(found))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cmd_manifest(folder, ini, found, commit, ckan_version):
    files = stored = 0
    with tarfile.open(os.path.join(folder, FILES)) as archive:
        for member in archive:
            if member.isfile():
                files += 1
                stored += member.size
    manifest = {
        "formato": FORMAT,
        "fecha": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": commit, "ckan": ckan_version,
        "configuracion": ini, "base_de_datos": os.environ["DB_NAME"],
        "almacenamiento": os.environ["STORAGE"],
        "conteos": {**json.loads(found), "archivos": files, "bytes_de_archivos": stored},
        "archivos": {name: {"sha256": sha256(os.path.join(folder, name)),
                            "bytes": os.path.getsize(os.path.join(folder, name))}
                     for name in (DUMP, FILES)},
    }
    with open(os.path.join(folder, MANIFEST), "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
    c = manifest["conteos"]
    print(f"{c['conjuntos_de_datos']} datasets, {c['recursos']} resources, {c['archivos']} files, "
          f"{c['actividades']} activities")


def cmd_verify(folder, installed):
    """The manifest is readable, names both files, and each file has its size and sha256."""
    from packaging.version import InvalidVersion, Version

    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as stream:
            manifest = json.load(stream)
        listed = manifest["archivos"]
        made_with = manifest["ckan"]
        c = manifest["conteos"]
        summary = (f"{manifest['fecha']}, commit {manifest['commit']}, CKAN {made_with}: "
                   f"{c['conjuntos_de_datos']} datasets, {c['recursos']} resources, "
                   f"{c['archivos']} files, {c['actividades']} activities")
    except FileNotFoundError:
        raise Failure(f"{folder} has no {MANIFEST}: it is not a backup, or an unfinished one")
    except (ValueError, KeyError, TypeError) as error:
        raise Failure(f"{MANIFEST} is damaged ({error.__class__.__name__}: {error})")
    if manifest.get("formato") != FORMAT:
        raise Failure(f"{MANIFEST} has format {manifest.get('formato')!r}; this script reads {FORMAT}")
    for name in (DUMP, FILES):
        path = os.path.join(folder, name)
        entry = listed.get(name) if isinstance(listed, dict) else None
        if not isinstance(entry, dict) or not os.path.isfile(path):
            raise Failure(f"{name} is missing")
        if os.path.getsize(path) != entry.get("bytes") or sha256(path) != entry.get("sha256"):
            raise Failure(f"{name} does not match the sha256 of the manifest")
    try:
        if Version(made_with) > Version(installed):
            raise Failure(f"it was made with CKAN {made_with}, newer than the installed {installed}")
    except InvalidVersion:
        raise Failure(f"{MANIFEST} names an unknown CKAN version {made_with!r}")
    print(summary)


def cmd_check(folder):
    """The database restored from the dump holds what the manifest counted."""
    with open(os.path.join(folder, MANIFEST), encoding="utf-8") as stream:
        expected = json.load(stream)["conteos"]
    conn = connect()
    found = counts(conn.cursor())
    conn.close()
    wrong = [f"{key} {found[key]} instead of {expected.get(key)}" for key in COUNTS
             if found[key] != expected.get(key)]
    if wrong:
        raise Failure("the restored dump holds " + ", ".join(wrong))


def cmd_index():
    """Solr holds one document per dataset that is not deleted (what `search-index rebuild` indexes)."""
    conn = connect()
    cursor = conn.cursor()
    cursor.execute("SELECT count(*) FROM package WHERE state <> 'deleted'")
    expected = cursor.fetchone()[0]
    conn.close()
    query = urllib.parse.urlencode({"q": "*:*", "fq": f'+site_id:"{os.environ["SITE_ID"]}"',
                                    "rows": 0, "wt": "json"})
    indexed = None
    for _ in range(20):  # the rebuild's commit becomes visible within a second or two
        with urllib.request.urlopen(f"{os.environ['SOLR_URL']}/select?{query}", timeout=30) as answer:
            indexed = json.load(answer)["response"]["numFound"]
        if indexed == expected:
            print(indexed)
            return
        time.sleep(1)
    raise Failure(f"the search index holds {indexed} datasets, the database {expected}")


def cmd_invalidate(ini):
    """Cached figures and exports belong to the replaced database: count one more change."""
    from ckan.cli import load_config
    from ckan.common import config

    config.update(load_config(ini))
    from ckanext.hueyapan.paginas import cifras

    cifras.invalidate()


try:
    globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
except Failure as failure:
    print(failure, file=sys.stderr)
    sys.exit(2)
PY

# helper COMMAND ARGS...: run a Python command (often inside $(...)); `reason` prints why it failed.
HELPER_ERR="$STATE_DIR/run/backup-$$.err"
helper() {
    local rc=0
    "$PY" -c "$HELPER" "$@" 2>"$HELPER_ERR" || rc=$?
    cat "$HELPER_ERR" >>"$LOG"
    return "$rc"
}
reason() { grep -v '^[[:space:]]*$' "$HELPER_ERR" 2>/dev/null | tail -n 1; }

# load_settings SERVICE: DB_*, STORAGE, SITE_ID and SOLR_URL of $INI, exported for the helper.
load_settings() {
    [[ -x "$PY" ]] || die "$1" "$PY is missing (run 'make install')"
    local assignments
    assignments=$(helper config "$INI") || die "$1" "cannot read the configuration ($(reason))"
    eval "$assignments"
    export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME STORAGE SITE_ID SOLR_URL
    [[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]{0,40}$ ]] || die "$1" "unexpected database name '$DB_NAME' in $INI"
}

# lock SERVICE: one backup or restore of a database at a time.
lock() {
    exec 9>"$STATE_DIR/run/backup-$DB_NAME.lock"
    flock -n 9 || die "$1" "another backup or restore of database $DB_NAME is running"
}

ckan_cli() { "$CKAN" -c "$INI" "$@" >>"$LOG" 2>&1; }
stamp() { echo "=== $(date -u '+%F %T') UTC $*" >>"$LOG"; }

# --- backup ---------------------------------------------------------------------------------------

PARTIAL=""
cmd_backup() {
    load_settings backup
    lock backup
    local dir="${1:-$BACKUPS_DIR/$(date -u +%Y%m%dT%H%M%SZ)}"
    [[ "$dir" == /* ]] || dir="$PWD/$dir"
    if [[ -e "$dir" ]] && [[ -n "$(ls -A "$dir" 2>/dev/null)" ]]; then
        die backup "$dir already exists and is not empty"
    fi
    stamp "backup of $DB_NAME ($INI) into $dir"
    PGPASSWORD="$DB_PASSWORD" "$PG_BIN/pg_isready" -q -h "$DB_HOST" -p "$DB_PORT" \
        || die backup "PostgreSQL is not answering on $DB_HOST:$DB_PORT (start it: make up)"
    umask 077   # the copy holds personal data: users' e-mails, proposals' contact data
    mkdir -p "$dir" || die backup "cannot create $dir"
    PARTIAL="$dir"   # removed by the exit trap unless the backup is complete
    # Room for the files and the (compressed, usually much smaller) database
    local need_mb free_mb
    need_mb=$(( $( (du -sm "$STORAGE" 2>/dev/null || echo 0) | awk '{print $1}') + 10 ))
    free_mb=$(df -Pm "$dir" | awk 'NR==2 {print $4}')
    (( free_mb > need_mb )) || die backup "only ${free_mb} MB free on the disk of $dir; about ${need_mb} MB needed"

    info "backup: database $DB_NAME"
    local found
    found=$(helper dump "$dir/$DUMP") || die backup "the database could not be dumped ($(reason))"

    info "backup: files of $STORAGE"
    if [[ -d "$STORAGE" ]]; then
        # GNU tar exits 1 when a file changed while it was read (an upload in progress): once more
        local rc=1 attempt
        for attempt in 1 2 3; do
            rc=0
            tar -C "$STORAGE" --exclude="./$EXCLUDED" -czf "$dir/$FILES" . >>"$LOG" 2>&1 || rc=$?
            (( rc == 1 )) || break
        done
        (( rc == 0 )) || die backup "tar of $STORAGE failed with status $rc (see $LOG)"
    else
        info "backup: $STORAGE does not exist: no files to copy"
        tar -czf "$dir/$FILES" -T /dev/null
    fi

    local commit ckan_version summary
    commit=$(git -C "$REPO_DIR" rev-parse HEAD 2>/dev/null || echo unknown)
    if [[ -n "$(git -C "$REPO_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
        commit="$commit+changes"
    fi
    ckan_version=$("$PY" -c 'import ckan; print(ckan.__version__)')
    summary=$(helper manifest "$dir" "$INI" "$found" "$commit" "$ckan_version") \
        || die backup "the manifest could not be written ($(reason))"
    PARTIAL=""
    info "backup: $summary"
    echo "$dir"
}

# --- restore --------------------------------------------------------------------------------------

# As the cluster's owner (the 'postgres' system user, like services/test-stores.sh)
psql_admin() {
    runuser -u postgres -- "$PG_BIN/psql" -h "$STATE_DIR/postgres/run" -p "$PG_PORT" -d postgres \
        -v ON_ERROR_STOP=1 -qtA "$@"
}
db_exists() { [[ -n "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" ]]; }

# rename_db FROM TO: nobody may be connected to a database that is renamed.
rename_db() {
    local attempt
    for attempt in 1 2 3 4 5; do
        if psql_admin >>"$LOG" 2>&1 <<SQL
SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
 WHERE datname = '$1' AND pid <> pg_backend_pid();
ALTER DATABASE "$1" RENAME TO "$2";
SQL
        then return 0; fi
        sleep 1
    done
    return 1
}

drop_db() {
    psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >>"$LOG" 2>&1
}

is_catalog() { [[ "$(realpath "$INI")" == "$(realpath "$REPO_DIR/ckan.ini")" ]]; }

# What the restore changed so far, for the exit trap: nothing | prepared | swapped | done
PHASE=nothing
RESTARTS=()
NEW_DB="" OLD_DB="" NEW_STORAGE="" OLD_STORAGE=""
HAD_DB=0 HAD_STORAGE=0 INDEX_CLEARED=0

# rollback: put the previous database and folder back in place, drop what was restored.
rollback() {
    if [[ "$PHASE" == swapped ]]; then
        info "restore: putting the previous database and files back"
        if (( HAD_DB )) && db_exists "$OLD_DB"; then
            if db_exists "$DB_NAME"; then rename_db "$DB_NAME" "$NEW_DB"; fi
            rename_db "$OLD_DB" "$DB_NAME" \
                || info "restore: could not rename $OLD_DB back to $DB_NAME: do it by hand (see $LOG)"
        elif (( ! HAD_DB )) && db_exists "$DB_NAME"; then
            rename_db "$DB_NAME" "$NEW_DB"
        fi
        if (( HAD_STORAGE )) && [[ -e "$OLD_STORAGE" ]]; then
            rm -rf "$STORAGE" && mv "$OLD_STORAGE" "$STORAGE"
        elif (( ! HAD_STORAGE )); then
            rm -rf "$STORAGE"
        fi
        if (( INDEX_CLEARED )); then
            ckan_cli search-index rebuild -q \
                || info "restore: the search index could not be rebuilt: run '$CKAN -c $INI search-index rebuild'"
        fi
    fi
    drop_db "$NEW_DB"
    rm -rf "$NEW_STORAGE"
}

on_exit() {
    local rc=$?
    set +e
    if [[ -n "$PARTIAL" ]]; then rm -rf "$PARTIAL"; fi
    if [[ "$PHASE" == prepared || "$PHASE" == swapped ]]; then rollback; fi
    local service
    for service in "${RESTARTS[@]}"; do
        info "restore: starting $service again"
        case "$service" in
            ckan) HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/ckan.sh" start ;;
            harvest) HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/harvest.sh" start ;;
        esac
    done
    rm -f "$HELPER_ERR"
    exit "$rc"
}
trap on_exit EXIT

# newest_backup: the newest folder of .state/backups with a manifest.
newest_backup() {
    local manifest
    manifest=$(ls -1 "$BACKUPS_DIR"/*/"$MANIFEST" 2>/dev/null | sort | tail -n 1)
    [[ -n "$manifest" ]] || die restore "no backup in $BACKUPS_DIR (make one with: make backup)"
    dirname "$manifest"
}

cmd_restore() {
    local dir="${1:-}"
    if [[ -z "$dir" ]]; then dir=$(newest_backup) || exit 1; fi
    [[ "$dir" == /* ]] || dir="$PWD/$dir"
    [[ -d "$dir" ]] || die restore "backup folder $dir not found"
    load_settings restore
    local summary installed
    installed=$("$PY" -c 'import ckan; print(ckan.__version__)')
    summary=$(helper verify "$dir" "$installed") \
        || die restore "the backup in $dir is damaged or unusable: $(reason) (nothing was changed)"
    info "restore: backup of $summary"

    [[ "$DB_HOST" == 127.0.0.1 || "$DB_HOST" == localhost ]] && [[ "$DB_PORT" == "$PG_PORT" ]] \
        || die restore "the database of $INI is not on the project's PostgreSQL (127.0.0.1:$PG_PORT)"
    [[ "$STORAGE" != / && "$STORAGE" != "$REPO_DIR" && "$STORAGE" != "$STATE_DIR" ]] \
        || die restore "refusing to replace $STORAGE as the storage folder"
    if [[ "${HUEYAPAN_RESTORE_YES:-}" != 1 ]]; then
        if [[ -t 0 ]]; then
            local answer
            read -r -p "Esto reemplaza la base de datos $DB_NAME y los archivos de $STORAGE con la copia de $dir. ¿Continuar? [s/N] " answer
            [[ "$answer" == [sSyY]* ]] || { echo "Cancelado; no se cambió nada."; exit 0; }
        elif is_catalog; then
            die restore "refusing to replace the catalog of ckan.ini without a confirmation (run it in a terminal, or set HUEYAPAN_RESTORE_YES=1)"
        fi
    fi

    lock restore
    NEW_DB="${DB_NAME}_restaurando" OLD_DB="${DB_NAME}_anterior"
    NEW_STORAGE="${STORAGE%/}.restaurando" OLD_STORAGE="${STORAGE%/}.anterior"
    db_exists "$OLD_DB" && die restore "database $OLD_DB is left from an interrupted restore: check it and drop it first"
    [[ -e "$OLD_STORAGE" ]] && die restore "$OLD_STORAGE is left from an interrupted restore: check it and remove it first"
    need_disk restore $(( ($(stat -c %s "$dir/$FILES") * 3 + $(stat -c %s "$dir/$DUMP") * 5) / 1048576 + 50 ))
    stamp "restore of $dir into $DB_NAME ($INI)"

    if is_catalog; then
        if HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/harvest.sh" status >/dev/null 2>&1; then
            RESTARTS+=(harvest)
        fi
        if HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/ckan.sh" status >/dev/null 2>&1; then
            RESTARTS=(ckan "${RESTARTS[@]}")
        fi
        info "restore: stopping the harvest workers and CKAN of ckan.ini"
        HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/harvest.sh" stop
        HUEYAPAN_CKAN_INI="$INI" bash "$REPO_DIR/services/ckan.sh" stop
    fi

    PHASE=prepared
    info "restore: database into a new database $NEW_DB"
    drop_db "$NEW_DB" || die restore "could not drop the leftover database $NEW_DB (see $LOG)"
    psql_admin -c "CREATE DATABASE \"$NEW_DB\" OWNER \"$DB_USER\" ENCODING 'UTF8' TEMPLATE template0" >>"$LOG" 2>&1 \
        || die restore "could not create database $NEW_DB (see $LOG)"
    PGPASSWORD="$DB_PASSWORD" "$PG_BIN/pg_restore" --no-password -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" \
        -d "$NEW_DB" --no-owner --no-acl --exit-on-error --single-transaction "$dir/$DUMP" >>"$LOG" 2>&1 \
        || die restore "pg_restore failed (see $LOG)"
    # Before CKAN runs on it (CKAN adds its site user to a database that lacks one)
    DB_NAME="$NEW_DB" helper check "$dir" || die restore "$(reason) (nothing was changed)"
    info "restore: files into $NEW_STORAGE"
    rm -rf "$NEW_STORAGE"
    mkdir -p "$NEW_STORAGE"
    tar -C "$NEW_STORAGE" -xzf "$dir/$FILES" >>"$LOG" 2>&1 || die restore "could not unpack $FILES (see $LOG)"

    info "restore: swapping in the restored database and files (the previous ones stay aside)"
    if db_exists "$DB_NAME"; then HAD_DB=1; fi
    if [[ -e "$STORAGE" ]]; then HAD_STORAGE=1; fi
    PHASE=swapped
    if (( HAD_DB )); then
        rename_db "$DB_NAME" "$OLD_DB" || die restore "could not set database $DB_NAME aside (see $LOG)"
    fi
    rename_db "$NEW_DB" "$DB_NAME" || die restore "could not rename $NEW_DB to $DB_NAME (see $LOG)"
    if (( HAD_STORAGE )); then
        mv "$STORAGE" "$OLD_STORAGE" || die restore "could not set $STORAGE aside"
    fi
    mv "$NEW_STORAGE" "$STORAGE" || die restore "could not move $NEW_STORAGE to $STORAGE"

    info "restore: migrations, queues, cached figures"
    ckan_cli db upgrade || die restore "ckan db upgrade failed on the restored database (see $LOG)"
    ckan_cli harvester purge-queues || die restore "could not empty the harvest queues (see $LOG)"
    ckan_cli jobs clear || die restore "could not empty the background job queues (see $LOG)"
    helper invalidate "$INI" || die restore "could not refresh the cached figures ($(reason))"

    info "restore: rebuilding the search index"
    INDEX_CLEARED=1
    ckan_cli search-index clear || die restore "could not empty the search index (see $LOG)"
    ckan_cli search-index rebuild -q || die restore "search index rebuild failed (see $LOG)"
    local indexed
    indexed=$(helper index) || die restore "$(reason)"

    PHASE=done
    drop_db "$OLD_DB" || info "restore: could not drop the previous database $OLD_DB (see $LOG)"
    rm -rf "$OLD_STORAGE"
    info "restore: done: $DB_NAME and $STORAGE hold the backup of $summary; $indexed datasets indexed"
}

case "${1:-}" in
    backup) cmd_backup "${2:-}" ;;
    restore) cmd_restore "${2:-}" ;;
    *) echo "usage: $0 backup [DIR] | restore [DIR]" >&2; exit 2 ;;
esac
