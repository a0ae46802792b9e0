"""Outgoing webhooks against a local receiver over real HTTP: signature, retries, order, dead letters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aduan_publik.models import WebhookDelivery
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept
from aduan_publik.webhooks_out.services import (
    delivery_attempt,
    delivery_discard,
    delivery_resend,
    due_heads,
)
from aduan_publik.webhooks_out.transport import sign
from aduan_publik.workflow import WorkflowError
from tests.fakes.webhook_receiver import signature_ok

pytestmark = pytest.mark.django_db
State = WebhookDelivery.State


def _file(contact, category, run, **extra):
    with run(execute=True):
        created, _code = complaint_create(
            channel="web", title="Lampu jalan mati", description="Lampu jalan mati sejak seminggu di gang 3.",
            contact=contact, category=category, **extra)
    return created


def _sweep(now):
    """What the scheduler's sweep and RQ's scheduled retries do, at a chosen moment."""
    return [delivery_attempt(delivery_id=pk, now=now) for pk, _attempts in due_heads(now=now)]


def test_every_change_reaches_the_subscriber_signed_and_in_order(
        subscription, receiver, contact, category_jalan, admin_user, opd_pu, operator_pu,
        django_capture_on_commit_callbacks):
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    with django_capture_on_commit_callbacks(execute=True):
        disposition_accept(disposition=disposition, by=operator_pu)

    got = receiver.received()
    assert [r["type"] for r in got] == ["complaint.created", "complaint.verified", "complaint.accepted"]
    assert all(r["signature_ok"] for r in got)
    assert [r["headers"]["x-aduan-event"] for r in got] == [r["type"] for r in got]
    assert len({r["key"] for r in got}) == 3
    verified = got[1]["json"]
    assert verified["complaint"]["tracking_number"] == complaint.tracking_number
    assert verified["complaint"]["opds"] == ["PUPR"] and verified["data"] == {"opds": ["PUPR"]}
    assert verified["complaint"]["reporter"]["name"] == "Budi Santoso"
    rows = WebhookDelivery.objects.order_by("event_id")
    assert [d.state for d in rows] == [State.DELIVERED] * 3
    assert [str(d.key) for d in rows] == [r["key"] for r in got]
    assert got[0]["body"] == rows[0].body.encode()  # the stored body, byte for byte


def test_signature_covers_timestamp_and_body(subscription, receiver, contact, category_jalan,
                                              django_capture_on_commit_callbacks):
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    [request] = receiver.received()
    headers, body = request["headers"], request["body"]
    assert headers["x-aduan-signature"] == sign(subscription.secret, int(headers["x-aduan-timestamp"]), body)
    assert not signature_ok("another-secret", headers, body)
    assert not signature_ok(subscription.secret, {**headers, "x-aduan-timestamp": "1"}, body)
    assert not signature_ok(subscription.secret, headers, body.replace(b"Lampu", b"Lampo"))


def test_a_failed_attempt_is_retried_with_backoff_under_the_same_key(
        subscription, receiver, contact, category_jalan, django_capture_on_commit_callbacks):
    receiver.script(500, 503)
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    first = delivery.first_attempt_at
    assert (delivery.state, delivery.attempts, delivery.last_status) == (State.PENDING, 1, 500)
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=30)
    assert _sweep(delivery.next_attempt_at - timedelta(seconds=1)) == []  # not due yet

    assert _sweep(delivery.next_attempt_at) == ["retry"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=60)
    assert _sweep(delivery.next_attempt_at) == ["delivered"]
    delivery.refresh_from_db()
    assert delivery.state == State.DELIVERED and delivery.first_attempt_at == first
    got = receiver.received()
    assert [r["status"] for r in got] == [500, 503, 200]
    assert {r["key"] for r in got} == {str(delivery.key)}
    assert [r["headers"]["x-aduan-attempt"] for r in got] == ["1", "2", "3"]


def test_a_later_event_waits_while_an_earlier_one_of_the_same_complaint_retries(
        subscription, receiver, contact, category_jalan, admin_user, opd_pu, django_capture_on_commit_callbacks):
    receiver.script(500)
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    other = _file(contact, category_jalan, django_capture_on_commit_callbacks)  # another line: not held
    with django_capture_on_commit_callbacks(execute=True):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    assert [(r["complaint"], r["type"], r["status"]) for r in receiver.received()] == [
        (complaint.pk, "complaint.created", 500), (other.pk, "complaint.created", 200)]
    verified = WebhookDelivery.objects.get(event_type="complaint.verified")
    assert delivery_attempt(delivery_id=verified.pk) == "waiting"

    head = WebhookDelivery.objects.get(complaint=complaint, event_type="complaint.created")
    with django_capture_on_commit_callbacks(execute=True):
        assert _sweep(head.next_attempt_at) == ["delivered"]  # the head only; it then hands over
    mine = [(r["type"], r["status"]) for r in receiver.received() if r["complaint"] == complaint.pk]
    assert mine == [("complaint.created", 500), ("complaint.created", 200), ("complaint.verified", 200)]


def _exhaust(delivery):
    """Attempt at every due moment until the delivery stops retrying; returns the outcomes."""
    outcomes = []
    now = delivery.next_attempt_at  # the first attempt ran on commit
    while True:
        outcome = delivery_attempt(delivery_id=delivery.pk, now=now)
        outcomes.append(outcome)
        delivery.refresh_from_db()
        if outcome != "retry":
            return outcomes
        now = delivery.next_attempt_at


def test_dead_letter_after_a_day_of_retries_holds_its_line_until_sent_again(
        subscription, receiver, contact, category_jalan, admin_user, opd_pu, django_capture_on_commit_callbacks):
    receiver.script(*[500] * 40)
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    head = WebhookDelivery.objects.get(event_type="complaint.created")
    outcomes = _exhaust(head)
    assert outcomes[-1] == "dead" and set(outcomes[:-1]) == {"retry"}
    assert head.state == State.DEAD and head.last_status == 500
    assert head.last_attempt_at - head.first_attempt_at >= timedelta(hours=24)
    assert head.attempts == len(outcomes) + 1  # the first attempt ran on commit
    # The line is held: the later event was never sent, and the sweep does not pick it up.
    assert all(r["type"] == "complaint.created" for r in receiver.received())
    assert due_heads(now=timezone.now() + timedelta(days=30)) == []

    receiver.script()  # the receiver is back
    receiver._script.clear()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(delivery=head, by=admin_user)
    head.refresh_from_db()
    assert head.state == State.DELIVERED and head.handled_by == admin_user
    accepted = [r["type"] for r in receiver.accepted()]
    assert accepted == ["complaint.created", "complaint.verified"]


def test_discarding_a_dead_letter_releases_the_line(
        subscription, receiver, contact, category_jalan, admin_user, opd_pu, django_capture_on_commit_callbacks):
    receiver.script(*[500] * 40)
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    head = WebhookDelivery.objects.get(event_type="complaint.created")
    _exhaust(head)
    receiver._script.clear()
    with pytest.raises(WorkflowError):
        delivery_resend(delivery=WebhookDelivery.objects.get(event_type="complaint.verified"), by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_discard(delivery=head, by=admin_user)
    assert [r["type"] for r in receiver.accepted()] == ["complaint.verified"]
    assert WebhookDelivery.objects.get(pk=head.pk).state == State.DISCARDED


def test_only_admins_handle_dead_letters(subscription, receiver, contact, category_jalan, liaison_pu,
                                         integrator, django_capture_on_commit_callbacks):
    receiver.script(*[500] * 40)
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    head = WebhookDelivery.objects.get()
    _exhaust(head)
    for user in (liaison_pu, integrator):
        with pytest.raises(PermissionDenied):
            delivery_resend(delivery=head, by=user)
        with pytest.raises(PermissionDenied):
            delivery_discard(delivery=head, by=user)
    assert WebhookDelivery.objects.get().state == State.DEAD


def test_a_paused_subscription_keeps_its_deliveries_for_later(
        subscription, receiver, contact, category_jalan, django_capture_on_commit_callbacks):
    receiver.script(500)
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    subscription.active = False
    subscription.save()
    delivery = WebhookDelivery.objects.get()
    assert delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at) == "paused"
    assert due_heads(now=delivery.next_attempt_at) == []
    subscription.active = True
    subscription.save()
    assert _sweep(delivery.next_attempt_at) == ["delivered"]


def test_the_stored_body_is_json_with_the_event_catalogue_fields(
        subscription, receiver, contact, category_jalan, django_capture_on_commit_callbacks):
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    body = json.loads(WebhookDelivery.objects.get().body)
    assert set(body) == {"type", "types", "event_id", "occurred_at", "site", "complaint", "data"}
    assert body["complaint"]["id"] == complaint.pk and body["complaint"]["status"] == "received"
    assert body["data"] == {"channel": "web"}  # the provider's external id stays inside


def test_a_long_line_goes_on_in_a_fresh_job(subscription, receiver, contact, category_jalan, admin_user, opd_pu,
                                            django_capture_on_commit_callbacks):
    receiver.script(500)
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    head = WebhookDelivery.objects.get(event_type="complaint.created")
    with django_capture_on_commit_callbacks(execute=True) as handed_over:
        assert delivery_attempt(delivery_id=head.pk, now=head.next_attempt_at, follow=0) == "delivered"
    # the follower's job, enqueued instead of sent in this one
    assert any(cb.__qualname__.startswith("_enqueue_after") for cb in handed_over)
    assert [r["type"] for r in receiver.accepted()] == ["complaint.created", "complaint.verified"]


def test_a_retry_started_a_moment_early_by_the_scheduler_still_sends(
        subscription, receiver, contact, category_jalan, django_capture_on_commit_callbacks):
    """RQ's scheduler counts whole seconds: a retry job may start just before ``next_attempt_at``.
    Refused as "not due", it would be lost until the sweep."""
    receiver.script(500)
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    early = delivery.next_attempt_at - timedelta(milliseconds=900)
    assert delivery_attempt(delivery_id=delivery.pk, now=early) == "delivered"
    assert delivery_attempt(delivery_id=delivery.pk, now=early) == "done"


def test_the_sweep_job_sends_what_is_due_and_first_in_line(
        subscription, receiver, contact, category_jalan, django_capture_on_commit_callbacks):
    """A delivery whose job was lost (Redis down at commit) is sent by the scheduler's sweep."""
    from aduan_publik.webhooks_out.jobs import webhook_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the commit's enqueue never happens
        complaint_create(channel="web", title="Pohon tumbang", description="Pohon tumbang menutup jalan.",
                         contact=contact, category=category_jalan)
    assert receiver.received() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_sweep() == 1
    assert [r["type"] for r in receiver.accepted()] == ["complaint.created"]
    assert WebhookDelivery.objects.get().state == State.DELIVERED
