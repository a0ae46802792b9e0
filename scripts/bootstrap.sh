#!/usr/bin/env bash
# Set-up steps shared by `make run`, `make test`, `make bench` and `make lint`.
#
#   bash scripts/bootstrap.sh deps [--chromium]   # apt packages, .venv, pip install (idempotent)
#   bash scripts/bootstrap.sh redis               # a Redis answering on 127.0.0.1:6379
#   bash scripts/bootstrap.sh postgres            # PostgreSQL on 127.0.0.1:5432, user postgres trusted
#
# Every step checks before it acts, so a second run on a ready machine takes about a second.
# The other scripts `source` this file for its functions.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$BENCH_DIR/.venv"
PY="$VENV/bin/python"
APT_UPDATED=0

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (or install it by hand)"
    fi
}

# apt_install PKG...: install the Debian packages that are not installed yet.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# need_cmd CMD PKG: make sure CMD exists, installing Debian package PKG if not.
need_cmd() { command -v "$1" >/dev/null 2>&1 || apt_install "$2"; }

ensure_venv() {
    [ -x "$PY" ] && return 0
    need_cmd python3 python3
    say "creating .venv"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 ships venv (ensurepip) separately.
        rm -rf "$VENV"
        apt_install python3-venv
        python3 -m venv "$VENV"
    fi
}

# pip runs only when the dependency files (or the bench's path) changed since the last install.
ensure_python_deps() {
    local stamp="$VENV/.aduan-deps" want
    want="$(cd "$BENCH_DIR" && cat apps/aduan_publik/pyproject.toml apps/aduan_social/pyproject.toml \
        requirements-dev.txt | sha256sum | cut -c1-64) $BENCH_DIR"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/aduan" ]; then
        return 0
    fi
    say "pip install -e apps/aduan_publik -e apps/aduan_social -r requirements-dev.txt"
    (cd "$BENCH_DIR" && "$PY" -m pip install -q --disable-pip-version-check \
        -e apps/aduan_publik -e apps/aduan_social -r requirements-dev.txt)
    printf '%s\n' "$want" >"$stamp"
}

ensure_chromium() {
    # Debian's chromium drives the browser tests (Playwright never downloads a browser here).
    [ -x "${ADUAN_CHROMIUM:-/usr/bin/chromium}" ] || apt_install chromium fonts-liberation
}

cmd_deps() {
    need_cmd redis-server redis-server
    [ "${1:-}" = "--chromium" ] && ensure_chromium
    ensure_venv
    ensure_python_deps
}

# ---- services ---------------------------------------------------------------------------------

# redis_ping HOST PORT: true when a Redis answers PING there (bash's /dev/tcp, no client needed).
redis_ping() {
    (
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf 'PING\r\n' >&3
        reply=""; read -r -t 2 reply <&3 || true
        [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
    ) 2>/dev/null
}

wait_for() {  # wait_for SECONDS CMD...: retry CMD every 0.2 s
    local tries=$(($1 * 5)); shift
    until "$@"; do
        tries=$((tries - 1)); [ "$tries" -le 0 ] && return 1
        sleep 0.2
    done
}

cmd_redis() {
    redis_ping 127.0.0.1 6379 && return 0
    need_cmd redis-server redis-server
    say "starting redis-server on 127.0.0.1:6379 (no persistence, for tests)"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    wait_for 10 redis_ping 127.0.0.1 6379 || die "redis-server did not answer on 127.0.0.1:6379"
}

pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

pg_login() {  # the test suite's login: user postgres over TCP without a password
    "$PY" - <<'EOF' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
EOF
}

pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

pg_start() {
    [ -n "$(pg_version)" ] || apt_install postgresql
    local ver; ver="$(pg_version)"
    [ -n "$ver" ] || die "postgresql installed but no cluster in /etc/postgresql"
    say "starting PostgreSQL $ver (cluster main)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    wait_for 30 pg_answers || die "PostgreSQL did not answer on 127.0.0.1:5432"
}

pg_trust_local() {
    # A fresh Debian cluster asks for a password over TCP; the tests log in as postgres without one.
    local ver hba; ver="$(pg_version)"; hba="/etc/postgresql/$ver/main/pg_hba.conf"
    [ -n "$ver" ] && [ -f "$hba" ] || die "PostgreSQL refuses user postgres and $hba is not ours to fix"
    if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
        say "trusting user postgres on 127.0.0.1 in $hba"
        as_root sed -i -e '1i host all postgres 127.0.0.1/32 trust' -e '1i host all postgres ::1/128 trust' "$hba"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
    wait_for 10 pg_login || die "PostgreSQL still refuses postgres@127.0.0.1 without a password"
}

cmd_postgres() {
    [ -x "$PY" ] || cmd_deps
    pg_answers || pg_start
    # A cluster that has just started may refuse logins for a moment: wait before judging auth.
    wait_for 5 pg_login || pg_trust_local
}

main() {
    local cmd="${1:-deps}"; shift || true
    case "$cmd" in
        deps) cmd_deps "$@" ;;
        redis) cmd_redis ;;
        postgres) cmd_postgres ;;
        *) die "unknown step '$cmd' (deps, redis, postgres)" ;;
    esac
}

# Run only when executed, not when sourced by run.sh / test.sh.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
