"""Parsing of WhatsApp Cloud API webhook bodies into normalised items.

Our own code, not a client library's: a body carries ``entry[] → changes[] → value`` with any
number of ``messages[]`` and ``statuses[]``, and every one of them must come out (a library
that hands over only the first item of a batch silently drops complaints).

Unknown message *types* (stickers, reactions, orders, ``unsupported``) are kept as messages of
that kind with a placeholder text, so the desk shows them. A body that is not JSON, not a
WhatsApp Business Account notification, or that carries nothing we know raises
:class:`PayloadError`: the delivery is then kept as *rejected* with the reason.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..base import ContactRef, InboundAttachment, InboundMessage, PayloadError, StatusUpdate

CHANNEL = "whatsapp"
MEDIA_TYPES = ("image", "document", "audio", "video")
RECEIPTS = ("sent", "delivered", "read", "failed")
COORDINATE = Decimal("0.000001")

Item = InboundMessage | StatusUpdate


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


def parse(body: bytes) -> list[Item]:
    """Every message and delivery status in ``body``, in order. Raises PayloadError."""
    data = load(body)
    items: list[Item] = []
    for value in _values(data):
        contacts = _dicts(value.get("contacts"))
        items.extend(_message(msg, contacts) for msg in _dicts(value.get("messages")))
        items.extend(s for s in (_status(st) for st in _dicts(value.get("statuses"))) if s is not None)
    if not items:
        raise PayloadError("tidak ada pesan atau status yang dikenal dalam kiriman ini")
    return items


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _when(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        raise PayloadError(f"timestamp tidak sah: {raw!r}") from None


def _sender(msg: Mapping[str, Any], contacts: list[Mapping[str, Any]]) -> ContactRef:
    """Phone-based wa_id and the per-business user_id; a username user may have no phone at all."""
    wa_id = str(msg.get("from") or "")
    user_id = str(msg.get("from_user_id") or "")
    match = [c for c in contacts if (wa_id and c.get("wa_id") == wa_id) or (user_id and c.get("user_id") == user_id)]
    contact = match[0] if match else (contacts[0] if len(contacts) == 1 else {})
    wa_id = wa_id or str(contact.get("wa_id") or "")
    user_id = user_id or str(contact.get("user_id") or "")
    if not wa_id and not user_id:
        raise PayloadError(f"pesan {msg.get('id')!r} tanpa pengirim (from/user_id)")
    profile = _dict(contact.get("profile"))
    name = str(profile.get("name") or profile.get("username") or "")
    return ContactRef(address=wa_id, user_id=user_id, name=name[:200], phone=f"+{wa_id}" if wa_id else "")


def _message(msg: Mapping[str, Any], contacts: list[Mapping[str, Any]]) -> InboundMessage:
    external_id = str(msg.get("id") or "")
    if not external_id:
        raise PayloadError("pesan tanpa id")
    kind = str(msg.get("type") or "unsupported")
    body = _dict(msg.get(kind))
    handler = HANDLERS.get(kind, _unsupported)
    fields = handler(kind, body, external_id)
    return InboundMessage(channel=CHANNEL, external_id=external_id, sender=_sender(msg, contacts),
                          sent_at=_when(msg.get("timestamp")), kind=kind, raw=dict(msg), **fields)


def _text(kind: str, body: Mapping[str, Any], _id: str) -> dict[str, Any]:
    return {"text": str(body.get("body") or "")}


def _media(kind: str, body: Mapping[str, Any], msg_id: str) -> dict[str, Any]:
    media_id = str(body.get("id") or "")
    if not media_id:
        raise PayloadError(f"pesan {kind} {msg_id!r} tanpa id media")
    mime = str(body.get("mime_type") or "").split(";")[0].strip()
    filename = str(body.get("filename") or "")
    if not filename:
        filename = f"wa-{kind}-{media_id}{mimetypes.guess_extension(mime) or ''}"
    attachment = InboundAttachment(filename=filename[:200], content_type=mime, media_id=media_id)
    return {"text": str(body.get("caption") or ""), "attachments": (attachment,)}


def _location(kind: str, body: Mapping[str, Any], msg_id: str) -> dict[str, Any]:
    try:
        lat = Decimal(str(body["latitude"])).quantize(COORDINATE)
        lon = Decimal(str(body["longitude"])).quantize(COORDINATE)
    except (KeyError, InvalidOperation):
        raise PayloadError(f"lokasi {msg_id!r} tanpa koordinat yang sah") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PayloadError(f"koordinat lokasi {msg_id!r} di luar jangkauan")
    label = " — ".join(str(body[k]) for k in ("name", "address") if body.get(k))
    return {"text": label or f"Lokasi: {lat}, {lon}", "latitude": lat, "longitude": lon}


def _interactive(kind: str, body: Mapping[str, Any], _id: str) -> dict[str, Any]:
    reply = body.get("button_reply") or body.get("list_reply") or {}
    if not isinstance(reply, dict):
        reply = {}
    text = " — ".join(str(reply[k]) for k in ("title", "description") if reply.get(k))
    return {"text": text or f"[{kind}: {body.get('type', '?')}]"}


def _button(kind: str, body: Mapping[str, Any], _id: str) -> dict[str, Any]:
    return {"text": str(body.get("text") or body.get("payload") or "[button]")}


def _unsupported(kind: str, body: Mapping[str, Any], _id: str) -> dict[str, Any]:
    """Kept and shown, never dropped: the desk sees the kind and the raw payload."""
    detail = body.get("emoji") if kind == "reaction" else ""
    return {"text": f"[{kind}{': ' + str(detail) if detail else ''}]"}


HANDLERS: dict[str, Callable[[str, Mapping[str, Any], str], dict[str, Any]]] = {
    "text": _text,
    **dict.fromkeys(MEDIA_TYPES, _media),
    "location": _location,
    "interactive": _interactive,
    "button": _button,
}


def _status(st: Mapping[str, Any]) -> StatusUpdate | None:
    """A delivery receipt; statuses we do not track (e.g. ``deleted``) are skipped."""
    status = str(st.get("status") or "")
    external_id = str(st.get("id") or "")
    if status not in RECEIPTS:
        return None
    if not external_id:
        raise PayloadError("status tanpa id pesan")
    return StatusUpdate(channel=CHANNEL, external_id=external_id, status=status,
                        at=_when(st.get("timestamp")), error=_errors(st.get("errors")))


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
