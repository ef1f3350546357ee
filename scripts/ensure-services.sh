#!/usr/bin/env bash
# Makes sure PostgreSQL (with the extensions we need) and Redis are running,
# and that the application database exists. Idempotent and quiet when all is
# well; prints one short line per action it takes. Safe from any cwd.
#
# Environment:
#   DATABASE_URL  use this PostgreSQL server (only checked, never started/created)
#   REDIS_URL     use this Redis server (only checked, never started)
#   HH_DB_NAME    database to create on the local server (default helpende_handen)
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
WAIT_SECONDS=30
DB_NAME="${HH_DB_NAME:-helpende_handen}"
REQUIRED_EXTENSIONS=(pg_trgm unaccent cube earthdistance btree_gist btree_gin)
# Written before this script installs PostgreSQL; while it exists, pg_hba.conf
# gets our trust lines (so an interrupted run finishes the job next time).
PG_INSTALL_MARKER=/var/lib/postgresql/.installed-by-hh-ensure-services

export PGCONNECT_TIMEOUT=5
export DEBIAN_FRONTEND=noninteractive

say() { echo "ensure-services: $*"; }
die() { echo "ensure-services: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif have sudo; then sudo -n "$@"
    else die "need root to run: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    have apt-get || die "apt-get not found; install manually: $*"
    local log
    log="$(mktemp)"
    if [ "$APT_UPDATED" -eq 0 ]; then
        if ! as_root apt-get update -qq >"$log" 2>&1; then
            cat "$log" >&2; rm -f "$log"; die "apt-get update failed"
        fi
        APT_UPDATED=1
    fi
    say "installing $* (apt-get)"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"; die "apt-get install $* failed"
    fi
    rm -f "$log"
}

# ---------------------------------------------------------------- PostgreSQL

local_pg_ready() {
    if have pg_isready; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
    elif have psql; then
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc 'select 1' >/dev/null 2>&1
    else
        return 1
    fi
}

wait_local_pg() {
    local i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        local_pg_ready && return 0
        sleep 1
    done
    return 1
}

# Prints "VERSION CLUSTER" of the cluster to start: the one on $PG_PORT if
# any, else the newest one.
pick_cluster() {
    local ver name port rest
    if have pg_lsclusters; then
        local fallback=""
        while read -r ver name port rest; do
            [ -n "${ver:-}" ] || continue
            if [ "$port" = "$PG_PORT" ]; then echo "$ver $name"; return 0; fi
            fallback="$ver $name"
        done < <(pg_lsclusters -h 2>/dev/null | sort -V)
        [ -n "$fallback" ] && { echo "$fallback"; return 0; }
    fi
    local conf
    conf="$(printf '%s\n' /etc/postgresql/*/*/postgresql.conf | sort -V | tail -n 1)"
    [ -f "$conf" ] || return 1
    name="$(basename "$(dirname "$conf")")"
    ver="$(basename "$(dirname "$(dirname "$conf")")")"
    echo "$ver $name"
}

have_pg_cluster() { pick_cluster >/dev/null 2>&1; }

start_pg_cluster() {
    local ver name
    read -r ver name < <(pick_cluster) || die "no PostgreSQL cluster found under /etc/postgresql"
    if as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" status >/dev/null 2>&1; then
        return 0   # running (maybe still starting up)
    fi
    say "starting PostgreSQL $ver/$name"
    if ! as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start; then
        local logf="/var/log/postgresql/postgresql-$ver-$name.log"
        [ -r "$logf" ] && tail -n 20 "$logf" >&2
        die "could not start PostgreSQL $ver/$name"
    fi
}

# Trust TCP logins from loopback for user postgres, only on a cluster this
# script installed itself. First matching pg_hba.conf line wins, so prepend.
configure_fresh_pg_hba() {
    [ -e "$PG_INSTALL_MARKER" ] || return 0
    local ver name hba
    read -r ver name < <(pick_cluster) || return 0
    hba="/etc/postgresql/$ver/$name/pg_hba.conf"
    [ -f "$hba" ] || die "missing $hba"
    if ! grep -q 'hh-ensure-services' "$hba"; then
        say "allowing trust auth for $PG_USER from 127.0.0.1 in $hba"
        local tmp
        tmp="$(mktemp)"
        {
            echo "# added by helpende-handen scripts/ensure-services.sh (hh-ensure-services)"
            echo "host    all    $PG_USER    127.0.0.1/32    trust"
            echo "host    all    $PG_USER    ::1/128         trust"
            cat "$hba"
        } >"$tmp"
        as_root cp "$tmp" "$hba"
        rm -f "$tmp"
        as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload >/dev/null 2>&1 || true
    fi
    as_root rm -f "$PG_INSTALL_MARKER"
}

ensure_local_postgres() {
    if ! local_pg_ready; then
        if ! have_pg_cluster; then
            say "PostgreSQL not installed"
            as_root mkdir -p "$(dirname "$PG_INSTALL_MARKER")"
            as_root touch "$PG_INSTALL_MARKER"
            apt_install postgresql postgresql-contrib
            have_pg_cluster || die "PostgreSQL installed but no cluster under /etc/postgresql"
        fi
        start_pg_cluster
        wait_local_pg || die "PostgreSQL on $PG_HOST:$PG_PORT not ready after ${WAIT_SECONDS}s"
    fi
    configure_fresh_pg_hba
    have psql || apt_install postgresql-client
    psql_local -d postgres -c 'select 1' >/dev/null 2>&1 \
        || die "cannot log in to PostgreSQL on $PG_HOST:$PG_PORT as $PG_USER (trust auth expected)"
}

psql_local() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -At "$@"; }
psql_target() {
    if [ -n "${DATABASE_URL:-}" ]; then psql -X -q -v ON_ERROR_STOP=1 -At -d "$DATABASE_URL" "$@"
    else psql_local -d postgres "$@"
    fi
}

ensure_remote_postgres() {
    have psql || apt_install postgresql-client
    local ok=1
    if have pg_isready; then
        pg_isready -q -d "$DATABASE_URL" -t 5 || ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        psql -X -q -At -d "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1 || ok=0
    fi
    [ "$ok" -eq 1 ] || die "PostgreSQL at DATABASE_URL is not reachable (or login failed)"
}

missing_extensions() {
    local avail ext missing=()
    avail="$(psql_target -c "select name from pg_available_extensions")" \
        || die "could not list pg_available_extensions"
    for ext in "${REQUIRED_EXTENSIONS[@]}"; do
        grep -qx "$ext" <<<"$avail" || missing+=("$ext")
    done
    echo "${missing[*]:-}"
}

ensure_extensions() {
    local missing
    missing="$(missing_extensions)"
    [ -z "$missing" ] && return 0
    if [ -n "${DATABASE_URL:-}" ]; then
        die "PostgreSQL at DATABASE_URL lacks extensions: $missing (install postgresql-contrib there)"
    fi
    say "PostgreSQL extensions missing: $missing"
    apt_install postgresql-contrib
    missing="$(missing_extensions)"
    [ -z "$missing" ] || die "PostgreSQL extensions still missing after installing postgresql-contrib: $missing"
}

ensure_database() {
    [ -n "${DATABASE_URL:-}" ] && return 0
    local exists
    exists="$(psql_local -d postgres -v name="$DB_NAME" <<'SQL'
select 1 from pg_database where datname = :'name';
SQL
)" || die "could not query databases"
    [ "$exists" = "1" ] && return 0
    say "creating database $DB_NAME"
    if ! psql_local -d postgres -v name="$DB_NAME" >/dev/null <<'SQL'
select format('create database %I', :'name') \gexec
SQL
    then
        # Another run may have created it concurrently.
        exists="$(psql_local -d postgres -v name="$DB_NAME" <<'SQL'
select 1 from pg_database where datname = :'name';
SQL
)" || true
        [ "$exists" = "1" ] || die "could not create database $DB_NAME"
    fi
}

# --------------------------------------------------------------------- Redis

redis_cli() { timeout 5 redis-cli --no-auth-warning "$@" 2>/dev/null; }

local_redis_ready() {
    [ "$(redis_cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping || true)" = "PONG" ]
}

ensure_redis() {
    if [ -n "${REDIS_URL:-}" ]; then
        have redis-cli || apt_install redis-tools
        [ "$(redis_cli -u "$REDIS_URL" ping || true)" = "PONG" ] \
            || die "Redis at REDIS_URL does not answer PING"
        return 0
    fi
    if have redis-cli && local_redis_ready; then return 0; fi
    if ! have redis-server; then
        say "Redis not installed"
        apt_install redis-server
        # The package's init script may already have started it.
        local_redis_ready && return 0
    fi
    have redis-cli || apt_install redis-tools
    if ! local_redis_ready; then
        say "starting Redis on $REDIS_HOST:$REDIS_PORT"
        (cd / && redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
            --save "" --appendonly no >/dev/null) || die "could not start redis-server"
    fi
    local i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        local_redis_ready && return 0
        sleep 1
    done
    die "Redis on $REDIS_HOST:$REDIS_PORT does not answer PING after ${WAIT_SECONDS}s"
}

# ---------------------------------------------------------------------- main

if [ -n "${DATABASE_URL:-}" ]; then
    ensure_remote_postgres
else
    ensure_local_postgres
fi
ensure_extensions
ensure_database
ensure_redis
