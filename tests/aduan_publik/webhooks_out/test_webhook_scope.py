"""A subscriber never receives what its scope forbids: OPD, event types, anonim and rahasia."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from aduan_publik import access
from aduan_publik.models import Role, WebhookDelivery
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import followup_draft
from tests.aduan_publik.webhooks_out.conftest import subscribe
from tests.conftest import make_user
from tests.fakes.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db
FOLLOWUP = "Tim sudah memperbaiki lampu dan memeriksa kabel di sepanjang gang."


def _file(contact, category, run, **extra):
    with run(execute=True):
        created, _code = complaint_create(
            channel="web", title="Lampu jalan mati di gang 3", description="Sudah seminggu gelap gulita.",
            contact=contact, category=category, **extra)
    return created


def test_an_opd_restricted_subscription_gets_only_complaints_disposed_to_its_opd(
        integrator, contact, category_jalan, admin_user, opd_pu, opd_dlh, django_capture_on_commit_callbacks):
    with WebhookReceiver() as city_rx, WebhookReceiver() as dlh_rx, WebhookReceiver() as pu_rx:
        subscribe(integrator, city_rx)
        subscribe(integrator, dlh_rx, opd=opd_dlh)
        subscribe(integrator, pu_rx, opd=opd_pu)
        complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
        assert [r["type"] for r in city_rx.received()] == ["complaint.created", "complaint.verified"]
        # Not yet disposed when it was created: the OPD subscriber gets it from the disposition on.
        assert [r["type"] for r in pu_rx.received()] == ["complaint.verified"]
        assert dlh_rx.received() == []
    assert not WebhookDelivery.objects.filter(subscription__opd=opd_dlh).exists()


def test_an_integrator_bound_to_an_opd_never_gets_another_opd(
        contact, category_jalan, admin_user, opd_pu, opd_dlh, django_capture_on_commit_callbacks):
    bound = make_user("integrator_dlh", Role.INTEGRATOR, opd_dlh)
    with WebhookReceiver() as rx:
        subscribe(bound, rx)  # no OPD on the subscription: the profile's OPD still applies
        subscribe(bound, rx, opd=opd_pu, name="mencoba OPD lain")
        complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
        assert rx.received() == []
    with pytest.raises(PermissionDenied):
        access.webhook_scope_opd(bound, opd_pu.pk)
    assert access.webhook_scope_opd(bound, None) == opd_dlh.pk


def test_only_integrators_receive(contact, category_jalan, admin_user, liaison_pu, leader_user,
                                  django_capture_on_commit_callbacks):
    inactive = make_user("integrator_lama", Role.INTEGRATOR, is_active=False)
    with WebhookReceiver() as rx:
        for owner in (admin_user, liaison_pu, leader_user, inactive):
            subscribe(owner, rx, name=owner.username)
        _file(contact, category_jalan, django_capture_on_commit_callbacks)
        assert rx.received() == []
    assert not WebhookDelivery.objects.exists()


def test_event_types_filter_what_is_sent(integrator, contact, category_jalan, admin_user, opd_pu,
                                         django_capture_on_commit_callbacks):
    with WebhookReceiver() as rx:
        subscribe(integrator, rx, events=["complaint.verified"])
        complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
        assert [r["type"] for r in rx.received()] == ["complaint.verified"]


def test_anonim_identity_is_masked(subscription, receiver, contact, category_jalan,
                                   django_capture_on_commit_callbacks):
    _file(contact, category_jalan, django_capture_on_commit_callbacks, is_anonymous=True)
    [request] = receiver.received()
    assert request["json"]["complaint"]["reporter"] is None
    assert b"Budi" not in request["body"] and b"081234567890" not in request["body"]
    assert request["json"]["complaint"]["title"] == "Lampu jalan mati di gang 3"


def test_rahasia_content_never_leaves_by_webhook(subscription, receiver, contact, category_jalan, admin_user,
                                                 opd_pu, liaison_pu, django_capture_on_commit_callbacks):
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu], is_secret=True)
    with django_capture_on_commit_callbacks(execute=True):
        followup_draft(disposition=disposition, by=liaison_pu, body=FOLLOWUP, publish=True)
    got = receiver.received()
    assert [r["type"] for r in got] == ["complaint.created", "complaint.verified", "complaint.followed_up",
                                        "complaint.answered"]
    for request in got[1:]:
        part = request["json"]["complaint"]
        assert part["is_secret"] is True and part["reporter"] is None
        assert part["title"] is part["description"] is part["location_text"] is None
        assert b"Lampu" not in request["body"] and b"Budi" not in request["body"]
    assert got[2]["json"]["data"]["followup"]["body"] is None
    assert b"memperbaiki" not in got[2]["body"]


def test_a_published_followup_carries_its_text_when_the_report_is_public(
        subscription, receiver, contact, category_jalan, admin_user, opd_pu, liaison_pu,
        django_capture_on_commit_callbacks):
    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    with django_capture_on_commit_callbacks(execute=True):
        followup_draft(disposition=disposition, by=liaison_pu, body=FOLLOWUP, publish=True)
    [request] = [r for r in receiver.received() if r["type"] == "complaint.followed_up"]
    assert request["json"]["data"]["followup"]["body"] == FOLLOWUP
    assert request["json"]["data"]["opd"] == "PUPR"


def test_no_subscription_costs_no_delivery_rows(contact, category_jalan, django_capture_on_commit_callbacks):
    _file(contact, category_jalan, django_capture_on_commit_callbacks)
    assert not WebhookDelivery.objects.exists()


def test_internal_verbs_stay_inside(subscription, receiver, contact, category_jalan, admin_user,
                                    django_capture_on_commit_callbacks):
    from aduan_publik.services.audit import event_record

    complaint = _file(contact, category_jalan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        event_record(complaint=complaint, by=admin_user, verb="note", summary="catatan internal",
                     data={"text": "nomor HP pelapor 0812"})
    assert [r["type"] for r in receiver.received()] == ["complaint.created"]
    assert all("0812" not in json.dumps(r["json"]["data"]) for r in receiver.received())
