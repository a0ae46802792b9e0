"""Helpers of the broadcast tests: the site's WhatsApp and broadcast settings, subscribers, signing."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.utils import timezone
from fakes.graph_api import TOKEN, FakeGraphAPI

from aduan_publik.models import Area
from aduan_publik.portal.models import Subscription

APP_SECRET = "test-app-secret"
PHONE_ID = "106540352242922"
WEBHOOK = "/channels/whatsapp/webhook"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake\n" + b"0" * 64


def wa_config(graph: FakeGraphAPI, **extra: Any) -> dict[str, Any]:
    return {"phone_number_id": PHONE_ID, "access_token": TOKEN, "app_secret": APP_SECRET,
            "verify_token": "vt", "graph_base_url": graph.base_url, "graph_version": graph.version,
            "waba_id": "102290129340398", "reply_template": "aduan_balasan", "timeout": 5, **extra}


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def subscriber(phone: str, *, topics: tuple[str, ...] = ("agenda",), confirmed: bool = True,
               area: Area | None = None, name: str = "", language: str = "id") -> Subscription:
    return Subscription.objects.create(
        phone=phone, name=name, area=area, topics=list(topics), consent_text="Saya setuju menerima informasi.",
        consent_version="portal-1", consented_at=timezone.now(), consent_ip="127.0.0.1",
        confirmed_at=timezone.now() if confirmed else None, language=language,
    )


def text_message(phone: str, text: str, msg_id: str, name: str = "Warga") -> dict[str, Any]:
    """A resident's WhatsApp text as Meta posts it."""
    import time

    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "628110000000", "phone_number_id": PHONE_ID},
             "contacts": [{"profile": {"name": name}, "wa_id": phone}],
             "messages": [{"from": phone, "id": msg_id, "timestamp": str(int(time.time())), "type": "text",
                           "text": {"body": text}}]}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
