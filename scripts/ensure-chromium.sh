#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium for the web client's
# end-to-end tests (playwright-core drives it; no test tool ever downloads a browser).
# Idempotent and quiet. CHROMIUM overrides the path.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
say() { echo "ensure-chromium: $*"; }
die() { echo "ensure-chromium: ERROR: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

[ -x "$CHROMIUM" ] && exit 0

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif have sudo; then sudo -n "$@"
    else die "need root to install chromium (or set CHROMIUM to a Chromium binary)"
    fi
}

have apt-get || die "apt-get not found; install Chromium and set CHROMIUM=/path/to/chromium"
say "installing chromium (apt-get)"
log="$(mktemp)"
if ! { as_root apt-get update -qq &&
       as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install chromium failed"
fi
rm -f "$log"
[ -x "$CHROMIUM" ] || die "$CHROMIUM missing after install"
