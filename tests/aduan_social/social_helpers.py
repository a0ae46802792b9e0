"""Helpers of the social channels' tests: recorded payloads, signatures, site configuration."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes.social_api import META_TOKEN, X_TOKEN, FakeMetaGraph, FakeXAPI

from aduan_publik.channels.base import RawInbound

FIXTURES = Path(__file__).resolve().parents[2] / "apps/aduan_social/aduan_social/fixtures"
APP_SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-meta-verify-token"
X_SECRET = "test-x-consumer-secret"
PAGE_ID = "106540352242922"
IG_ID = "17841405822304914"
X_ID = "1500000000000000001"

RECORDED_AT = 1767225600  # the recordings' base time (2026-01-01 00:00 UTC)
REPLAYED_AT = int(time.time()) - 60  # one value per session: replays stay byte-identical
_SHIFT = REPLAYED_AT - RECORDED_AT
_TIME_KEYS = {"timestamp", "time", "created_time", "watermark"}
ACCESS_CODE = re.compile(r"Kode akses rahasia Anda: (\S+)")


def fixture_json(name: str, *, fresh: bool = True) -> dict[str, Any]:
    """A recorded payload; ``fresh`` moves its times to now (messaging windows are open)."""
    data = json.loads((FIXTURES / f"{name}.json").read_bytes())
    return _shift(data) if fresh else data


def fixture_body(name: str, *, fresh: bool = True) -> bytes:
    return json.dumps(fixture_json(name, fresh=fresh), ensure_ascii=False).encode()


def _shift(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _moved(k, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_shift(v) for v in node]
    return node


def _moved(key: str, value: Any) -> Any:
    if key in _TIME_KEYS and isinstance(value, int):
        return value + (_SHIFT * 1000 if value > 10**11 else _SHIFT)
    if key == "created_at" and isinstance(value, str) and value.endswith("Z"):
        at = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() + _SHIFT
        return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return _shift(value)


def meta_sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_sign(body: bytes, secret: str = X_SECRET) -> str:
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def meta_raw(body: bytes) -> RawInbound:
    return RawInbound(method="POST", body=body, headers={"x-hub-signature-256": meta_sign(body)})


def x_raw(body: bytes) -> RawInbound:
    return RawInbound(method="POST", body=body, headers={"x-twitter-webhooks-signature": x_sign(body)})


def facebook_config(graph: FakeMetaGraph, **extra: Any) -> dict[str, Any]:
    return {"page_id": PAGE_ID, "page_access_token": META_TOKEN, "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN, "graph_base_url": graph.base_url, "graph_version": graph.version,
            "timeout": 5, **extra}


def instagram_config(graph: FakeMetaGraph, **extra: Any) -> dict[str, Any]:
    return {"ig_user_id": IG_ID, "access_token": META_TOKEN, "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN, "graph_base_url": graph.base_url, "graph_version": graph.version,
            "timeout": 5, **extra}


def x_config(xapi: FakeXAPI, **extra: Any) -> dict[str, Any]:
    return {"user_id": X_ID, "access_token": X_TOKEN, "consumer_secret": X_SECRET, "api_base_url": xapi.base_url,
            "monthly_budget_usd": 5, "poll_interval_seconds": 900, "max_results": 10, "timeout": 5, **extra}


def mention(n: int, *, author: str = "1600000000000000001", text: str = "") -> dict[str, Any]:
    """A post mentioning the city account, as ``GET /2/users/:id/mentions`` returns it."""
    return {"id": str(1900000000000001000 + n), "author_id": author,
            "text": text or f"@pemkotcontoh lampu jalan mati di gang {n}",
            "created_at": datetime.fromtimestamp(REPLAYED_AT, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conversation_id": str(1900000000000001000 + n)}
