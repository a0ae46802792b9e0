"""Messages on a complaint's thread: inbound routing, outbound queueing and sending, receipts.

Outbound messages are rows first (state ``queued``) and jobs second, so a message is never
lost: if the job is lost the scheduler's sweep finds the row. A message is sent at most
once: the send job moves it ``queued → sending`` under a row lock before calling the
channel, and a message found stuck in ``sending`` is marked failed for a person to check,
never sent again blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..channels.base import (
    ContactRef,
    InboundMessage,
    OutboundMessage,
    PermanentChannelError,
    StatusUpdate,
    TemporaryChannelError,
)
from ..channels.context import current_instance
from ..channels.registry import channel_capabilities, get_channel
from ..models import CLOSED_STATUSES, Attachment, Complaint, Contact, FollowUp, Message
from ..sealed import seal, unseal
from ..workflow import WorkflowError, ensure_allowed
from .audit import event_record
from .channel_instances import channel_error_record
from .contacts import contact_get_or_create, contact_touch_inbound
from .thread_updates import SPECIAL_KINDS, thread_update_apply

logger = logging.getLogger(__name__)
M = Message.State
# Outbound messages whose text carries the reporter's access code: sealed at rest.
SEALED_PURPOSES = frozenset({"ack"})

# Delivery receipts only move forward; "failed" may follow "sent" but never "read".
STATE_RANK: dict[str, int] = {M.QUEUED: 0, M.SENDING: 1, M.SENT: 2, M.DELIVERED: 3, M.READ: 4}
STALE_SENDING = timedelta(minutes=10)


# ---- outbound ---------------------------------------------------------------------------


def outbound_queue(
    *,
    complaint: Complaint,
    body: str,
    by: Any,
    followup: FollowUp | None = None,
    attachments: Sequence[Attachment] = (),
    purpose: str = "",
    template_text: str = "",
) -> Message | None:
    """Queue a message to the reporter on the complaint's own channel; sent by a job on commit.

    ``purpose`` and ``template_text`` reach the channel in :class:`OutboundMessage` (an
    acknowledgement gets its own template on WhatsApp). Returns None when there is nobody to
    answer: no reporter contact, or a channel that declares no ``outbound`` capability. On a
    channel without ``media`` the files stay on the complaint (the reporter sees them on the
    tracking page) and are not handed to ``send``.
    """
    from ..jobs import SEND_RETRY, enqueue_on_commit, send_message

    capabilities = channel_capabilities(complaint.channel)
    if complaint.contact_id is None or not capabilities.outbound:
        return None
    message = Message.objects.create(
        complaint=complaint, contact_id=complaint.contact_id, channel=complaint.channel,
        channel_instance=complaint.channel_instance, direction=Message.Direction.OUT, state=M.QUEUED,
        # The acknowledgement carries the access code: sealed at rest (aduan_publik.sealed).
        body=seal(body) if purpose in SEALED_PURPOSES else body, created_at=timezone.now(),
        author=by if by is not None and not isinstance(by, str) else None, followup=followup,
        meta=_outbound_meta(attachments, purpose, template_text, media=capabilities.media),
    )
    enqueue_on_commit(send_message, message.pk, job_id=f"send-{message.pk}", retry=SEND_RETRY)
    return message


def _outbound_meta(attachments: Sequence[Attachment], purpose: str, template_text: str, *,
                   media: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if attachments:
        meta["attachments" if media else "attachments_not_sent"] = [a.pk for a in attachments]
    if purpose in SEALED_PURPOSES:
        template_text = seal(template_text)
    meta.update({k: v for k, v in (("purpose", purpose), ("template_text", template_text)) if v})
    return meta


@transaction.atomic
def message_send_direct(*, channel: str, to: ContactRef, text: str, reply_to: str = "",
                        by: Any = None, instance: str | None = None) -> Message:
    """Send ``text`` to ``to`` on ``channel`` outside any complaint (a command's answer, a help text).

    For a channel's :meth:`~aduan_publik.channels.base.Channel.intercept` handler: the answer
    is a queued row first and a job second, like every outbound message, so it is never lost
    and sent at most once. ``reply_to`` (the inbound message's provider id) makes the call
    idempotent: a handler run again for the same message gets the stored answer back and
    nothing is sent twice. Raises :class:`WorkflowError` for an empty text or a channel
    that cannot send. ``instance`` (None: the instance whose delivery is being routed) is the
    channel instance the answer goes out through.
    """
    from ..jobs import SEND_RETRY, enqueue_on_commit, send_message

    text = text.strip()
    if not text:
        raise WorkflowError(_("Pesan kosong."))
    if not get_channel(channel).capabilities.outbound:
        raise WorkflowError(_("Kanal %(c)s tidak dapat mengirim pesan.") % {"c": channel})
    if reply_to:
        sent = (Message.objects.filter(channel=channel, direction=Message.Direction.OUT, complaint=None,
                                       meta__reply_to=reply_to).first())
        if sent is not None:
            return sent
    contact = contact_get_or_create(channel=channel, ref=to)
    message = Message.objects.create(
        complaint=None, contact=contact, channel=channel, direction=Message.Direction.OUT, body=text,
        channel_instance=current_instance() if instance is None else instance,
        state=M.QUEUED, created_at=timezone.now(), author=by if by is not None and not isinstance(by, str) else None,
        meta={"reply_to": reply_to} if reply_to else {},
    )
    event_record(complaint=None, by=by or channel, verb="direct_message",
                 summary=_("Pesan langsung ke %(c)s lewat kanal %(k)s.") % {"c": contact.address or contact.user_id,
                                                                          "k": channel},
                 data={"message": message.pk, "reply_to": reply_to})
    enqueue_on_commit(send_message, message.pk, job_id=f"send-{message.pk}", retry=SEND_RETRY)
    return message


@transaction.atomic
def complaint_reply(*, complaint: Complaint, by: Any, body: str, internal: bool = False,
                    files: Sequence[UploadedFile] = ()) -> Message:
    """A staff reply typed in the desk (or an internal note, never sent).

    The complaint's channel decides what may go out (its ``capabilities``): no reply on a
    channel without ``outbound``, no files on one without ``media``; refused with nothing stored.
    """
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    access.require(by, "reply", complaint)
    ensure_allowed("reply", complaint)
    body = body.strip()
    if not body:
        raise WorkflowError(_("Pesan kosong."))
    if internal:
        if files:
            raise WorkflowError(_("Catatan internal tidak membawa lampiran."))
        return _internal_note(complaint, by, body)
    _check_can_send(complaint, files)
    from .attachments import attachment_create, uploads_validate

    uploads_validate(files)
    stored = [attachment_create(complaint=complaint, upload=upload, by=by) for upload in files]
    sent = outbound_queue(complaint=complaint, body=body, by=by, attachments=stored)
    assert sent is not None
    if stored:
        Attachment.objects.filter(pk__in=[a.pk for a in stored]).update(message=sent)
    event_record(complaint=complaint, by=by, verb="replied",
                 summary=_("Balasan ke pelapor diantre melalui kanal %(c)s.") % {"c": complaint.channel},
                 data={"message": sent.pk, **({"files": [a.pk for a in stored]} if stored else {})})
    return sent


def _internal_note(complaint: Complaint, by: Any, body: str) -> Message:
    message = Message.objects.create(
        complaint=complaint, channel="internal", direction=Message.Direction.OUT, body=body,
        state=M.SENT, is_internal=True, created_at=timezone.now(), author=by,
    )
    event_record(complaint=complaint, by=by, verb="note", summary=_("Catatan internal ditambahkan."),
                 data={"message": message.pk})
    return message


def _check_can_send(complaint: Complaint, files: Sequence[UploadedFile]) -> None:
    capabilities = channel_capabilities(complaint.channel)
    if not capabilities.outbound:
        raise WorkflowError(_("Kanal %(c)s tidak dapat mengirim pesan ke pelapor; simpan sebagai catatan "
                              "internal.") % {"c": complaint.channel})
    if complaint.contact_id is None:
        raise WorkflowError(_("Aduan ini tidak memiliki kontak pelapor untuk dibalas."))
    if files and not capabilities.media:
        raise WorkflowError(_("Kanal %(c)s tidak dapat mengirim lampiran.") % {"c": complaint.channel})


def _claim_for_sending(message_id: int) -> Message | None:
    with transaction.atomic():
        message = (Message.objects.select_for_update(of=("self",)).select_related("complaint", "contact")
                   .filter(pk=message_id).first())
        if message is None or message.state != M.QUEUED:
            return None  # already sent, being sent, or failed: idempotent no-op
        message.state = M.SENDING
        message.attempts += 1
        message.state_changed_at = timezone.now()
        message.save(update_fields=["state", "attempts", "state_changed_at"])
        return message


def _outbound_payload(message: Message) -> OutboundMessage:
    contact = message.contact
    ids = message.meta.get("attachments", [])
    paths = tuple(Attachment.objects.filter(pk__in=ids).values_list("file", flat=True)) if ids else ()
    return OutboundMessage(
        message_id=message.pk,
        to=ContactRef(address=contact.address, user_id=contact.user_id, name=contact.name,
                      phone=contact.phone, email=contact.email) if contact else ContactRef(),
        text=unseal(message.body),
        tracking_number=message.complaint.tracking_number if message.complaint else "",
        attachments=paths,
        last_inbound_at=contact.last_inbound_at if contact else None,
        purpose=str(message.meta.get("purpose") or ""),
        template_text=unseal(str(message.meta.get("template_text") or "")),
    )


def message_send(*, message_id: int) -> None:
    """Send one queued message through its channel. Raises TemporaryChannelError to be retried."""
    message = _claim_for_sending(message_id)
    if message is None:
        return
    try:
        channel = get_channel(message.channel, instance=message.channel_instance)
        result = channel.send(_outbound_payload(message))
    except TemporaryChannelError as exc:
        _set_state(message.pk, M.QUEUED, error=str(exc))  # back in line for the retry
        channel_error_record(channel=message.channel, instance=message.channel_instance, error=str(exc),
                             code=exc.code)
        raise
    except Exception as exc:  # permanent, or a bug in the adapter: fail visibly, never resend blindly
        reason = str(exc) if isinstance(exc, PermanentChannelError) else f"{type(exc).__name__}: {exc}"
        channel_error_record(channel=message.channel, instance=message.channel_instance, error=reason,
                             code=getattr(exc, "code", ""))
        _set_state(message.pk, M.FAILED, error=reason)
        _record_failure(message, reason)
        if not isinstance(exc, PermanentChannelError):
            raise
        return
    _set_state(message.pk, result.state or M.SENT, external_id=result.external_id)
    if result.note:
        _record_note(message.pk, result.note)


def _record_note(message_id: int, note: str) -> None:
    """The channel's remark on a successful send ("as a template", "by e-mail"): not an error."""
    meta = dict(Message.objects.filter(pk=message_id).values_list("meta", flat=True).first() or {})
    meta["note"] = note
    Message.objects.filter(pk=message_id).update(meta=meta)


def message_sent_parts(*, message_id: int) -> dict[str, str]:
    """Parts of a multi-part outbound message (text, each file) already sent: part → provider id."""
    meta = Message.objects.filter(pk=message_id).values_list("meta", flat=True).first() or {}
    return dict(meta.get("sent_parts") or {})


def message_part_record(*, message_id: int, part: str, external_id: str) -> None:
    """Note at once, in its own transaction, that one part went out.

    A channel sending a message in several parts calls this after each: when a later part fails
    and the message is retried, the channel skips what the resident already has.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).filter(pk=message_id).first()
        if message is None:
            return
        meta = dict(message.meta or {})
        meta["sent_parts"] = {**(meta.get("sent_parts") or {}), part: external_id}
        Message.objects.filter(pk=message_id).update(meta=meta)


def _set_state(message_id: int, state: str, *, error: str = "", external_id: str = "") -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "error": error, "state_changed_at": now}
    if external_id:
        fields["external_id"] = external_id
    if state in (M.SENT, M.MANUAL):
        fields["sent_at"] = now
    Message.objects.filter(pk=message_id).update(**fields)


def _record_failure(message: Message, reason: str) -> None:
    if message.complaint_id:
        event_record(complaint=message.complaint, by=None, verb="message_failed",
                     summary=_("Pesan ke pelapor gagal dikirim: %(r)s") % {"r": reason},
                     data={"message": message.pk, "reason": reason})


def queued_message_ids(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(Message.objects.filter(direction=Message.Direction.OUT, state=M.QUEUED,
                                       created_at__lt=cutoff).values_list("pk", flat=True)[:500])


def stale_sending_fail() -> int:
    """Messages stuck in ``sending`` (worker killed mid-send): mark failed for a person to check."""
    cutoff = timezone.now() - STALE_SENDING
    stuck = list(Message.objects.filter(state=M.SENDING, state_changed_at__lt=cutoff).select_related("complaint"))
    for message in stuck:
        reason = _("Pengiriman terputus; periksa apakah pesan sampai, lalu kirim ulang bila perlu.")
        _set_state(message.pk, M.FAILED, error=reason)
        _record_failure(message, reason)
    return len(stuck)


@transaction.atomic
def message_resend(*, message: Message, by: Any) -> Message:
    """Queue a failed outbound message again (a person decided it did not arrive)."""
    from ..jobs import SEND_RETRY, enqueue_on_commit, send_message

    message = Message.objects.select_for_update(of=("self",)).select_related("complaint").get(pk=message.pk)
    if message.complaint is None:
        raise WorkflowError(_("Pesan tidak terkait aduan."))
    access.require(by, "reply", message.complaint)
    if message.direction != Message.Direction.OUT or message.state != M.FAILED:
        raise WorkflowError(_("Hanya pesan keluar yang gagal yang dapat dikirim ulang."))
    message.state = M.QUEUED
    message.error = ""
    message.save(update_fields=["state", "error"])
    event_record(complaint=message.complaint, by=by, verb="message_resent",
                 summary=_("Pesan dikirim ulang."), data={"message": message.pk})
    enqueue_on_commit(send_message, message.pk, job_id=f"send-{message.pk}", retry=SEND_RETRY)
    return message


@transaction.atomic
def message_mark_delivered(*, message: Message, by: Any, note: str = "") -> Message:
    """A person delivered a *manual* message (phone call, letter, at the counter): record it."""
    message = Message.objects.select_for_update(of=("self",)).select_related("complaint").get(pk=message.pk)
    if message.complaint is None:
        raise WorkflowError(_("Pesan tidak terkait aduan."))
    access.require(by, "reply", message.complaint)
    if message.direction != Message.Direction.OUT or message.state != M.MANUAL:
        raise WorkflowError(_("Hanya pesan keluar yang menunggu disampaikan petugas yang dapat ditandai sampai."))
    now = timezone.now()
    message.state = M.DELIVERED
    message.state_changed_at = now
    message.save(update_fields=["state", "state_changed_at"])
    event_record(complaint=message.complaint, by=by, verb="message_delivered_manually",
                 summary=_("Pesan disampaikan langsung oleh petugas."),
                 data={"message": message.pk, "note": note.strip()})
    return message


@transaction.atomic
def message_status_update(*, update: StatusUpdate) -> bool:
    """Apply a delivery receipt; statuses never move backwards. Returns whether anything changed."""
    message = (Message.objects.select_for_update(of=("self",))
               .filter(channel=update.channel, direction=Message.Direction.OUT, external_id=update.external_id)
               .select_related("complaint").first())
    if message is None:  # not a thread message: perhaps a broadcast's
        from ..broadcasts.engine import recipient_status_update

        return recipient_status_update(update=update)
    if update.status == M.FAILED:
        if message.state in (M.READ, M.FAILED):
            return False
        _set_state(message.pk, M.FAILED, error=update.error)
        _record_failure(message, update.error or _("ditolak penyedia"))
        return True
    if update.status not in STATE_RANK or message.state not in STATE_RANK:
        return False
    if STATE_RANK[update.status] <= STATE_RANK[message.state]:
        return False
    Message.objects.filter(pk=message.pk).update(state=update.status, state_changed_at=update.at)
    return True


# ---- inbound ----------------------------------------------------------------------------


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
    from ..jobs import MEDIA_RETRY, enqueue, fetch_attachment, job_id

    def hand_off() -> None:
        if not enqueue(fetch_attachment, message.pk, media_id, filename,
                       job_id=job_id("media", message.pk, media_id), retry=MEDIA_RETRY):
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
    from ..jobs import will_retry
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
        if will_retry():
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
