"""Reads of the social channels: where an answer should go, which messages a watermark covers.

Everything here reads the hub's own rows (messages of a complaint) or this package's links;
nothing writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aduan_publik.models import Message

from .meta.public import PUBLIC_KINDS
from .models import PersonLink


@dataclass(frozen=True)
class PublicTarget:
    """The public item (comment, visitor post, mention) a complaint's answer refers to."""

    item_id: str
    kind: str
    created_at: datetime
    raw: dict[str, Any] = field(default_factory=dict)
    private_used: bool = False  # a Private Reply already went to this item, by another message


def private_part(item_id: str) -> str:
    return f"private:{item_id}"


def public_part(item_id: str) -> str:
    return f"public:{item_id}"


def public_target(*, channel: str, message_id: int) -> PublicTarget | None:
    """The latest public item, not removed, of the complaint that ``message_id`` answers."""
    complaint_id = Message.objects.filter(pk=message_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        return None
    found = (Message.objects.filter(complaint_id=complaint_id, channel=channel, direction=Message.Direction.IN,
                                    kind__in=PUBLIC_KINDS).order_by("-created_at", "-pk"))
    item = next((m for m in found[:20] if not (m.meta or {}).get("revoked")), None)
    if item is None:
        return None
    others = (Message.objects.filter(complaint_id=complaint_id, channel=channel, direction=Message.Direction.OUT)
              .exclude(pk=message_id).values_list("meta", flat=True))
    used = any(private_part(item.external_id) in ((meta or {}).get("sent_parts") or {}) for meta in others)
    return PublicTarget(item_id=item.external_id, kind=item.kind, created_at=item.created_at,
                        raw=dict((item.meta or {}).get("raw") or {}), private_used=used)


def watermark_ids(*, channel: str, inbox_id: str, at: datetime, receipt: str) -> list[str]:
    """Provider ids of our messages to ``inbox_id`` sent up to the watermark and not yet at ``receipt``."""
    below = [Message.State.SENT] if receipt == "delivered" else [Message.State.SENT, Message.State.DELIVERED]
    rows = (Message.objects.filter(channel=channel, direction=Message.Direction.OUT, contact__address=inbox_id,
                                   sent_at__lte=at, state__in=below).exclude(external_id="")
            .order_by("pk").values_list("external_id", flat=True))
    return list(rows[:500])


def linked_person(*, channel: str, inbox_id: str) -> str:
    """The commenter id a Private Reply linked to this inbox id, or ""."""
    return (PersonLink.objects.filter(channel=channel, inbox_id=inbox_id)
            .values_list("person_id", flat=True).first() or "")


def inbox_for_person(*, channel: str, person_id: str) -> str:
    """The inbox id (PSID/IGSID) Meta gave for this commenter, or ""."""
    return (PersonLink.objects.filter(channel=channel, person_id=person_id).order_by("-pk")
            .values_list("inbox_id", flat=True).first() or "")


@dataclass(frozen=True)
class XOrigin:
    """The X item a complaint's answer refers to: the latest mention or DM of the complaint."""

    item_id: str
    kind: str


def x_origin(*, message_id: int) -> XOrigin | None:
    complaint_id = Message.objects.filter(pk=message_id).values_list("complaint_id", flat=True).first()
    if complaint_id is None:
        return None
    latest = (Message.objects.filter(complaint_id=complaint_id, channel="x", direction=Message.Direction.IN,
                                     kind__in=("mention", "dm")).order_by("-created_at", "-pk").first())
    return XOrigin(item_id=latest.external_id, kind=latest.kind) if latest is not None else None


def last_inbox_at(*, channel: str, message_id: int) -> datetime | None:
    """When the reporter last wrote in the inbox (not in a public comment): the start of the window.

    A public comment opens no messaging window on Meta, so the hub's ``last_inbound_at`` (which
    counts every message) cannot be used as is. None when the message is unknown.
    """
    contact_id = Message.objects.filter(pk=message_id).values_list("contact_id", flat=True).first()
    if contact_id is None:
        return None
    return (Message.objects.filter(contact_id=contact_id, channel=channel, direction=Message.Direction.IN)
            .exclude(kind__in=(*PUBLIC_KINDS, "edit", "revoke")).order_by("-created_at")
            .values_list("created_at", flat=True).first())
