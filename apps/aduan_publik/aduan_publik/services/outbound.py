"""Outbound messages: queueing a message to a reporter or a contact, staff replies, resends.

Outbound messages are rows first (state ``queued``) and jobs second, so a message is never
lost: if the job is lost the scheduler's sweep finds the row. Sending itself, delivery
receipts and the sweep's helpers are in :mod:`.sending`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, queueing
from ..channels.base import ContactRef
from ..channels.context import current_instance
from ..channels.registry import channel_capabilities, get_channel
from ..models import Attachment, Complaint, FollowUp, Message
from ..sealed import seal
from ..workflow import WorkflowError, ensure_allowed
from .audit import event_record
from .contacts import contact_get_or_create

M = Message.State
# Outbound messages whose text carries the reporter's access code: sealed at rest.
SEALED_PURPOSES = frozenset({"ack"})
SEND_JOB = "aduan_publik.jobs.send_message"  # its path is stored in Redis: keep it stable


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
    send_on_commit(message.pk)
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
    send_on_commit(message.pk)
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


@transaction.atomic
def message_resend(*, message: Message, by: Any) -> Message:
    """Queue a failed outbound message again (a person decided it did not arrive)."""
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
    send_on_commit(message.pk)
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


def send_on_commit(message_id: int) -> None:
    """Send a queued message in a retrying job once this transaction commits (the sweep finds a lost one)."""
    queueing.enqueue_on_commit(SEND_JOB, message_id, job_id=f"send-{message_id}", retry=queueing.SEND_RETRY)
