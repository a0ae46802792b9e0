"""Nothing accepted is lost, nothing is done twice: Redis down, a worker killed mid-job.

These run a real ``rq`` worker process against the file-based test database and the test
Redis, and kill it with SIGKILL while it works.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.db import connection
from django.utils import timezone
from wa_helpers import fixture_body, wa_config

from aduan_publik import jobs
from aduan_publik.models import Complaint, InboundEvent, Message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]
WORKER = Path(__file__).with_name("wa_worker.py")
REPO = Path(__file__).resolve().parents[4]


def _queues(settings, **changes) -> None:
    settings.RQ_QUEUES = {name: {**cfg, **changes} for name, cfg in settings.RQ_QUEUES.items()}


def _age_pending_work() -> None:
    """Make pending rows look as old as the sweep expects lost work to be."""
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=5))


def _database_url() -> str:
    """The test database (not the configured one) as a URL for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def _database_held(event_id: int) -> Iterator[None]:
    """Another session holds what the inbound job must lock first, so the worker waits mid-job."""
    if connection.vendor == "sqlite":
        lock = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        return
    import psycopg

    with psycopg.connect(_database_url()) as pg:  # a transaction until the block ends
        table = InboundEvent._meta.db_table  # a model's own table name, not input
        pg.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [event_id])  # noqa: S608
        yield
        pg.rollback()


def _start_worker(graph) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "ADUAN_DATABASE_URL": _database_url(),
           "WA_CONFIG": json.dumps(wa_config(graph))}
    return subprocess.Popen([sys.executable, str(WORKER)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _wait_started(proc: subprocess.Popen) -> None:
    """Block until the worker has picked up the inbound work (bounded; fails if the worker died).

    The webhook enqueues a drain job that hands the event to ``process_inbound_event``; the
    worker process runs its queue inline, so the processing happens inside that started job.
    """
    queue = django_rq.get_queue("default")
    for _ in range(600):
        if queue.started_job_registry.get_job_ids():
            return
        assert proc.poll() is None, "the worker exited before starting the job"
        _proc_wait(proc, 0.05)
    pytest.fail("the inbound job never started")


def _proc_wait(proc: subprocess.Popen, seconds: float) -> None:
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=seconds)


def test_webhook_with_redis_down_is_stored_and_processed_when_redis_is_back(settings, post_webhook, whatsapp):
    good = settings.RQ_QUEUES
    _queues(settings, URL="redis://127.0.0.1:1/5")  # nothing listens on port 1
    response = post_webhook(fixture_body("text"))
    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == "pending" and Complaint.objects.count() == 0

    settings.RQ_QUEUES = good
    _age_pending_work()
    jobs.sweep_pending()
    event.refresh_from_db()
    assert event.state == "processed" and Complaint.objects.filter(channel="whatsapp").count() == 1
    assert len(whatsapp.sends()) == 1
    jobs.sweep_pending()  # a second sweep finds nothing left to do
    assert Complaint.objects.count() == 1 and len(whatsapp.sends()) == 1


def test_worker_killed_while_sending_the_acknowledgement_sends_it_once(settings, post_webhook, whatsapp):
    _queues(settings, ASYNC=True)
    whatsapp.hang_sends()
    assert post_webhook(fixture_body("text")).status_code == 200
    event = InboundEvent.objects.get()
    worker = _start_worker(whatsapp)
    try:
        assert whatsapp.hanging.wait(timeout=60), "the worker never reached the acknowledgement send"
    finally:
        _kill(worker)
    whatsapp.release()

    _queues(settings, ASYNC=False)
    jobs.process_inbound_event(event.pk)  # the abandoned job, run again
    ack = Message.objects.get(direction="out")
    jobs.send_message(ack.pk)
    jobs.sweep_pending()
    assert Complaint.objects.count() == 1 and Message.objects.filter(direction="out").count() == 1
    assert len(whatsapp.sends()) == 1
    assert Message.objects.get(pk=ack.pk).state == "sending"

    Message.objects.filter(pk=ack.pk).update(state_changed_at=timezone.now() - timedelta(minutes=30))
    jobs.sweep_pending()  # stuck in "sending": failed for a person to check, never resent blindly
    ack.refresh_from_db()
    assert ack.state == "failed" and len(whatsapp.sends()) == 1


def test_worker_killed_before_commit_leaves_the_event_pending_and_it_is_processed_once(
    settings, post_webhook, whatsapp
):
    _queues(settings, ASYNC=True)
    assert post_webhook(fixture_body("batched")).status_code == 200
    event = InboundEvent.objects.get()
    with _database_held(event.pk):  # the worker's transaction now waits on the database
        worker = _start_worker(whatsapp)
        try:
            _wait_started(worker)
        finally:
            _kill(worker)
    event.refresh_from_db()
    assert event.state == "pending" and Complaint.objects.count() == 0

    _queues(settings, ASYNC=False)
    _age_pending_work()
    jobs.sweep_pending()
    jobs.process_inbound_event(event.pk)  # the killed job, retried too: a no-op
    assert InboundEvent.objects.get().state == "processed"
    assert Complaint.objects.filter(channel="whatsapp").count() == 2
    assert Message.objects.filter(direction="in").count() == 3
    assert Message.objects.filter(direction="out").count() == 2 and len(whatsapp.sends()) == 2
