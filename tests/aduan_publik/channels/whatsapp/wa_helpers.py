"""Helpers of the WhatsApp tests: recorded payloads, signatures, the site configuration."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from fakes.graph_api import TOKEN, FakeGraphAPI

from aduan_publik.channels.base import RawInbound

FIXTURES = Path(__file__).resolve().parents[4] / "apps/aduan_publik/aduan_publik/channels/whatsapp/fixtures"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
WEBHOOK = "/channels/whatsapp/webhook"

# Real magic numbers, so the attachment type check passes for the right reason.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake\n" + b"0" * 64
OGG = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead" + b"\x00" * 40
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


RECORDED_AT = 1767225600  # the recordings' base timestamp (2026-01-01 00:00 UTC)
REPLAYED_AT = int(time.time())  # one value per test session, so replays are byte-identical


def fixture_json(name: str, *, fresh: bool = True) -> dict[str, Any]:
    """A recorded payload; ``fresh`` shifts its timestamps to now (the 24-hour window is open)."""
    data = json.loads((FIXTURES / f"{name}.json").read_bytes())
    if fresh:
        _shift(data, REPLAYED_AT - RECORDED_AT)
    return data


def fixture_body(name: str, *, fresh: bool = True) -> bytes:
    return json.dumps(fixture_json(name, fresh=fresh), indent=2, ensure_ascii=False).encode()


def _shift(node: Any, seconds: int) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "timestamp" and isinstance(value, str) and value.isdigit():
                node[key] = str(int(value) + seconds)
            else:
                _shift(value, seconds)
    elif isinstance(node, list):
        for value in node:
            _shift(value, seconds)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_raw(body: bytes) -> RawInbound:
    return RawInbound(method="POST", body=body, headers={"x-hub-signature-256": sign(body)})


def wa_config(graph: FakeGraphAPI, **extra: Any) -> dict[str, Any]:
    return {"phone_number_id": "106540352242922", "access_token": TOKEN, "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN, "graph_base_url": graph.base_url, "graph_version": graph.version,
            "reply_template": "aduan_balasan", "reply_template_language": "id", "timeout": 5,
            "waba_id": "102290129340398", **extra}
