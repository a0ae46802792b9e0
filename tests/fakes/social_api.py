"""Local fakes of the Graph API (Facebook Page / Instagram) and of the X API v2, over real HTTP
on 127.0.0.1, for the social channels' tests and benchmark::

    with FakeMetaGraph() as graph, FakeXAPI() as xapi:
        settings.ADUAN["channels"]["facebook"]["graph_base_url"] = graph.base_url
        graph.script(FakeMetaGraph.error(190, status=401))   # the next write fails: token expired
        xapi.add_mentions(post(...), post(...))               # what GET /2/users/:id/mentions returns
        ...
        assert graph.writes()[0]["json"]["recipient"] == {"comment_id": "…"}

Meta: ``POST /{v}/{node}/messages`` (Send API; a Private Reply answers the ``recipient_id``
of the commenter's inbox, from :attr:`FakeMetaGraph.inbox_ids` or a fresh one),
``POST /{v}/{id}/comments|replies|mentions`` (public replies), ``GET /{v}/{ig-id}?fields=
mentioned_comment…`` (from :attr:`FakeMetaGraph.mentions`), ``GET /download/{name}`` (files).
X: ``GET /2/users/{id}/mentions`` (newest first, ``since_id``, ``max_results``,
``pagination_token``), ``POST /2/tweets``, ``POST /2/dm_conversations/with/{id}/messages``.
Every request is recorded; scripted replies are consumed one per write (POST).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aduan_publik.testing.local_server import LocalHTTPServer

META_TOKEN = "test-page-token"
OK_STATUS = 0  # a scripted reply with this status means "answer as usual"
X_TOKEN = "test-x-user-token"


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json"


OK = Reply(status=OK_STATUS)


class _FakeServer(LocalHTTPServer):
    token = ""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(_handler(self))

    def script(self, *replies: Reply) -> None:
        """Answers for the next writes (POSTs), in order (:data:`OK` = as usual); then back to success."""
        with self._lock:
            self._script.extend(replies)

    def next_id(self) -> int:
        return next(self._ids)

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in list(self.requests) if r["method"] == "POST"]

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        record = {"method": method, "path": parts.path, "query": query, "headers": headers, "json": _json(body)}
        with self._lock:
            self.requests.append(record)
            scripted = self._script.popleft() if method == "POST" and self._script else None
        if headers.get("authorization") != f"Bearer {self.token}" and not parts.path.startswith("/download/"):
            reply = self.unauthorized()
        elif scripted is not None and scripted.status != OK_STATUS:
            reply = scripted
        else:
            reply = self.route(method, parts.path, query, record["json"] or {})
        record["reply"] = reply.body
        return reply

    def unauthorized(self) -> Reply:
        return Reply(status=401, body={"error": "unauthorized"})

    def route(self, method: str, path: str, query: dict[str, str], payload: Any) -> Reply:
        raise NotImplementedError


class FakeMetaGraph(_FakeServer):
    """The Graph API as a Page (and an Instagram account) sees it."""

    token = META_TOKEN

    def __init__(self, version: str = "v23.0") -> None:
        super().__init__()
        self.version = version
        self.inbox_ids: dict[str, str] = {}  # comment/post id → the commenter's PSID/IGSID
        self.mentions: dict[str, dict[str, Any]] = {}  # comment id (or media id) → mentioned comment
        self.files: dict[str, tuple[bytes, str]] = {}

    @staticmethod
    def error(code: int, *, status: int = 400, message: str = "error", subcode: int | None = None) -> Reply:
        err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "FAKE"}
        if subcode:
            err["error_subcode"] = subcode
        return Reply(status=status, body={"error": err})

    def unauthorized(self) -> Reply:
        return self.error(190, status=401, message="Invalid OAuth access token")

    def sends(self) -> list[dict[str, Any]]:
        """Send API calls (inbox messages and Private Replies), as JSON bodies."""
        return [w["json"] for w in self.writes() if w["path"].endswith("/messages")]

    def public_replies(self) -> list[dict[str, Any]]:
        """Public writes (comment replies), with the path they went to."""
        return [{**(w["json"] or {}), "path": w["path"]} for w in self.writes()
                if re.search(r"/(comments|replies|mentions)$", w["path"])]

    def route(self, method: str, path: str, query: dict[str, str], payload: Any) -> Reply:
        if method == "GET" and path.startswith("/download/"):  # a CDN link: no token needed (nor sent)
            content, ctype = self.files.get(path.rsplit("/", 1)[-1], (b"", ""))
            return Reply(raw=content, content_type=ctype) if content else Reply(status=404, body={})
        prefix = f"/{self.version}/"
        if not path.startswith(prefix):
            return self.error(100, status=404, message="Unknown path")
        node, _, edge = path[len(prefix):].partition("/")
        if method == "POST" and edge == "messages":
            return self._send(payload)
        if method == "POST" and edge in ("comments", "replies", "mentions"):
            if not str(payload.get("message") or ""):
                return self.error(100, message="(#100) message is required")
            return Reply(body={"id": f"{node}_reply{self.next_id()}"})
        if method == "GET" and not edge:
            return self._mention(query.get("fields", ""))
        return self.error(100, status=404, message="Unknown path")

    def _send(self, payload: dict[str, Any]) -> Reply:
        recipient = payload.get("recipient") or {}
        item = recipient.get("comment_id") or recipient.get("post_id")
        if item:
            inbox = self.inbox_ids.get(item) or f"PSID{self.next_id()}"
        elif recipient.get("id"):
            inbox = str(recipient["id"])
        else:
            return self.error(100, message="(#100) recipient is required")
        if not ((payload.get("message") or {}).get("text")):
            return self.error(100, message="(#100) message text is required")
        return Reply(body={"recipient_id": inbox, "message_id": f"m_FAKE{self.next_id()}"})

    def _mention(self, fields: str) -> Reply:
        found = re.search(r"mentioned_(comment|media)\.(?:comment|media)_id\(([^)]+)\)", fields)
        if not found or found.group(2) not in self.mentions:
            return self.error(100, message="(#100) mention not found")
        key = f"mentioned_{found.group(1)}"
        return Reply(body={key: self.mentions[found.group(2)], "id": "ig"})


class FakeXAPI(_FakeServer):
    """The X API v2 as the city's account (OAuth 2.0 user token) sees it."""

    token = X_TOKEN

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict[str, Any]] = []  # mentions, any order; served newest first
        self.users: dict[str, dict[str, Any]] = {}

    def add_mentions(self, *posts: dict[str, Any], users: tuple[dict[str, Any], ...] = ()) -> None:
        with self._lock:
            self.posts.extend(posts)
            self.users.update({u["id"]: u for u in users})

    def unauthorized(self) -> Reply:
        return Reply(status=401, body={"title": "Unauthorized", "detail": "Unauthorized", "status": 401})

    def reads(self) -> list[dict[str, Any]]:
        return [r for r in list(self.requests) if r["method"] == "GET"]

    def reply_posts(self) -> list[dict[str, Any]]:
        return [w["json"] for w in self.writes() if w["path"] == "/2/tweets"]

    def dms(self) -> list[dict[str, Any]]:
        return [{**w["json"], "to": w["path"].split("/")[4]} for w in self.writes()
                if "/dm_conversations/" in w["path"]]

    def route(self, method: str, path: str, query: dict[str, str], payload: Any) -> Reply:
        if method == "GET" and re.fullmatch(r"/2/users/\d+/mentions", path):
            return self._mentions(query)
        if method == "POST" and path == "/2/tweets":
            if not payload.get("text"):
                return Reply(status=400, body={"title": "Invalid Request", "detail": "text is required"})
            return Reply(status=201, body={"data": {"id": str(1900000000000000000 + self.next_id()),
                                                    "text": payload["text"]}})
        if method == "POST" and re.fullmatch(r"/2/dm_conversations/with/\d+/messages", path):
            return Reply(status=201, body={"data": {"dm_conversation_id": "1-2",
                                                    "dm_event_id": str(1800000000000000000 + self.next_id())}})
        return Reply(status=404, body={"title": "Not Found Error"})

    def _mentions(self, query: dict[str, str]) -> Reply:
        since = int(query.get("since_id") or 0)
        newest_first = sorted((p for p in self.posts if int(p["id"]) > since), key=lambda p: -int(p["id"]))
        start = int(query.get("pagination_token") or 0)
        size = int(query.get("max_results") or 10)
        page = newest_first[start:start + size]
        if not page:
            return Reply(body={"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if start + size < len(newest_first):
            meta["next_token"] = str(start + size)
        authors = [self.users[a] for a in dict.fromkeys(p["author_id"] for p in page) if a in self.users]
        return Reply(body={"data": page, "includes": {"users": authors}, "meta": meta})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _handler(fake: _FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = fake.handle(self.command, self.path, headers, body)
            payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler
