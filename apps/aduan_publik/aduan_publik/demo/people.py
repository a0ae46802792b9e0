"""Demo residents: contacts per channel, and their replies through the inbound service."""

from __future__ import annotations

import random

from django.utils import timezone

from ..channels.base import ContactRef, InboundMessage
from ..models import Complaint, Contact, Message
from ..services.receiving import message_receive
from . import DEMO_EXTERNAL_PREFIX
from .stories import FIRST_NAMES, LAST_NAMES

REPORTERS = 160  # a pool, so that some residents complain more than once

REPLIES: dict[str, list[str]] = {
    Complaint.Status.POSTPONED: [
        "Lokasinya persis di depan masjid, RT 004. Foto sudah saya lampirkan di pesan berikutnya.",
        "Kejadiannya Senin pagi sekitar jam 9, di loket pendaftaran.",
    ],
    Complaint.Status.ANSWERED: [
        "Mohon maaf, di lapangan belum selesai. Kondisinya masih sama seperti sebelumnya.",
        "Baru sebagian yang dikerjakan, mohon dituntaskan.",
    ],
}


def new_contact(rng: random.Random, channel: str, index: int) -> Contact:
    """An unsaved contact for ``channel``; ``user_id`` marks it as demo data (``demo-<n>``)."""
    n = rng.randint(1, REPORTERS)
    person = random.Random(n)  # the same reporter number is always the same person
    first, last = person.choice(FIRST_NAMES), person.choice(LAST_NAMES)
    phone = f"08{person.randint(11, 59)}{person.randint(10_000_000, 99_999_999)}"
    contact = Contact(channel=channel, name=f"{first} {last}", user_id=f"{DEMO_EXTERNAL_PREFIX}{n}")
    if channel == "web":
        contact.email = contact.address = f"{first}.{last}{n}@example.org".lower()
        contact.phone = phone if person.random() < 0.5 else ""
    elif channel == "whatsapp":
        contact.address = contact.phone = "62" + phone[1:]
    elif channel == "manual":
        contact.phone = phone
    return contact


def reporter_reply(complaint: Complaint, index: int, rng: random.Random) -> Message | None:
    """The reporter writes back on the complaint's channel (resumes a postponed one, re-opens an answer)."""
    contact = complaint.contact
    if contact is None or complaint.status not in REPLIES:
        return None
    sequence = Message.objects.filter(complaint=complaint, direction=Message.Direction.IN).count()
    return message_receive(inbound=InboundMessage(
        channel=complaint.channel,
        external_id=f"{DEMO_EXTERNAL_PREFIX}in-{index}-{sequence}",
        sender=ContactRef(address=contact.address, user_id=contact.user_id, name=contact.name,
                          phone=contact.phone, email=contact.email),
        sent_at=timezone.now(),
        text=rng.choice(REPLIES[complaint.status]),
        tracking_number=complaint.tracking_number,
    ))
