"""X bodies into the hub's items: a page of the mentions poll, or an X Activity API webhook event.

* Poll page (stored by :mod:`.poll`): ``{"source": "mentions_poll", "data": [posts],
  "includes": {"users": [...]}, "meta": {...}}``.
* Activity API: ``{"data": {"event_uuid", "event_type", "filter": {"user_id"}, "payload",
  "includes"}}`` (or a list of such events) for ``post.mention.create``, ``post.reply.create``,
  ``post.quote.create`` (the payload is the post) and ``dm.received`` (``direct_message_events``).

Posts and DMs by the city's own account are skipped: our reply posts never become complaints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from aduan_publik.channels.base import ContactRef, InboundMessage, InboundProblem, PayloadError

from ..meta.items import Item
from ..meta.timeparse import when

CHANNEL = "x"
MENTION, DM = "mention", "dm"
POST_EVENTS = {"post.mention.create", "post.reply.create", "post.quote.create"}
DM_EVENTS = {"dm.received"}


def load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"bukan JSON yang sah: {exc}") from None
    if not isinstance(data, dict) or "data" not in data:
        raise PayloadError("bukan kiriman X (tidak ada data)")
    if not isinstance(data["data"], list | dict):
        raise PayloadError("data harus daftar atau objek")
    return data


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _events(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = data["data"]
    return [e for e in (raw if isinstance(raw, list) else [raw]) if isinstance(e, dict)]


def is_poll_page(data: Mapping[str, Any]) -> bool:
    return data.get("source") == "mentions_poll"


def delivery_key(body: bytes) -> str:
    try:
        data = load(body)
        ids = sorted(_keys(data))
    except PayloadError:
        ids = []
    if not ids:
        return "body:" + hashlib.sha256(body).hexdigest()
    return "ids:" + hashlib.sha256("\n".join(ids).encode()).hexdigest()


def _keys(data: Mapping[str, Any]) -> Iterator[str]:
    for event in _events(data):
        if is_poll_page(data):
            yield f"post:{event.get('id')}"
        else:
            yield f"event:{event.get('event_uuid') or hashlib.sha256(repr(event).encode()).hexdigest()}"


def parse(body: bytes, *, account_id: str) -> list[Item]:
    """Every mention and DM of the body; a body with nothing usable raises PayloadError."""
    data = load(body)
    events = _events(data)
    items: list[Item] = []
    if is_poll_page(data):
        users = _users(data.get("includes"))
        for post in events:
            items.extend(_guarded(post, lambda p=post: _post(p, users, account_id)))
        return items
    for event in events:
        items.extend(_guarded(event, lambda e=event: _activity(e, account_id)))
    if events and items and all(isinstance(i, InboundProblem) for i in items):
        raise PayloadError("; ".join(i.reason for i in items if isinstance(i, InboundProblem)))
    return items


def _guarded(obj: Mapping[str, Any], build: Any) -> list[Item]:
    try:
        return list(build())
    except PayloadError as exc:
        ident = str(obj.get("id") or obj.get("event_uuid") or "")[:200]
        return [InboundProblem(channel=CHANNEL, reason=str(exc), external_id=ident, raw=dict(obj))]


def _users(includes: Any) -> dict[str, Mapping[str, Any]]:
    return {str(u.get("id")): u for u in _dict(includes).get("users") or [] if isinstance(u, dict)}


def _activity(event: Mapping[str, Any], account_id: str) -> list[Item]:
    kind = str(event.get("event_type") or "")
    filter_id = str(_dict(event.get("filter")).get("user_id") or "")
    if account_id and filter_id and filter_id != account_id:
        raise PayloadError(f"peristiwa untuk akun X lain ({filter_id}), bukan akun situs ini")
    payload = _dict(event.get("payload"))
    users = _users(event.get("includes"))
    if kind in POST_EVENTS:
        post = _dict(payload.get("data")) or payload
        return _post(post, users, account_id)
    if kind in DM_EVENTS:
        dms = payload.get("direct_message_events") or [payload]
        return [i for dm in dms if isinstance(dm, dict) for i in _dm(dm, users, account_id)]
    return []  # dm.sent, dm.read, follows, …: nothing for the hub


def _post(post: Mapping[str, Any], users: Mapping[str, Mapping[str, Any]], account_id: str) -> list[Item]:
    post_id, author = str(post.get("id") or ""), str(post.get("author_id") or "")
    if not post_id:
        raise PayloadError("post tanpa id")
    if not author:
        raise PayloadError(f"post {post_id} tanpa author_id")
    if author == account_id:
        return []  # our own reply post: never a complaint (no loops)
    user = users.get(author, {})
    return [InboundMessage(channel=CHANNEL, external_id=post_id, kind=MENTION, text=str(post.get("text") or ""),
                           sender=ContactRef(user_id=author, name=str(user.get("username") or "")[:200]),
                           sent_at=when(post.get("created_at")), raw=dict(post))]


def _dm(dm: Mapping[str, Any], users: Mapping[str, Mapping[str, Any]], account_id: str) -> list[Item]:
    create = _dict(dm.get("message_create"))
    sender = str(dm.get("sender_id") or create.get("sender_id") or "")
    event_id = str(dm.get("id") or "")
    if not event_id:
        raise PayloadError("DM tanpa id")
    if not sender:
        raise PayloadError(f"DM {event_id} tanpa pengirim")
    if sender == account_id:
        return []  # our own DM (dm.sent echo)
    text = str(dm.get("text") or _dict(create.get("message_data")).get("text") or "")
    user = users.get(sender, {})
    return [InboundMessage(channel=CHANNEL, external_id=f"dm:{event_id}", kind=DM, text=text,
                           sender=ContactRef(user_id=sender, name=str(user.get("username") or "")[:200]),
                           sent_at=when(dm.get("created_at") or dm.get("created_timestamp")), raw=dict(dm))]
