"""The WhatsApp webhook's edges: provider ids outside RQ's job-id alphabet, large deliveries, the URL."""

from __future__ import annotations

import json

import pytest
from wa_helpers import JPEG, fixture_json

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
