"""A provider's HTTP API faked on 127.0.0.1: real HTTP, recorded requests, scripted answers.

For a channel's ``send`` (and ``fetch_media``) tests, so that they exercise the real HTTP
client, timeouts and error mapping without the network::

    with FakeProvider() as provider:               # or the ``fake_provider`` pytest fixture
        provider.reply_next(503, {"error": "busy"})  # the next request fails
        ...channel.send(...)...                      # POSTs to provider.url + "/messages"
        assert provider.requests[0]["json"]["to"] == "0812"

Every request is answered ``200 {"id": "prov-<n>"}`` unless a scripted reply is waiting;
:meth:`reply_next` queues replies (one per request, in order).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from .local_server import LocalHTTPServer


@dataclass
class ProviderReply:
    status: int = 200
    body: Any = None  # JSON-serialisable; None: the default {"id": "prov-<n>"}
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider(LocalHTTPServer):
    """The fake server; start it with ``with`` (or :meth:`start`) and stop it with :meth:`stop`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._replies: deque[ProviderReply] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(_handler(self))

    @property
    def url(self) -> str:
        return self.base_url

    def reply_next(self, status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> None:
        """Queue the answer to the next request (then back to the default success)."""
        with self._lock:
            self._replies.append(ProviderReply(status, body, dict(headers or {})))

    def clear_replies(self) -> None:
        """Forget scripted answers not used yet."""
        with self._lock:
            self._replies.clear()

    def _answer(self, record: dict[str, Any]) -> ProviderReply:
        with self._lock:
            self.requests.append(record)
            reply = self._replies.popleft() if self._replies else ProviderReply()
            if reply.body is None and reply.status < 400:
                reply = ProviderReply(reply.status, {"id": f"prov-{next(self._ids)}"}, reply.headers)
        return reply


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                parsed = json.loads(body) if body else None
            except ValueError:
                parsed = None
            reply = provider._answer({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": body, "json": parsed})
            payload = json.dumps(reply.body if reply.body is not None else {}).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

    return Handler
