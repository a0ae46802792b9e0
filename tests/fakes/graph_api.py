"""A local fake of Meta's Graph API (WhatsApp Cloud API), served over real HTTP on 127.0.0.1.

Used by the WhatsApp tests and the benchmark::

    with FakeGraphAPI() as fake:
        settings.ADUAN["channels"]["whatsapp"]["graph_base_url"] = fake.base_url
        fake.script_send(FakeGraphAPI.error(131056, status=400))   # next send is rate-limited
        fake.add_media("m1", PNG_BYTES, "image/png")
        ...
        assert fake.sends()[0]["json"]["text"]["body"] == "…"

It answers ``POST /{version}/{phone-number-id}/messages`` with a fresh ``wamid`` (a media
message must name a media id uploaded before), ``POST /{version}/{phone-number-id}/media``
(multipart, its parts recorded in :attr:`uploads`) with a fresh media id, ``GET
/{version}/{media-id}`` with a download URL on itself, and that URL with the bytes. Every
request is recorded. Scripted answers are consumed one per send; ``hang_sends()`` blocks the
next sends until ``release()`` (to kill a worker in the middle of one); ``OK`` in a script is
one ordinary success.

For broadcasts it also lists the account's templates (``GET /{version}/{waba-id}/message_templates``,
paged; set :attr:`templates` or call :meth:`add_template`), checks template sends against them
(unknown or unapproved template → 132001, wrong number of variables → 132000, header media
must be uploaded), answers chosen recipients with chosen errors (:meth:`fail_for`), records
each request's arrival time (``record["at"]``, ``time.time()``), and builds the status
webhooks Meta would send for the accepted messages (:meth:`status_body`), echoing
``biz_opaque_callback_data``.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from aduan_publik.testing.local_server import LocalHTTPServer

TOKEN = "test-access-token"
HANG = "hang"
OK = "ok"
MEDIA_TYPES = ("image", "document", "audio", "video")


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Slow:
    """A per-recipient answer (:meth:`FakeGraphAPI.fail_for`): succeed, but only after ``seconds``."""

    seconds: float


class FakeGraphAPI(LocalHTTPServer):
    """The fake server; start with ``with`` or :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, token: str = TOKEN, version: str = "v23.0", *, keep_headers: bool = True):
        self.token = token
        self.keep_headers = keep_headers  # the benchmark keeps 100,000 records: headers left out
        self.version = version
        self.requests: list[dict[str, Any]] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_errors: dict[str, Reply] = {}
        self.uploads: dict[str, dict[str, Any]] = {}  # media id → the upload's multipart fields
        self.phone_numbers: dict[str, dict[str, Any]] = {}  # phone-number id → its record (GET /{id})
        self._script: deque[Reply | str] = deque()
        self.templates: list[dict[str, Any]] = []
        self.page_size = 2
        self.upload_error: Reply | None = None  # answer every upload with this (a refused file)
        self._per_recipient: dict[str, deque[Reply | Slow]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self.hanging = threading.Event()  # set while a send is held by hang_sends()
        super().__init__(_handler(self))

    # ---- lifecycle ------------------------------------------------------------------------

    def stop(self) -> None:
        self.release()  # a send held by hang_sends() must not keep the server from stopping
        super().stop()

    # ---- scripting ------------------------------------------------------------------------

    @staticmethod
    def error(code: int, *, status: int = 400, message: str = "error", details: str = "",
              retry_after: str = "") -> Reply:
        err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "FAKE"}
        if details:
            err["error_data"] = {"messaging_product": "whatsapp", "details": details}
        return Reply(status=status, body={"error": err}, headers={"Retry-After": retry_after} if retry_after else {})

    def script_send(self, *replies: Reply | str) -> None:
        """Answers for the next sends, in order (then back to success)."""
        with self._lock:
            self._script.extend(replies)

    def add_template(self, name: str, body: str, *, language: str = "id", category: str = "MARKETING",
                     status: str = "APPROVED", header: str = "") -> dict[str, Any]:
        """Register a template on the fake account (as WhatsApp Manager would list it)."""
        components: list[dict[str, Any]] = []
        if header:
            components.append({"type": "HEADER", "format": header})
        components.append({"type": "BODY", "text": body})
        item = {"name": name, "language": language, "category": category, "status": status,
                "id": f"tmpl{len(self.templates) + 1}", "components": components}
        self.templates.append(item)
        return item

    def fail_for(self, to: str, *replies: Reply | Slow) -> None:
        """Answer the next sends to ``to`` (a wa_id) with ``replies``, one per send (``Slow``: late success)."""
        with self._lock:
            self._per_recipient.setdefault(to, deque()).extend(replies)

    def status_body(self, status: str = "sent", *, sends: list[dict[str, Any]] | None = None,
                    errors: list[dict[str, Any]] | None = None, phone_number_id: str = "") -> bytes:
        """The webhook body Meta posts for ``sends`` (default: every accepted send) with ``status``.

        The business number defaults to the one the sends were addressed to.
        """
        self.wait_answered()
        if not phone_number_id and self.sends():
            phone_number_id = self.sends()[0]["path"].strip("/").split("/")[1]
        items = []
        for send in sends if sends is not None else self.accepted():
            st: dict[str, Any] = {"id": send["wamid"], "status": status, "timestamp": str(int(time.time())),
                                  "recipient_id": send.get("to", "")}
            if send.get("biz_opaque_callback_data"):
                st["biz_opaque_callback_data"] = send["biz_opaque_callback_data"]
            if errors:
                st["errors"] = errors
            items.append(st)
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": "628110000000", "phone_number_id": phone_number_id},
                 "statuses": items}
        return json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}]}).encode()

    def wait_answered(self, timeout: float = 30.0) -> None:
        """Block until every request received so far has its answer recorded (slow ones included)."""
        deadline = time.time() + timeout
        while any("reply" not in r for r in list(self.requests)) and time.time() < deadline:
            time.sleep(0.01)

    def hang_sends(self) -> None:
        """Hold every send (after recording it) until :meth:`release`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def add_media(self, media_id: str, content: bytes, mime_type: str) -> None:
        self.media[media_id] = (content, mime_type)

    def add_phone_number(self, phone_number_id: str, display: str, name: str = "Pemkot Uji") -> None:
        """A business number ``GET /{version}/{phone_number_id}`` answers for (a connection check)."""
        self.phone_numbers[phone_number_id] = {"id": phone_number_id, "display_phone_number": display,
                                               "verified_name": name, "quality_rating": "GREEN"}

    def fail_media(self, media_id: str, reply: Reply) -> None:
        self.media_errors[media_id] = reply

    # ---- what happened --------------------------------------------------------------------

    def sends(self) -> list[dict[str, Any]]:
        return [r for r in list(self.requests) if r["method"] == "POST" and r["path"].endswith("/messages")]

    def accepted(self) -> list[dict[str, Any]]:
        """The sends answered with a wamid, as their JSON bodies plus ``wamid``."""
        return [{**s["json"], "wamid": s["reply"]["messages"][0]["id"]} for s in self.sends()
                if "messages" in (s.get("reply") or {})]

    def media_sends(self) -> list[dict[str, Any]]:
        """The media messages sent, as their JSON bodies."""
        return [s["json"] for s in self.sends() if (s["json"] or {}).get("type") in MEDIA_TYPES]

    # ---- serving --------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        record = {"at": time.time(), "method": method, "path": path,
                  "headers": headers if self.keep_headers else {}, "json": _json(body),
                  "form": _multipart(headers.get("content-type", ""), body)}
        with self._lock:
            self.requests.append(record)
        reply = self._route(method, path, headers, record)
        record["reply"] = reply.body
        return reply

    def _route(self, method: str, path: str, headers: dict[str, str], record: dict[str, Any]) -> Reply:
        if headers.get("authorization") != f"Bearer {self.token}":
            return self.error(190, status=401, message="Invalid OAuth access token")
        if method == "POST" and path.endswith("/messages"):
            return self._send(record["json"] or {})
        if method == "POST" and path.endswith("/media"):
            return self._upload(record["form"])
        if method == "GET" and "/message_templates" in path:
            return self._templates(path)
        if method == "GET" and path.startswith("/download/"):
            return self._download(path.rsplit("/", 1)[-1])
        if method == "GET" and path.startswith(f"/{self.version}/"):
            last = path.split("?", 1)[0].rsplit("/", 1)[-1]
            if last in self.phone_numbers:
                return Reply(body=self.phone_numbers[last])
            return self._media_info(last)
        return self.error(100, status=404, message="Unknown path")

    def _send(self, payload: dict[str, Any]) -> Reply:
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted == HANG or not self._gate.is_set():
            self.hanging.set()
            self._gate.wait(timeout=120)
        if isinstance(scripted, Reply):
            return scripted
        with self._lock:
            queue = self._per_recipient.get(str(payload.get("to") or ""))
            personal = queue.popleft() if queue else None
        if isinstance(personal, Slow):
            time.sleep(personal.seconds)  # the client may have given up: the message still "went"
        elif personal is not None:
            return personal
        kind = payload.get("type")
        if kind == "template" and self.templates:
            refused = self._check_template(payload.get("template") or {})
            if refused is not None:
                return refused
        if kind in MEDIA_TYPES and (payload.get(kind) or {}).get("id") not in self.uploads:
            return self.error(131053, message="Media upload error", details="unknown media id")
        return Reply(body={"messaging_product": "whatsapp", "messages": [{"id": f"wamid.FAKE{next(self._ids)}"}]})

    def _templates(self, path: str) -> Reply:
        after = int(path.split("after=", 1)[1].split("&")[0]) if "after=" in path else 0
        page = self.templates[after: after + self.page_size]
        body: dict[str, Any] = {"data": page}
        if after + self.page_size < len(self.templates):
            base = path.split("?", 1)[0]
            body["paging"] = {"next": f"{self.base_url}{base}?limit={self.page_size}&after={after + self.page_size}"}
        return Reply(body=body)

    def _check_template(self, template: dict[str, Any]) -> Reply | None:
        """Meta's checks of a template send: known and approved, variables counted, header media known."""
        name, lang = template.get("name"), (template.get("language") or {}).get("code")
        found = next((t for t in self.templates if t["name"] == name and t["language"] == lang), None)
        if found is None or found["status"] != "APPROVED":
            return self.error(132001, message="Template name does not exist in the translation")
        body = next((c["text"] for c in found["components"] if c["type"] == "BODY"), "")
        wanted = len(set(re.findall(r"\{\{(\d+)\}\}", body)))
        comps = {c.get("type"): c for c in template.get("components") or []}
        given = len((comps.get("body") or {}).get("parameters") or [])
        if wanted != given:
            return self.error(132000, message="Number of parameters does not match the expected number of params")
        header = (comps.get("header") or {}).get("parameters") or []
        for param in header:
            kind = param.get("type")
            if (param.get(kind) or {}).get("id") not in self.uploads:
                return self.error(131053, message="Media upload error", details="unknown media id")
        return None

    def _upload(self, form: dict[str, Any]) -> Reply:
        if self.upload_error is not None:
            return self.upload_error
        file = form.get("file") or {}
        if form.get("messaging_product") != "whatsapp" or not form.get("type") or not file.get("content"):
            return self.error(100, message="(#100) The parameter messaging_product, type or file is required")
        media_id = f"media.FAKE{next(self._ids)}"
        with self._lock:
            self.uploads[media_id] = form
        return Reply(body={"id": media_id})

    def _media_info(self, media_id: str) -> Reply:
        if media_id in self.media_errors:
            return self.media_errors[media_id]
        if media_id not in self.media:
            return self.error(100, message="(#100) Invalid parameter", details="media id expired or unknown")
        content, mime = self.media[media_id]
        return Reply(body={"messaging_product": "whatsapp", "id": media_id, "mime_type": mime,
                           "file_size": len(content), "url": f"{self.base_url}/download/{media_id}"})

    def _download(self, media_id: str) -> Reply:
        if media_id not in self.media:
            return Reply(status=404, body={})
        content, mime = self.media[media_id]
        return Reply(status=200, body={"__raw__": content, "__type__": mime})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """The fields of a multipart/form-data body: text values, and files as name/type/content."""
    if not content_type.startswith("multipart/form-data"):
        return {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode()
        else:
            fields[name] = {"filename": filename, "content_type": part.get_content_type(), "content": content}
    return fields


def _handler(fake: FakeGraphAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes: without TCP_NODELAY the body of a kept-alive
        # connection waits for the client's delayed ACK (~40 ms a request).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = fake.handle(self.command, self.path, headers, body)
            raw = reply.body.get("__raw__")
            payload = raw if isinstance(raw, bytes) else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.body.get("__type__", "application/json"))
            self.send_header("Content-Length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler
