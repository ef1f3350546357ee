#!/usr/bin/env bash
# Makes sure node (>= 18) and npm exist, then runs `npm ci` in each given
# directory that holds a package.json, when its node_modules is missing or
# older than package.json / package-lock.json. Idempotent and quiet.
#
#   scripts/ensure-node.sh DIR...
set -euo pipefail

MIN_NODE_MAJOR=18
STAMP_NAME=.ensure-node.stamp

say() { echo "ensure-node: $*"; }
die() { echo "ensure-node: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif have sudo; then sudo -n "$@"
    else die "need root to run: $*"
    fi
}

apt_install() {
    have apt-get || die "apt-get not found; install manually: $*"
    local log
    log="$(mktemp)"
    say "installing $* (apt-get)"
    if ! { as_root apt-get update -qq &&
           as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"; die "apt-get install $* failed"
    fi
    rm -f "$log"
}

need=()
have node || need+=(nodejs)
have npm || need+=(npm)
[ "${#need[@]}" -eq 0 ] || apt_install "${need[@]}"
have node || die "node not found after install"
have npm || die "npm not found after install"

node_version="$(node --version)"
node_major="${node_version#v}"
node_major="${node_major%%.*}"
[ "$node_major" -ge "$MIN_NODE_MAJOR" ] 2>/dev/null \
    || die "node $node_version is too old (need >= $MIN_NODE_MAJOR)"

for dir in "$@"; do
    [ -d "$dir" ] || die "no such directory: $dir"
    [ -f "$dir/package.json" ] || continue
    [ -f "$dir/package-lock.json" ] \
        || die "$dir has no package-lock.json (run npm install there and commit it)"
    stamp="$dir/node_modules/$STAMP_NAME"
    if [ -f "$stamp" ] &&
       [ ! "$dir/package-lock.json" -nt "$stamp" ] &&
       [ ! "$dir/package.json" -nt "$stamp" ] &&
       [ "$(cat "$stamp")" = "node $node_version" ]; then
        continue
    fi
    say "npm ci in $dir"
    log="$(mktemp)"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) </dev/null >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"; die "npm ci failed in $dir"
    fi
    rm -f "$log"
    echo "node $node_version" >"$stamp"
done
