"""The WhatsApp webhook's edges: provider ids outside RQ's job-id alphabet, large deliveries, the URL."""

from __future__ import annotations

import json

import pytest
from wa_helpers import JPEG, VERIFY_TOKEN, WEBHOOK, fixture_body, fixture_json, sign

from aduan_publik.models import Attachment, Complaint, Event, InboundEvent

pytestmark = pytest.mark.django_db(transaction=True)
ODD_MEDIA_ID = "ID.hub:4f=7+x"  # '.', ':', '=' and '+' are outside RQ's [A-Za-z0-9_-]


def _image_body(media_id: str) -> bytes:
    data = fixture_json("image")
    data["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"] = media_id
    return json.dumps(data).encode()


def test_a_media_id_outside_the_job_id_alphabet_is_still_fetched(post_webhook, whatsapp):
    whatsapp.add_media(ODD_MEDIA_ID, JPEG, "image/jpeg")
    response = post_webhook(_image_body(ODD_MEDIA_ID))
    assert response.status_code == 200
    assert InboundEvent.objects.get().state == "processed"
    [attachment] = Attachment.objects.all()
    assert attachment.complaint == Complaint.objects.get(channel="whatsapp")
    assert attachment.content_type == "image/jpeg" and attachment.size == len(JPEG)
    assert not Event.objects.filter(verb="media_failed").exists()


def _padded_text_body(size: int, message_id: str = "wamid.BIG1") -> bytes:
    """A real text delivery grown to ``size`` bytes by a field the parser does not read."""
    data = fixture_json("text")
    value = data["entry"][0]["changes"][0]["value"]
    value["messages"][0]["id"] = message_id
    value["padding"] = ""
    body = json.dumps(data).encode()
    value["padding"] = "x" * (size - len(body))
    return json.dumps(data).encode()


def test_a_delivery_as_large_as_meta_sends_is_accepted_and_processed(post_webhook, settings):
    # Meta documents payloads of up to 3 MB; this one is also above Django's 5 MiB in-memory limit.
    body = _padded_text_body(6 * 1024 * 1024)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post_webhook(body)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    event = InboundEvent.objects.get()
    assert event.state == "processed" and bytes(event.body) == body
    assert Complaint.objects.get(channel="whatsapp").messages.get(direction="in").external_id == "wamid.BIG1"


def test_a_delivery_above_the_cap_is_kept_as_rejected_with_the_reason(post_webhook, settings):
    settings.ADUAN = {**settings.ADUAN, "webhook_max_bytes": 100_000}
    body = _padded_text_body(150_000)
    first = post_webhook(body)
    again = post_webhook(body)  # the provider's retry finds the same record
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == again.json()["status"] == "rejected"
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and first.json()["id"] == again.json()["id"] == event.pk
    assert "150000" in event.reason and "100000" in event.reason
    assert body.startswith(bytes(event.body)) and 0 < len(event.body) < 100_000
    assert not Complaint.objects.exists()


def test_the_callback_url_works_with_and_without_a_trailing_slash(client, whatsapp, post_webhook):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    for url in (WEBHOOK, WEBHOOK + "/"):
        answer = client.get(url, query)
        assert (answer.status_code, answer.content) == (200, b"1158201444")
    body = fixture_body("text")
    response = client.post(WEBHOOK + "/", data=body, content_type="application/json",
                           HTTP_X_HUB_SIGNATURE_256=sign(body))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert InboundEvent.objects.get().state == "processed"
