"""Attachments: the type comes from the content, bad files are refused with a reason and never stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Attachment, FollowUp
from aduan_publik.services.attachments import AttachmentRejected, attachment_create, validate_file
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import followup_draft
from aduan_publik.testing.samples import HTML_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


def _stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def no_new_files():
    before = set(_stored_files())
    yield
    assert set(_stored_files()) == before, "a refused file was written to storage"


def test_real_png_is_stored_privately_with_its_hash(complaint, admin_user):
    content = png_bytes((8, 8))
    attachment = attachment_create(complaint=complaint, content=content, filename="lubang.png", by=admin_user)
    assert (attachment.content_type, attachment.size, attachment.original_name) == ("image/png", len(content),
                                                                                   "lubang.png")
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.uploaded_by == admin_user and attachment.public_reviewed is False
    private_root = Path(settings.SITE_DIR) / "private" / "files"
    path = Path(attachment.file.path)
    assert path.is_relative_to(private_root) and path.read_bytes() == content
    assert path.suffix == ".png" and path.name != "lubang.png"  # our own name, never the client's


def test_png_named_jpg_is_kept_as_png(complaint):
    attachment = attachment_create(complaint=complaint, content=png_bytes(), filename="foto.jpg")
    assert attachment.content_type == "image/png"


@pytest.mark.parametrize(("content", "filename", "reason"), [
    (PDF_BYTES, "foto.jpg", "tidak sesuai dengan namanya"),
    (HTML_BYTES, "foto.jpg", "tidak diizinkan"),
    (HTML_BYTES, "halaman.html", "tidak diizinkan"),
    (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe", "tidak diizinkan"),
    (b"", "kosong.png", "kosong"),
])
def test_bad_files_are_refused_and_nothing_is_stored(complaint, no_new_files, content, filename, reason):
    with pytest.raises(AttachmentRejected, match=reason) as info:
        attachment_create(complaint=complaint, content=content, filename=filename)
    assert filename in str(info.value.messages[0])
    assert not Attachment.objects.exists()


def test_oversized_file_is_refused_before_it_is_read(complaint, settings, no_new_files):
    settings.ADUAN = {**settings.ADUAN, "max_upload_bytes": 1000}
    big = png_bytes((400, 400))
    assert len(big) > 1000
    with pytest.raises(AttachmentRejected, match="terlalu besar"):
        attachment_create(complaint=complaint, content=big, filename="besar.png")
    upload = SimpleUploadedFile("besar.png", big, content_type="image/png")
    with pytest.raises(AttachmentRejected, match="terlalu besar"):
        attachment_create(complaint=complaint, upload=upload)
    assert upload.tell() == 0 and not Attachment.objects.exists()


def test_a_pdf_is_a_pdf(complaint):
    assert validate_file(PDF_BYTES, "surat.pdf") == "application/pdf"
    assert validate_file(PDF_BYTES, "tanpa-ekstensi") == "application/pdf"


def test_client_content_type_is_ignored(complaint, no_new_files):
    upload = SimpleUploadedFile("foto.png", HTML_BYTES, content_type="image/png")
    with pytest.raises(AttachmentRejected):
        attachment_create(complaint=complaint, upload=upload)


def test_followup_with_a_bad_file_stores_nothing_at_all(complaint, admin_user, opd_pu, operator_pu, no_new_files):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    files = [SimpleUploadedFile("bukti.png", png_bytes()), SimpleUploadedFile("bukti2.jpg", PDF_BYTES)]
    with pytest.raises(AttachmentRejected):
        followup_draft(disposition=disposition, by=operator_pu, files=files,
                       body="Perbaikan selesai, foto bukti terlampir di bawah ini.")
    assert not FollowUp.objects.exists() and not Attachment.objects.exists()
