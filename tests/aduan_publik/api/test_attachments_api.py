"""Attachments over the API: upload sniffed and size-checked, download only through the access rules."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Attachment, Event
from aduan_publik.services.attachments import attachment_create
from aduan_publik.testing.samples import HTML_BYTES, png_bytes

pytestmark = pytest.mark.django_db

NEW = {"title": "Pohon tumbang", "description": "Pohon tumbang menutup jalan."}


def _upload(api, pk, name, content):  # type: ignore[no-untyped-def]
    return api.post(f"/api/v1/complaints/{pk}/attachments", {"file": SimpleUploadedFile(name, content)},
                    multipart=True)


def test_integrator_uploads_to_its_own_complaint(integrator_user, api_as, complaint):
    api = api_as(integrator_user)
    mine = api.post("/api/v1/complaints", NEW).json()["id"]
    response = _upload(api, mine, "foto.png", png_bytes())
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    assert Event.objects.filter(complaint_id=mine, verb="attachment_added").exists()
    # someone else's complaint: refused, nothing stored
    assert _upload(api, complaint.pk, "foto.png", png_bytes()).status_code == 403
    assert Attachment.objects.count() == 1


def test_disguised_or_oversized_upload_is_refused(admin_user, api_as, complaint, settings):
    api = api_as(admin_user)
    html = _upload(api, complaint.pk, "foto.png", HTML_BYTES)
    assert html.status_code == 400 and html.json()["errors"][0]["field"] == "file"
    settings.ADUAN = {**settings.ADUAN, "max_upload_bytes": 100}
    big = _upload(api, complaint.pk, "foto.png", png_bytes((300, 300)))
    assert big.status_code in (400, 413)
    assert not Attachment.objects.exists()


def test_download_follows_access(admin_user, integrator_user, liaison_dlh, api_as, complaint):
    private = attachment_create(complaint=complaint, content=png_bytes(), filename="wajah.png")
    admin = api_as(admin_user)
    response = admin.get(f"/api/v1/attachments/{private.pk}/download")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == private.file.open("rb").read()
    # an integrator gets only reviewed files; another OPD not even the complaint
    assert api_as(integrator_user).get(f"/api/v1/attachments/{private.pk}/download").status_code == 404
    assert api_as(liaison_dlh).get(f"/api/v1/attachments/{private.pk}/download").status_code == 404
    Attachment.objects.filter(pk=private.pk).update(public_reviewed=True)
    assert api_as(integrator_user).get(f"/api/v1/attachments/{private.pk}/download").status_code == 200
    assert api_as(admin_user, scopes=["complaints:read"]).get(
        f"/api/v1/attachments/{private.pk}/download").status_code == 403
