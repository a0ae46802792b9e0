"""The portal's writes: the complaint form, the reporter's replies and WhatsApp subscriptions.

Each function is keyword-only and atomic and records an audit event; the complaint itself is
always created and changed by the core services (the portal adds no rules of its own).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels.base import ContactRef, InboundAttachment, InboundMessage, RawInbound
from ..channels.registry import get_channel
from ..models import Area, Category, Complaint, Message
from ..services.attachments import AttachmentRejected, attachment_create, validate_file
from ..services.audit import event_record
from ..services.complaints import complaint_create
from ..services.contacts import contact_get_or_create
from ..services.receiving import message_receive_on_complaint
from ..workflow import WorkflowError, ensure_allowed
from .models import PendingUpload, Subscription, WebSubmission

CHANNEL = "web"
REPORTER = "pelapor (web)"


def normalize_phone(value: str) -> str:
    """An Indonesian phone number as WhatsApp writes it (62…), or "" when it is not one."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not re.fullmatch(r"62\d{8,13}", digits):
        return ""
    return digits


@dataclass(frozen=True)
class SubmitResult:
    complaint: Complaint
    code: str | None  # the secret code; None when this was a repeated submission
    created: bool


def reporter_ref(*, token: str, name: str, phone: str, email: str) -> ContactRef:
    """The web reporter's contact: found again by email, else by phone; contactless gets its own."""
    phone = normalize_phone(phone)
    email = email.strip().lower()
    user_id = f"tel:{phone}" if phone else ("" if email else f"anon:{token}")
    return ContactRef(address=email, user_id=user_id, name=name.strip(), phone=phone, email=email)


def submission_for(token: str) -> WebSubmission | None:
    return WebSubmission.objects.filter(token=token, complaint__isnull=False).select_related("complaint").first()


@transaction.atomic
def portal_submit(
    *,
    token: str,
    ip: str | None,
    title: str,
    description: str,
    kind: str = Complaint.Kind.PENGADUAN,
    category: Category | None = None,
    location_text: str = "",
    kecamatan: Area | None = None,
    kelurahan: Area | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    is_anonymous: bool = False,
    is_secret: bool = False,
    name: str = "",
    phone: str = "",
    email: str = "",
    files: Sequence[UploadedFile] = (),
    pending: Sequence[PendingUpload] = (),
) -> SubmitResult:
    """File a complaint from the web form, exactly once per form ``token``.

    The acknowledgement with the tracking number and code is queued to the contact (email on
    the web channel). A rejected attachment rolls everything back: nothing half-filed remains.
    ``pending`` are the files kept from this form's earlier, refused attempts (same token).
    """
    existing = submission_for(token)
    if existing is not None and existing.complaint is not None:
        return SubmitResult(complaint=existing.complaint, code=None, created=False)
    try:
        with transaction.atomic():
            submission = WebSubmission.objects.create(token=token, ip=ip)
    except IntegrityError:  # the same form arrived twice at once: the first one wins
        first = WebSubmission.objects.select_related("complaint").get(token=token).complaint
        assert first is not None  # the winner set it in the same transaction
        return SubmitResult(complaint=first, code=None, created=False)
    contact = contact_get_or_create(
        channel=CHANNEL, ref=reporter_ref(token=token, name=name, phone=phone, email=email)
    )
    complaint, code = complaint_create(
        channel=CHANNEL, title=title, description=description, contact=contact, kind=kind,
        category=category, location_text=location_text.strip(), kecamatan=kecamatan, kelurahan=kelurahan,
        latitude=latitude, longitude=longitude, is_anonymous=is_anonymous, is_secret=is_secret,
        by=REPORTER, acknowledge=True,
    )
    for kept in pending_not_chosen_again(pending, files):
        with kept.file.open("rb") as handle:
            attachment_create(complaint=complaint, content=handle.read(), filename=kept.original_name, by=REPORTER)
    for upload in files:
        attachment_create(complaint=complaint, upload=upload, by=REPORTER)
    submission.complaint = complaint
    submission.save(update_fields=["complaint"])
    _pending_delete(PendingUpload.objects.filter(pk__in=[p.pk for p in pending]))
    count = len(files) + len(pending)
    if count:
        event_record(complaint=complaint, by=REPORTER, verb="attachments_added",
                     summary=_("Pelapor melampirkan %(n)d berkas.") % {"n": count}, data={"files": count})
    return SubmitResult(complaint=complaint, code=code, created=True)


@transaction.atomic
def portal_reply(*, complaint: Complaint, text: str, message_key: str, upload: UploadedFile | None = None,
                 resolved: bool | None = None) -> Message:
    """The reporter writes on their tracking page; it joins this complaint's thread.

    The web channel's ``parse_inbound`` normalises the post like any channel's message; the
    message is then stored on *this* complaint (the reporter proved its code), whatever door
    the complaint came through. ``message_key`` (a token of the reply form) makes a repeated
    post a no-op. A reply to a postponed complaint resumes it (core rules).

    On an answered complaint the reporter says whether the problem is solved: ``resolved=False``
    ("belum selesai") sends it back to the OPDs; ``resolved=True`` ("sudah selesai", e.g. a thank
    you) only stores the message, so the complaint stays answered and can be rated. Without
    the choice the reply is refused: a "terima kasih" must not reopen the complaint.
    """
    ensure_allowed("reporter_reply", complaint)
    answered = complaint.status == Complaint.Status.ANSWERED
    if answered and resolved is None:
        raise WorkflowError(_("Pilih dahulu: masalah sudah selesai atau belum selesai."))
    raw = RawInbound(method="POST", body=b"", headers={}, form={
        "text": text, "message_id": f"portal-{message_key}", "tracking_number": complaint.tracking_number,
    })
    [inbound] = get_channel(CHANNEL).parse_inbound(raw)
    assert isinstance(inbound, InboundMessage)  # the web channel parses a form into one message
    if upload is not None:
        inbound = replace(inbound, attachments=(
            InboundAttachment(filename=upload.name or "berkas", content=upload.read()),
        ))
    message = message_receive_on_complaint(complaint=complaint, inbound=inbound,
                                           keep_status=answered and bool(resolved))
    if message.complaint_id != complaint.pk:  # a reused form token of another complaint's page
        raise WorkflowError(_("Balasan tidak dapat dikaitkan dengan aduan ini."))
    return message


# ---- files kept across a refused complaint form ----------------------------------------------

PENDING_MAX = 5  # as many as the form takes
PENDING_HOURS = 24


def pending_for(token: str) -> list[PendingUpload]:
    return list(PendingUpload.objects.filter(token=token)) if token else []


@transaction.atomic
def pending_keep(*, token: str, uploads: Iterable[UploadedFile]) -> list[PendingUpload]:
    """Keep the acceptable files of a refused form under its token; returns all kept for it.

    A file that is too big or not what it claims is not kept (the form names it); at most
    :data:`PENDING_MAX` per form.
    """
    if not token:
        return []
    kept = set(PendingUpload.objects.filter(token=token).values_list("sha256", flat=True))
    for upload in uploads:
        if len(kept) >= PENDING_MAX:
            break
        if upload.size and upload.size > settings.ADUAN["max_upload_bytes"]:
            continue
        content = upload.read()
        upload.seek(0)
        digest = hashlib.sha256(content).hexdigest()
        try:
            mime = validate_file(content, upload.name or "")
        except AttachmentRejected:
            continue
        if digest in kept:  # picked again after the error: keep it once
            continue
        name = f"{uuid.uuid4().hex}{mimetypes.guess_extension(mime) or ''}"
        PendingUpload.objects.create(token=token, file=ContentFile(content, name=name), sha256=digest,
                                     original_name=(upload.name or "berkas")[:255], size=len(content))
        kept.add(digest)
    return pending_for(token)


def pending_not_chosen_again(pending: Sequence[PendingUpload], files: Sequence[UploadedFile]) -> list[PendingUpload]:
    """Kept files, minus those the resident chose again in the file field (attached once)."""
    chosen = set()
    for upload in files:
        upload.seek(0)
        chosen.add(hashlib.sha256(upload.read()).hexdigest())
        upload.seek(0)
    return [p for p in pending if p.sha256 not in chosen]


def pending_drop(*, token: str, ids: Iterable[str]) -> int:
    """The resident removed kept files from the form (only their own form's)."""
    wanted = [int(i) for i in ids if str(i).isdigit()]
    if not token or not wanted:
        return 0
    return _pending_delete(PendingUpload.objects.filter(token=token, pk__in=wanted))


def pending_purge(*, now=None) -> int:  # type: ignore[no-untyped-def]
    """Forget files of forms never sent (scheduled hourly)."""
    limit = (now or timezone.now()) - timedelta(hours=PENDING_HOURS)
    return _pending_delete(PendingUpload.objects.filter(created_at__lt=limit))


def _pending_delete(rows) -> int:  # type: ignore[no-untyped-def]
    doomed = list(rows)
    names = [row.file.name for row in doomed]
    PendingUpload.objects.filter(pk__in=[row.pk for row in doomed]).delete()
    storage = PendingUpload._meta.get_field("file").storage  # type: ignore[attr-defined]

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)  # a rolled-back submission still has its files
    return len(doomed)


# ---- subscriptions ---------------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *, phone: str, topics: Sequence[str], consent_text: str, consent_version: str, ip: str | None,
    name: str = "", area: Area | None = None, request_confirmation: bool = True,
) -> Subscription:
    """Subscribe ``phone`` with the consent shown; an active subscription is replaced (new consent).

    The subscription receives broadcasts only once confirmed (double opt-in): with
    ``request_confirmation`` the WhatsApp confirmation template is sent after commit.
    """
    number = normalize_phone(phone)
    if not number:
        raise WorkflowError(_("Nomor WhatsApp tidak valid. Contoh: 081234567890."))
    unknown = set(topics) - set(Subscription.Topic.values)
    if not topics or unknown:
        raise WorkflowError(_("Pilih minimal satu topik informasi."))
    if not consent_text.strip():
        raise WorkflowError(_("Persetujuan wajib diberikan."))
    _end_active(number, via="resubscribe")
    sub = Subscription.objects.create(
        phone=number, name=name.strip(), area=area, topics=sorted(set(topics)), consent_text=consent_text,
        consent_version=consent_version, consented_at=timezone.now(), consent_ip=ip,
    )
    event_record(complaint=None, by=f"warga {_masked(number)}", verb="subscribed",
                 summary=_("Warga berlangganan informasi WhatsApp."),
                 data={"subscription": sub.pk, "topics": sub.topics, "consent_version": consent_version})
    if request_confirmation:
        from .. import queueing

        queueing.enqueue_on_commit("aduan_publik.broadcasts.jobs.send_optin", sub.pk)
    return sub


@transaction.atomic
def subscription_cancel(*, via: str, phone: str = "", subscription_id: int | None = None) -> bool:
    """End the active subscription of ``phone`` (the form) or ``subscription_id`` (the signed link).

    Returns False when there was none active (nothing changes); the link of an old subscription
    never ends a newer one.
    """
    number = normalize_phone(phone) if phone else ""
    if not number and subscription_id is None:
        return False
    qs = Subscription.objects.select_for_update().filter(unsubscribed_at__isnull=True)
    sub = qs.filter(pk=subscription_id).first() if subscription_id is not None else qs.filter(phone=number).first()
    if sub is None:
        return False
    _end(sub, via)
    event_record(complaint=None, by=f"warga {_masked(sub.phone)}", verb="unsubscribed",
                 summary=_("Warga berhenti berlangganan informasi WhatsApp."),
                 data={"subscription": sub.pk, "via": via})
    return True


def _end_active(number: str, *, via: str) -> None:
    sub = Subscription.objects.select_for_update().filter(phone=number, unsubscribed_at__isnull=True).first()
    if sub is not None:
        _end(sub, via)


def _end(sub: Subscription, via: str) -> None:
    sub.unsubscribed_at = timezone.now()
    sub.unsubscribe_via = via
    sub.save(update_fields=["unsubscribed_at", "unsubscribe_via"])


def _masked(number: str) -> str:
    return f"{number[:4]}••••{number[-3:]}"
