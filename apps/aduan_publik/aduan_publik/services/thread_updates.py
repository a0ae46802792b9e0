"""Inbound items that change the thread instead of adding to a complaint.

A reaction attaches to the message it reacts to; an edit replaces a message's text and keeps
the old one; a revoke marks a message deleted (its text stays for the audit trail); a number
change re-links the contact; a sticker or an undeliverable type is kept on the thread. None of
them opens a complaint, counts as the reporter's answer, or sends anything. Each is called by
:func:`aduan_publik.services.receiving.message_receive` inside its transaction, after the
duplicate check and the contact look-up.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..channels.base import CONTACT_CHANGE, EDIT, REACTION, REVOKE, InboundMessage
from ..channels.context import current_instance
from ..models import CLOSED_STATUSES, Complaint, Contact, Message
from .audit import event_record
from .contacts import contact_change_address

SPECIAL_KINDS = (REACTION, EDIT, REVOKE, CONTACT_CHANGE)


def thread_update_apply(*, inbound: InboundMessage, contact: Contact) -> Message:
    """Apply a reaction, edit, revoke, number change or non-substantive message; never routes it."""
    if inbound.kind == REACTION:
        return _react(inbound, contact)
    if inbound.kind in (EDIT, REVOKE):
        target = _target(inbound, contact)
        if target is None:  # the original never reached us: keep what we were told
            return _store(inbound, contact, _latest_complaint(contact), meta={"target_missing": inbound.refers_to})
        return _edit(inbound, target) if inbound.kind == EDIT else _revoke(inbound, target)
    if inbound.kind == CONTACT_CHANGE and inbound.changed_to is not None:
        by = f"pelapor ({inbound.channel})"
        contact = contact_change_address(contact=contact, new=inbound.changed_to, by=by)
    return _store(inbound, contact, _latest_complaint(contact))


def _target(inbound: InboundMessage, contact: Contact) -> Message | None:
    """The message referred to, only among this contact's own (a resident edits only their own)."""
    return (Message.objects.select_for_update(of=("self",)).select_related("complaint")
            .filter(channel=inbound.channel, external_id=inbound.refers_to, contact=contact)
            .order_by("pk").first())


def _latest_complaint(contact: Contact) -> Complaint | None:
    """Where a message that opens nothing is shown: the open complaint, else the latest one."""
    complaints = Complaint.objects.filter(contact=contact).order_by("-received_at")
    return complaints.exclude(status__in=CLOSED_STATUSES).first() or complaints.first()


def _store(inbound: InboundMessage, contact: Contact, complaint: Complaint | None, meta: dict | None = None) -> Message:
    data = {"raw": dict(inbound.raw), **(meta or {})}
    if inbound.errors:
        data["provider_errors"] = inbound.errors
    message = Message.objects.create(
        complaint=complaint, contact=contact, channel=inbound.channel, channel_instance=current_instance(),
        direction=Message.Direction.IN, kind=inbound.kind, body=inbound.text or f"[{inbound.kind}]",
        external_id=inbound.external_id, state=Message.State.RECEIVED, created_at=inbound.sent_at, meta=data,
    )
    if complaint is not None:
        event_record(complaint=complaint, by=f"pelapor ({inbound.channel})", verb="reporter_notice",
                     summary=_("Pesan %(kind)s dari pelapor disimpan (tidak membuka aduan).") % {"kind": inbound.kind},
                     data={"message": message.pk, "external_id": inbound.external_id})
    return message


def _react(inbound: InboundMessage, contact: Contact) -> Message:
    """Store the reaction on the thread of the message it is about, and note it on that message."""
    target = _target(inbound, contact)
    if target is None:
        return _store(inbound, contact, _latest_complaint(contact), meta={"target_missing": inbound.refers_to})
    meta = dict(target.meta or {})
    meta["reaction"] = inbound.text  # "" when the resident took the reaction back
    Message.objects.filter(pk=target.pk).update(meta=meta)
    text = inbound.text or _("(reaksi dihapus)")
    return Message.objects.create(
        complaint=target.complaint, contact=contact, channel=inbound.channel, channel_instance=current_instance(),
        direction=Message.Direction.IN, kind=REACTION, body=text, external_id=inbound.external_id,
        state=Message.State.RECEIVED, created_at=inbound.sent_at,
        meta={"raw": dict(inbound.raw), "reacts_to": target.pk},
    )


def _edit(inbound: InboundMessage, target: Message) -> Message:
    """Replace the text, keep every earlier version; an unverified complaint's description follows."""
    meta = dict(target.meta or {})
    edits = list(meta.get("edits") or [])
    if any(e.get("external_id") == inbound.external_id for e in edits):
        return target  # a redelivered edit
    edits.append({"external_id": inbound.external_id, "body": target.body, "at": inbound.sent_at.isoformat()})
    meta["edits"] = edits
    old = target.body
    Message.objects.filter(pk=target.pk).update(body=inbound.text, meta=meta)
    complaint = target.complaint
    if complaint is not None:
        if complaint.external_id == target.external_id and complaint.status == Complaint.Status.RECEIVED:
            Complaint.objects.filter(pk=complaint.pk).update(description=inbound.text)
        event_record(complaint=complaint, by=f"pelapor ({inbound.channel})", verb="reporter_edited",
                     summary=_("Pelapor menyunting pesannya; teks lama tetap tersimpan."),
                     data={"message": target.pk, "old": old, "new": inbound.text})
    target.refresh_from_db()
    return target


def _revoke(inbound: InboundMessage, target: Message) -> Message:
    """Mark the message deleted by the resident; its text stays for the audit trail."""
    meta = dict(target.meta or {})
    if meta.get("revoked"):
        return target
    meta["revoked"] = {"external_id": inbound.external_id, "at": inbound.sent_at.isoformat()}
    Message.objects.filter(pk=target.pk).update(meta=meta)
    if target.complaint is not None:
        event_record(complaint=target.complaint, by=f"pelapor ({inbound.channel})", verb="reporter_revoked",
                     summary=_("Pelapor menghapus pesannya; isinya tetap disimpan untuk audit."),
                     data={"message": target.pk})
    target.refresh_from_db()
    return target
