"""Issue 8 point 10: merging never shows one reporter's messages, files or code to another.

The walk: an *anonim* WhatsApp complaint is merged into another reporter's web complaint. Each
reporter's tracking page (real views, the code proved on ``/lacak/``) must show only their own
part; the merged reporter's notice must match the original's real state; an archived original
is refused.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from portal_helpers import photo_bytes

from aduan_publik.channels.base import ContactRef, InboundAttachment, InboundMessage
from aduan_publik.models import Attachment, Complaint, Contact, Message
from aduan_publik.sealed import unseal
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_create,
    complaint_merge,
    complaint_verify,
)
from aduan_publik.services.dispositions import disposition_accept
from aduan_publik.services.receiving import message_receive
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db(transaction=True)
S = Complaint.Status
SECRET_TEXT = "Saya tinggal di gang Mawar, hubungi saya di 0812-9999-1111"
CODE = re.compile(r"Kode akses rahasia Anda: ([A-Z2-9]{10})")


@pytest.fixture
def other_contact(db):
    return Contact.objects.create(channel="web", address="anonim@example.org", email="anonim@example.org",
                                  name="Rahasia Sekali", phone="081299991111")


@pytest.fixture
def original(contact, category_jalan):
    complaint, code = complaint_create(channel="web", title="Jalan berlubang", contact=contact,
                                       category=category_jalan, description="Lubang besar di Jl. Merdeka.")
    return complaint, code


@pytest.fixture
def duplicate(other_contact):
    """An *anonim* complaint by another reporter, with a message (phone number in it) and a photo."""
    complaint, code = complaint_create(channel="web", title="Jalan rusak Merdeka", contact=other_contact,
                                       description="Jalan rusak parah.", is_anonymous=True)
    inbound = InboundMessage(
        channel="web", external_id="dup-msg-1", sender=ContactRef(address=other_contact.address),
        sent_at=timezone.now(), text=SECRET_TEXT, tracking_number=complaint.tracking_number,
        attachments=(InboundAttachment(filename="rumah.png", content=photo_bytes("blue")),),
    )
    message = message_receive(inbound=inbound)
    assert message.complaint_id == complaint.pk
    loose = attachment_create(complaint=complaint, content=photo_bytes("green"), filename="awal.png", by="pelapor")
    return complaint, code, loose


def _login(client, complaint, code):
    response = client.post("/lacak/", {"tracking_number": complaint.tracking_number, "code": code})
    assert response.status_code == 302
    return client.get(f"/lacak/{complaint.tracking_number}/").content.decode()


def test_surviving_reporter_never_sees_the_merged_reporters_part(client, original, duplicate, admin_user):
    (target, target_code), (dup, dup_code, loose) = original, duplicate
    dup_ack = Message.objects.get(complaint=dup, direction="out")
    dup_secret = CODE.search(unseal(dup_ack.body)).group(1)  # sealed at rest
    assert dup_secret == dup_code  # the acknowledgement carries the merged reporter's code
    complaint_merge(complaint=dup, into=target, by=admin_user)
    photo = Attachment.objects.get(original_name="rumah.png")
    assert photo.complaint_id == target.pk  # staff see it on the original

    page = _login(client, target, target_code)
    assert SECRET_TEXT not in page and "0812-9999-1111" not in page
    assert dup_secret not in page and dup.tracking_number not in page
    assert f"/lacak/berkas/{photo.pk}/" not in page and f"/lacak/berkas/{loose.pk}/" not in page
    assert client.get(f"/lacak/berkas/{photo.pk}/").status_code == 404
    assert client.get(f"/lacak/berkas/{loose.pk}/").status_code == 404
    assert "Lubang besar di Jl. Merdeka." in page  # their own complaint is still theirs


def test_merged_reporter_keeps_their_own_part_and_sees_the_original_state(original, duplicate, admin_user,
                                                                          opd_pu, liaison_pu, client):
    (target, _code), (dup, dup_code, loose) = original, duplicate
    [disposition] = complaint_verify(complaint=target, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    complaint_merge(complaint=dup, into=target, by=admin_user)
    page = _login(client, dup, dup_code)
    assert SECRET_TEXT in page
    photo = Attachment.objects.get(original_name="rumah.png")
    assert f"/lacak/berkas/{photo.pk}/" in page and f"/lacak/berkas/{loose.pk}/" in page
    assert client.get(f"/lacak/berkas/{photo.pk}/").status_code == 200
    assert target.tracking_number in page and "Dalam proses" in page
    assert "Budi Santoso" not in page  # nothing of the other reporter
    notice = Message.objects.filter(complaint=dup, direction="out").latest("id").body
    assert target.tracking_number in notice and "sedang ditangani" in notice


@pytest.mark.parametrize(("status", "words"), [
    (S.RECEIVED, "sedang kami periksa"), (S.ANSWERED, "sudah ditindaklanjuti"), (S.CLOSED, "sudah selesai"),
])
def test_merge_notice_matches_the_originals_real_state(original, duplicate, admin_user, status, words):
    (target, _code), (dup, _dup_code, _loose) = original, duplicate
    Complaint.objects.filter(pk=target.pk).update(status=status)
    complaint_merge(complaint=dup, into=target, by=admin_user)
    notice = Message.objects.filter(complaint=dup, direction="out").latest("id").body
    assert words in notice and "sedang ditangani" not in notice


def test_merge_into_an_archived_complaint_is_refused(original, duplicate, admin_user):
    (target, _code), (dup, _dup_code, _loose) = original, duplicate
    complaint_archive(complaint=target, by=admin_user, reason="spam")
    messages_before = Message.objects.filter(complaint=dup).count()
    with pytest.raises(WorkflowError, match="sudah diarsipkan"):
        complaint_merge(complaint=dup, into=target, by=admin_user)
    dup.refresh_from_db()
    assert dup.status == S.RECEIVED and dup.duplicate_of is None
    assert Message.objects.filter(complaint=dup).count() == messages_before


def test_desk_merge_into_archived_is_refused_through_the_form(original, duplicate, admin_user):
    from tests.aduan_publik.desk.desk_helpers import action_url, client_for

    (target, _code), (dup, _dup_code, _loose) = original, duplicate
    complaint_archive(complaint=target, by=admin_user, reason="spam")
    response = client_for(admin_user).post(action_url(dup, "merge"), {"tracking_number": target.tracking_number})
    assert response.status_code == 400 and "sudah diarsipkan" in response.content.decode()
    dup.refresh_from_db()
    assert dup.status == S.RECEIVED


def test_staff_timeline_marks_merged_messages_and_masks_the_merged_code(original, duplicate, admin_user):
    from tests.aduan_publik.desk.desk_helpers import change_url, client_for

    (target, _code), (dup, dup_code, _loose) = original, duplicate
    Message.objects.create(complaint=dup, contact=dup.contact, channel="web", direction="in", state="received",
                           body=f"Kode saya {dup_code}", created_at=timezone.now())
    complaint_merge(complaint=dup, into=target, by=admin_user)
    page = client_for(admin_user).get(change_url(target)).content.decode()
    assert SECRET_TEXT in page and f"aduan {dup.tracking_number} yang digabung" in page
    assert dup_code not in page
