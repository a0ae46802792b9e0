"""One resident, one contact: phone and username identities merge; the reply window only moves forward."""

from __future__ import annotations

import json

import pytest
from wa_helpers import fixture_body, fixture_json

from aduan_publik.models import Complaint, Contact, Event, InboundEvent, Message
from aduan_publik.services.contacts import contact_merge
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)
PHONE, USER = "6281234567890", "ID.1234567890123456"


def _phone_only(message_id: str) -> bytes:
    data = fixture_json("text")
    value = data["entry"][0]["changes"][0]["value"]
    value["contacts"][0].pop("user_id")
    value["messages"][0]["id"] = message_id
    return json.dumps(data).encode()


def _username_only(message_id: str) -> bytes:
    data = fixture_json("username_only")
    value = data["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["user_id"] = USER
    value["messages"][0].update(id=message_id, from_user_id=USER)
    return json.dumps(data).encode()


def _both(message_id: str) -> bytes:
    data = fixture_json("button")
    data["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = message_id
    return json.dumps(data).encode()


def test_phone_then_username_then_both_merges_into_one_contact(post_webhook, whatsapp):
    post_webhook(_phone_only("wamid.P1"))
    post_webhook(_username_only("wamid.U1"))
    assert Contact.objects.count() == 2 and Complaint.objects.count() == 2
    first = Contact.objects.get(address=PHONE)
    post_webhook(_both("wamid.B1"))
    assert set(InboundEvent.objects.values_list("state", flat=True)) == {"processed"}
    [contact] = Contact.objects.all()
    assert (contact.pk, contact.address, contact.user_id) == (first.pk, PHONE, USER)
    assert set(Complaint.objects.values_list("contact", flat=True)) == {contact.pk}
    username_complaint = Complaint.objects.get(messages__external_id="wamid.U1")
    assert Event.objects.filter(complaint=username_complaint, verb="contact_merged").count() == 1
    stored = Message.objects.get(external_id="wamid.B1")
    assert stored.contact == contact and stored.complaint is not None
    assert set(Message.objects.filter(direction="in").values_list("contact", flat=True)) == {contact.pk}


def test_merge_keeps_the_latest_inbound_time_and_all_details(db):
    keep = Contact.objects.create(channel="whatsapp", address=PHONE)
    drop = Contact.objects.create(channel="whatsapp", user_id=USER, name="sari_warga")
    Message.objects.create(contact=drop, channel="whatsapp", direction="in", body="x", state="received",
                           created_at="2026-01-02T00:00:00Z")
    merged = contact_merge(keep=keep, drop=drop, by="uji")
    assert (merged.pk, merged.address, merged.user_id, merged.name) == (keep.pk, PHONE, USER, "sari_warga")
    assert Message.objects.get().contact_id == keep.pk and not Contact.objects.filter(pk=drop.pk).exists()


def test_an_old_message_does_not_close_the_reply_window(post_webhook, whatsapp, admin_user):
    post_webhook(fixture_body("text"))
    contact = Contact.objects.get()
    fresh = contact.last_inbound_at
    post_webhook(fixture_body("button", fresh=False))  # recorded 2026-01-01, arriving late
    contact.refresh_from_db()
    assert contact.last_inbound_at == fresh
    complaint_reply(complaint=Complaint.objects.get(), by=admin_user, body="Sedang kami periksa.")
    assert whatsapp.sends()[-1]["json"]["type"] == "text"  # still inside the 24-hour window
