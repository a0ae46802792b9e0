"""A follow-up's evidence (photos, documents) reaches the WhatsApp resident as media messages."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fakes.graph_api import OK, FakeGraphAPI
from wa_helpers import fixture_body

from aduan_publik.channels.whatsapp.media import media_kind
from aduan_publik.models import Complaint, Contact, Event, FollowUp, Message
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft, followup_publish
from aduan_publik.services.sending import message_send
from aduan_publik.testing.samples import PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)
BODY = "Lubang sudah ditambal tim UPT Jalan; foto dan berita acara terlampir."


@pytest.fixture
def wa_complaint(post_webhook):
    """A complaint opened by a WhatsApp text; its acknowledgement went out first."""
    assert post_webhook(fixture_body("text")).status_code == 200
    return Complaint.objects.get(channel="whatsapp")


@pytest.fixture
def publish(wa_complaint, admin_user, opd_pu, liaison_pu, operator_pu):
    """Publish a follow-up with the given files; returns its outbound Message (reloaded)."""

    def run(*files: tuple[str, bytes, str], before_publish=None) -> Message:
        [disposition] = complaint_verify(complaint=wa_complaint, by=admin_user, opds=[opd_pu])
        disposition_accept(disposition=disposition, by=operator_pu)
        uploads = [SimpleUploadedFile(name, content, content_type=ctype) for name, content, ctype in files]
        item = followup_draft(disposition=disposition, by=operator_pu, body=BODY, files=uploads)
        if before_publish is not None:
            before_publish(item)
        followup_publish(followup=item, by=liaison_pu)
        return Message.objects.get(followup=item)

    return run


PHOTO = ("tambalan.png", png_bytes((8, 6)), "image/png")
REPORT = ("berita-acara.pdf", PDF_BYTES, "application/pdf")


def _followup_sends(graph: FakeGraphAPI) -> list[dict]:
    """What the fake accepted after the acknowledgement."""
    return graph.accepted()[1:]


def test_followup_with_photo_and_pdf_goes_as_text_image_document(publish, wa_complaint, whatsapp):
    message = publish(PHOTO, REPORT)
    assert message.state == "sent", message.error
    text, image, document = _followup_sends(whatsapp)
    assert text["type"] == "text" and BODY in text["text"]["body"]
    assert message.external_id == text["wamid"]  # delivery receipts find the message by it
    number = wa_complaint.tracking_number
    assert image["type"] == "image" and image["to"] == "6281234567890"
    assert image["image"]["caption"] == f"Lampiran 1/2 aduan {number}: tambalan.png"
    photo = whatsapp.uploads[image["image"]["id"]]
    assert photo["messaging_product"] == "whatsapp" and photo["type"] == "image/png"
    assert photo["file"]["content"] == PHOTO[1] and photo["file"]["filename"] == "tambalan.png"
    assert document["type"] == "document"
    assert document["document"]["filename"] == "berita-acara.pdf"
    assert document["document"]["caption"] == f"Lampiran 2/2 aduan {number}: berita-acara.pdf"
    assert whatsapp.uploads[document["document"]["id"]]["file"]["content"] == PDF_BYTES
    parts = message.meta["sent_parts"]
    assert parts["text"] == text["wamid"] and len(parts) == 3
    assert sorted(parts.values()) == sorted(s["wamid"] for s in (text, image, document))


def test_outside_the_window_only_the_template_goes_and_staff_are_told(publish, whatsapp):
    Contact.objects.update(last_inbound_at=timezone.now() - timedelta(hours=25))
    message = publish(PHOTO, REPORT)
    assert message.state == "sent"
    assert [s["type"] for s in _followup_sends(whatsapp)] == ["template"]
    assert not whatsapp.uploads
    note = message.meta["note"]
    assert message.error == "" and note.startswith("dikirim sebagai templat aduan_balasan (di luar jendela 24 jam); "
                                                   "2 lampiran") and "halaman pelacakan" in note


@pytest.mark.parametrize("failing", [1, 2], ids=["image-fails", "document-fails"])
def test_temporary_error_on_a_file_then_retry_sends_only_what_is_missing(publish, whatsapp, failing):
    # the text goes, then the image (and the document) until the failing part is refused
    whatsapp.script_send(*[OK] * failing, FakeGraphAPI.error(130429, message="slow down"))
    message = publish(PHOTO, REPORT)
    message.refresh_from_db()
    assert message.state == "queued" and "130429" in message.error  # back in line for RQ's retry
    assert len(message.meta["sent_parts"]) == failing and "text" in message.meta["sent_parts"]
    message_send(message_id=message.pk)  # what the retry does
    message.refresh_from_db()
    assert message.state == "sent", message.error
    sends = _followup_sends(whatsapp)
    assert [s["type"] for s in sends] == ["text", "image", "document"]  # nothing twice
    assert message.external_id == sends[0]["wamid"]
    assert len(whatsapp.sends()) == 5  # ack, text, image, document and the one refused attempt
    assert len(message.meta["sent_parts"]) == 3


def test_window_closing_between_retries_keeps_the_text_and_notes_the_rest(publish, whatsapp):
    whatsapp.script_send(OK, FakeGraphAPI.error(2, status=503), FakeGraphAPI.error(131047))
    message = publish(PHOTO, REPORT)
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == "sent" and message.external_id == message.meta["sent_parts"]["text"]
    assert message.error == "" and message.meta["note"].startswith("teks; 2 lampiran")
    assert [s["type"] for s in _followup_sends(whatsapp)] == ["text"]


def _big_png() -> bytes:
    """A real PNG over WhatsApp's 5 MB image limit (noise does not compress)."""
    from PIL import Image

    side = 1400
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_oversized_photo_fails_permanently_before_anything_is_sent(publish, wa_complaint, whatsapp):
    big = _big_png()
    assert len(big) > 5 * 1024 * 1024
    message = publish(("foto-besar.png", big, "image/png"), REPORT)
    assert message.state == "failed"
    assert "foto-besar.png" in message.error and "5 MB" in message.error
    event = Event.objects.get(complaint=wa_complaint, verb="message_failed")
    assert "foto-besar.png" in event.summary
    assert _followup_sends(whatsapp) == [] and not whatsapp.uploads
    assert FollowUp.objects.get().attachments.count() == 2  # the evidence stays on the portal


def test_evidence_file_missing_from_storage_fails_naming_it(publish, whatsapp):
    def lose_photo(item: FollowUp) -> None:
        photo = item.attachments.get(original_name="tambalan.png")
        photo.file.storage.delete(photo.file.name)

    message = publish(PHOTO, REPORT, before_publish=lose_photo)
    assert message.state == "failed" and message.error.startswith("tambalan.png: berkas tersimpan tidak dapat dibaca")
    assert [s["type"] for s in _followup_sends(whatsapp)] == ["text"]  # the text went before the file


@pytest.mark.parametrize(("ctype", "kind"), [
    ("image/jpeg", "image"), ("image/png", "image"), ("application/pdf", "document"),
    ("audio/ogg", "audio"), ("audio/mpeg", "audio"), ("video/mp4", "video"),
    ("image/gif", "document"), ("application/zip", "document"), ("video/quicktime", "document"),
])
def test_content_type_decides_the_whatsapp_message_type(ctype, kind):
    assert media_kind(ctype) == kind
