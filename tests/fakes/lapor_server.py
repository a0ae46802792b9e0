"""A local fake SP4N-LAPOR! over real HTTP on 127.0.0.1, scriptable for failure tests.

It speaks the adapter's default wire format (``aduan_publik.channels.lapor.api``): a paged list
of reports, follow-ups (multipart, recorded with their files), re-routing, downloads. Failures
are scripted with :meth:`FakeLapor.fail` (status codes, ``Retry-After``, slow answers for
timeouts, malformed JSON; optionally *after* the request took effect, as when an answer is
lost on the way back).

    with FakeLapor() as lapor:
        lapor.add_report(title="Jalan rusak")
        lapor.fail("/complaints", status=429, retry_after=1)
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

AUTHORIZATION = "Bearer kunci-uji"
TOKEN = "token-uji"
# The smallest valid JPEG header filetype recognises: enough for the hub's content sniffing.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


@dataclass
class Rule:
    path: str
    method: str = ""
    status: int = 500
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    malformed: bool = False
    after_effect: bool = False  # process the request, then answer with the failure

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.path in path and (not self.method or self.method == method)


@dataclass
class FakeLapor:
    authorization: str = AUTHORIZATION
    token: str = TOKEN
    cap_per_page: int | None = None  # the server's own page size limit (partial pages)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    followups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    posted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._next_id = 1916449
        self._next_followup = 0
        self._clock = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeLapor:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeLapor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def site_config(self, **extra: Any) -> dict[str, Any]:
        return {"base_url": self.base_url, "authorization": self.authorization, "token": self.token,
                "timeout": 2.0, "backoff": 0.01, "max_wait": 0.2, **extra}

    # ---- data -----------------------------------------------------------------------------

    def tick(self) -> str:
        self._clock += timedelta(seconds=1)
        return self._clock.isoformat()

    def add_report(self, **fields: Any) -> dict[str, Any]:
        """Add a report disposed to the institution (defaults fill what is not given)."""
        with self._lock:
            lapor_id = str(fields.pop("id", self._next_id))
            self._next_id += 1
            report = {
                "id": lapor_id, "tracking_id": f"#{lapor_id}", "title": f"Laporan {lapor_id}",
                "content": f"Isi laporan warga nomor {lapor_id} tentang layanan publik.",
                "status_code": "1", "status_name": "Belum Terverifikasi", "disposition_name": "Pemerintah Kota",
                "category_name": "Infrastruktur", "location": "Kecamatan Tengah", "is_anonymous": False,
                "is_secret": False, "user": {"id": f"u{lapor_id}", "name": "Siti Aminah", "phone": "0812000",
                                             "email": "siti@example.org"},
                "created_at": self.tick(), "updated_at": self._clock.isoformat(), "attachments": [],
                "followups_count": 0, **fields,
            }
            self.reports[lapor_id] = report
            return report

    def update_report(self, lapor_id: str, **fields: Any) -> None:
        with self._lock:
            self.reports[lapor_id].update(fields, updated_at=self.tick())

    def add_file(self, name: str, content: bytes = JPEG) -> dict[str, str]:
        self.files[name] = content
        return {"url": f"/files/{name}", "name": name}

    def fail(self, path: str, **rule: Any) -> Rule:
        """Script the next ``times`` matching requests to fail (see :class:`Rule`)."""
        new = Rule(path=path, **rule)
        with self._lock:
            self.rules.append(new)
        return new

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for m, p in self.log if m == method and path_part in p)

    # ---- behaviour --------------------------------------------------------------------------

    def take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.times -= 1
                    return rule
        return None

    def list_page(self, query: dict[str, str]) -> dict[str, Any]:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 50))
        per_page = min(per_page, self.cap_per_page or per_page)
        since = query.get("updated_since", "")
        with self._lock:
            rows = sorted(self.reports.values(), key=lambda r: (r["updated_at"], r["id"]))
        if since:
            cutoff = datetime.fromisoformat(since)
            rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= cutoff]
        total = len(rows)
        chunk = rows[(page - 1) * per_page: page * per_page]
        return {"data": chunk, "meta": {"page": page, "per_page": per_page, "total": total,
                                        "last_page": max(1, -(-total // per_page))}}

    def add_followup(self, form: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
        """A follow-up posted by the institution (the hub's push)."""
        with self._lock:
            entry = {"id": f"f{len(self.posted) + 1}", **form, "files": files}
            self.posted.append(entry)
            self._converse(str(form.get("complaint_id")), {"id": entry["id"], "content": form.get("content", ""),
                                                          "author_type": "institution"})
            return entry

    def reply(self, lapor_id: str, content: str, *, author_type: str = "reporter",
              attachments: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Script a follow-up written on LAPOR! (by the reporter unless ``author_type`` says otherwise)."""
        with self._lock:
            self._next_followup += 1
            item = {"id": f"r{self._next_followup}", "content": content, "author_type": author_type,
                    "attachments": attachments or []}
            self._converse(lapor_id, item)
            return item

    def _converse(self, lapor_id: str, item: dict[str, Any]) -> None:
        """Append to a report's conversation: like LAPOR!, it counts and touches the report."""
        item.setdefault("created_at", self.tick())
        self.followups.setdefault(lapor_id, []).append(item)
        if lapor_id in self.reports:
            self.reports[lapor_id].update(followups_count=len(self.followups[lapor_id]),
                                          updated_at=self._clock.isoformat())


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, Any] = {}
    files: list[tuple[str, bytes]] = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            files.append((part.get_filename(), payload))
        else:
            form[name] = payload.decode()
    return form, files


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeLapor
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake.log.append((method, url.path))
        if self.headers.get("Authorization") != fake.authorization or self.headers.get("token") != fake.token:
            return self._send(401, {"message": "Unauthenticated."})
        rule = fake.take_rule(method, url.path)
        if rule is not None and not rule.after_effect:
            time.sleep(rule.delay)
            return self._fail(rule)
        status, payload = self._route(method, url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, body)
        if rule is not None:  # the request took effect; its answer is slow or broken
            time.sleep(rule.delay)
            return self._fail(rule)
        if isinstance(payload, bytes):
            return self._send(status, payload, content_type="image/jpeg")
        return self._send(status, payload)

    def _route(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, Any]:
        fake, parts = self.server_fake, path.strip("/").split("/")
        if method == "GET" and path == "/complaints":
            return 200, fake.list_page(query)
        if method == "GET" and parts[0] == "files" and parts[-1] in fake.files:
            return 200, fake.files[parts[-1]]
        if method == "GET" and len(parts) == 3 and parts[2] in ("complaint", "followups"):
            if parts[1] not in fake.reports:
                return 404, {"message": "Not found"}
            if parts[2] == "complaint":
                return 200, {"data": fake.reports[parts[1]]}
            return 200, {"data": fake.followups.get(parts[1], [])}
        if method == "POST" and path == "/complaints/followup/add":
            form, files = _multipart(self.headers.get("Content-Type", ""), body)
            if str(form.get("complaint_id")) not in fake.reports:
                return 422, {"message": "complaint_id tidak valid"}
            return 201, {"data": fake.add_followup(form, files) | {"files": len(files)}}
        if method == "POST" and parts[:2] == ["complaints", "process"] and parts[-1] in ("reject", "status"):
            form, _files = _multipart(self.headers.get("Content-Type", ""), body) if body.startswith(b"--") else (
                {k: v[0] for k, v in parse_qs(body.decode()).items()}, [])
            target = fake.rejected if parts[-1] == "reject" else fake.statuses
            target.append({"id": parts[2], **form})
            return 200, {"data": {"id": f"{parts[-1]}-{len(target)}"}}
        return 404, {"message": "Not found"}

    def _fail(self, rule: Rule) -> None:
        if rule.malformed:
            return self._send(200, b'{"data": [ {"id": "19', content_type="application/json")
        headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
        return self._send(rule.status, {"message": "scripted failure"}, headers=headers)

    def _send(self, status: int, payload: Any, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass
