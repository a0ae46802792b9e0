"""Complaints filed over the API (REST and Open311), with replay of an ``Idempotency-Key``.

The complaint is opened by :func:`services.complaints.complaint_create` (the same intake as every
other door); this module adds who may file, the reporter's contact on the API channel, and the
idempotency record written in the same transaction: a retry gets the stored answer, a concurrent
duplicate rolls back whole and then gets the first one's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..channels.base import ContactRef
from ..models import Attachment, Complaint, Contact
from ..services.attachments import attachment_create
from ..services.audit import event_record
from ..services.complaints import complaint_create
from ..services.contacts import contact_get_or_create
from ..workflow import WorkflowError
from .models import ApiToken, IdempotencyRecord

#: How long a create answer is replayed for its Idempotency-Key (then purged hourly).
IDEMPOTENCY_KEPT = timedelta(hours=24)


class IdempotencyMismatch(WorkflowError):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    replayed: bool
    complaint_id: int | None


def reporter_contact(channel: str, reporter: dict[str, str] | None) -> Contact | None:
    reporter = reporter or {}
    name, phone = reporter.get("name", "").strip(), reporter.get("phone", "").strip()
    email = reporter.get("email", "").strip().lower()
    if not (name or phone or email):
        return None
    ref = ContactRef(address=email or phone, name=name, phone=phone, email=email)
    if not ref.address:
        return Contact.objects.create(channel=channel, name=name)
    return contact_get_or_create(channel=channel, ref=ref)


def complaint_file(*, by: Any, channel: str, fields: dict[str, Any],
                   reporter: dict[str, str] | None = None) -> tuple[Complaint, str]:
    """Open a complaint on the API channels for a resident; the caller's transaction holds it."""
    if not access.api_can_create(by):
        raise PermissionDenied(_("Peran Anda tidak diizinkan mencatat aduan melalui API."))
    external_id = fields.get("external_id") or ""
    if external_id and Complaint.objects.filter(channel=channel, external_id=external_id).exists():
        raise WorkflowError(_("ID eksternal %(id)s sudah dipakai aduan lain.") % {"id": external_id})
    contact = reporter_contact(channel, reporter)
    return complaint_create(channel=channel, contact=contact, by=by, **fields)


def _replay(token: ApiToken, key: str, fingerprint: str) -> Outcome | None:
    fresh = timezone.now() - IDEMPOTENCY_KEPT
    record = IdempotencyRecord.objects.filter(token=token, key=key, created_at__gte=fresh).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch(_("Idempotency-Key ini sudah dipakai untuk permintaan lain."))
    return Outcome(record.status_code, record.body, True, record.complaint_id)


def complaint_create_idempotent(
    *, token: ApiToken, key: str, fingerprint: str, channel: str, fields: dict[str, Any],
    reporter: dict[str, str] | None, render: Callable[[Complaint, str], dict[str, Any]],
) -> Outcome:
    """Create once per ``key`` (when given); the same answer for every retry of the same request."""
    if key:
        earlier = _replay(token, key, fingerprint)
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            complaint, code = complaint_file(by=token.user, channel=channel, fields=fields, reporter=reporter)
            body = render(complaint, code)
            if key:  # an answer past its day no longer holds the key
                IdempotencyRecord.objects.filter(token=token, key=key,
                                                 created_at__lt=timezone.now() - IDEMPOTENCY_KEPT).delete()
                IdempotencyRecord.objects.create(token=token, key=key, fingerprint=fingerprint, status_code=201,
                                                 body=body, complaint=complaint)
    except IntegrityError:
        if not key:
            raise
        earlier = _replay(token, key, fingerprint)  # a concurrent twin won the race
        if earlier is None:
            raise
        return earlier
    return Outcome(201, body, False, complaint.pk)


@transaction.atomic
def attachment_upload(*, complaint: Complaint, by: Any, upload: UploadedFile) -> Attachment:
    """Add a file to a complaint over the API: sniffed, size-checked, audited."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not access.api_can_attach(by, complaint):
        raise PermissionDenied(_("Peran Anda tidak diizinkan menambah lampiran pada aduan ini."))
    attachment = attachment_create(complaint=complaint, upload=upload, by=by)
    event_record(complaint=complaint, by=by, verb="attachment_added",
                 summary=_("Lampiran %(name)s ditambahkan melalui API.") % {"name": attachment.original_name},
                 data={"attachment": attachment.pk})
    return attachment


def idempotency_purge(*, older_than: timedelta = IDEMPOTENCY_KEPT) -> int:
    """Forget create answers older than a day (they hold reporters' access codes). Returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
