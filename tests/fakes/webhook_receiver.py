"""A local integrator's webhook receiver over real HTTP on 127.0.0.1 (tests and bench_hooks).

    with WebhookReceiver(secret) as rx:
        rx.script(500, 500)          # the next two POSTs fail, then 200 again
        ...
        rx.received()                # every request: headers, raw body, parsed JSON, signature ok?

It checks each request's ``X-Aduan-Signature`` against ``secret`` the way docs/webhooks.md tells
integrators to, and records the result; scripted statuses are consumed one per request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler
from typing import Any

from aduan_publik.testing.local_server import LocalHTTPServer


def signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    timestamp = headers.get("x-aduan-timestamp", "")
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("x-aduan-signature", ""))


class WebhookReceiver(LocalHTTPServer):
    def __init__(self, secret: str = "", *, keep: bool = True, fail_every: int = 0):
        self.secret = secret
        self.keep = keep  # the bench keeps only keys and event ids, not every body
        self.fail_every = fail_every  # every n-th request (unscripted) is answered 503
        self.requests: list[dict[str, Any]] = []
        self.count = 0
        self._script: deque[int] = deque()
        self._lock = threading.Lock()
        super().__init__(_handler(self))

    @property
    def url(self) -> str:
        return f"{self.base_url}/hook"

    def script(self, *statuses: int) -> None:
        with self._lock:
            self._script.extend(statuses)

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def accepted(self) -> list[dict[str, Any]]:
        """Requests answered 2xx, in arrival order."""
        return [r for r in self.received() if 200 <= r["status"] < 300]

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            status = self._script.popleft() if self._script else 200
            if self.fail_every and not self._script and (self.count + 1) % self.fail_every == 0:
                status = 503
            record = {"status": status, "key": headers.get("idempotency-key", ""),
                      "path": headers.get(":path", ""),
                      "signature_ok": signature_ok(self.secret, headers, body) if self.secret else None}
            parsed = json.loads(body)
            record.update(event_id=parsed["event_id"], complaint=parsed["complaint"]["id"], type=parsed["type"])
            if self.keep:
                record.update(headers=headers, body=body, json=parsed)
            self.requests.append(record)
            self.count += 1
            return status


def _handler(rx: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = rx._answer({**{k.lower(): v for k, v in self.headers.items()}, ":path": self.path}, body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
