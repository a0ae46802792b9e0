"""Keywords a resident can send instead of a complaint: ``STATUS ADU-2026-000123``.

Handled before routing, so asking for the status neither opens a complaint nor counts as the
reporter answering a follow-up. The answer names the status only when the complaint is the
sender's own (same WhatsApp contact); anyone else hears "not found", whether or not the
number exists, so tracking numbers cannot be probed for other people's complaints.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import notifications
from ...models import Complaint, Contact, Message
from ...services.audit import event_record
from ...services.contacts import contact_get_or_create, contact_touch_inbound
from ...services.outbound import outbound_queue, send_on_commit
from ..base import InboundMessage
from ..context import current_instance

STATUS_RE = re.compile(r"^\s*(?:STATUS|STATUS ADUAN|CEK|LACAK)\s*:?\s*#?(ADU-\d{4}-\d{1,8})\s*[.!?]*\s*$",
                       re.IGNORECASE)
# The keyword alone, without a number: answered with the sender's latest complaint or the help.
BARE_RE = re.compile(r"^\s*(?:STATUS|STATUS ADUAN|CEK|CEK STATUS|LACAK)\s*[.!?]*\s*$", re.IGNORECASE)


def status_query(text: str) -> str | None:
    """The tracking number asked about, or None when ``text`` is not a STATUS keyword."""
    match = STATUS_RE.match(text or "")
    return match.group(1).upper() if match else None


@transaction.atomic
def status_keyword_answer(*, inbound: InboundMessage) -> bool:
    """Answer a STATUS keyword; False when ``inbound`` is not one (route it normally).

    Idempotent on the provider's message id: a redelivered question is not answered twice.
    """
    text = inbound.text if inbound.kind == "text" else ""
    number = status_query(text)
    if number is None and not BARE_RE.match(text):
        return False
    if Message.objects.filter(channel=inbound.channel, direction=Message.Direction.IN,
                              external_id=inbound.external_id).exists():
        return True
    contact = contact_get_or_create(channel=inbound.channel, ref=inbound.sender)
    contact_touch_inbound(contact=contact, at=inbound.sent_at)
    if number is None:
        return _answer_bare(inbound, contact)
    complaint = Complaint.objects.filter(tracking_number=number, contact=contact).first()
    Message.objects.create(
        complaint=complaint, contact=contact, channel=inbound.channel, channel_instance=current_instance(),
        direction=Message.Direction.IN,
        kind="keyword", body=inbound.text, external_id=inbound.external_id, state=Message.State.RECEIVED,
        created_at=inbound.sent_at, meta={"keyword": "status", "tracking_number": number},
    )
    if complaint is None:
        _answer_unknown(contact, number)
        return True
    event_record(complaint=complaint, by=f"pelapor ({inbound.channel})", verb="status_query",
                 summary=_("Pelapor menanyakan status lewat WhatsApp."), data={"external_id": inbound.external_id})
    outbound_queue(complaint=complaint, body=notifications.status_changed(complaint), by=None)
    return True


def _answer_bare(inbound: InboundMessage, contact: Contact) -> bool:
    """"STATUS" alone: the status of the sender's latest complaint, or the help text to a stranger."""
    complaint = Complaint.objects.filter(contact=contact).order_by("-received_at").first()
    Message.objects.create(
        complaint=complaint, contact=contact, channel=inbound.channel, channel_instance=current_instance(),
        direction=Message.Direction.IN,
        kind="keyword", body=inbound.text, external_id=inbound.external_id, state=Message.State.RECEIVED,
        created_at=inbound.sent_at, meta={"keyword": "status"},
    )
    if complaint is None:
        _answer_contact(contact, notifications.keyword_help())
        return True
    event_record(complaint=complaint, by=f"pelapor ({inbound.channel})", verb="status_query",
                 summary=_("Pelapor menanyakan status lewat WhatsApp."), data={"external_id": inbound.external_id})
    outbound_queue(complaint=complaint, body=notifications.status_changed(complaint), by=None)
    return True


def _answer_unknown(contact: Contact, number: str) -> None:
    """Reply "not found" to a contact outside any complaint."""
    _answer_contact(contact, _("Aduan %(number)s tidak ditemukan untuk nomor WhatsApp ini. Periksa kembali "
                               "nomor aduan Anda, atau lacak dengan kode akses di portal.") % {"number": number})


def _answer_contact(contact: Contact, body: str) -> None:
    """Send ``body`` to a contact outside any complaint (queued like every outbound message)."""
    message = Message.objects.create(
        complaint=None, contact=contact, channel=contact.channel, channel_instance=current_instance(),
        direction=Message.Direction.OUT, body=body, state=Message.State.QUEUED, created_at=timezone.now(),
    )
    send_on_commit(message.pk)


def broadcast_keyword_answer(*, inbound: InboundMessage) -> bool:
    """DAFTAR <topik>, YA (confirming a subscription) and BERHENTI/STOP (see broadcasts.optin)."""
    from ...broadcasts.optin import keyword_answer

    def reply(ref: object, text: str) -> None:
        contact = contact_get_or_create(channel=inbound.channel, ref=inbound.sender)
        contact_touch_inbound(contact=contact, at=inbound.sent_at)
        _answer_contact(contact, text)

    return keyword_answer(inbound=inbound, reply=reply)
