"""Inbox events (``messaging[]``): Messenger and Instagram Direct messages, postbacks, quick replies,
reactions, delivery and read watermarks. Echoes of our own messages are dropped here.

The sender is known by the inbox id (PSID on Messenger, IGSID on Instagram); when a Private
Reply linked that id to a commenter, the commenter's id travels along as ``user_id`` so the
hub joins the comment's complaint (see :class:`aduan_social.models.PersonLink`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aduan_publik.channels.base import (
    REACTION,
    ContactRef,
    InboundAttachment,
    InboundMessage,
    PayloadError,
    StatusUpdate,
)

from .items import Item
from .timeparse import when

if TYPE_CHECKING:
    from .items import Account

# Attachment types that are files we may download (Messenger only); the rest are links.
FILE_TYPES = {"image": "jpg", "audio": "mp4", "video": "mp4", "file": "bin"}
STORY_MENTION = "story_mention"


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def event_key(event: Any) -> str:
    """What identifies one inbox event across redeliveries."""
    event = _dict(event)
    sender = str(_dict(event.get("sender")).get("id") or "")
    for name in ("message", "postback", "reaction"):
        part = _dict(event.get(name))
        if part:
            return f"{name}:{part.get('mid') or ''}:{part.get('action') or ''}:{sender}:{event.get('timestamp')}"
    for name in ("delivery", "read"):
        part = _dict(event.get(name))
        if part:
            return f"{name}:{sender}:{part.get('watermark')}:{','.join(map(str, part.get('mids') or []))}"
    return "event:" + hashlib.sha256(repr(sorted(event.items())).encode()).hexdigest()


def items(event: Mapping[str, Any], account: Account) -> list[Item]:
    """The items of one inbox event (none for an echo or our own event)."""
    sender_id = str(_dict(event.get("sender")).get("id") or "")
    message = _dict(event.get("message"))
    if message.get("is_echo") or (account.account_id and sender_id == account.account_id):
        return []  # our own message coming back: never a complaint (no loops)
    if not sender_id:
        raise PayloadError("kejadian tanpa pengirim (sender.id)")
    sender = ContactRef(address=sender_id, user_id=account.linked_person(sender_id))
    if message:
        return [_message(event, message, sender, account)]
    if _dict(event.get("postback")):
        return [_postback(event, sender, account)]
    if _dict(event.get("reaction")):
        return [_reaction(event, sender, account)]
    if _dict(event.get("delivery")):
        return _receipts(event, "delivery", "delivered", sender_id, account)
    if _dict(event.get("read")):
        return _receipts(event, "read", "read", sender_id, account)
    return []  # referrals, handovers, opt-ins: nothing for the hub


def _message(event: Mapping[str, Any], message: Mapping[str, Any], sender: ContactRef,
             account: Account) -> InboundMessage:
    mid = str(message.get("mid") or "")
    if not mid:
        raise PayloadError("pesan tanpa mid")
    text = str(message.get("text") or "")
    kind = "text"
    files: list[InboundAttachment] = []
    links: list[str] = []
    for index, att in enumerate(a for a in message.get("attachments") or [] if isinstance(a, dict)):
        kind_of, url = str(att.get("type") or "file"), str(_dict(att.get("payload")).get("url") or "")
        kind = kind if kind != "text" else kind_of
        if account.store_media and kind_of in FILE_TYPES and url:
            files.append(InboundAttachment(filename=f"{_safe(mid)}-{index}.{FILE_TYPES[kind_of]}", media_id=url))
        elif url:  # Instagram media, story mentions, shared posts and links: the link only, never the file
            links.append(f"[{_label(kind_of)}] {url}")
    quick = _dict(message.get("quick_reply"))
    if quick:
        kind = "quick_reply"
    body = "\n".join(part for part in (text, *links) if part)
    return InboundMessage(channel=account.channel, external_id=mid, sender=sender, kind=kind,
                          sent_at=when(event.get("timestamp")), text=body, attachments=tuple(files),
                          raw=_raw(event), substantive=bool(body or files))


def _label(kind: str) -> str:
    return {"story_mention": "sebutan di story", "share": "tautan", "fallback": "tautan"}.get(kind, kind)


def _safe(mid: str) -> str:
    return hashlib.sha256(mid.encode()).hexdigest()[:16]


def _postback(event: Mapping[str, Any], sender: ContactRef, account: Account) -> InboundMessage:
    """A button tap (Get Started, a menu item): kept on the thread, never a complaint by itself."""
    postback = _dict(event.get("postback"))
    mid = str(postback.get("mid") or f"postback:{sender.address}:{event.get('timestamp')}")
    title = str(postback.get("title") or postback.get("payload") or "")
    return InboundMessage(channel=account.channel, external_id=mid, sender=sender, kind="postback",
                          sent_at=when(event.get("timestamp")), text=title, raw=_raw(event), substantive=False)


def _reaction(event: Mapping[str, Any], sender: ContactRef, account: Account) -> InboundMessage:
    reaction = _dict(event.get("reaction"))
    mid = str(reaction.get("mid") or "")
    if not mid:
        raise PayloadError("reaksi tanpa mid")
    unreact = reaction.get("action") == "unreact"
    emoji = "" if unreact else str(reaction.get("emoji") or reaction.get("reaction") or "")
    external_id = f"{mid}#reaction:{sender.address}:{event.get('timestamp')}"
    return InboundMessage(channel=account.channel, external_id=external_id, sender=sender, kind=REACTION,
                          refers_to=mid, text=emoji,
                          sent_at=when(event.get("timestamp")), raw=_raw(event))


def _receipts(event: Mapping[str, Any], name: str, receipt: str, sender_id: str, account: Account) -> list[Item]:
    """``mids`` when Meta lists them, else every message of ours up to the watermark."""
    part = _dict(event.get(name))
    at = when(part.get("watermark") or event.get("timestamp"))
    mids = [str(m) for m in part.get("mids") or [] if m]
    if not mids and part.get("watermark"):
        mids = account.watermark_ids(sender_id, at, receipt)
    return [StatusUpdate(channel=account.channel, external_id=m, status=receipt, at=at) for m in mids]


def _raw(event: Mapping[str, Any]) -> dict[str, Any]:
    return dict(event)
