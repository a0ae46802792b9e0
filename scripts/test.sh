#!/usr/bin/env bash
# `make test`: the whole suite, as CI runs it.
#
# Sets up .venv, Debian's chromium, a Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432
# when they are missing, then runs ruff, and pytest on SQLite and on PostgreSQL side by side (one
# process each, mostly one core each: on two cores both together take about as long as the longer
# one alone, instead of the sum). Each run has its own Redis database (every test
# flushes it), its own site folder, test database and screenshot folder (test-artifacts/<label>/); their
# outputs go to test-artifacts/pytest-<label>.log and are printed one after the other when both have finished.
# Every step runs even when an earlier one failed; the exit status is non-zero if any failed.
#
#   ADUAN_TEST_PG_URL         PostgreSQL URL of the second run (default postgres://postgres@127.0.0.1:5432/aduan_ci;
#                             pytest-django creates and drops test_<name> there)
#   ADUAN_REDIS_URL           Redis of the SQLite run (default redis://127.0.0.1:6379/9; each test flushes it)
#   ADUAN_TEST_PG_REDIS_URL   Redis of the PostgreSQL run (default: the next database number, e.g. .../10)
#   ADUAN_TEST_SERIAL=1       run the two databases one after the other (one core, or to compare)
#   PYTEST_ARGS               extra pytest arguments, e.g. PYTEST_ARGS="tests/aduan_publik -x"

source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$BENCH_DIR"
set +e  # from here on, a failed step is recorded, not fatal

PG_URL="${ADUAN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/aduan_ci}"
SQLITE_REDIS="${ADUAN_REDIS_URL:-redis://127.0.0.1:6379/9}"
PG_REDIS="${ADUAN_TEST_PG_REDIS_URL:-}"
if [ -z "$PG_REDIS" ]; then  # the database after the SQLite run's: two runs never flush each other's
    if [[ "$SQLITE_REDIS" =~ ^(.*/)([0-9]+)$ ]]; then
        PG_REDIS="${BASH_REMATCH[1]}$((BASH_REMATCH[2] + 1))"
    else
        PG_REDIS="${SQLITE_REDIS%/}/10"
    fi
fi
RESULTS=()
STATUS=0
ARTIFACTS="$BENCH_DIR/test-artifacts"

step() {  # step NAME CMD...: run, time and record one step
    local name="$1" start=$SECONDS rc; shift
    say "$name"
    "$@"; rc=$?
    RESULTS+=("$(printf '%-24s %-6s %4ss' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" $((SECONDS - start)))")
    [ $rc -eq 0 ] || STATUS=1
    return $rc
}

run_pytest() {  # run_pytest LABEL DATABASE_URL REDIS_URL: the whole suite against one database
    local label="$1" db_url="$2" redis_url="$3" rc
    # Only the database and Redis come from outside: a developer's own site settings stay out
    # (each run makes its own throwaway site folder: config/settings_test.py).
    local envs=(-u ADUAN_SITE -u ADUAN_SITES_DIR -u ADUAN_TESTING -u ADUAN_DEBUG -u ADUAN_SECRET_KEY
                -u DJANGO_SETTINGS_MODULE)
    # env takes its -u options before any NAME=VALUE.
    if [ -n "$db_url" ]; then envs+=(ADUAN_DATABASE_URL="$db_url"); else envs=(-u ADUAN_DATABASE_URL "${envs[@]}"); fi
    envs+=(ADUAN_REDIS_URL="$redis_url" ADUAN_TEST_ARTIFACTS="$ARTIFACTS/$label")
    # shellcheck disable=SC2086  # PYTEST_ARGS is split on purpose
    env "${envs[@]}" "$VENV/bin/pytest" -q -p no:cacheprovider --timeout=300 \
        --junitxml="$ARTIFACTS/junit-$label.xml" ${PYTEST_ARGS:-}
    rc=$?
    # pytest's 5 means "no tests collected": for this suite that is a failure, never a pass.
    [ $rc -eq 5 ] && echo "pytest collected no tests ($label)" >&2
    return $rc
}

totals() {  # one closing line over both runs, from the JUnit reports
    "$PY" - "$ARTIFACTS"/junit-*.xml <<'EOF'
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        continue
    for suite in root.iter("testsuite"):
        tests, fail = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed, failed, skipped = passed + tests - fail - skip, failed + fail, skipped + skip
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
EOF
}

# run_logged LABEL DATABASE_URL REDIS_URL: run_pytest into test-artifacts/pytest-LABEL.log, its seconds beside it.
run_logged() {
    local label="$1" start=$SECONDS rc
    run_pytest "$@" >"$ARTIFACTS/pytest-$label.log" 2>&1
    rc=$?
    echo $((SECONDS - start)) >"$ARTIFACTS/pytest-$label.seconds"
    return $rc
}

both_databases() {  # both runs side by side; each log printed whole once both have finished
    local pids=() labels=(sqlite postgresql) names=("pytest on SQLite" "pytest on PostgreSQL") i rc
    say "pytest on SQLite and on PostgreSQL, side by side (test-artifacts/pytest-{sqlite,postgresql}.log)"
    run_logged sqlite "" "$SQLITE_REDIS" & pids+=($!)
    run_logged postgresql "$PG_URL" "$PG_REDIS" & pids+=($!)
    # Stopped (Ctrl-C, a CI cancel): stop both pytest processes too, not only their subshells.
    trap 'for p in "${pids[@]}"; do pkill -TERM -P "$p"; kill "$p"; done 2>/dev/null; exit 130' INT TERM
    for i in 0 1; do
        wait "${pids[$i]}"; rc=$?
        say "${names[$i]}"
        cat "$ARTIFACTS/pytest-${labels[$i]}.log"
        RESULTS+=("$(printf '%-24s %-6s %4ss' "${names[$i]}" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" \
            "$(cat "$ARTIFACTS/pytest-${labels[$i]}.seconds" 2>/dev/null || echo '?')")")
        [ $rc -eq 0 ] || STATUS=1
    done
    trap - INT TERM
}

main_test() {
    local started=$SECONDS
    bash scripts/bootstrap.sh deps --chromium || exit 1
    bash scripts/bootstrap.sh redis || exit 1
    bash scripts/bootstrap.sh postgres || exit 1
    mkdir -p "$ARTIFACTS"
    rm -f "$ARTIFACTS"/junit-*.xml "$ARTIFACTS"/pytest-*.log "$ARTIFACTS"/pytest-*.seconds
    step "ruff check" "$VENV/bin/ruff" check apps config tests
    if [ "${ADUAN_TEST_SERIAL:-0}" = 1 ]; then
        step "pytest on SQLite" run_pytest sqlite "" "$SQLITE_REDIS"
        step "pytest on PostgreSQL" run_pytest postgresql "$PG_URL" "$PG_REDIS"
    else
        both_databases
    fi
    echo
    say "summary ($((SECONDS - started)) s)"
    printf '  %s\n' "${RESULTS[@]}"
    totals
    exit $STATUS
}

main_test
