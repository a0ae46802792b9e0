#!/usr/bin/env bash
# `make run`: set everything up and start the hub with demo data (Ctrl-C stops every process).
#
# Creates site ADUAN_SITE (default: `default`) on first run, with its Redis on the bench's own
# redis-server (127.0.0.1:11311, config/redis.conf, data in var/redis); migrates, collects
# static files, loads the demo data, then runs the Procfile under honcho (`aduan start`).

source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$BENCH_DIR"

SITE="${ADUAN_SITE:-default}"
LOCAL_REDIS_URL="redis://127.0.0.1:11311/0"
BIND="${ADUAN_BIND:-127.0.0.1:${PORT:-8000}}"
URL="http://127.0.0.1:${BIND##*:}"
aduan() { "$VENV/bin/aduan" --site "$SITE" "$@"; }

site_redis_url() {
    "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("redis_url", ""))' \
        "sites/$SITE/site_config.json"
}

# The bench's redis-server, started for the set-up steps only (the Procfile runs it afterwards).
SETUP_REDIS_PID=""
start_setup_redis() {
    mkdir -p var/redis
    redis-server config/redis.conf --daemonize yes --pidfile "$BENCH_DIR/var/redis/setup.pid" >/dev/null
    wait_for 10 redis_ping 127.0.0.1 11311 || die "the bench's redis-server did not start (port 11311)"
    SETUP_REDIS_PID="$(cat var/redis/setup.pid)"
}
stop_setup_redis() {
    [ -n "$SETUP_REDIS_PID" ] || return 0
    kill "$SETUP_REDIS_PID" 2>/dev/null || true
    wait_for 10 eval '! redis_ping 127.0.0.1 11311' || die "the set-up redis-server (pid $SETUP_REDIS_PID) did not stop"
    SETUP_REDIS_PID=""
}
trap stop_setup_redis EXIT

announce_when_ready() {
    # Printed once the web process answers, so the URL shown really works.
    wait_for 120 "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "$URL/desk/login/" 2>/dev/null || return 0
    cat <<EOF

================================================================================
  Aduan Publik is running (site '$SITE'):
    portal (residents):  $URL/
    desk (staff):        $URL/desk/
  Demo logins, password 'aduan-demo' for all:
    admin               Admin Diskominfo
    pimpinan            Pimpinan Diskominfo (read-only)
    penghubung.pupr     Pejabat Penghubung, Dinas PUPR
    operator.pupr       Admin Penghubung, Dinas PUPR
    penghubung.dinkes   Pejabat Penghubung, Dinas Kesehatan
    operator.dinkes     Admin Penghubung, Dinas Kesehatan
    integrator          API only (no desk)
  Ctrl-C stops every process.
================================================================================

EOF
}

main_run() {
    cmd_deps
    if [ ! -f "sites/$SITE/site_config.json" ]; then
        say "creating site '$SITE'"
        # --demo: seed_demo may create the published demo logins on it (debug stays off).
        "$VENV/bin/aduan" new-site "$SITE" --demo --redis-url "$LOCAL_REDIS_URL"
    fi
    local redis_url="${ADUAN_REDIS_URL:-$(site_redis_url)}"
    if [ "${redis_url%/*}" = "${LOCAL_REDIS_URL%/*}" ] && ! redis_ping 127.0.0.1 11311; then
        start_setup_redis
    fi
    say "migrate"
    aduan migrate --noinput
    say "collectstatic"
    aduan collectstatic --noinput --verbosity 0
    if aduan help seed_demo >/dev/null 2>&1; then
        say "seed_demo (demo data)"
        # It refuses (and changes nothing) on a site holding real data or not marked as a demo.
        aduan seed_demo || say "seed_demo refused (see above): starting without demo data"
    else
        say "seed_demo is not available yet: starting without demo data"
    fi
    stop_setup_redis
    announce_when_ready &
    say "starting the hub: $URL/ (portal) and $URL/desk/ (desk)"
    exec "$VENV/bin/aduan" --site "$SITE" start
}

main_run
