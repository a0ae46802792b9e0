"""Issue 12 point 8: the resident side without traps.

Kept uploads across a refused form, the "sudah selesai" / "belum selesai" choice, an
Indonesian page for a tracking link without the code, no access code in the timeline, the
deadline shown to the resident, favicon and meta description.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from portal_helpers import form_token, photo_bytes, solve

from aduan_publik.models import Attachment, Complaint, Message
from aduan_publik.portal.models import PendingUpload
from aduan_publik.portal.services import pending_purge
from aduan_publik.sealed import unseal
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft

pytestmark = pytest.mark.django_db(transaction=True)
S = Complaint.Status
WIB = ZoneInfo("Asia/Jakarta")
ANSWER = "Lubang sudah ditambal tim UPT Jalan pada Senin pagi dan rambu sudah dipasang."


def photo(name: str = "lubang.jpg", color: str = "red") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(color, "JPEG"), content_type="image/jpeg")


# ---- uploads kept across a refused form ---------------------------------------------------


def test_a_wrong_captcha_keeps_the_photo_and_the_next_submit_attaches_it(client, complaint_post):
    data = complaint_post(captcha_answer="999", attachments=[photo()])
    refused = client.post("/aduan/baru/", data)
    page = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="kept-files"' in page and "lubang.jpg" in page and "tidak perlu dipilih lagi" in page
    assert PendingUpload.objects.filter(token=data["submit_token"]).count() == 1

    again = {**data, **solve(page)}
    again.pop("attachments")  # a browser never refills a file input
    done = client.post("/aduan/baru/", again)
    assert done.status_code == 302
    complaint = Complaint.objects.get()
    [kept] = Attachment.objects.filter(complaint=complaint)
    assert kept.original_name == "lubang.jpg" and kept.content_type == "image/jpeg"
    assert kept.file.read() == photo_bytes("red", "JPEG")
    assert not PendingUpload.objects.exists()


def test_a_missing_field_keeps_the_photo_too_and_a_kept_file_can_be_removed(client, complaint_post):
    data = complaint_post(title="", attachments=[photo(), photo("kedua.jpg", "blue")])
    page = client.post("/aduan/baru/", data).content.decode()
    kept = list(PendingUpload.objects.filter(token=data["submit_token"]).order_by("pk"))
    assert [k.original_name for k in kept] == ["lubang.jpg", "kedua.jpg"]
    assert "kedua.jpg" in page

    again = {**data, **solve(page), "title": "Lampu jalan padam", "drop_pending": [str(kept[1].pk)]}
    again.pop("attachments")
    assert client.post("/aduan/baru/", again).status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["lubang.jpg"]


def test_the_same_photo_chosen_again_is_attached_once(client, complaint_post):
    data = complaint_post(captcha_answer="999", attachments=[photo()])
    page = client.post("/aduan/baru/", data).content.decode()
    again = {**data, **solve(page), "attachments": [photo("lubang-lagi.jpg")]}  # same bytes, picked again
    assert client.post("/aduan/baru/", again).status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["lubang-lagi.jpg"]


def test_a_fake_image_is_not_kept(client, complaint_post):
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 not a photo at all", content_type="image/jpeg")
    data = complaint_post(captcha_answer="999", attachments=[fake])
    page = client.post("/aduan/baru/", data).content.decode()
    assert not PendingUpload.objects.exists() and 'id="kept-files"' not in page


def test_another_forms_token_cannot_remove_or_take_kept_files(client, complaint_post):
    first = complaint_post(captcha_answer="999", attachments=[photo()])
    client.post("/aduan/baru/", first)
    [kept] = PendingUpload.objects.all()
    other = complaint_post(drop_pending=[str(kept.pk)])
    assert client.post("/aduan/baru/", other).status_code == 302
    assert PendingUpload.objects.filter(pk=kept.pk).exists()  # not this form's file
    assert not Attachment.objects.exists()


def test_forgotten_kept_files_are_purged_after_a_day(client, complaint_post):
    client.post("/aduan/baru/", complaint_post(captcha_answer="999", attachments=[photo()]))
    [kept] = PendingUpload.objects.all()
    storage, name = kept.file.storage, kept.file.name
    assert pending_purge(now=kept.created_at + timedelta(hours=23)) == 0  # the resident may still come back
    assert pending_purge(now=kept.created_at + timedelta(hours=25)) == 1
    assert not PendingUpload.objects.exists() and not storage.exists(name)


# ---- tracking page ------------------------------------------------------------------------


@pytest.fixture
def filed(contact, category_jalan):
    return complaint_create(channel="web", title="Jalan berlubang", contact=contact, category=category_jalan,
                            description="Lubang besar di Jl. Merdeka depan sekolah.", acknowledge=True)


def login(client, complaint, code) -> str:
    assert client.post("/lacak/", {"tracking_number": complaint.tracking_number, "code": code}).status_code == 302
    return client.get(f"/lacak/{complaint.tracking_number}/").content.decode()


def answer(complaint, admin_user, opd_pu, liaison_pu) -> None:
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, body=ANSWER, publish=True)


def test_a_tracking_link_in_a_fresh_browser_asks_for_the_code_in_indonesian(client, filed):
    complaint, code = filed
    response = client.get(f"/lacak/{complaint.tracking_number}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not Found" not in page
    assert f"Untuk membuka aduan {complaint.tracking_number} di peramban ini, masukkan kode akses" in page
    assert f'value="{complaint.tracking_number}"' in page  # the number is filled in already
    assert complaint.title not in page  # nothing of the complaint without the code
    unknown = client.get("/lacak/ADU-1999-000001/").content.decode()
    assert "Untuk membuka aduan ADU-1999-000001" in unknown  # the same page: no hint for guessers
    # A reply posted without the code changes nothing and asks for the code as well.
    posted = client.post(f"/lacak/{complaint.tracking_number}/balas/", {"text": "Halo", "message_key": "k1"})
    assert "masukkan kode akses" in posted.content.decode()
    assert not Message.objects.filter(direction="in").exists()
    assert "Jalan berlubang" in login(client, complaint, code)


def test_an_unknown_address_gets_an_indonesian_page(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.content.decode()


def test_the_access_code_is_never_printed_in_the_timeline(client, filed):
    complaint, code = filed
    assert code in unseal(Message.objects.get(complaint=complaint, direction="out").body)  # the message has it
    page = login(client, complaint, code)
    assert "Kode akses rahasia Anda" in page  # the acknowledgement is shown ...
    assert code not in page  # ... without the code


def test_the_resident_sees_the_deadline_of_the_current_stage(client, filed, admin_user, opd_pu):
    complaint, code = filed
    monday = datetime(2026, 11, 2, 10, tzinfo=WIB)
    page = login(client, complaint, code)
    assert 'id="deadline"' in page and "Diverifikasi dan diteruskan paling lambat" in page
    with mock.patch("django.utils.timezone.now", return_value=monday):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Dijawab paling lambat" in page
    assert "Senin, 16 November 2026" in page  # 14 days for completion, end of that day


def test_thank_you_with_sudah_selesai_keeps_the_rating_form(client, filed, admin_user, opd_pu, liaison_pu):
    complaint, code = filed
    answer(complaint, admin_user, opd_pu, liaison_pu)
    page = login(client, complaint, code)
    assert 'id="pilihan-selesai"' in page and "Apakah masalah Anda sudah selesai?" in page
    url = f"/lacak/{complaint.tracking_number}/balas/"

    unchosen = client.post(url, {"message_key": form_token(page, "message_key"), "text": "Terima kasih banyak!"})
    assert unchosen.status_code == 400
    assert "Pilih dahulu: masalah sudah selesai atau belum selesai." in unchosen.content.decode()
    assert not Message.objects.filter(direction="in").exists()

    done = client.post(url, {"message_key": form_token(page, "message_key"), "text": "Terima kasih banyak!",
                             "outcome": "selesai"})
    assert done.status_code == 302 and done["Location"].endswith("#nilai")
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED  # not sent back to the OPD
    assert Message.objects.filter(direction="in", body="Terima kasih banyak!").exists()
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Kirim penilaian" in page  # the rating form is still there
    client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "5"})
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.rating == 5


def test_belum_selesai_sends_it_back_to_the_opd(client, filed, admin_user, opd_pu, liaison_pu):
    complaint, code = filed
    answer(complaint, admin_user, opd_pu, liaison_pu)
    page = login(client, complaint, code)
    response = client.post(f"/lacak/{complaint.tracking_number}/balas/", {
        "message_key": form_token(page, "message_key"), "text": "Lubangnya masih ada di sisi kiri jalan.",
        "outcome": "belum"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS
    assert complaint.events.filter(verb="reporter_unsatisfied").exists()


def test_favicon_and_meta_description_on_every_portal_page(client):
    page = client.get("/").content.decode()
    assert '<meta name="description" content="Layanan pengaduan resmi Pemerintah' in page
    assert 'rel="icon" href="/static/portal/favicon.svg"' in page
    from django.contrib.staticfiles import finders

    found = finders.find("portal/favicon.svg")  # served by the live server in the browser test
    assert found and "<svg" in Path(found).read_text(encoding="utf-8")
    assert 'name="description"' in client.get("/lacak/").content.decode()
