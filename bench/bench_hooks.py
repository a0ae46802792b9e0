"""Outgoing webhooks under load: 10,000 audit events fanned out to 3 subscribers, real rq workers.

A separate process writes the events through the services (``complaint_create`` and
``event_record``, one transaction each, as the desk does) while ``HOOKS_BENCH_WORKERS`` real rq
workers (SimpleWorker, with RQ's scheduler for the retries) deliver to a local receiver over
HTTP on 127.0.0.1. The receiver answers every ``HOOKS_BENCH_FAIL_EVERY``-th request with 503
(default 50, so about 2% of attempts fail and are retried with backoff, base 1 s here).

Figures: every expected delivery arrives (0 lost), no delivery is accepted twice (0 duplicated),
no event of a complaint is accepted before an earlier one for the same subscriber (0 out of
order), every signature verifies; plus the fan-out cost per event and the delivery throughput.

Everything runs on 127.0.0.1: PostgreSQL database ``aduan_hooks_bench`` (dropped and created),
Redis ``HOOKS_BENCH_REDIS`` (default db 15, flushed). Sizes: ``HOOKS_BENCH_EVENTS`` (10000, in
complaints of 10 events each), ``HOOKS_BENCH_WORKERS`` (3).

    .venv/bin/python bench/bench_hooks.py       # standalone
    .venv/bin/python bench/run.py hooks         # with the other benches
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import stack

ROOT, PY = stack.ROOT, stack.PY
DB_NAME = os.environ.get("HOOKS_BENCH_DB", "aduan_hooks_bench")
DB_URL = stack.database_url(DB_NAME)
REDIS_URL = os.environ.get("HOOKS_BENCH_REDIS", "redis://127.0.0.1:6379/15")
EVENTS = int(os.environ.get("HOOKS_BENCH_EVENTS", "10000"))
WORKERS = int(os.environ.get("HOOKS_BENCH_WORKERS", "3"))
FAIL_EVERY = int(os.environ.get("HOOKS_BENCH_FAIL_EVERY", "50"))
SUBSCRIBERS = 3
PER_COMPLAINT = 10
SECRET = "whsec_bench"  # noqa: S105 (a local bench)
DRAIN_TIMEOUT = 900.0
# Verbs of the public catalogue, as the services write them, after each complaint's "created".
VERBS = ["verified", "accepted", "postponed", "resumed", "returned", "rerouted", "followup_published",
         "answered", "rated"]


# ---- the writer: a separate process on the production settings ------------------------------


def generate(receiver_url: str, events: int) -> None:
    """Three subscriptions, then ``events`` audit events, one transaction each (as services write them)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from aduan_publik.models import Role, StaffProfile, WebhookSubscription
    from aduan_publik.services.audit import event_record
    from aduan_publik.services.complaints import complaint_create

    owner = get_user_model().objects.create_user(username="integrator-bench")
    StaffProfile.objects.create(user=owner, role=Role.INTEGRATOR)
    for n in range(SUBSCRIBERS):
        WebhookSubscription.objects.create(name=f"bench {n}", owner=owner, url=f"{receiver_url}/{n}", secret=SECRET)
    started = time.perf_counter()
    for i in range(events // PER_COMPLAINT):
        complaint, _code = complaint_create(channel="web", title=f"Aduan uji beban {i}",
                                            description="Lampu jalan mati di gang.", acknowledge=False)
        for verb in VERBS[:PER_COMPLAINT - 1]:
            with transaction.atomic():
                event_record(complaint=complaint, by="bench", verb=verb, summary="uji beban", data={})
    print(json.dumps({"seconds": time.perf_counter() - started}))


# ---- the harness ---------------------------------------------------------------------------


def _site() -> Path:
    return stack.site_folder("aduan-bench-hooks-", "benchhooks", {
        "time_zone": "Asia/Jakarta",
        "outgoing_webhooks": {"backoff_base_seconds": 1, "backoff_max_seconds": 5, "timeout_seconds": 10}})


def _rows(sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        return list(conn.execute(sql).fetchall())


def _wait_drained(rx: Any, expected: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        if len({r["key"] for r in rx.accepted()}) >= expected:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def _integrity(rx: Any, expected: int) -> dict[str, int]:
    accepted = rx.accepted()
    keys = [r["key"] for r in accepted]
    out_of_order = 0
    last: dict[tuple[str, int], int] = {}
    for r in accepted:  # arrival order
        line = (r["path"], r["complaint"])
        if r["event_id"] < last.get(line, 0):
            out_of_order += 1
        last[line] = max(last.get(line, 0), r["event_id"])
    return {"lost": expected - len(set(keys)), "duplicated": len(keys) - len(set(keys)),
            "out_of_order": out_of_order, "bad_signatures": sum(1 for r in rx.received() if not r["signature_ok"]),
            "failed_attempts": sum(1 for r in rx.received() if r["status"] >= 300)}


_row = stack.row


def run() -> list[dict[str, Any]]:
    stack.use_test_fakes()
    from fakes.webhook_receiver import WebhookReceiver

    env = stack.django_env(_site(), "benchhooks", DB_URL, REDIS_URL)
    stack.fresh_database(DB_NAME)
    stack.prepare(env)
    expected = (EVENTS // PER_COMPLAINT) * PER_COMPLAINT * SUBSCRIBERS
    with WebhookReceiver(SECRET, keep=False, fail_every=FAIL_EVERY) as rx:
        workers = stack.rq_workers(env, WORKERS, "--skip-checks", "--with-scheduler")
        try:
            started = time.monotonic()
            out = subprocess.run([PY, __file__, "--generate", rx.url, str(EVENTS)], cwd=ROOT, env=env,  # noqa: S603
                                 check=True, capture_output=True, text=True).stdout
            write_s = json.loads(out.strip().splitlines()[-1])["seconds"]
            _wait_drained(rx, expected)
            drained_s = time.monotonic() - started
            time.sleep(2)  # anything arriving late (a duplicate) is counted too
            found = _integrity(rx, expected)
        finally:
            stack.stop(workers)
    states = dict(_rows("SELECT state, count(*) FROM aduan_publik_webhookdelivery GROUP BY state"))
    events = EVENTS // PER_COMPLAINT * PER_COMPLAINT
    return [
        _row("events written (3 subscribers)", events, "events", EVENTS, lower=False),
        _row("deliveries lost", found["lost"], "deliveries", 0),
        _row("deliveries duplicated", found["duplicated"], "deliveries", 0),
        _row("deliveries out of order (per complaint)", found["out_of_order"], "deliveries", 0),
        _row("bad signatures", found["bad_signatures"], "requests", 0),
        _row("deliveries not 'delivered' in the database", expected - states.get("delivered", 0), "deliveries", 0),
        _row("failed attempts retried (503 from the receiver)", found["failed_attempts"], "attempts", 0, lower=False),
        _row("event write incl. fan-out (mean)", 1000 * write_s / events, "ms", 20),
        _row("deliveries per second (first event to last delivery)", expected / max(drained_s, 1e-9), "req/s", 50,
             lower=False),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--generate":
        sys.path.insert(0, str(ROOT))
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        for item in run():
            mark = "ok" if item["ok"] else "MISSED"
            print(f"{item['name']:<52} {item['value']:>12,.3f} {item['unit']:<11} target {item['target']:<8} {mark}")
