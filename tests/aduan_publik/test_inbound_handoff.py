"""The webhook's hand-off to the workers survives a Redis stall: no "drain queued" flag is left
without a drain job behind it, and a stale backlog costs fresh deliveries nothing.

Redis is stalled through a proxy (``tests/fakes/redis_proxy.py``) in front of the test Redis: only
this test's connections freeze, the shared server never does."""

from __future__ import annotations

from urllib.parse import urlsplit

import django_rq
import pytest
from fakes.redis_proxy import RedisProxy
from rq import SimpleWorker

from aduan_publik import jobs
from aduan_publik.models import Complaint, InboundEvent
from aduan_publik.testing import fake_channel
from aduan_publik.testing.fake_channel import fake_channel_installed

pytestmark = pytest.mark.django_db(transaction=True)


def _queues(settings, url: str) -> None:
    settings.RQ_QUEUES = {name: {**cfg, "URL": url, "ASYNC": True} for name, cfg in settings.RQ_QUEUES.items()}


@pytest.fixture
def fake(tmp_path):
    with fake_channel_installed(tmp_path / "plugins") as channel:
        yield channel


@pytest.fixture
def direct(settings):
    """The real queue, straight to Redis (the worker's view)."""
    _queues(settings, settings.REDIS_URL)
    return django_rq.get_queue("default")


@pytest.fixture
def proxy(settings):
    parts = urlsplit(settings.REDIS_URL)
    with RedisProxy((parts.hostname or "127.0.0.1", parts.port or 6379)) as running:
        running.db = int(parts.path.strip("/") or 0)
        yield running


def _deliver(client, n: int):
    raw = fake_channel.delivery(delivery_id=f"d{n}", messages=[{"id": f"m{n}", "from": f"6281{n}", "text": "Gelap"}])
    response = client.post("/channels/fake/webhook", data=raw.body, content_type="application/json",
                           headers={fake_channel.SIGNATURE_HEADER: raw.headers[fake_channel.SIGNATURE_HEADER]})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    return InboundEvent.objects.get(dedupe_key=f"d{n}")


def _run_worker(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_a_stall_between_claim_and_enqueue_does_not_strand_later_deliveries(settings, fake, client, proxy):
    url = settings.REDIS_URL
    _queues(settings, proxy.url(proxy.db, socket_timeout=0.3, socket_connect_timeout=0.3))
    proxy.stall_on(b"rq:queue:")  # Redis freezes after the flag is claimed, before the drain job is queued
    first = _deliver(client, 1)  # still accepted: stored, the hand-off failed quietly
    assert proxy.stalled.is_set()
    proxy.resume()  # Redis is back a few seconds later
    second = _deliver(client, 2)

    _queues(settings, url)
    queue = django_rq.get_queue("default")
    assert [job.func_name for job in queue.jobs] == ["aduan_publik.jobs.drain_inbound"]
    _run_worker(queue)  # no sweep has run: the fresh delivery brought the drain job with it
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("processed", "processed")
    assert Complaint.objects.filter(external_id__in=["m1", "m2"]).count() == 2


def test_the_sweep_reconciles_a_stranded_flag_when_no_delivery_follows(settings, fake, client, proxy, direct):
    url = settings.REDIS_URL
    _queues(settings, proxy.url(proxy.db, socket_timeout=0.3, socket_connect_timeout=0.3))
    proxy.stall_on(b"rq:queue:")
    event = _deliver(client, 3)
    proxy.resume()
    _queues(settings, url)
    queue = django_rq.get_queue("default")
    assert queue.count == 0
    jobs.sweep_pending()  # the event is too young for the sweep's own pass: the backlog is reconciled
    _run_worker(queue)
    event.refresh_from_db()
    assert event.state == "processed"


def test_a_drain_enqueues_nothing_for_events_already_processed(fake, client, direct):
    events = [_deliver(client, n) for n in range(4, 7)]
    backlog, flag = jobs._inbound_keys()
    InboundEvent.objects.filter(pk__in=[e.pk for e in events[:2]]).update(state="processed")  # the sweep got there
    direct.connection.delete(flag)
    direct.empty()
    assert jobs.drain_inbound() == 1
    assert direct.job_ids == [f"inbound-{events[2].pk}"]
    assert direct.connection.llen(backlog) == 0


def test_a_live_drain_job_is_not_doubled(fake, client, direct):
    for n in range(7, 10):
        _deliver(client, n)
    [drain] = direct.jobs
    backlog, flag = jobs._inbound_keys()
    assert direct.connection.get(flag).decode() == drain.id and direct.connection.llen(backlog) == 3
    _run_worker(direct)
    assert InboundEvent.objects.filter(state="processed").count() == 3
    assert not direct.connection.exists(flag) and direct.connection.llen(backlog) == 0
