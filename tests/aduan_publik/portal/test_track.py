"""Tracking: code check and guessing limits, the session grant, the timeline, reply, rate, reopen."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from portal_helpers import form_token, photo_bytes

from aduan_publik.models import Attachment, Complaint, Message
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import followup_draft
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)
S = Complaint.Status


@pytest.fixture
def filed(contact, category_jalan):
    complaint, code = complaint_create(
        channel="web", title="Jalan berlubang", contact=contact, category=category_jalan,
        description="Lubang besar di Jl. Merdeka depan sekolah.",
    )
    return complaint, code


def login(client, complaint, code):
    return client.post("/lacak/", {"tracking_number": complaint.tracking_number.lower(), "code": code.lower()})


def test_correct_code_grants_session_access(client, filed):
    complaint, code = filed
    fresh = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "masukkan kode akses" in fresh and "Jalan berlubang" not in fresh  # asks for the code (issue 12 #8)
    response = login(client, complaint, code)
    assert response.status_code == 302 and response["Location"] == f"/lacak/{complaint.tracking_number}/"
    page = client.get(response["Location"]).content.decode()
    assert "Jalan berlubang" in page and "Aduan diterima" in page


def test_wrong_number_and_wrong_code_get_the_same_answer(client, filed):
    complaint, _code = filed
    bad_code = client.post("/lacak/", {"tracking_number": complaint.tracking_number, "code": "XXXXXXXXXX"})
    bad_number = client.post("/lacak/", {"tracking_number": "ADU-1999-000001", "code": "XXXXXXXXXX"})
    assert bad_code.status_code == bad_number.status_code == 400
    message = "Nomor aduan atau kode akses salah."
    assert message in bad_code.content.decode() and message in bad_number.content.decode()


def test_guessing_is_rate_limited_even_with_the_right_code(client, filed, settings):
    settings.ADUAN_PORTAL_RATES = {"track_fail_number": "3/h"}
    complaint, code = filed
    for _ in range(3):
        client.post("/lacak/", {"tracking_number": complaint.tracking_number, "code": "WRONGCODE1"})
    response = login(client, complaint, code)
    assert response.status_code == 429 and "Terlalu banyak percobaan" in response.content.decode()


def test_timeline_hides_internal_notes_and_drafts(client, filed, admin_user, opd_pu, operator_pu):
    complaint, code = filed
    complaint_reply(complaint=complaint, by=admin_user, body="Catatan internal: cek ke lapangan", internal=True)
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    followup_draft(disposition=disposition, by=operator_pu, body="Draf: tim akan menambal lubang minggu depan ya.")
    login(client, complaint, code)
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Catatan internal" not in page and "Draf: tim" not in page
    assert opd_pu.name in page and "diverifikasi" in page


def test_reply_enters_the_thread_once(client, filed):
    complaint, code = filed
    login(client, complaint, code)
    html = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    data = {"message_key": form_token(html, "message_key"), "text": "Lubangnya makin besar setelah hujan."}
    data["attachment"] = SimpleUploadedFile("hujan.jpg", photo_bytes(fmt="JPEG"), content_type="image/jpeg")
    assert client.post(f"/lacak/{complaint.tracking_number}/balas/", data).status_code == 302
    data.pop("attachment")
    client.post(f"/lacak/{complaint.tracking_number}/balas/", data)  # double submit
    inbound = Message.objects.filter(complaint=complaint, direction="in")
    assert inbound.count() == 1 and inbound.get().contact_id == complaint.contact_id
    assert Complaint.objects.count() == 1
    file = Attachment.objects.get(message=inbound.get())
    assert file.content_type == "image/jpeg"
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "makin besar" in page and f"/lacak/berkas/{file.pk}/" in page
    assert client.get(f"/lacak/berkas/{file.pk}/").status_code == 200


def test_phone_only_reporter_reply_joins_own_complaint(client, complaint_post):
    response = client.post("/aduan/baru/", complaint_post(email=""))
    complaint = Complaint.objects.get()
    html = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()  # the submit granted access
    client.post(f"/lacak/{complaint.tracking_number}/balas/",
                {"message_key": form_token(html, "message_key"), "text": "Tambahan: dekat pos ronda."})
    assert response.status_code == 302 and Complaint.objects.count() == 1
    assert Message.objects.get(direction="in").complaint == complaint


def test_attachment_needs_the_session_grant(client, filed):
    complaint, code = filed
    file = attachment_create(complaint=complaint, content=photo_bytes(), filename="a.png", by="pelapor")
    assert client.get(f"/lacak/berkas/{file.pk}/").status_code == 404
    login(client, complaint, code)
    response = client.get(f"/lacak/berkas/{file.pk}/")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def test_staff_only_file_is_not_served_to_reporter(client, filed, admin_user):
    complaint, code = filed
    file = attachment_create(complaint=complaint, content=photo_bytes(), filename="internal.png", by=admin_user)
    login(client, complaint, code)
    assert client.get(f"/lacak/berkas/{file.pk}/").status_code == 404


def _answered(complaint, admin_user, opd_pu, liaison_pu):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    followup_draft(disposition=disposition, by=liaison_pu, publish=True,
                   body="Lubang sudah ditambal tim UPT Jalan pada Senin pagi, terima kasih.")
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED


def test_rate_closes_and_reopen_within_window(client, filed, admin_user, opd_pu, liaison_pu):
    complaint, code = filed
    _answered(complaint, admin_user, opd_pu, liaison_pu)
    login(client, complaint, code)
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "sudah ditambal" in page and "Beri penilaian" in page
    bad = client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "9"})
    assert bad.status_code == 400
    client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "4", "comment": "Cepat"})
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.rating == 4 and complaint.rating_comment == "Cepat"
    short = client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/", {"reason": "belum"})
    assert short.status_code == 400
    client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/", {"reason": "Lubangnya muncul lagi di sebelahnya."})
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS


def test_reopen_refused_after_window(client, filed, admin_user, opd_pu, liaison_pu):
    complaint, code = filed
    _answered(complaint, admin_user, opd_pu, liaison_pu)
    Complaint.objects.filter(pk=complaint.pk).update(status=S.CLOSED,
                                                     closed_at=timezone.now() - timezone.timedelta(days=60))
    login(client, complaint, code)
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Buka kembali aduan" not in page
    response = client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/",
                           {"reason": "Lubangnya muncul lagi di sebelahnya."})
    assert response.status_code == 400 and "batas waktu sudah lewat" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


def test_reply_to_answered_sends_it_back_to_opd(client, filed, admin_user, opd_pu, liaison_pu):
    complaint, code = filed
    _answered(complaint, admin_user, opd_pu, liaison_pu)
    login(client, complaint, code)
    html = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    client.post(f"/lacak/{complaint.tracking_number}/balas/",
                {"message_key": form_token(html, "message_key"), "text": "Belum, yang ditambal lubang lain.",
                 "outcome": "belum"})
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS
