"""Attachment writes: every file is checked by content and size before it is stored."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Sequence
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .. import access
from ..models import Attachment, Complaint, FollowUp, Message
from ..workflow import WorkflowError
from .audit import event_record


class AttachmentRejected(WorkflowError):
    """The file is too large or not an allowed type; nothing was stored."""


def sniff_content_type(head: bytes) -> str:
    """The type the bytes really are (magic numbers), never the name or the client's claim."""
    kind = filetype.guess(head)
    return kind.mime if kind else ""


def too_large(filename: str, size: int) -> AttachmentRejected:
    limit = settings.ADUAN["max_upload_bytes"]
    return AttachmentRejected(
        _("Berkas %(name)s terlalu besar (%(size)s); batasnya %(limit)s.")
        % {"name": filename, "size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def validate_file(content: bytes, filename: str) -> str:
    """Return the sniffed content type, or raise :class:`AttachmentRejected` with a clear reason."""
    if len(content) > settings.ADUAN["max_upload_bytes"]:
        raise too_large(filename, len(content))
    if not content:
        raise AttachmentRejected(_("Berkas %(name)s kosong.") % {"name": filename})
    mime = sniff_content_type(content[:8192])
    if mime not in settings.ADUAN["allowed_upload_types"]:
        raise AttachmentRejected(
            _("Jenis berkas %(name)s tidak diizinkan. Kirim foto (JPG/PNG), PDF, audio atau video.")
            % {"name": filename}
        )
    _check_name_matches(filename, mime)
    return mime


def _family(mime: str) -> str:
    major = mime.split("/")[0].lower()
    return "media" if major in ("audio", "video") else major  # one container holds either


def _check_name_matches(filename: str, mime: str) -> None:
    """Refuse a file whose name claims another kind than its content (a PDF or script named .jpg).

    Within a family the content wins (a PNG saved as .jpg is just stored as PNG): phones mislabel
    photos and voice notes often, but a document dressed up as a photo is a disguise.
    """
    claimed, _encoding = mimetypes.guess_type(filename)
    if claimed and _family(claimed) != _family(mime):
        raise AttachmentRejected(
            _("Isi berkas %(name)s tidak sesuai dengan namanya (isinya %(real)s).")
            % {"name": filename, "real": mime}
        )


def uploads_validate(uploads: Sequence[UploadedFile]) -> None:
    """Check every upload before anything is stored: one bad file refuses the whole set.

    Files are written to storage outside the database transaction, so a rollback after a
    good file was saved would leave it orphaned on disk; validating first avoids that.
    """
    for upload in uploads:
        name = upload.name or ""
        if upload.size and upload.size > settings.ADUAN["max_upload_bytes"]:
            raise too_large(name, upload.size)
        upload.seek(0)
        validate_file(upload.read(), name)
        upload.seek(0)


def attachment_create(
    *,
    complaint: Complaint,
    upload: UploadedFile | None = None,
    content: bytes | None = None,
    filename: str = "",
    by: Any = None,
    message: Message | None = None,
    followup: FollowUp | None = None,
) -> Attachment:
    """Store a file on a complaint from an upload or raw bytes (channel media)."""
    if upload is not None:
        if upload.size and upload.size > settings.ADUAN["max_upload_bytes"]:
            raise too_large(upload.name or "", upload.size)
        content = upload.read()
        filename = filename or upload.name or "berkas"
    if content is None:
        raise AttachmentRejected(_("Tidak ada berkas."))
    mime = validate_file(content, filename)
    ext = mimetypes.guess_extension(mime) or ""
    stored = ContentFile(content, name=f"{uuid.uuid4().hex}{ext}")
    return Attachment.objects.create(
        complaint=complaint, message=message, followup=followup, file=stored,
        original_name=(filename or stored.name or "berkas")[:255], content_type=mime, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by if by is not None and not isinstance(by, str) else None,
    )


@transaction.atomic
def attachment_review(*, attachment: Attachment, by: Any, public: bool) -> Attachment:
    """An admin decides whether a file may appear on the public pages (faces, house numbers...)."""
    attachment = Attachment.objects.select_for_update().select_related("complaint").get(pk=attachment.pk)
    access.require(by, "edit", attachment.complaint)
    if attachment.public_reviewed == public:
        return attachment
    attachment.public_reviewed = public
    attachment.save(update_fields=["public_reviewed"])
    event_record(
        complaint=attachment.complaint, by=by, verb="attachment_reviewed",
        summary=(_("Lampiran %(name)s boleh tampil publik.") if public
                 else _("Lampiran %(name)s disembunyikan dari publik.")) % {"name": attachment.original_name},
        data={"attachment": attachment.pk, "public": public},
    )
    return attachment
