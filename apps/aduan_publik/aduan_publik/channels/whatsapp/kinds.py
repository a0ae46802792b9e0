"""What each WhatsApp message type means for the hub: text, files, places, answers, and the rest.

Every handler takes the whole message object and returns the :class:`InboundMessage` fields of
its type. Content a person wrote or chose (text, media, a location, a contact card, an order, a
form reply) stays an ordinary message; what only refers to an earlier message (a reaction, an
edit, a revoke) or to the sender (a number change) gets one of the core's special kinds; what
carries nothing to act on (a sticker, a type WhatsApp could not deliver) is kept but marked
non-substantive, so it never opens a complaint or sends an acknowledgement.

Shapes follow Meta's published Cloud API webhook examples (see docs/whatsapp.md).
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ..base import CONTACT_CHANGE, EDIT, REACTION, REVOKE, ContactRef, InboundAttachment, PayloadError

MEDIA_TYPES = ("image", "document", "audio", "video")
COORDINATE = Decimal("0.000001")
NUMBER_CHANGES = ("customer_changed_number", "user_changed_number")

Fields = dict[str, Any]
Handler = Callable[[str, Mapping[str, Any], str], Fields]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def fields_of(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    """The InboundMessage fields (text, attachments, kind, refers_to...) of one message object."""
    return HANDLERS.get(kind, _unsupported)(kind, msg, msg_id)


def _text(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    return {"text": str(_dict(msg.get(kind)).get("body") or "")}


def _media(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    body = _dict(msg.get(kind))
    media_id = str(body.get("id") or "")
    if not media_id:
        raise PayloadError(f"pesan {kind} {msg_id!r} tanpa id media")
    mime = str(body.get("mime_type") or "").split(";")[0].strip()
    filename = str(body.get("filename") or "")
    if not filename:
        filename = f"wa-{kind}-{media_id}{mimetypes.guess_extension(mime) or ''}"
    attachment = InboundAttachment(filename=filename[:200], content_type=mime, media_id=media_id)
    return {"text": str(body.get("caption") or ""), "attachments": (attachment,)}


def _location(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    body = _dict(msg.get(kind))
    try:
        lat = Decimal(str(body["latitude"])).quantize(COORDINATE)
        lon = Decimal(str(body["longitude"])).quantize(COORDINATE)
    except (KeyError, InvalidOperation):
        raise PayloadError(f"lokasi {msg_id!r} tanpa koordinat yang sah") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise PayloadError(f"koordinat lokasi {msg_id!r} di luar jangkauan")
    label = " — ".join(str(body[k]) for k in ("name", "address") if body.get(k))
    return {"text": label or f"Lokasi: {lat}, {lon}", "latitude": lat, "longitude": lon}


def _interactive(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    body = _dict(msg.get(kind))
    if body.get("type") == "nfm_reply":
        return {"text": _form_reply(_dict(body.get("nfm_reply")))}
    reply = _dict(body.get("button_reply") or body.get("list_reply"))
    text = " — ".join(str(reply[k]) for k in ("title", "description") if reply.get(k))
    return {"text": text or f"[{kind}: {body.get('type', '?')}]"}


def _form_reply(reply: Mapping[str, Any]) -> str:
    """A WhatsApp Flow's answers as ``field: value`` lines (the flow token is not the resident's)."""
    try:
        answers = json.loads(str(reply.get("response_json") or "{}"))
    except ValueError:
        answers = {"jawaban": reply.get("response_json")}
    lines = [f"{key}: {_flat(value)}" for key, value in _dict(answers).items() if key != "flow_token"]
    title = str(reply.get("body") or reply.get("name") or "formulir")
    return "\n".join([f"[Formulir: {title}]", *lines])


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def _button(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    body = _dict(msg.get(kind))
    return {"text": str(body.get("text") or body.get("payload") or "[button]")}


def _contacts(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    """Shared contact cards as readable lines: name, numbers, e-mails, organisation."""
    cards = []
    for card in _list(msg.get("contacts")):
        name = _dict(card.get("name"))
        parts = [str(name.get("formatted_name") or name.get("first_name") or "?")]
        phones = (p.get("phone") or p.get("wa_id") for p in _list(card.get("phones")))
        parts += [str(p) for p in phones if p]
        parts += [str(e["email"]) for e in _list(card.get("emails")) if e.get("email")]
        org = _dict(card.get("org"))
        parts += [str(org["company"])] if org.get("company") else []
        cards.append(" — ".join(parts))
    return {"text": "\n".join(["[Kartu kontak]", *cards])}


def _order(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    """A catalogue order as readable lines: each product, quantity and price, and the note."""
    body = _dict(msg.get(kind))
    lines = ["[Pesanan katalog]"]
    for item in _list(body.get("product_items")):
        lines.append(f"{item.get('product_retailer_id', '?')} × {item.get('quantity', '?')} "
                     f"@ {item.get('item_price', '?')} {item.get('currency', '')}".rstrip())
    if body.get("text"):
        lines.append(str(body["text"]))
    return {"text": "\n".join(lines)}


def _reaction(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    body = _dict(msg.get(kind))
    target = str(body.get("message_id") or "")
    if not target:
        raise PayloadError(f"reaksi {msg_id!r} tanpa message_id")
    # An empty emoji is WhatsApp's way of saying the reaction was removed.
    return {"kind": REACTION, "refers_to": target, "text": str(body.get("emoji") or ""), "substantive": False}


def _target(body: Mapping[str, Any], what: str, msg_id: str) -> str:
    target = str(body.get("original_message_id") or body.get("message_id") or body.get("id") or "")
    if not target:
        raise PayloadError(f"{what} {msg_id!r} tanpa original_message_id")
    return target


def _edit(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    """The new content of an earlier message; parsed like the message it replaces."""
    body = _dict(msg.get(kind))
    inner = _dict(body.get("message"))
    inner_kind = str(inner.get("type") or "text")
    text = fields_of(inner_kind, inner, msg_id).get("text", "") if inner else str(
        _dict(body.get("text")).get("body") or body.get("body") or "")
    return {"kind": EDIT, "refers_to": _target(body, "suntingan", msg_id), "text": text, "substantive": False}


def _revoke(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    return {"kind": REVOKE, "refers_to": _target(_dict(msg.get(kind)), "penarikan pesan", msg_id),
            "substantive": False}


def _system(kind: str, msg: Mapping[str, Any], msg_id: str) -> Fields:
    """A number change re-links the contact; other system notices are kept, never routed."""
    body = _dict(msg.get(kind))
    text = str(body.get("body") or f"[{kind}: {body.get('type', '?')}]")
    new_wa_id = str(body.get("new_wa_id") or body.get("wa_id") or "")
    if body.get("type") in NUMBER_CHANGES and new_wa_id:
        new = ContactRef(address=new_wa_id, phone=f"+{new_wa_id}")
        return {"kind": CONTACT_CHANGE, "changed_to": new, "text": text, "substantive": False}
    return {"kind": "system", "text": text, "substantive": False}


def _unsupported(kind: str, msg: Mapping[str, Any], _id: str) -> Fields:
    """Kept and shown, never dropped, never a complaint: the desk sees the kind and the raw payload."""
    return {"text": f"[{kind}]", "substantive": False}


HANDLERS: dict[str, Handler] = {
    "text": _text,
    **dict.fromkeys(MEDIA_TYPES, _media),
    "location": _location,
    "interactive": _interactive,
    "button": _button,
    "contacts": _contacts,
    "order": _order,
    "reaction": _reaction,
    "edit": _edit,
    "revoke": _revoke,
    "system": _system,
}
