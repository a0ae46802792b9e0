"""Background jobs on the real Redis: enqueued on commit only, nothing lost while Redis is down,
idempotent, and run end-to-end by a real RQ worker."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone
from rq import SimpleWorker

from aduan_publik import jobs
from aduan_publik.models import Complaint, Contact, InboundEvent, Message
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.inbound import inbound_event_store
from aduan_publik.services.outbound import complaint_reply
from aduan_publik.testing import fake_channel
from aduan_publik.testing.fake_channel import fake_channel_installed

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


class Rollback(Exception):
    pass


def _queues(settings, url: str, *, is_async: bool = True) -> None:
    """Point every queue at ``url`` (async unless told: these tests want real Redis jobs)."""
    settings.RQ_QUEUES = {name: {**cfg, "URL": url, "ASYNC": is_async} for name, cfg in settings.RQ_QUEUES.items()}


@pytest.fixture
def redis_queue(settings):
    _queues(settings, settings.REDIS_URL)
    queue = django_rq.get_queue("default")
    assert queue.is_async and queue.connection.ping()
    return queue


@pytest.fixture
def fake(tmp_path):
    with fake_channel_installed(tmp_path / "plugins") as channel:
        yield channel


@pytest.fixture
def fake_complaint(fake):
    contact = Contact.objects.create(channel="fake", address="62811", name="Rina")
    complaint, _code = complaint_create(channel="fake", title="Sampah", description="Menumpuk", contact=contact,
                                        acknowledge=False)
    return complaint


def _run_worker(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_enqueued_only_after_commit_and_never_after_rollback(redis_queue, fake_complaint, admin_user):
    with transaction.atomic():
        message = complaint_reply(complaint=fake_complaint, by=admin_user, body="Kami cek.")
        assert redis_queue.count == 0  # still inside the transaction: the job would see nothing
    assert redis_queue.job_ids == [f"send-{message.pk}"]
    job = redis_queue.fetch_job(f"send-{message.pk}")
    assert job.func_name == "aduan_publik.jobs.send_message" and job.args == (message.pk,)

    with pytest.raises(Rollback), transaction.atomic():
        doomed = complaint_reply(complaint=fake_complaint, by=admin_user, body="Batal.")
        raise Rollback
    assert not Message.objects.filter(pk=doomed.pk).exists()
    assert redis_queue.job_ids == [f"send-{message.pk}"]


def test_enqueue_twice_keeps_one_pending_job(redis_queue):
    assert jobs.enqueue(jobs.send_message, 41, job_id="send-41") is True
    assert jobs.enqueue(jobs.send_message, 41, job_id="send-41") is True
    assert redis_queue.job_ids == ["send-41"]


def test_redis_down_loses_nothing_and_the_sweep_catches_up(settings, fake, fake_complaint, admin_user):
    _queues(settings, CLOSED_PORT_URL)
    assert jobs.enqueue(jobs.send_message, 1, job_id="send-1") is False
    message = complaint_reply(complaint=fake_complaint, by=admin_user, body="Sedang dicek.")
    raw = fake_channel.delivery(delivery_id="d-down", messages=[{"id": "m1", "from": "62899", "text": "Banjir"}])
    event, created = inbound_event_store(channel="fake", raw=raw, dedupe_key="d-down")
    assert created
    message.refresh_from_db()
    event.refresh_from_db()
    assert (message.state, event.state) == ("queued", "pending")  # accepted, waiting, not lost

    _queues(settings, settings.REDIS_URL)  # Redis is back
    queue = django_rq.get_queue("default")
    jobs.sweep_pending()
    assert queue.count == 0  # too young: the sweep leaves rows whose own job may still come
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    InboundEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    jobs.sweep_pending()
    jobs.sweep_pending()  # twice: still one job each
    assert sorted(queue.job_ids) == sorted([f"inbound-{event.pk}", f"send-{message.pk}"])

    _run_worker(queue)
    message.refresh_from_db()
    event.refresh_from_db()
    assert (message.state, event.state) == ("sent", "processed")
    incoming = Message.objects.get(direction="in", external_id="m1")
    ack = Message.objects.get(complaint=incoming.complaint, direction="out")  # queued by the inbound job
    assert sorted(m.message_id for m in fake.sent) == sorted([message.pk, ack.pk])


def test_jobs_are_idempotent(fake, fake_complaint, admin_user, settings):
    _queues(settings, CLOSED_PORT_URL)  # keep the jobs out of Redis: this test runs them by hand
    message = complaint_reply(complaint=fake_complaint, by=admin_user, body="Sekali saja.")
    jobs.send_message(message.pk)
    jobs.send_message(message.pk)
    assert [m.message_id for m in fake.sent] == [message.pk]
    raw = fake_channel.delivery(delivery_id="d2", messages=[{"id": "m2", "from": "62877", "text": "Pohon tumbang"}])
    event, _created = inbound_event_store(channel="fake", raw=raw, dedupe_key="d2")
    jobs.process_inbound_event(event.pk)
    jobs.process_inbound_event(event.pk)
    event.refresh_from_db()
    assert (event.state, event.attempts) == ("processed", 1)
    assert Message.objects.filter(direction="in", external_id="m2").count() == 1
    assert Complaint.objects.filter(external_id="m2").count() == 1


def test_worker_runs_a_webhook_delivery_end_to_end(redis_queue, fake, client):
    """HTTP in, job on Redis, a real RQ worker, the database out: the whole inbound path."""
    raw = fake_channel.delivery(delivery_id="d3", messages=[{"id": "m3", "from": "62855", "text": "Jalan rusak"}])
    response = client.post("/channels/fake/webhook", data=raw.body, content_type="application/json",
                           headers={fake_channel.SIGNATURE_HEADER: raw.headers[fake_channel.SIGNATURE_HEADER]})
    assert response.status_code == 200
    event = InboundEvent.objects.get(dedupe_key="d3")
    [drain] = redis_queue.jobs  # the webhook hands the event over through one drain job
    assert event.state == "pending" and drain.func_name == "aduan_publik.jobs.drain_inbound"
    _run_worker(redis_queue)
    event.refresh_from_db()
    complaint = Complaint.objects.get(external_id="m3")
    assert event.state == "processed" and complaint.channel == "fake"
    # The acknowledgement was queued by the processing job and sent by the same worker run.
    assert redis_queue.count == 0
    ack = Message.objects.get(complaint=complaint, direction="out")
    assert ack.state == "sent" and [m.message_id for m in fake.sent] == [ack.pk]
    assert redis_queue.failed_job_registry.count == 0


def _test_database_url() -> str:
    """The URL of the database this test runs on, for a worker process to share it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        assert ":memory:" not in db["NAME"] and "mode=memory" not in db["NAME"], "needs a file test database"
        return f"sqlite:///{db['NAME']}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


@pytest.mark.live
def test_a_separate_worker_process_sends_the_message(redis_queue, fake, fake_complaint, admin_user, tmp_path):
    """``manage.py rqworker --burst`` in its own process picks the job from Redis and writes the database."""
    message = complaint_reply(complaint=fake_complaint, by=admin_user, body="Dikirim oleh proses lain.")
    assert redis_queue.job_ids == [f"send-{message.pk}"]
    bench = Path(django_settings.BENCH_DIR)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "ADUAN_DATABASE_URL": _test_database_url(), "ADUAN_REDIS_URL": django_settings.REDIS_URL,
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "plugins"), str(bench)])}
    done = subprocess.run([sys.executable, "manage.py", "rqworker", "default", "--burst"], cwd=bench, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    message.refresh_from_db()
    assert (message.state, message.external_id) == ("sent", f"fake-out-{message.pk}")
    assert redis_queue.count == 0 and redis_queue.finished_job_registry.count == 1


def test_many_deliveries_share_one_drain_job_and_each_is_processed_once(redis_queue, fake, client):
    """The webhook's hand-off: N deliveries, one RQ enqueue, then one processing job per event."""
    for n in range(5):
        message = {"id": f"cm{n}", "from": f"6281{n}", "text": "Gelap"}
        raw = fake_channel.delivery(delivery_id=f"c{n}", messages=[message])
        response = client.post("/channels/fake/webhook", data=raw.body, content_type="application/json",
                               headers={fake_channel.SIGNATURE_HEADER: raw.headers[fake_channel.SIGNATURE_HEADER]})
        assert response.status_code == 200
    backlog, flag = jobs._inbound_keys()
    assert [job.func_name for job in redis_queue.jobs] == ["aduan_publik.jobs.drain_inbound"]
    assert redis_queue.connection.llen(backlog) == 5 and redis_queue.connection.exists(flag)

    _run_worker(redis_queue)
    assert InboundEvent.objects.filter(state="processed").count() == 5
    assert Complaint.objects.filter(channel="fake").count() == 5
    assert redis_queue.connection.llen(backlog) == 0 and not redis_queue.connection.exists(flag)


def test_ids_popped_by_a_dead_drain_are_recovered_by_the_sweep(redis_queue, fake, client):
    raw = fake_channel.delivery(delivery_id="lost", messages=[{"id": "lm", "from": "62877", "text": "Banjir"}])
    client.post("/channels/fake/webhook", data=raw.body, content_type="application/json",
                headers={fake_channel.SIGNATURE_HEADER: raw.headers[fake_channel.SIGNATURE_HEADER]})
    backlog, flag = jobs._inbound_keys()
    redis_queue.connection.delete(backlog, flag)  # a drain job died after popping the ids
    redis_queue.empty()
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    jobs.sweep_pending()
    _run_worker(redis_queue)
    assert InboundEvent.objects.get(dedupe_key="lost").state == "processed"
    assert Complaint.objects.filter(external_id="lm").count() == 1
