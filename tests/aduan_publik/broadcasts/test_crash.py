"""``kill -9`` of the worker mid-broadcast loses nothing and duplicates nothing (real rq worker processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as dj_settings
from django.db import connection

from aduan_publik.broadcasts import jobs
from aduan_publik.broadcasts.engine import SLOTS, lease_key, redis
from aduan_publik.broadcasts.models import Broadcast, Recipient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]
WORKER = Path(__file__).with_name("bc_worker.py")
REPO = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker() -> subprocess.Popen:
    aduan = {"channels": dj_settings.ADUAN["channels"], "broadcast": dj_settings.ADUAN["broadcast"]}
    env = {**os.environ, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "ADUAN_DATABASE_URL": _database_url(), "BC_ADUAN": json.dumps(aduan)}
    return subprocess.Popen([sys.executable, str(WORKER)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_mid_send_then_restart_sends_everyone_exactly_once(settings, approved, wa, residents, post_status):
    inline = settings.RQ_QUEUES
    queued = {name: {**cfg, "ASYNC": True} for name, cfg in inline.items()}
    settings.RQ_QUEUES = queued
    wa.hang_sends()
    jobs.broadcast_tick()  # the slot jobs go to Redis
    worker = _worker()
    assert wa.hanging.wait(60), "the worker never sent"
    os.kill(worker.pid, signal.SIGKILL)  # mid-request: the answer will never be read
    worker.wait(30)
    wa.release()
    wa.wait_answered()
    in_flight = Recipient.objects.filter(state="sending")
    assert in_flight.exists() and not in_flight.exclude(external_id="").exists()

    # The dead job's lease would lapse after LEASE_SECONDS; the test does not wait for it.
    conn = redis()
    conn.delete(*[lease_key(approved.pk, s) for s in range(SLOTS)])
    # Meta's status webhook for the message that did go out settles its row by callback data.
    settings.RQ_QUEUES = inline  # the webhook's processing job runs here, inline
    post_status(wa.status_body("sent"))
    settings.RQ_QUEUES = queued
    assert Recipient.objects.filter(state="sent").count() == len(wa.accepted())

    # The rows the dead job had claimed but never sent: sent after the reconcile time.
    settings.ADUAN["broadcast"]["reconcile_seconds"] = 0
    jobs.broadcast_tick()
    worker = _worker()
    worker.wait(120)
    jobs.broadcast_tick()
    worker = _worker()
    worker.wait(120)

    phones = [s["to"] for s in wa.accepted()]
    assert sorted(phones) == sorted(r.phone for r in residents)  # everyone once: none lost, none twice
    assert set(Recipient.objects.values_list("state", flat=True)) == {"sent"}
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED
