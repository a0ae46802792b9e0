"""Parsing of WhatsApp Cloud API webhook bodies into normalised items.

Our own code, not a client library's: a body carries ``entry[] → changes[] → value`` with any
number of ``messages[]`` and ``statuses[]``, and every one of them must come out (a library
that hands over only the first item of a batch silently drops complaints).

What each message type means is in :mod:`.kinds`. Items are read one by one: a malformed item
becomes an :class:`InboundProblem` and the rest of the batch goes on. A body that is not JSON,
not a WhatsApp Business Account notification, or that carries nothing usable raises
:class:`PayloadError`: the delivery is then kept as *rejected* with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

from ..base import ContactRef, InboundMessage, InboundProblem, PayloadError, StatusUpdate
from . import kinds

CHANNEL = "whatsapp"
RECEIPTS = ("sent", "delivered", "read", "failed")

Item = InboundMessage | StatusUpdate | InboundProblem


def load(body: bytes) -> dict[str, Any]:
    """The decoded notification, or PayloadError saying why it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"bukan JSON yang sah: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError(f"JSON tingkat atas harus objek, bukan {type(data).__name__}")
    if data.get("object") != "whatsapp_business_account":
        raise PayloadError(f"objek tidak dikenal: {data.get('object')!r} (harus whatsapp_business_account)")
    if not isinstance(data.get("entry"), list):
        raise PayloadError("tidak ada daftar entry")
    return data


def _values(data: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every ``value`` of a ``messages`` change, in every entry (other fields are skipped)."""
    for entry in data["entry"]:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise PayloadError("entry tanpa daftar changes")
        for change in changes:
            if isinstance(change, dict) and change.get("field") == "messages" and isinstance(change.get("value"), dict):
                yield change["value"]


def delivery_key(body: bytes) -> str:
    """The dedupe key of a delivery: the provider's ids inside it, or the body hash if it has none.

    Meta redelivers the same body, so both agree; the ids make the key independent of
    whitespace and key order. Messages and statuses are deduplicated again one by one.
    """
    try:
        ids = sorted(_ids(load(body)))
    except PayloadError:
        ids = []
    if not ids:
        return "body:" + hashlib.sha256(body).hexdigest()
    return "ids:" + hashlib.sha256("\n".join(ids).encode()).hexdigest()


def _ids(data: Mapping[str, Any]) -> Iterator[str]:
    for value in _values(data):
        for msg in _dicts(value.get("messages")):
            yield f"m:{msg.get('id')}"
        for st in _dicts(value.get("statuses")):
            yield f"s:{st.get('id')}:{st.get('status')}:{st.get('timestamp')}"


def _dicts(items: Any) -> list[Mapping[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PayloadError("daftar messages/statuses/contacts berisi bukan objek")
    return items


def parse(body: bytes, *, phone_number_id: str = "") -> list[Item]:
    """Every message and delivery status in ``body``, in order, item by item.

    An item that cannot be used (no sender, unreadable time, a value for another business
    number than ``phone_number_id``, an error WhatsApp reports instead of an item) becomes an
    :class:`InboundProblem` beside the good items. Raises PayloadError when the body is not a
    notification at all, or when nothing in it can be used (the reasons are then joined).
    """
    data = load(body)
    items: list[Item] = []
    for value in _values(data):
        items.extend(_value_items(value, phone_number_id))
    if not any(isinstance(i, InboundMessage | StatusUpdate) for i in items):
        reasons = "; ".join(i.reason for i in items if isinstance(i, InboundProblem))
        raise PayloadError(reasons or "tidak ada pesan atau status yang dikenal dalam kiriman ini")
    return items


def _value_items(value: Mapping[str, Any], phone_number_id: str) -> list[Item]:
    """The items of one ``value``; all of them a single problem when it is for another number."""
    number = str(_dict(value.get("metadata")).get("phone_number_id") or "")
    if phone_number_id and number and number != phone_number_id:
        reason = f"kiriman untuk nomor WhatsApp lain (phone_number_id {number}), bukan nomor situs ini"
        return [InboundProblem(channel=CHANNEL, reason=reason, raw={"metadata": value.get("metadata")})]
    items: list[Item] = []
    if value.get("errors"):
        items.append(InboundProblem(channel=CHANNEL, raw={"errors": value.get("errors")},
                                    reason=f"WhatsApp melaporkan galat: {_errors(value.get('errors'))}"))
    contacts = _dicts(value.get("contacts"))
    messages = _dicts(value.get("messages"))
    # A lone contact entry names the sender only when it cannot belong to another message.
    fallback = contacts[0] if len(contacts) == 1 and len(messages) == 1 else {}
    for msg in messages:
        items.append(_guarded(msg, partial(_message, msg, contacts, fallback)))
    for st in _dicts(value.get("statuses")):
        status = _guarded(st, partial(_status, st))
        if status is not None:
            items.append(status)
    return items


def _guarded(obj: Mapping[str, Any], build: Callable[[], Any]) -> Any:
    """Build one item; a malformed one becomes a problem naming it, so the batch goes on."""
    try:
        return build()
    except PayloadError as exc:
        return InboundProblem(channel=CHANNEL, reason=str(exc), external_id=str(obj.get("id") or "")[:200],
                              raw=dict(obj))


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _when(raw: Any) -> datetime:
    """Meta sends epoch seconds as a string; an ISO 8601 time with a zone is read too."""
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        pass
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise PayloadError(f"timestamp tidak sah: {raw!r}")
    return when.astimezone(UTC)


def _sender(msg: Mapping[str, Any], contacts: list[Mapping[str, Any]], fallback: Mapping[str, Any]) -> ContactRef:
    """Phone-based wa_id and the per-business user_id; a username user may have no phone at all."""
    wa_id = str(msg.get("from") or "")
    user_id = str(msg.get("from_user_id") or "")
    match = [c for c in contacts if (wa_id and c.get("wa_id") == wa_id) or (user_id and c.get("user_id") == user_id)]
    # The lone contact entry stands in only for a message that names no sender itself: a
    # contact with another number must never lend its user id to this one.
    contact = match[0] if match else (fallback if not wa_id and not user_id else {})
    wa_id = wa_id or str(contact.get("wa_id") or "")
    user_id = user_id or str(contact.get("user_id") or "")
    if not wa_id and not user_id:
        raise PayloadError(f"pesan {msg.get('id')!r} tanpa pengirim (from/user_id)")
    profile = _dict(contact.get("profile"))
    name = str(profile.get("name") or profile.get("username") or "")
    return ContactRef(address=wa_id, user_id=user_id, name=name[:200], phone=f"+{wa_id}" if wa_id else "")


def _message(msg: Mapping[str, Any], contacts: list[Mapping[str, Any]], fallback: Mapping[str, Any]) -> InboundMessage:
    external_id = str(msg.get("id") or "")
    if not external_id:
        raise PayloadError("pesan tanpa id")
    kind = str(msg.get("type") or "unsupported")
    fields = {"kind": kind, **kinds.fields_of(kind, msg, external_id)}
    return InboundMessage(channel=CHANNEL, external_id=external_id, sender=_sender(msg, contacts, fallback),
                          sent_at=_when(msg.get("timestamp")), raw=dict(msg), errors=_errors(msg.get("errors")),
                          **fields)


def _status(st: Mapping[str, Any]) -> StatusUpdate | None:
    """A delivery receipt; statuses we do not track (e.g. ``deleted``) are skipped."""
    status = str(st.get("status") or "")
    external_id = str(st.get("id") or "")
    if status not in RECEIPTS:
        return None
    if not external_id:
        raise PayloadError("status tanpa id pesan")
    return StatusUpdate(channel=CHANNEL, external_id=external_id, status=status,
                        at=_when(st.get("timestamp")), error=_errors(st.get("errors")),
                        callback_data=str(st.get("biz_opaque_callback_data") or "")[:512])


def _errors(errors: Any) -> str:
    """The provider's reason, e.g. ``131026: Message undeliverable (…)``."""
    parts = []
    for err in errors if isinstance(errors, list) else []:
        if not isinstance(err, dict):
            continue
        details = (err.get("error_data") or {}).get("details") if isinstance(err.get("error_data"), dict) else ""
        text = f"{err.get('code', '?')}: {err.get('title') or err.get('message') or ''}".strip()
        parts.append(f"{text} ({details})" if details else text)
    return "; ".join(parts)[:2000]
