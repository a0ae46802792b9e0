"""The wire: signing and POSTing one delivery. No database writes here.

Signature: ``X-Aduan-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`` with
``X-Aduan-Timestamp`` (Unix seconds), so a receiver can refuse replays outside its window.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import requests

USER_AGENT = "AduanPublik-Webhook/1"
_SESSION: dict[str, requests.Session] = {}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None
    error: str


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers_for(delivery: Any, body: bytes, *, attempt: int, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Aduan-Event": delivery.event_type,
        "X-Aduan-Delivery": str(delivery.key),
        "Idempotency-Key": str(delivery.key),
        "X-Aduan-Attempt": str(attempt),
        "X-Aduan-Timestamp": str(timestamp),
        "X-Aduan-Signature": sign(delivery.subscription.secret, timestamp, body),
    }


def _session() -> requests.Session:
    # One kept-alive session per process (rq workers send thousands of deliveries).
    session = _SESSION.get("s")
    if session is None:
        session = _SESSION["s"] = requests.Session()
    return session


def post(delivery: Any, *, attempt: int, timeout: float) -> Outcome:
    """POST the delivery; any 2xx is success. Redirects are not followed (a moved URL is an error)."""
    body = delivery.body.encode()
    try:
        response = _session().post(delivery.subscription.url, data=body, timeout=timeout, allow_redirects=False,
                                   headers=headers_for(delivery, body, attempt=attempt))
    except requests.RequestException as exc:
        return Outcome(ok=False, status=None, error=f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(ok=True, status=response.status_code, error="")
    return Outcome(ok=False, status=response.status_code, error=response.text[:500])
