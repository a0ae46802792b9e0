"""Inbound messages: routing a resident's message onto a complaint's thread, and its files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import queueing
from ..channels.base import (
    InboundMessage,
    PermanentChannelError,
    TemporaryChannelError,
)
from ..channels.context import current_instance
from ..channels.registry import get_channel
from ..models import CLOSED_STATUSES, Complaint, Contact, Message
from ..workflow import ensure_allowed
from .audit import event_record
from .contacts import contact_get_or_create, contact_touch_inbound
from .thread_updates import SPECIAL_KINDS, thread_update_apply

M = Message.State
FETCH_JOB = "aduan_publik.jobs.fetch_attachment"  # its path is stored in Redis: keep it stable


def _find_open_complaint(contact: Contact, tracking_number: str) -> Complaint | None:
    if tracking_number:
        found = Complaint.objects.filter(tracking_number=tracking_number.upper(), contact=contact).first()
        if found is not None:
            return found
    return (Complaint.objects.filter(contact=contact).exclude(status__in=CLOSED_STATUSES)
            .order_by("-received_at").first())


@transaction.atomic
def message_receive(*, inbound: InboundMessage, instance: str | None = None) -> Message:
    """Route a resident's message: join their open complaint's thread, or open a new complaint.

    Idempotent on the provider's message id: a redelivered message returns the stored one.
    ``instance`` (None: the instance being routed) is the channel instance it came through: a
    new complaint remembers it, so its answers go out through the same number or page.
    """
    instance = current_instance() if instance is None else instance
    existing = Message.objects.filter(channel=inbound.channel, direction=Message.Direction.IN,
                                      external_id=inbound.external_id).first()
    if existing is not None:
        return existing
    contact = contact_get_or_create(channel=inbound.channel, ref=inbound.sender)
    contact_touch_inbound(contact=contact, at=inbound.sent_at)
    if inbound.kind in SPECIAL_KINDS or not inbound.substantive:
        return thread_update_apply(inbound=inbound, contact=contact)  # opens nothing, sends nothing
    complaint = _find_open_complaint(contact, inbound.tracking_number)
    is_new = complaint is None
    if complaint is None:
        from .complaints import complaint_create

        text = inbound.text.strip() or _("(%(kind)s tanpa teks)") % {"kind": inbound.kind}
        complaint, _code = complaint_create(
            channel=inbound.channel, title=text.splitlines()[0][:120], description=text,
            contact=contact, external_id=inbound.external_id, received_at=inbound.sent_at,
            latitude=inbound.latitude, longitude=inbound.longitude, channel_instance=instance,
        )
    message = _store_inbound(complaint, contact, inbound, instance)
    if not is_new:
        _note_reply(complaint, contact, inbound)
    return message


def _store_inbound(complaint: Complaint, contact: Contact, inbound: InboundMessage, instance: str) -> Message:
    from .attachments import AttachmentRejected, attachment_create

    message = Message.objects.create(
        complaint=complaint, contact=contact, channel=inbound.channel, channel_instance=instance,
        direction=Message.Direction.IN, kind=inbound.kind, body=inbound.text, external_id=inbound.external_id,
        state=M.RECEIVED,
        created_at=inbound.sent_at, meta=_inbound_meta(inbound),
    )
    for item in inbound.attachments:
        if item.content is not None:
            try:
                attachment_create(complaint=complaint, content=item.content, filename=item.filename,
                                  by=inbound.channel, message=message)
            except AttachmentRejected as exc:
                _note_media_problem(message, _reason(exc))
        elif item.media_id:
            _fetch_later(message, item.media_id, item.filename)
    if inbound.latitude is not None and complaint.latitude is None:
        Complaint.objects.filter(pk=complaint.pk).update(latitude=inbound.latitude, longitude=inbound.longitude)
    return message


def _inbound_meta(inbound: InboundMessage) -> dict[str, Any]:
    meta: dict[str, Any] = {"raw": dict(inbound.raw)} if inbound.raw else {}
    if inbound.errors:  # what the provider reported wrong with the message, kept visible
        meta["provider_errors"] = inbound.errors
    return meta


def _fetch_later(message: Message, media_id: str, filename: str) -> None:
    """Download a provider-hosted file in a retrying job once this transaction commits.

    The job id is derived safely from the provider's id (any characters); if the job cannot be
    queued at all, the message and the complaint's timeline say so instead of staying silent.
    """
    def hand_off() -> None:
        if not queueing.enqueue(FETCH_JOB, message.pk, media_id, filename,
                                job_id=queueing.job_id("media", message.pk, media_id), retry=queueing.MEDIA_RETRY):
            _note_media_problem(message, _("unduhan lampiran %(id)s tidak dapat dijadwalkan; "
                                           "minta pelapor mengirim ulang berkasnya") % {"id": media_id})

    transaction.on_commit(hand_off)


def _note_reply(complaint: Complaint, contact: Contact, inbound: InboundMessage, keep_status: bool = False) -> None:
    from .lifecycle import reporter_returned

    event_record(complaint=complaint, by=f"pelapor ({inbound.channel})", verb="reporter_message",
                 summary=_("Pesan baru dari pelapor."),
                 data={"external_id": inbound.external_id, **({"resolved": True} if keep_status else {})})
    if not keep_status:
        reporter_returned(complaint, f"pelapor ({inbound.channel})")


def _reason(exc: Exception) -> str:
    """The readable reason: a ValidationError's messages, not the repr of its list."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


def _note_media_problem(message: Message, reason: str) -> None:
    meta = dict(message.meta)
    meta.setdefault("media_errors", []).append(reason)
    Message.objects.filter(pk=message.pk).update(meta=meta)
    message.meta = meta
    if message.complaint_id:
        event_record(complaint=message.complaint, by=None, verb="media_failed",
                     summary=_("Lampiran pesan tidak dapat disimpan: %(r)s") % {"r": reason},
                     data={"message": message.pk, "reason": reason})


def message_fetch_media(*, message_id: int, media_id: str, filename: str) -> None:
    """Download a provider-hosted attachment (job). Temporary errors propagate for RQ's retry.

    A download that fails for good, or still fails on the last retry, is noted on the message
    and in the complaint's audit trail: never silently dropped.
    """
    from .attachments import AttachmentRejected, attachment_create

    message = Message.objects.select_related("complaint").get(pk=message_id)
    if message.complaint is None:
        return
    if message.attachments.filter(original_name=filename).exists() and filename:
        return  # idempotent: already stored
    try:
        content, _ctype = get_channel(message.channel, instance=message.channel_instance).fetch_media(media_id)
        with transaction.atomic():
            attachment_create(complaint=message.complaint, content=content, filename=filename or media_id,
                              by=message.channel, message=message)
    except (PermanentChannelError, AttachmentRejected) as exc:
        _note_media_problem(message, _reason(exc))
    except TemporaryChannelError as exc:
        if queueing.will_retry():
            raise
        _note_media_problem(message, _("unduhan gagal setelah beberapa percobaan: %(e)s") % {"e": exc})


@transaction.atomic
def message_receive_on_complaint(
    *, complaint: Complaint, inbound: InboundMessage, keep_status: bool = False
) -> Message:
    """Store a message the reporter wrote on the complaint's own page (the portal's tracking page).

    The reporter proved the complaint's code, so the message joins *this* complaint and its own
    reporter contact, whatever channel the complaint came through (walk-in, WhatsApp, LAPOR!):
    no contact is looked up or created on the writing channel. The contact's last inbound time
    is left alone: a page reply opens no messaging window on the complaint's channel.
    Idempotent on ``inbound.external_id``; the reply rules are the core's (``reporter_returned``),
    unless ``keep_status`` (the reporter said the answer solved it: a thank-you changes nothing).
    """
    existing = Message.objects.filter(channel=inbound.channel, direction=Message.Direction.IN,
                                      external_id=inbound.external_id).first()
    if existing is not None:
        return existing
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("contact").get(pk=complaint.pk)
    ensure_allowed("reporter_reply", complaint)
    message = _store_inbound(complaint, complaint.contact, inbound, "")  # type: ignore[arg-type]
    _note_reply(complaint, complaint.contact, inbound, keep_status=keep_status)  # type: ignore[arg-type]
    return message
