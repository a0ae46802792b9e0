"""Reporters as a channel knows them: find, fill in, merge identities, follow a number change.

One resident may first write with a phone number (``address``, WhatsApp's wa_id) and later as
a username (``user_id`` only), or the other way round; the two rows are one person. When a
message names both, the rows are merged: every message and complaint moves to the older row,
each moved complaint gets an audit event, and the newer row is deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..channels.base import ContactRef
from ..models import CLOSED_STATUSES, Complaint, Contact
from .audit import event_record

logger = logging.getLogger(__name__)
IDENTITY = ("address", "user_id")
DETAILS = ("name", "phone", "email")


def contact_get_or_create(*, channel: str, ref: ContactRef) -> Contact:
    """Find the reporter by channel address or per-business user id, filling in what is new.

    When the address and the user id belong to two stored contacts, they are merged (audited)
    into one, so the message is never lost to a uniqueness error.
    """
    by_address = Contact.objects.filter(channel=channel, address=ref.address).first() if ref.address else None
    by_user = Contact.objects.filter(channel=channel, user_id=ref.user_id).first() if ref.user_id else None
    contact: Contact | None
    if by_address and by_user and by_address.pk != by_user.pk:
        contact = contact_merge(keep=min(by_address, by_user, key=lambda c: c.pk),
                                drop=max(by_address, by_user, key=lambda c: c.pk), by=f"kanal {channel}")
    else:
        contact = by_address or by_user
    if contact is None:
        try:
            with transaction.atomic():
                return Contact.objects.create(
                    channel=channel, address=ref.address, user_id=ref.user_id, name=ref.name,
                    phone=ref.phone, email=ref.email,
                )
        except IntegrityError:  # created concurrently by another delivery
            return contact_get_or_create(channel=channel, ref=ref)
    _fill_in(contact, ref)
    return contact


def _fill_in(contact: Contact, ref: ContactRef) -> None:
    changed = [f for f in (*IDENTITY, *DETAILS) if getattr(ref, f) and not getattr(contact, f)]
    for name in changed:
        setattr(contact, name, getattr(ref, name))
    if changed:
        contact.save(update_fields=changed)


@transaction.atomic
def contact_merge(*, keep: Contact, drop: Contact, by: Any) -> Contact:
    """Make ``drop`` part of ``keep``: its messages, complaints and every other link move over.

    ``keep`` gains the identities and details it lacks, and the latest inbound time of both;
    each complaint that moves records a ``contact_merged`` event. ``drop`` is deleted.
    """
    keep = Contact.objects.select_for_update().get(pk=keep.pk)
    drop = Contact.objects.select_for_update().get(pk=drop.pk)
    drop_id = drop.pk
    moved = list(Complaint.objects.filter(contact=drop).select_for_update())
    for relation in Contact._meta.related_objects:  # messages, complaints, anything a channel links
        if relation.one_to_many and relation.field.model is not Contact:
            relation.related_model._default_manager.filter(**{relation.field.name: drop}).update(
                **{relation.field.name: keep})
    taken = {f: getattr(drop, f) for f in (*IDENTITY, *DETAILS) if getattr(drop, f) and not getattr(keep, f)}
    last = max((t for t in (keep.last_inbound_at, drop.last_inbound_at) if t), default=None)
    drop.delete()  # first: its address and user id are unique per channel
    for name, value in taken.items():
        setattr(keep, name, value)
    keep.last_inbound_at = last
    keep.save()
    for complaint in moved:
        event_record(complaint=complaint, by=by, verb="contact_merged",
                     summary=_("Identitas pelapor digabung: nomor dan nama pengguna kanal adalah orang yang sama."),
                     data={"kept": keep.pk, "merged": drop_id, "identities": taken})
    logger.info("contact merged into #%s (%s)", keep.pk, ", ".join(taken) or "no new identity")
    return keep


@transaction.atomic
def contact_change_address(*, contact: Contact, new: ContactRef, by: Any) -> Contact:
    """The resident's channel address changed (a new WhatsApp number): re-link the contact.

    When the new address already has a contact of its own, the two are merged; the open
    complaints of the contact record a ``contact_address_changed`` event either way.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    old = contact.address
    if not new.address or new.address == old:
        return contact
    other = Contact.objects.filter(channel=contact.channel, address=new.address).exclude(pk=contact.pk).first()
    if other is not None:
        contact = contact_merge(keep=min(contact, other, key=lambda c: c.pk),
                                drop=max(contact, other, key=lambda c: c.pk), by=by)
    contact.address = new.address
    contact.phone = new.phone or contact.phone
    contact.save(update_fields=["address", "phone"])
    for complaint in Complaint.objects.filter(contact=contact).exclude(status__in=CLOSED_STATUSES):
        event_record(complaint=complaint, by=by, verb="contact_address_changed",
                     summary=_("Pelapor mengganti nomor kanal; balasan dikirim ke nomor baru."),
                     data={"old": old, "new": new.address})
    return contact


def contact_touch_inbound(*, contact: Contact, at: datetime) -> None:
    """Note the time of the resident's latest message; it only moves forward.

    A late or replayed old message must not close an open 24-hour reply window.
    """
    Contact.objects.filter(pk=contact.pk).filter(Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=at)).update(
        last_inbound_at=at)
