#!/usr/bin/env bash
# `make test`: the whole suite, as CI runs it.
#
# Sets up .venv, Debian's chromium, a Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432
# when they are missing, then runs ruff, pytest on SQLite and pytest again on PostgreSQL.
# Every step runs even when an earlier one failed; the exit status is non-zero if any failed.
#
#   ADUAN_TEST_PG_URL   PostgreSQL URL of the second run (default postgres://postgres@127.0.0.1:5432/aduan_ci;
#                       pytest-django creates and drops test_<name> there)
#   ADUAN_REDIS_URL     Redis for the tests (default redis://127.0.0.1:6379/9; each test flushes it)
#   PYTEST_ARGS         extra pytest arguments, e.g. PYTEST_ARGS="tests/aduan_publik -x"

source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$BENCH_DIR"
set +e  # from here on, a failed step is recorded, not fatal

PG_URL="${ADUAN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/aduan_ci}"
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

run_pytest() {  # run_pytest LABEL DATABASE_URL: the whole suite against one database
    local label="$1" db_url="$2" rc
    # Only the database and Redis come from outside: a developer's own site settings stay out.
    local envs=(-u ADUAN_SITE -u ADUAN_SITES_DIR -u ADUAN_TESTING -u ADUAN_DEBUG -u ADUAN_SECRET_KEY
                -u DJANGO_SETTINGS_MODULE)
    if [ -n "$db_url" ]; then envs+=(ADUAN_DATABASE_URL="$db_url"); else envs+=(-u ADUAN_DATABASE_URL); fi
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

main_test() {
    local started=$SECONDS
    bash scripts/bootstrap.sh deps --chromium || exit 1
    bash scripts/bootstrap.sh redis || exit 1
    bash scripts/bootstrap.sh postgres || exit 1
    mkdir -p "$ARTIFACTS"
    rm -f "$ARTIFACTS"/junit-*.xml
    step "ruff check" "$VENV/bin/ruff" check apps config tests
    step "pytest on SQLite" run_pytest sqlite ""
    step "pytest on PostgreSQL" run_pytest postgresql "$PG_URL"
    echo
    say "summary ($((SECONDS - started)) s)"
    printf '  %s\n' "${RESULTS[@]}"
    totals
    exit $STATUS
}

main_test
