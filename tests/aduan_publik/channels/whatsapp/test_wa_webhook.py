"""The WhatsApp webhook end to end: verify, store, answer, process — on recorded payloads."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from fakes.graph_api import FakeGraphAPI
from wa_helpers import JPEG, MP4, OGG, PDF, VERIFY_TOKEN, WEBHOOK, fixture_body, fixture_json, sign

from aduan_publik.models import Attachment, Complaint, Contact, Event, InboundEvent, Message

pytestmark = pytest.mark.django_db(transaction=True)


def _complaint() -> Complaint:
    [complaint] = Complaint.objects.filter(channel="whatsapp")
    return complaint


def test_handshake_over_http(client, whatsapp):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "987654"}
    ok = client.get(WEBHOOK, query)
    assert ok.status_code == 200 and ok.content == b"987654"
    assert client.get(WEBHOOK, {**query, "hub.verify_token": "salah"}).status_code == 403


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc"])
def test_forged_or_missing_signature_is_403_and_nothing_is_stored(post_webhook, signature):
    response = post_webhook(fixture_body("text"), signature=signature)
    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0 and Complaint.objects.count() == 0


def test_text_opens_a_received_complaint_and_the_resident_gets_the_tracking_number(post_webhook, whatsapp):
    response = post_webhook(fixture_body("text"))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    complaint = _complaint()
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.description.startswith("Jalan di depan SDN 3")
    assert complaint.contact.address == "6281234567890" and complaint.contact.user_id == "ID.1234567890123456"
    assert InboundEvent.objects.get().state == "processed"
    [send] = whatsapp.sends()
    assert send["json"]["to"] == "6281234567890" and send["json"]["type"] == "text"
    assert complaint.tracking_number in send["json"]["text"]["body"]
    ack = Message.objects.get(complaint=complaint, direction="out")
    assert ack.state == "sent" and ack.external_id == "wamid.FAKE1"


def test_second_message_joins_the_open_complaints_thread(post_webhook):
    post_webhook(fixture_body("text"))
    post_webhook(fixture_body("button"))
    complaint = _complaint()
    assert list(complaint.messages.filter(direction="in").values_list("kind", flat=True)) == ["text", "button"]
    assert Event.objects.filter(complaint=complaint, verb="reporter_message").count() == 1


def test_message_after_the_complaint_is_closed_opens_a_new_one(post_webhook):
    post_webhook(fixture_body("text"))
    Complaint.objects.update(status=Complaint.Status.CLOSED)
    post_webhook(fixture_body("interactive_list_reply"))
    assert Complaint.objects.filter(channel="whatsapp").count() == 2


@pytest.mark.parametrize(("name", "media_id", "content", "mime"), [
    ("image", "1481298385764823", JPEG, "image/jpeg"),
    ("document", "905377021234567", PDF, "application/pdf"),
    ("audio", "735602715432198", OGG, "audio/ogg"),
    ("video", "1098765432101234", MP4, "video/mp4"),
])
def test_media_is_downloaded_through_the_graph_api_and_stored(post_webhook, whatsapp, name, media_id, content, mime):
    whatsapp.add_media(media_id, content, mime)
    post_webhook(fixture_body(name))
    [attachment] = Attachment.objects.all()
    assert attachment.complaint == _complaint() and attachment.content_type == mime
    assert attachment.size == len(content) and attachment.message.kind == name
    downloads = [r for r in whatsapp.requests if r["path"] == f"/download/{media_id}"]
    assert len(downloads) == 1 and downloads[0]["headers"]["authorization"].startswith("Bearer ")


def test_expired_media_is_visible_on_the_complaint(post_webhook, whatsapp):
    post_webhook(fixture_body("image"))  # the fake does not know the id: "(#100) Invalid parameter"
    complaint = _complaint()
    assert Attachment.objects.count() == 0
    event = Event.objects.get(complaint=complaint, verb="media_failed")
    assert "100" in event.summary
    assert complaint.messages.get(direction="in").meta["media_errors"]


def test_media_download_still_failing_on_the_last_try_is_shown(post_webhook, whatsapp):
    whatsapp.fail_media("1481298385764823", FakeGraphAPI.error(2, status=503, message="Service unavailable"))
    post_webhook(fixture_body("image"))  # inline jobs have no retry left: this is the last try
    event = Event.objects.get(complaint=_complaint(), verb="media_failed")
    assert "Service unavailable" in event.summary and Attachment.objects.count() == 0


def test_media_of_a_forbidden_type_is_refused_and_shown(post_webhook, whatsapp):
    whatsapp.add_media("1481298385764823", b"MZ\x90\x00 not an image", "image/jpeg")
    post_webhook(fixture_body("image"))
    assert Attachment.objects.count() == 0
    assert Event.objects.filter(complaint=_complaint(), verb="media_failed").exists()


def test_location_fills_the_complaints_coordinates(post_webhook):
    post_webhook(fixture_body("location"))
    complaint = _complaint()
    assert (complaint.latitude, complaint.longitude) == (Decimal("-6.208763"), Decimal("106.845599"))


@pytest.mark.parametrize("name", ["sticker", "unsupported"])
def test_unsupported_types_are_kept_and_shown(post_webhook, name):
    post_webhook(fixture_body(name))
    message = Message.objects.get(direction="in")
    assert message.kind == name and message.body.startswith(f"[{name}")
    assert message.meta["raw"]["type"] == name


def test_batched_delivery_processes_every_item(post_webhook, whatsapp):
    response = post_webhook(fixture_body("batched"))
    assert response.status_code == 200
    assert Complaint.objects.filter(channel="whatsapp").count() == 2
    assert Message.objects.filter(direction="in").count() == 3
    budi = Complaint.objects.get(contact__address="6281234567890")
    assert budi.latitude == Decimal("-6.914700")
    assert len(whatsapp.sends()) == 2


def test_username_only_resident_is_answered_by_user_id(post_webhook, whatsapp):
    post_webhook(fixture_body("username_only"))
    contact = Contact.objects.get(channel="whatsapp")
    assert contact.address == "" and contact.user_id == "ID.9876543210987654"
    [send] = whatsapp.sends()
    assert send["json"]["recipient"] == "ID.9876543210987654" and "to" not in send["json"]


@pytest.mark.parametrize("body", [b"{not json", b'{"object": "page", "entry": []}',
                                  fixture_body("template_status_update")])
def test_malformed_or_unknown_bodies_are_stored_as_rejected_with_the_reason(post_webhook, body):
    response = post_webhook(body)
    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and event.reason and bytes(event.body) == body
    assert Complaint.objects.count() == 0


def test_sequential_duplicate_is_stored_once(post_webhook, whatsapp):
    first = post_webhook(fixture_body("text"))
    again = post_webhook(fixture_body("text"))
    assert again.status_code == 200 and again.json() == {**first.json(), "status": "duplicate"}
    reformatted = json.dumps(fixture_json("text")).encode()  # same ids, other bytes
    assert post_webhook(reformatted).json()["status"] == "duplicate"
    assert InboundEvent.objects.count() == 1 and Complaint.objects.count() == 1
    assert len(whatsapp.sends()) == 1


def test_same_message_in_another_batch_is_not_stored_twice(post_webhook, whatsapp):
    post_webhook(fixture_body("text"))
    body = fixture_json("text")
    body["entry"][0]["changes"][0]["value"]["messages"].append(fixture_json("button")["entry"][0]["changes"][0]["value"]["messages"][0])
    post_webhook(json.dumps(body).encode())
    assert InboundEvent.objects.count() == 2
    assert Message.objects.filter(direction="in").count() == 2 and Complaint.objects.count() == 1


def test_concurrent_duplicates_make_one_event_and_one_complaint(whatsapp):
    body = fixture_body("text")
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def deliver():
        barrier.wait()
        try:
            codes.append(Client().post(WEBHOOK, data=body, content_type="application/json",
                                       HTTP_X_HUB_SIGNATURE_256=sign(body)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200] * 4
    assert InboundEvent.objects.count() == 1 and Complaint.objects.count() == 1
    assert Message.objects.filter(direction="out").count() == 1 and len(whatsapp.sends()) == 1


def test_rejected_delivery_shows_up_for_the_admin_with_its_reason(post_webhook, admin_user):
    post_webhook(b'{"object": "page", "entry": []}')
    desk = Client()
    desk.force_login(admin_user)
    page = desk.get("/desk/aduan_publik/inboundevent/", {"state__exact": "rejected"})
    assert page.status_code == 200
    assert "whatsapp_business_account" in page.content.decode()
