"""Public items (``changes[]``): Page ``feed`` comments and visitor posts, Instagram ``comments``
and ``mentions``. Each becomes a message the hub routes like any other; its kind
(``comment``, ``post``, ``mention``) tells the sending side that the answer must go privately.

An edit (``verb: edited``) becomes the hub's EDIT of the stored comment, a removal
(``verb: remove``) its REVOKE: the complaint keeps the record, the text is marked deleted.
Comments written by the account itself (our public replies) are skipped: no loops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aduan_publik.channels.base import EDIT, REVOKE, ContactRef, InboundMessage, PayloadError

from .items import Item
from .timeparse import when

if TYPE_CHECKING:
    from .items import Account

COMMENT, POST, MENTION = "comment", "post", "mention"
PUBLIC_KINDS = (COMMENT, POST, MENTION)
VISITOR_POSTS = {"post", "status", "photo", "video"}


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def change_key(change: Any, entry: Mapping[str, Any]) -> str:
    value = _dict(_dict(change).get("value"))
    ident = value.get("comment_id") or value.get("id") or value.get("post_id") or value.get("media_id") or ""
    stamp = value.get("created_time") or entry.get("time") or ""
    digest = hashlib.sha256(str(value.get("message") or value.get("text") or "").encode()).hexdigest()[:12]
    return f"change:{_dict(change).get('field')}:{ident}:{value.get('verb') or 'add'}:{stamp}:{digest}"


def items(change: Mapping[str, Any], entry: Mapping[str, Any], account: Account) -> list[Item]:
    field, value = change.get("field"), _dict(change.get("value"))
    if field == "feed":
        return _feed(value, entry, account)
    if field == "comments":
        return _ig_comment(value, entry, account)
    if field == "mentions":
        return _ig_mention(value, entry, account)
    return []  # story insights, live comments, …: not complaints


def _feed(value: Mapping[str, Any], entry: Mapping[str, Any], account: Account) -> list[Item]:
    item, verb = str(value.get("item") or ""), str(value.get("verb") or "add")
    author = _dict(value.get("from"))
    if str(author.get("id") or "") == account.account_id:
        return []  # the Page's own post or comment (our public reply): never a complaint
    if item == "comment":
        ident = str(value.get("comment_id") or "")
        kind = COMMENT
    elif item in VISITOR_POSTS:
        ident = str(value.get("post_id") or "")
        kind = POST
    else:
        return []  # reactions, likes, shares
    if not ident:
        raise PayloadError(f"{item} tanpa id")
    sent_at = when(value.get("created_time") or entry.get("time"))
    text = str(value.get("message") or "")
    if verb == "remove":
        return [_revoke(account, ident, value, sent_at)]
    if verb not in ("add", "edited"):
        return []  # hide/unhide (a Page moderator's act), block, …: the resident's text is unchanged
    sender = _sender(author, ident)
    if verb == "edited":
        return [InboundMessage(channel=account.channel, external_id=f"{ident}#edit:{_digest(text)}", kind=EDIT,
                               refers_to=ident, text=text, sender=sender, sent_at=sent_at, raw=dict(value))]
    link = str(value.get("link") or value.get("photo") or "")
    body = "\n".join(p for p in (text, f"[foto] {link}" if link else "") if p)
    return [InboundMessage(channel=account.channel, external_id=ident, kind=kind, text=body, sender=sender,
                           sent_at=sent_at, raw=dict(value), substantive=bool(body))]


def _revoke(account: Account, ident: str, value: Mapping[str, Any], sent_at: Any) -> InboundMessage:
    author = _dict(value.get("from"))
    sender = ContactRef(user_id=str(author.get("id") or value.get("sender_id") or ""),
                        name=str(author.get("name") or ""))
    if not sender.user_id:  # Meta omits the author on some removals: the item's own id stands in
        sender = ContactRef(user_id=f"unknown:{ident}")
    return InboundMessage(channel=account.channel, external_id=f"{ident}#remove", kind=REVOKE, refers_to=ident,
                          sender=sender, sent_at=sent_at, raw=dict(value))


def _sender(author: Mapping[str, Any], ident: str) -> ContactRef:
    author_id = str(author.get("id") or "")
    if not author_id:
        raise PayloadError(f"item {ident} tanpa penulis (from.id)")
    return ContactRef(user_id=author_id, name=str(author.get("name") or author.get("username") or "")[:200])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _ig_comment(value: Mapping[str, Any], entry: Mapping[str, Any], account: Account) -> list[Item]:
    ident = str(value.get("id") or "")
    if not ident:
        raise PayloadError("komentar Instagram tanpa id")
    author = _dict(value.get("from"))
    if str(author.get("id") or "") == account.account_id:
        return []  # our own reply under a post: no loop
    media = _dict(value.get("media"))
    raw = {**value, "media_id": str(media.get("id") or "")}
    return [InboundMessage(channel=account.channel, external_id=ident, kind=COMMENT, text=str(value.get("text") or ""),
                           sender=_sender(author, ident), sent_at=when(value.get("timestamp") or entry.get("time")),
                           raw=raw, substantive=bool(value.get("text")))]


def _ig_mention(value: Mapping[str, Any], entry: Mapping[str, Any], account: Account) -> list[Item]:
    """An @mention in a comment or caption on someone else's media: the text is looked up."""
    comment_id, media_id = str(value.get("comment_id") or ""), str(value.get("media_id") or "")
    if not media_id:
        raise PayloadError("sebutan Instagram tanpa media_id")
    if account.mention_lookup is None:
        raise PayloadError("sebutan Instagram tidak dapat dibaca (tidak ada klien API)")
    found = account.mention_lookup(comment_id, media_id)
    username = str(found.get("username") or "")
    if not username:
        raise PayloadError(f"sebutan {comment_id or media_id} tanpa nama pengguna")
    ident = comment_id or f"media:{media_id}"
    return [InboundMessage(channel=account.channel, external_id=f"mention:{ident}", kind=MENTION,
                           text=str(found.get("text") or found.get("caption") or ""),
                           sender=ContactRef(user_id=f"@{username}", name=username),
                           sent_at=when(found.get("timestamp") or entry.get("time")),
                           raw={**value, "username": username})]
