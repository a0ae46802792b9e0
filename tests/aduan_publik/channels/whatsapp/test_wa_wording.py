"""What staff and residents read: refusal reasons, send notes, the acknowledgement's own template."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from wa_helpers import fixture_body

from aduan_publik.models import Complaint, Contact, Event, Message
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)


def test_refused_file_type_reason_reads_as_a_sentence(post_webhook, whatsapp):
    whatsapp.add_media("1481298385764823", b"MZ\x90\x00 not an image", "image/jpeg")
    post_webhook(fixture_body("image"))
    message = Message.objects.get(direction="in")
    [reason] = message.meta["media_errors"]
    assert reason.startswith("Jenis berkas ") and "[" not in reason
    event = Event.objects.get(verb="media_failed")
    assert event.summary.endswith(reason) and "['" not in event.summary


def test_acknowledgement_outside_the_window_uses_its_own_template(settings, post_webhook, whatsapp):
    settings.ADUAN["channels"]["whatsapp"]["ack_template"] = "aduan_diterima"
    post_webhook(fixture_body("text", fresh=False))  # recorded long ago: the window is closed
    complaint = Complaint.objects.get()
    [send] = whatsapp.sends()
    template = send["json"]["template"]
    assert template["name"] == "aduan_diterima"
    number, text = [p["text"] for p in template["components"][0]["parameters"]]
    assert number == complaint.tracking_number
    assert text.startswith("Kode akses rahasia Anda: ") and "Terima kasih" not in text
    ack = Message.objects.get(direction="out")
    assert ack.state == "sent" and ack.error == "" and "aduan_diterima" in ack.meta["note"]


def test_other_messages_keep_the_reply_template(settings, post_webhook, whatsapp, admin_user):
    settings.ADUAN["channels"]["whatsapp"]["ack_template"] = "aduan_diterima"
    post_webhook(fixture_body("text"))
    Contact.objects.update(last_inbound_at=timezone.now() - timedelta(hours=30))
    complaint_reply(complaint=Complaint.objects.get(), by=admin_user, body="Sedang kami periksa.")
    assert whatsapp.sends()[-1]["json"]["template"]["name"] == "aduan_balasan"
