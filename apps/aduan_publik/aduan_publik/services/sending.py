"""Sending one queued message through its channel, multi-part bookkeeping, delivery receipts.

A message is sent at most once: the send job moves it ``queued → sending`` under a row lock
before calling the channel, and a message found stuck in ``sending`` is marked failed for a
person to check, never sent again blindly.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels.base import (
    ContactRef,
    OutboundMessage,
    PermanentChannelError,
    StatusUpdate,
    TemporaryChannelError,
)
from ..channels.registry import get_channel
from ..models import Attachment, Message
from ..sealed import unseal
from .audit import event_record
from .channel_instances import channel_error_record

M = Message.State

# Delivery receipts only move forward; "failed" may follow "sent" but never "read".
STATE_RANK: dict[str, int] = {M.QUEUED: 0, M.SENDING: 1, M.SENT: 2, M.DELIVERED: 3, M.READ: 4}
STALE_SENDING = timedelta(minutes=10)


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
