"""Meta webhook bodies (``object`` = ``page`` or ``instagram``) into the hub's normalised items.

One body carries ``entry[]``, each with ``messaging[]`` (inbox events: messages, postbacks,
reactions, delivery and read watermarks, echoes) and/or ``changes[]`` (Page ``feed``, Instagram
``comments`` and ``mentions``). Every item comes out, one by one: a malformed one becomes an
:class:`InboundProblem` beside the others. What an item *means* is in :mod:`.inbox` and
:mod:`.public`; this module walks the envelope, checks the account and builds the dedupe key.

Our own activity is never an item: echoes (``is_echo``), events whose sender is the account
itself, and comments written by the Page or the Instagram account (our public replies) are
skipped here, so an answer of ours can never come back as a complaint (no loops).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from aduan_publik.channels.base import InboundProblem, PayloadError

from . import inbox, public
from .items import Account, Item


def load(body: bytes, object_type: str) -> dict[str, Any]:
    """The decoded notification, or PayloadError saying why it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"bukan JSON yang sah: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError(f"JSON tingkat atas harus objek, bukan {type(data).__name__}")
    if data.get("object") != object_type:
        raise PayloadError(f"objek tidak dikenal: {data.get('object')!r} (harus {object_type})")
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise PayloadError("tidak ada daftar entry")
    return data


def delivery_key(body: bytes, object_type: str) -> str:
    """The provider's ids inside the delivery (a redelivery gives the same), else the body hash."""
    try:
        ids = sorted(_ids(load(body, object_type)))
    except PayloadError:
        ids = []
    if not ids:
        return "body:" + hashlib.sha256(body).hexdigest()
    return "ids:" + hashlib.sha256("\n".join(ids).encode()).hexdigest()


def _ids(data: Mapping[str, Any]) -> Iterator[str]:
    for entry in data["entry"]:
        for event in _list(entry.get("messaging")) + _list(entry.get("standby")):
            yield inbox.event_key(event)
        for change in _list(entry.get("changes")):
            yield public.change_key(change, entry)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse(body: bytes, account: Account) -> list[Item]:
    """Every usable item of every entry, in order; PayloadError when nothing at all is usable.

    An entry for another Page/account than the site's becomes one problem ("not this site's"),
    never a complaint. A delivery holding only our own echoes or events we do not track (likes,
    shares) gives an empty list: it is processed, nothing happens.
    """
    data = load(body, account.object_type)
    items: list[Item] = []
    known = 0
    for entry in data["entry"]:
        entry_id = str(entry.get("id") or "")
        if account.account_id and entry_id and entry_id != account.account_id:
            items.append(InboundProblem(channel=account.channel, external_id=entry_id[:200], raw={"id": entry_id},
                                        reason=f"kiriman untuk akun lain ({entry_id}), bukan akun situs ini"))
            continue
        # "standby": the same events while another app (a Page inbox tool) holds the thread: still ours.
        messaging = _list(entry.get("messaging")) + _list(entry.get("standby"))
        changes = _list(entry.get("changes"))
        known += len(messaging) + len(changes)
        for event in messaging:
            items.extend(_guarded(account, event, partial(inbox.items, event, account)))
        for change in changes:
            items.extend(_guarded(account, change, partial(public.items, change, entry, account)))
    if not known and not any(isinstance(i, InboundProblem) for i in items):
        raise PayloadError("entry tanpa messaging maupun changes")
    if items and all(isinstance(i, InboundProblem) for i in items):
        raise PayloadError("; ".join(i.reason for i in items if isinstance(i, InboundProblem)))
    return items


def _guarded(account: Account, obj: Any, build: Callable[[], list[Item]]) -> list[Item]:
    """Build one event's items; a malformed one becomes a problem naming it, the batch goes on."""
    if not isinstance(obj, dict):
        return [InboundProblem(channel=account.channel, reason="item bukan objek JSON")]
    try:
        return build()
    except PayloadError as exc:
        return [InboundProblem(channel=account.channel, reason=str(exc), external_id=_item_id(obj)[:200],
                               raw=dict(obj))]


def _item_id(obj: Mapping[str, Any]) -> str:
    message = obj.get("message")
    value = obj.get("value")
    message = message if isinstance(message, dict) else {}
    value = value if isinstance(value, dict) else {}
    return str(message.get("mid") or value.get("comment_id") or value.get("id") or value.get("post_id") or "")
