"""The public event catalogue and the payload of one event, as a subscriber may see it.

Audit verbs are internal; subscribers see stable dotted types. Only the verbs listed here leave
the hub. An event's ``data`` is whitelisted per verb (free-text notes of staff stay inside), and
the complaint snapshot is masked by :mod:`aduan_publik.access` (anonim identity, rahasia content).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import Complaint, Event

# verb → (event type, data keys a subscriber may see)
VERB_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "created": ("complaint.created", ("channel",)),
    "verified": ("complaint.verified", ("opds",)),
    "rerouted": ("complaint.disposed", ("opds", "returned")),
    "accepted": ("complaint.accepted", ("opd",)),
    "returned": ("complaint.returned", ("opd",)),
    "followup_published": ("complaint.followed_up", ("opd", "followup")),
    "answered": ("complaint.answered", ()),
    "rated": ("complaint.rated", ("rating",)),
    "autoclosed": ("complaint.closed", ("working_days",)),
    "lapor_closed": ("complaint.closed", ("remote_status",)),
    "reopened": ("complaint.reopened", ("from", "to")),
    "postponed": ("complaint.postponed", ("remaining_working_days",)),
    "resumed": ("complaint.resumed", ()),
    "archived": ("complaint.archived", ("reason",)),
    "not_authority": ("complaint.not_authority", ("forwarded_to",)),
    "merged": ("complaint.merged", ()),
    "replied": ("complaint.replied", ()),
    "return_settled": ("complaint.return_settled", ("returned",)),
}

EVENT_TYPES: dict[str, Any] = {
    "complaint.created": _("Aduan diterima"),
    "complaint.verified": _("Diverifikasi dan didisposisikan"),
    "complaint.disposed": _("Didisposisikan ulang"),
    "complaint.accepted": _("Diterima OPD"),
    "complaint.returned": _("Dikembalikan OPD"),
    "complaint.followed_up": _("Tindak lanjut OPD terbit"),
    "complaint.answered": _("Semua OPD menindaklanjuti"),
    "complaint.rated": _("Dinilai pelapor"),
    "complaint.closed": _("Selesai"),
    "complaint.reopened": _("Dibuka kembali"),
    "complaint.postponed": _("Ditunda"),
    "complaint.resumed": _("Penundaan berakhir"),
    "complaint.archived": _("Diarsipkan"),
    "complaint.not_authority": _("Bukan wewenang"),
    "complaint.merged": _("Digabung ke aduan lain"),
    "complaint.replied": _("Dibalas petugas"),
    "complaint.return_settled": _("Pengembalian ditangani admin"),
}

# Every type a verb can produce; "rated" that closes an answered complaint is also "closed".
CLOSING_RATING = "complaint.closed"


def event_types(event: Event, complaint: Complaint) -> list[str]:
    """The types ``event`` carries, the main one first; empty when it does not leave the hub."""
    entry = VERB_TYPES.get(event.verb)
    if entry is None:
        return []
    types = [entry[0]]
    if event.verb == "rated" and complaint.status == Complaint.Status.CLOSED:
        types.append(CLOSING_RATING)
    return types


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def complaint_snapshot(complaint: Complaint, opd_codes: list[str]) -> dict[str, Any]:
    """Every field a subscriber may get, before masking (see :func:`masked`)."""
    contact = complaint.contact
    return {
        "id": complaint.pk,
        "tracking_number": complaint.tracking_number,
        "kind": complaint.kind,
        "status": complaint.status,
        "channel": complaint.channel,
        "priority": complaint.priority,
        "category": complaint.category.code if complaint.category_id and complaint.category else None,
        "kecamatan": complaint.kecamatan.code if complaint.kecamatan_id and complaint.kecamatan else None,
        "kelurahan": complaint.kelurahan.code if complaint.kelurahan_id and complaint.kelurahan else None,
        "opds": opd_codes,
        "is_anonymous": complaint.is_anonymous,
        "is_secret": complaint.is_secret,
        "received_at": _iso(complaint.received_at),
        "verified_at": _iso(complaint.verified_at),
        "answered_at": _iso(complaint.answered_at),
        "closed_at": _iso(complaint.closed_at),
        "due_at": _iso(complaint.due_at),
        "title": complaint.title,
        "description": complaint.description,
        "location_text": complaint.location_text,
        "latitude": str(complaint.latitude) if complaint.latitude is not None else None,
        "longitude": str(complaint.longitude) if complaint.longitude is not None else None,
        "reporter": None if contact is None else {
            "name": contact.name, "phone": contact.phone, "email": contact.email,
        },
    }


CONTENT_FIELDS = ("title", "description", "location_text", "latitude", "longitude")


def masked(snapshot: dict[str, Any], *, identity: bool, content: bool) -> dict[str, Any]:
    """The snapshot without what the subscriber may not see: ``None`` stands for withheld."""
    out = dict(snapshot)
    if not identity:
        out["reporter"] = None
    if not content:
        out.update(dict.fromkeys(CONTENT_FIELDS))
    return out


def event_data(event: Event, *, content: bool, followup_body: str | None = None) -> dict[str, Any]:
    """The whitelisted part of the audit event's data; a follow-up's text only with ``content``."""
    keys = VERB_TYPES[event.verb][1]
    data = {k: event.data[k] for k in keys if k in event.data}
    if "followup" in data:
        data["followup"] = {"id": data["followup"], "body": followup_body if content else None}
    return data


def body_of(*, event: Event, types: list[str], complaint: dict[str, Any], data: dict[str, Any],
            site: str) -> str:
    """The JSON body of one delivery, serialised once: every attempt sends the same bytes."""
    payload = {
        "type": types[0],
        "types": types,
        "event_id": event.pk,
        "occurred_at": _iso(event.created_at),
        "site": site,
        "complaint": complaint,
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
