"""What a reply looks like on WhatsApp: free text inside the 24-hour window, a template outside.

A resident's message opens a 24-hour customer-service window during which any text may be
sent. Outside it Meta accepts only an approved template (error 131047 otherwise), so the
site names one in ``channels.whatsapp.reply_template`` whose body has two variables: the
tracking number and the message, and optionally ``ack_template`` for the acknowledgement of a
new complaint (tracking number, access code and link) in its own words (see docs/whatsapp.md
for the texts to register).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ..base import BroadcastMessage, OutboundMessage, PermanentChannelError

WINDOW = timedelta(hours=24)
# Clocks and queues are not exact: a reply sent in the last minutes of the window goes as a
# template rather than risk a 131047 refusal.
WINDOW_MARGIN = timedelta(minutes=5)
MAX_TEXT = 4096
MAX_TEMPLATE_PARAM = 900
TRUNCATED = " … (selengkapnya di portal aduan)"


def recipient(message: OutboundMessage) -> dict[str, str]:
    """``to`` is the phone-based wa_id; a username-only resident is reached by their user id."""
    if message.to.address:
        return {"to": message.to.address}
    if message.to.phone:
        return {"to": message.to.phone.lstrip("+")}
    if message.to.user_id:
        return {"recipient": message.to.user_id}
    raise PermanentChannelError("kontak WhatsApp tanpa nomor maupun ID pengguna")


def inside_window(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    if last_inbound_at is None:
        return False
    return (now or timezone.now()) < last_inbound_at + WINDOW - WINDOW_MARGIN


def text_payload(message: OutboundMessage) -> dict[str, Any]:
    body = message.text
    if len(body) > MAX_TEXT:
        body = body[: MAX_TEXT - len(TRUNCATED)] + TRUNCATED
    return {**recipient(message), "recipient_type": "individual", "type": "text",
            "text": {"body": body, "preview_url": False}}


def template_name(message: OutboundMessage, cfg: dict[str, Any]) -> str:
    """The acknowledgement's own template (``ack_template``) when set, else the reply template."""
    if message.purpose == "ack" and cfg.get("ack_template"):
        return str(cfg["ack_template"])
    return str(cfg.get("reply_template") or "")


def template_payload(message: OutboundMessage, cfg: dict[str, Any]) -> dict[str, Any]:
    """The site's approved template, with the tracking number and the text as variables.

    The acknowledgement's template says "received" in its own words, so it gets the text
    without the opening thanks (``template_text``); the reply template gets the whole text.
    """
    name = template_name(message, cfg)
    if not name:
        raise PermanentChannelError(
            "di luar jendela 24 jam WhatsApp dan templat balasan (reply_template) belum diatur"
        )
    own_words = message.purpose == "ack" and name == cfg.get("ack_template")
    text = (message.template_text or message.text) if own_words else message.text
    params = [message.tracking_number or "-", _template_text(text)]
    return {
        **recipient(message), "type": "template",
        "template": {
            "name": name,
            "language": {"code": str(cfg.get("reply_template_language") or "id")},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}],
        },
    }


def _template_text(text: str) -> str:
    """Template variables may not hold newlines, tabs or runs of spaces; keep them short."""
    flat = re.sub(r"\s+", " ", text).strip() or "-"
    if len(flat) > MAX_TEMPLATE_PARAM:
        flat = flat[: MAX_TEMPLATE_PARAM - len(TRUNCATED)] + TRUNCATED
    return flat


def broadcast_payload(message: BroadcastMessage) -> dict[str, Any]:
    """A broadcast: the approved template, its header file by media id, its body variables.

    ``biz_opaque_callback_data`` comes back on every status webhook of the message: the
    broadcast engine finds a send whose answer it never read (a crashed worker) by it.
    """
    components: list[dict[str, Any]] = []
    if message.header_format in ("IMAGE", "DOCUMENT") and message.header_media_id:
        kind = message.header_format.lower()
        media: dict[str, Any] = {"id": message.header_media_id}
        if kind == "document" and message.header_filename:
            media["filename"] = message.header_filename
        components.append({"type": "header", "parameters": [{"type": kind, kind: media}]})
    if message.params:
        components.append({"type": "body", "parameters": [
            {"type": "text", "text": _template_text(p)} for p in message.params]})
    template: dict[str, Any] = {"name": message.template, "language": {"code": message.language}}
    if components:
        template["components"] = components
    payload: dict[str, Any] = {"to": message.to.phone.lstrip("+") or message.to.address, "type": "template",
                               "template": template}
    if message.callback_data:
        payload["biz_opaque_callback_data"] = message.callback_data
    return payload
