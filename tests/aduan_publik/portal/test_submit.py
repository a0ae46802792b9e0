"""The complaint form: one complaint per form, the receipt, the acknowledgement, and every refusal."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from portal_helpers import photo_bytes

from aduan_publik.access import get_complaint_for_reporter
from aduan_publik.models import Attachment, Complaint, Event
from aduan_publik.portal.models import WebSubmission

pytestmark = pytest.mark.django_db(transaction=True)


def test_submit_creates_complaint_with_photo_and_shows_code(client, complaint_post, areas):
    data = complaint_post(kecamatan=areas["kec"].pk, kelurahan=areas["kel"].pk, latitude="-0.026300",
                          longitude="109.342500", is_anonymous="on")
    data["attachments"] = SimpleUploadedFile("lubang.png", photo_bytes(), content_type="image/png")
    response = client.post("/aduan/baru/", data)
    assert response.status_code == 302
    done = client.get(response["Location"])
    html = done.content.decode()
    complaint = Complaint.objects.get()
    assert complaint.channel == "web" and complaint.is_anonymous and not complaint.is_secret
    assert complaint.kelurahan == areas["kel"] and complaint.kecamatan == areas["kec"]
    assert str(complaint.latitude) == "-0.026300"
    assert complaint.contact.email == "siti@example.org" and complaint.contact.phone == "6281234567890"
    assert complaint.tracking_number in html
    code = html.split('id="access-code">')[1].split("<")[0]
    assert get_complaint_for_reporter(complaint.tracking_number, code) == complaint
    attachment = Attachment.objects.get(complaint=complaint)
    assert attachment.content_type == "image/png" and not attachment.public_reviewed
    # The acknowledgement with number and code went to the email given.
    assert len(mail.outbox) == 1 and code in mail.outbox[0].body and mail.outbox[0].to == ["siti@example.org"]


def test_double_submit_creates_one_complaint(client, complaint_post):
    data = complaint_post()
    first = client.post("/aduan/baru/", data)
    second = client.post("/aduan/baru/", data)
    assert Complaint.objects.count() == 1 and WebSubmission.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Complaint.objects.get().tracking_number in client.get(second["Location"]).content.decode()


def test_honeypot_refused_nothing_created(client, complaint_post):
    response = client.post("/aduan/baru/", complaint_post(website="http://spam.example"))
    assert response.status_code == 400
    assert "otomatis" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_wrong_captcha_refused_with_indonesian_message(client, complaint_post):
    response = client.post("/aduan/baru/", complaint_post(captcha_answer="99"))
    assert response.status_code == 400
    assert "Jawaban hitungan salah" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_captcha_token_cannot_be_replayed(client, complaint_post):
    data = complaint_post()
    client.post("/aduan/baru/", data)
    replay = dict(data, submit_token="another-token-xyz")
    response = client.post("/aduan/baru/", replay)
    assert response.status_code == 400
    assert Complaint.objects.count() == 1


def test_fake_image_refused_and_nothing_stored(client, complaint_post):
    data = complaint_post()
    data["attachments"] = SimpleUploadedFile("foto.jpg", b"<script>alert(1)</script>" * 10, content_type="image/jpeg")
    response = client.post("/aduan/baru/", data)
    assert response.status_code == 400
    assert "tidak diizinkan" in response.content.decode()
    assert Complaint.objects.count() == 0 and Attachment.objects.count() == 0


def test_too_large_file_refused(client, complaint_post, settings):
    settings.ADUAN = {**settings.ADUAN, "max_upload_bytes": 1000}
    data = complaint_post()
    data["attachments"] = SimpleUploadedFile("besar.png", photo_bytes() + b"\0" * 2000, content_type="image/png")
    response = client.post("/aduan/baru/", data)
    assert response.status_code == 400 and "terlalu besar" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_kelurahan_must_match_kecamatan(client, complaint_post, areas):
    response = client.post("/aduan/baru/", complaint_post(kecamatan=areas["kec"].pk, kelurahan=areas["kel_other"].pk))
    assert response.status_code == 400 and "tidak berada di kecamatan" in response.content.decode()


def test_rate_limit_per_address(client, complaint_post, settings):
    settings.ADUAN_PORTAL_RATES = {"submit_ip": "2/h"}
    for n in range(2):
        assert client.post("/aduan/baru/", complaint_post(email=f"w{n}@example.org")).status_code == 302
    response = client.post("/aduan/baru/", complaint_post(email="w9@example.org"))
    assert response.status_code == 429 and "Terlalu banyak aduan" in response.content.decode()
    assert Complaint.objects.count() == 2


def test_rate_limit_per_contact(client, complaint_post, settings):
    settings.ADUAN_PORTAL_RATES = {"submit_contact": "1/h"}
    assert client.post("/aduan/baru/", complaint_post()).status_code == 302
    response = client.post("/aduan/baru/", complaint_post(email="SITI@example.org"))
    assert response.status_code == 429 and "kontak yang sama" in response.content.decode()


def test_form_needs_csrf(complaint_post):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    html = strict.get("/aduan/baru/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    response = strict.post("/aduan/baru/", {"title": "x"})
    assert response.status_code == 403 and Complaint.objects.count() == 0


def test_text_is_escaped_on_receipt_and_public_pages(client, complaint_post, admin_user, opd_pu):
    from aduan_publik.services.complaints import complaint_verify

    client.post("/aduan/baru/", complaint_post(title="<script>alert('x')</script> jalan"))
    complaint = Complaint.objects.get()
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    html = client.get(f"/publik/{complaint.tracking_number}/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_contactless_submission_still_gets_a_thread(client, complaint_post):
    response = client.post("/aduan/baru/", complaint_post(name="", phone="", email=""))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.contact.user_id.startswith("anon:")
    assert Event.objects.filter(complaint=complaint, verb="created").exists()


def test_same_form_posted_concurrently_creates_one_complaint():
    """Two requests with one form token at the same moment (double tap on a slow phone)."""
    import threading

    from django.db import connection

    from aduan_publik.portal.services import portal_submit

    results, errors = [], []
    barrier = threading.Barrier(2)

    def post():
        try:
            barrier.wait()
            results.append(portal_submit(token="same-token", ip="127.0.0.1", title="Parit mampet",
                                         description="Parit mampet di gang 3, air meluap ke rumah warga.",
                                         email="warga@example.org"))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Complaint.objects.count() == 1
    assert sorted(r.created for r in results) == [False, True]
    assert {r.complaint.pk for r in results} == {Complaint.objects.get().pk}


def test_receipt_forgets_the_plain_code_after_half_an_hour(client, complaint_post, monkeypatch):
    import time

    response = client.post("/aduan/baru/", complaint_post())
    assert 'id="access-code"' in client.get(response["Location"]).content.decode()
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    html = client.get(response["Location"]).content.decode()
    assert 'id="access-code"' not in html and Complaint.objects.get().tracking_number in html
    assert all(r["code"] is None for r in client.session["aduan_portal_receipts"].values())
