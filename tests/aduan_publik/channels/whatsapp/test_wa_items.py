"""Item by item: one bad item of a batch sinks no other; deliveries for another number are not ours."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from wa_helpers import fixture_body

from aduan_publik.channels.base import InboundMessage, InboundProblem
from aduan_publik.channels.whatsapp import payloads
from aduan_publik.models import Complaint, InboundEvent, Message

pytestmark = pytest.mark.django_db(transaction=True)
SITE_NUMBER = "106540352242922"


def test_parser_returns_the_good_items_and_names_the_bad_ones():
    items = payloads.parse(fixture_body("batch_one_bad"), phone_number_id=SITE_NUMBER)
    good = [i for i in items if isinstance(i, InboundMessage)]
    bad = [i for i in items if isinstance(i, InboundProblem)]
    assert [i.external_id for i in good] == ["wamid.BAD0001", "wamid.BAD0003"]
    assert good[1].sent_at == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)  # an ISO time is read, not refused
    assert good[1].sender.address == "6285600001111" and good[1].sender.name == "Rina"
    assert [(b.external_id, "pengirim" in b.reason or "timestamp" in b.reason) for b in bad] == [
        ("wamid.BAD0002", True), ("wamid.BAD0004", True)]
    assert bad[0].raw["text"] == {"body": "Pesan tanpa pengirim"}


def test_one_bad_item_does_not_lose_the_batch_and_is_shown_to_the_admin(post_webhook, whatsapp, admin_user):
    assert post_webhook(fixture_body("batch_one_bad")).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == "processed"
    stored = sorted(Message.objects.filter(direction="in").values_list("external_id", flat=True))
    assert stored == ["wamid.BAD0001", "wamid.BAD0003"]
    assert Complaint.objects.filter(channel="whatsapp").count() == 2 and len(whatsapp.sends()) == 2
    assert [p["external_id"] for p in event.problems] == ["wamid.BAD0002", "wamid.BAD0004"]
    assert "tanpa pengirim" in event.problems[0]["reason"] and "besok" in event.problems[1]["reason"]
    desk = Client()
    desk.force_login(admin_user)
    page = desk.get("/desk/aduan_publik/inboundevent/", {"bermasalah": "ya"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "wamid.BAD0002" in text and "tanpa pengirim" in text


def test_delivery_for_another_business_number_is_not_routed(post_webhook, whatsapp):
    assert post_webhook(fixture_body("other_number")).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and "999999999999999" in event.reason
    assert not Complaint.objects.exists() and not Message.objects.exists() and whatsapp.sends() == []


def test_mixed_delivery_routes_only_the_site_numbers_value(post_webhook, whatsapp):
    other = json.loads(fixture_body("other_number"))
    ours = json.loads(fixture_body("text"))
    ours["entry"][0]["changes"].append(other["entry"][0]["changes"][0])
    post_webhook(json.dumps(ours).encode())
    event = InboundEvent.objects.get()
    assert event.state == "processed" and "999999999999999" in event.problems[0]["reason"]
    assert list(Message.objects.filter(direction="in").values_list("body", flat=True)) == [
        ours["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"]]


def test_value_level_errors_are_recorded(post_webhook):
    post_webhook(fixture_body("value_errors"))
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and "131000" in event.reason and "delivered to the business" in event.reason
