"""Raw inbound deliveries: stored once, processed once, never lost on a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aduan_publik.channels.base import RawInbound
from aduan_publik.models import Complaint, Contact, InboundEvent, Message
from aduan_publik.services import inbound as inbound_service
from aduan_publik.services.inbound import (
    MAX_ATTEMPTS,
    inbound_event_process,
    inbound_event_retry,
    inbound_event_store,
    pending_inbound_ids,
)
from aduan_publik.testing import fake_channel
from aduan_publik.testing.fake_channel import fake_channel_installed

pytestmark = pytest.mark.django_db
E = InboundEvent.State
BATCH = {
    "messages": [{"id": "m1", "from": "62811", "text": "Lampu mati"}, {"id": "m2", "from": "62822", "text": "Banjir"}],
    "statuses": [{"id": "out-9", "status": "delivered"}],
}


@pytest.fixture
def fake(tmp_path):
    with fake_channel_installed(tmp_path) as channel:
        yield channel


def _store(raw=None, key: str = "d1") -> InboundEvent:
    raw = raw or fake_channel.delivery(delivery_id=key, **BATCH)
    event, _created = inbound_event_store(channel="fake", raw=raw, dedupe_key=key)
    return event


def test_store_is_once_per_key_and_enqueues_once(fake, django_capture_on_commit_callbacks):
    raw = fake_channel.delivery(**BATCH)
    with django_capture_on_commit_callbacks() as first_jobs:
        event, created = inbound_event_store(channel="fake", raw=raw, dedupe_key="d1")
    with django_capture_on_commit_callbacks() as second_jobs:
        again, created_again = inbound_event_store(channel="fake", raw=raw, dedupe_key="d1")
    assert (created, created_again, again.pk) == (True, False, event.pk)
    assert (len(first_jobs), len(second_jobs)) == (1, 0)
    assert bytes(event.body) == raw.body and event.headers["x-fake-signature"].startswith("sha256=")
    long_key = "k" * 400
    stored, _c = inbound_event_store(channel="fake", raw=raw, dedupe_key=long_key)
    assert stored.dedupe_key == long_key[:255]


def test_every_item_of_a_batch_is_routed_once(fake):
    outbound = Message.objects.create(channel="fake", direction="out", body="x", state="sent",
                                      external_id="out-9", created_at=timezone.now())
    event = _store()
    assert inbound_event_process(event_id=event.pk) == E.PROCESSED
    assert inbound_event_process(event_id=event.pk) == E.PROCESSED  # second run: nothing more
    assert sorted(Message.objects.filter(direction="in").values_list("external_id", flat=True)) == ["m1", "m2"]
    assert Complaint.objects.count() == 2 and Contact.objects.count() == 2
    outbound.refresh_from_db()
    assert outbound.state == "delivered"
    event.refresh_from_db()
    assert (event.state, event.attempts, event.reason) == (E.PROCESSED, 1, "")
    assert event.processed_at is not None


def test_unreadable_body_is_kept_as_rejected(fake):
    event = _store(RawInbound(method="POST", body=b"{not json", headers={}), key="bad")
    assert inbound_event_process(event_id=event.pk) == E.REJECTED
    event.refresh_from_db()
    assert event.state == E.REJECTED and "tidak dikenali" in event.reason
    assert not Message.objects.exists()


def test_crash_of_one_item_keeps_the_others_retries_it_and_finally_fails(fake, monkeypatch):
    real = inbound_service.message_receive
    calls = []

    def second_crashes(*, inbound):
        calls.append(inbound.external_id)
        if inbound.external_id == "m2":
            raise RuntimeError("database hiccup")
        return real(inbound=inbound)

    monkeypatch.setattr(inbound_service, "message_receive", second_crashes)
    event = _store()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        state = inbound_event_process(event_id=event.pk)
        event.refresh_from_db()
        assert state == event.state == (E.PENDING if attempt < MAX_ATTEMPTS else E.FAILED)
        assert event.attempts == attempt and "m2" in event.reason
        assert event.problems == [{"external_id": "m2", "reason": "RuntimeError: database hiccup"}]
        # m1 is kept from the first attempt on, and never stored twice
        assert list(Message.objects.filter(direction="in").values_list("external_id", flat=True)) == ["m1"]
    assert calls.count("m2") == MAX_ATTEMPTS
    assert inbound_event_process(event_id=event.pk) == E.FAILED  # no more attempts


def test_crash_outside_the_items_rolls_back_and_counts(fake, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("registry down")

    event = _store()  # storing looks the channel up too (its sensitive headers): break it afterwards
    monkeypatch.setattr(inbound_service, "get_channel", broken)
    with pytest.raises(RuntimeError):
        inbound_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert (event.state, event.attempts) == (E.PENDING, 1) and "registry down" in event.reason
    assert not Message.objects.exists()


def test_admin_retry_sends_a_failed_delivery_through_again(fake, admin_user, django_capture_on_commit_callbacks):
    event = _store()
    InboundEvent.objects.filter(pk=event.pk).update(state=E.FAILED, attempts=MAX_ATTEMPTS, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_retry(event=event, by=admin_user)
    event.refresh_from_db()
    assert event.state == E.PROCESSED and Message.objects.filter(direction="in").count() == 2
    assert inbound_event_retry(event=event, by=admin_user).state == E.PROCESSED  # processed stays processed


def test_pending_ids_wait_a_minute(fake):
    fresh, old = _store(key="fresh"), _store(key="old")
    InboundEvent.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    assert pending_inbound_ids() == [old.pk]
    assert fresh.pk not in pending_inbound_ids()
