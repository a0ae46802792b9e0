"""Personal data under UU 27/2022 (PDP): data-subject export, erasure and the retention policy.

Erasure keeps every record (complaints, messages, events stay for the city's accountability) and
removes the identity: the contact's name, address, user id, phone and e-mail are cleared, the
personal fields of the messages it sent (the provider's ``meta``: profile names, numbers, raw
payloads) are emptied, and so are the raw webhook deliveries (``InboundEvent``) that carry one of
its identifiers: a processed or rejected delivery loses its body, headers, query and form; one still
pending or failed (it may hold other residents' items that must still be routed) has the person's
identifiers and name masked in place. The retention policy erases a contact
``privacy.contact_retention_years`` after the last of its complaints was closed, when none is open any more.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus

from django.conf import settings
from django.db import transaction
from django.db.models import BinaryField, Func, IntegerField, Max, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CLOSED_STATUSES, Complaint, Contact, InboundEvent, Message
from ..sealed import PREFIX, is_sealed, reseal, unseal
from ..selectors.complaints import mask_access_code
from .audit import event_record

IDENTITY_FIELDS = ("name", "address", "user_id", "phone", "email")
# Identifiers that find a person's raw deliveries; shorter values would match unrelated bodies.
FINDING_FIELDS = ("address", "phone", "user_id", "email")
MIN_IDENTIFIER = 6
MASK = b"[dihapus]"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def contact_export(*, contact: Contact) -> dict[str, Any]:
    """Everything the hub holds about ``contact``: identity, complaints, messages, attachments' names."""
    complaints = Complaint.objects.filter(contact=contact).order_by("received_at", "pk")
    messages = Message.objects.filter(Q(contact=contact) | Q(complaint__contact=contact)).order_by("created_at", "pk")
    return {
        "contact": {"id": contact.pk, "channel": contact.channel, **{f: getattr(contact, f) for f in IDENTITY_FIELDS},
                    "created_at": _iso(contact.created_at), "last_inbound_at": _iso(contact.last_inbound_at),
                    "erased_at": _iso(contact.erased_at)},
        "complaints": [{
            "tracking_number": c.tracking_number, "title": c.title, "description": c.description,
            "location": c.location_text, "status": c.status, "channel": c.channel, "anonymous": c.is_anonymous,
            "received_at": _iso(c.received_at), "closed_at": _iso(c.closed_at),
            "attachments": [{"name": a.original_name, "type": a.content_type, "size": a.size, "sha256": a.sha256}
                            for a in c.attachments.order_by("pk")],
        } for c in complaints],
        "messages": [{
            "complaint": m.complaint.tracking_number if m.complaint else None, "direction": m.direction,
            "channel": m.channel, "kind": m.kind, "created_at": _iso(m.created_at),
            # The acknowledgement is sealed at rest; its access code stays masked in any export.
            "body": mask_access_code(unseal(m.body), m.complaint) if m.complaint else unseal(m.body),
        } for m in messages.select_related("complaint") if not m.is_internal],
        "exported_at": _iso(timezone.now()),
    }


@transaction.atomic
def contact_export_record(*, contact: Contact, by: Any) -> dict[str, Any]:
    """:func:`contact_export`, audited (who exported whose data)."""
    data = contact_export(contact=contact)
    event_record(complaint=None, by=by, verb="pdp_exported", summary=_("Data pribadi kontak #%(id)s diekspor") % {
        "id": contact.pk}, data={"contact": contact.pk, "complaints": len(data["complaints"])})
    return data


@transaction.atomic
def contact_erase(*, contact: Contact, by: Any, reason: str) -> Contact:
    """Remove ``contact``'s identity, keep its records; one audit event per complaint and one overall.

    Idempotent: an already erased contact is left as it is (no new events).
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        return contact
    raw_events = inbound_events_erase(contact=contact)  # before the identifiers that find them are gone
    for field in IDENTITY_FIELDS:
        setattr(contact, field, "")
    contact.erased_at = timezone.now()
    contact.save(update_fields=[*IDENTITY_FIELDS, "erased_at"])
    # The provider's fields on what the resident sent (profile name, number, raw payload); the
    # outbound rows' meta is the hub's own delivery record (parts sent, receipts) and stays.
    cleared = (Message.objects.filter(Q(contact=contact) | Q(complaint__contact=contact))
               .filter(direction=Message.Direction.IN).update(meta={}))
    summary = _("Identitas pelapor dihapus (%(reason)s)") % {"reason": reason}
    for complaint in Complaint.objects.filter(contact=contact):
        event_record(complaint=complaint, by=by, verb="pdp_erased", summary=summary, data={"reason": reason})
    event_record(complaint=None, by=by, verb="pdp_erased", summary=summary,
                 data={"contact": contact.pk, "reason": reason, "messages": cleared, "inbound_events": raw_events})
    return contact


class _Position(Func):
    """Where ``needle`` (bytes) starts in a binary column, 0 if nowhere (SQLite ``INSTR``, PostgreSQL ``POSITION``)."""

    function = "INSTR"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        body_sql, body_params = compiler.compile(self.source_expressions[0])
        needle_sql, needle_params = compiler.compile(self.source_expressions[1])
        return f"POSITION({needle_sql} IN {body_sql})", (*needle_params, *body_params)


def _spellings(value: str) -> set[bytes]:
    """How ``value`` appears in a raw body: as typed, JSON-escaped, URL-encoded (form posts)."""
    return {v.encode() for v in (value, json.dumps(value)[1:-1], quote_plus(value), quote(value, safe=""))}


def _identifiers(contact: Contact) -> tuple[set[bytes], set[bytes]]:
    """(spellings that find the contact's deliveries, everything to mask in them: those plus the name)."""
    finding: set[bytes] = set()
    for field in FINDING_FIELDS:
        value = str(getattr(contact, field) or "").strip()
        if len(value) >= MIN_IDENTIFIER:
            finding |= _spellings(value)
    name = str(contact.name or "").strip()
    return finding, finding | (_spellings(name) if len(name) >= 3 else set())


def _events_mentioning(needles: set[bytes]) -> QuerySet[InboundEvent]:
    positions = {f"_m{i}": _Position("body", Value(needle, output_field=BinaryField()))
                 for i, needle in enumerate(sorted(needles))}
    mentions = Q()
    for alias in positions:
        mentions |= Q(**{f"{alias}__gt": 0})
    return InboundEvent.objects.annotate(**positions).filter(mentions)


def inbound_events_erase(*, contact: Contact) -> int:
    """Clear or mask the raw deliveries that carry ``contact``'s identifiers; returns how many.

    Called inside :func:`contact_erase` (same transaction). Processed and rejected deliveries are
    done with: body, headers, query and form are emptied. Pending or failed ones may still hold other
    residents' items to route, so only the person's identifiers and name are masked in the body.
    """
    finding, masked = _identifiers(contact)
    if not finding:
        return 0
    done = 0
    for event in _events_mentioning(finding).select_for_update().only("pk", "state", "body"):
        if event.state in (InboundEvent.State.PROCESSED, InboundEvent.State.REJECTED):
            InboundEvent.objects.filter(pk=event.pk).update(body=b"", headers={}, query={}, form={})
        else:
            body = bytes(event.body)
            for needle in sorted(masked, key=len, reverse=True):  # longest first: a name inside an e-mail
                body = body.replace(needle, MASK)
            InboundEvent.objects.filter(pk=event.pk).update(body=body)
        done += 1
    return done


def retention_due(*, now: datetime | None = None) -> list[int]:
    """Ids of the contacts the site's retention policy says to erase now (none when it is off)."""
    years = settings.ADUAN.get("privacy", {}).get("contact_retention_years")
    if not years:
        return []
    cutoff = (now or timezone.now()) - timedelta(days=365.25 * float(years))
    open_ = Complaint.objects.exclude(status__in=CLOSED_STATUSES).values("contact_id")
    return list(Contact.objects.filter(erased_at__isnull=True).exclude(pk__in=open_)
                .annotate(last_closed=Max("complaints__closed_at")).filter(last_closed__lt=cutoff)
                .values_list("pk", flat=True))


def retention_apply(*, now: datetime | None = None) -> int:
    """Erase every contact past the retention period, each in its own transaction; returns how many."""
    done = 0
    for pk in retention_due(now=now):
        contact_erase(contact=Contact(pk=pk), by="retensi",
                      reason=_("masa retensi %(years)s tahun") % {
                          "years": settings.ADUAN["privacy"]["contact_retention_years"]})
        done += 1
    return done


@transaction.atomic
def sealed_messages_rotate(*, keys: list[str]) -> int:
    """Re-seal every sealed message body (and template text) with ``keys[0]``; returns how many.

    Called by ``rotate_channel_key`` before the old keys are dropped. Raises
    ``cryptography.fernet.InvalidToken`` (nothing changed: one transaction) when a row was sealed
    with a key not in ``keys``.
    """
    count = 0
    for message in Message.objects.select_for_update().filter(body__startswith=PREFIX):
        meta = dict(message.meta)
        if is_sealed(str(meta.get("template_text") or "")):
            meta["template_text"] = reseal(meta["template_text"], keys)
        Message.objects.filter(pk=message.pk).update(body=reseal(message.body, keys), meta=meta)
        count += 1
    return count
