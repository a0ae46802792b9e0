"""A local fake SP4N-LAPOR! over real HTTP on 127.0.0.1, scriptable for failure tests.

It speaks the wire format public working code shows for the live API (SPLP ``lapor/3.0.0``,
see ``docs/lapor.md``), which are also the adapter's defaults:

* every answer wrapped as ``{"results": {"data": …}}``; lists page by ``?page=N`` with
  ``results.next_page_url`` (and Laravel's ``current_page``/``last_page``/``total`` beside it),
  sized by ``page_size``; the detail adds ``results.data_logs``;
* follow-ups carry ``institution_from_name``/``institution_to_name``, ``template_code``,
  ``template_content``, ``content``, ``created_at`` written ``d-m-Y H:i:s`` in WIB, and
  attachments as ``path``, ``file_name``, ``extension``; nobody's follow-up has an author field:
  the reporter's has no *from* institution;
* follow-up add is multipart (``user_id, institution_from_id, institution_to_id, complaint_id,
  info_disposition, template_code, rating, is_secret, content``, files ``attachment[i]``);
* "bukan wewenang" is a JSON body ``{"is_request": 1, "reason": <institution id>,
  "reason_description": …, "not_authority": 1}``;
* ``/masters/institutions/external`` and ``/masters/templates``;
* credentials in two headers whose *names* are settable (``Authorization`` and ``token``,
  or the older ``auth``).

Report times are ISO 8601 as Laravel serialises them (``2026-01-05T08:00:01.000000Z``). The
list of reports disposed to the institution (``GET /complaints`` with ``updated_since``) is the
adapter's assumption: no public code shows it. Failures are scripted with :meth:`FakeLapor.fail`
(status codes, ``Retry-After``, slow answers for timeouts, malformed JSON; optionally *after*
the request took effect, as when an answer is lost on the way back).

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
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

AUTHORIZATION = "Bearer kunci-uji"
TOKEN = "token-uji"
INSTITUTION_ID = 9001  # "us": the city's institution on LAPOR!
INSTITUTION_NAME = "Pemerintah Kota Contoh"
LAPOR_ADMIN = (1, "Kementerian PANRB")  # LAPOR!'s national admins (dispositions)
WIB = ZoneInfo("Asia/Jakarta")
# The smallest valid JPEG header filetype recognises: enough for the hub's content sniffing.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
INSTITUTIONS = [{"id": INSTITUTION_ID, "name": INSTITUTION_NAME}, {"id": LAPOR_ADMIN[0], "name": LAPOR_ADMIN[1]},
                {"id": 3101, "name": "Kementerian Pekerjaan Umum"}, {"id": 3102, "name": "Pemerintah Provinsi Contoh"},
                {"id": 3103, "name": "Badan Pertanahan Nasional"}]
TEMPLATES = [
    {"id": 11, "template_code": "disposition", "title": "Disposisi", "type": "system",
     "content": "Laporan didisposisikan ke {{institution_to}}"},
    {"id": 12, "template_code": "tindak_lanjut", "title": "Tindak lanjut instansi", "type": "followup",
     "content": "Terima kasih atas laporan Anda. {{content}}"},
    {"id": 13, "template_code": "permintaan_data", "title": "Permintaan data dukung", "type": "followup",
     "content": "Mohon lengkapi data dukung laporan Anda."},
]


def laravel_time(moment: datetime) -> str:
    """How Laravel serialises a model time: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def lapor_time(moment: datetime) -> str:
    """How LAPOR! writes follow-up times: ``d-m-Y H:i:s``, Indonesian western time, no zone."""
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M:%S")


def remote_time(text: str) -> datetime:
    """A time as the fake wrote it, as an aware datetime (what the hub should have stored)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.strptime(text, "%d-%m-%Y %H:%M:%S").replace(tzinfo=WIB)


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
    auth_header: str = "Authorization"  # the older public code calls it "auth"
    token_header: str = "token"
    cap_per_page: int | None = None  # the server's own page size limit (partial pages)
    followup_page_size: int = 10
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    followups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    institutions: list[dict[str, Any]] = field(default_factory=lambda: [dict(i) for i in INSTITUTIONS])
    templates: list[dict[str, Any]] = field(default_factory=lambda: [dict(t) for t in TEMPLATES])
    posted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    queries: list[tuple[str, dict[str, str]]] = field(default_factory=list)
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
                "institution_id": str(INSTITUTION_ID), "user_id": "7001",
                "timeout": 2.0, "backoff": 0.01, "max_wait": 0.2, "detail_pace": 0, **extra}

    # ---- data -----------------------------------------------------------------------------

    def tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def add_report(self, **fields: Any) -> dict[str, Any]:
        """Add a report disposed to the institution (defaults fill what is not given)."""
        with self._lock:
            lapor_id = str(fields.pop("id", self._next_id))
            self._next_id += 1
            now = laravel_time(self.tick())
            report = {
                "id": lapor_id, "tracking_id": f"#{lapor_id}", "title": f"Laporan {lapor_id}",
                "content": f"Isi laporan warga nomor {lapor_id} tentang layanan publik.",
                "status_code": "1", "status_name": "Belum Terverifikasi", "disposition_name": INSTITUTION_NAME,
                "disposition_id": INSTITUTION_ID,
                "category_name": "Infrastruktur", "location": "Kecamatan Tengah", "is_anonymous": False,
                "is_secret": False, "user": {"id": f"u{lapor_id}", "name": "Siti Aminah", "phone": "0812000",
                                             "email": "siti@example.org"},
                "created_at": now, "updated_at": now, "attachments": [], "followups_count": 0, **fields,
            }
            self.reports[lapor_id] = report
            return report

    def update_report(self, lapor_id: str, **fields: Any) -> None:
        with self._lock:
            self.reports[lapor_id].update(fields, updated_at=laravel_time(self.tick()))

    def add_file(self, name: str, content: bytes = JPEG) -> dict[str, str]:
        """A file LAPOR! serves; returns it as an attachment item (``path``, ``file_name``, ``extension``)."""
        self.files[name] = content
        return {"path": f"/files/{name}", "file_name": name, "extension": name.rsplit(".", 1)[-1]}

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

    def page(self, path: str, rows: list[Any], query: dict[str, str], size: int) -> dict[str, Any]:
        """Laravel's paginator under ``results``."""
        page = int(query.get("page", 1))
        size = min(size, self.cap_per_page or size)
        chunk = rows[(page - 1) * size: page * size]
        last = max(1, -(-len(rows) // size))
        following = f"{self.base_url}{path}?{urlencode({**query, 'page': page + 1})}" if page < last else None
        return {"results": {"current_page": page, "data": chunk, "per_page": size, "total": len(rows),
                            "last_page": last, "next_page_url": following,
                            "prev_page_url": None if page == 1 else f"{self.base_url}{path}?page={page - 1}"}}

    def list_page(self, query: dict[str, str]) -> dict[str, Any]:
        since = query.get("updated_since", "")
        with self._lock:
            rows = sorted(self.reports.values(), key=lambda r: (r["updated_at"], r["id"]))
        if since:
            cutoff = datetime.fromisoformat(since)
            rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= cutoff]
        return self.page("/complaints", rows, query, int(query.get("page_size", 50)))

    def add_followup(self, form: dict[str, Any], files: list[tuple[str, str, bytes]]) -> dict[str, Any]:
        """A follow-up posted by the institution (the hub's push)."""
        with self._lock:
            entry = {"id": f"f{len(self.posted) + 1}", **form, "files": [(name, blob) for _f, name, blob in files],
                     "file_fields": [field_name for field_name, _n, _b in files]}
            self.posted.append(entry)
            to = next((i for i in self.institutions if str(i["id"]) == str(form.get("institution_to_id"))), {})
            self._converse(str(form.get("complaint_id")), {
                "id": entry["id"], "content": form.get("content", ""),
                "institution_from_id": INSTITUTION_ID, "institution_from_name": INSTITUTION_NAME,
                "institution_to_id": to.get("id"), "institution_to_name": to.get("name"),
                "template_code": form.get("template_code") or None, "template_content": None,
                "attachments": [{"path": f"/files/{name}", "file_name": name, "extension": name.rsplit(".", 1)[-1]}
                                for _f, name, _b in files]})
            return entry

    def reply(self, lapor_id: str, content: str, *, by: str = "reporter",
              attachments: list[dict[str, str]] | None = None, created_at: str | None = None) -> dict[str, Any]:
        """Script a follow-up written on LAPOR!: by the ``reporter`` (no *from* institution), our
        ``institution``, or LAPOR!'s national ``admin`` (a disposition)."""
        origin = {"reporter": (None, None), "institution": (INSTITUTION_ID, INSTITUTION_NAME),
                  "admin": LAPOR_ADMIN}[by]
        with self._lock:
            self._next_followup += 1
            item = {"id": self._next_followup + 500000, "content": content,
                    "institution_from_id": origin[0], "institution_from_name": origin[1],
                    "institution_to_id": INSTITUTION_ID, "institution_to_name": INSTITUTION_NAME,
                    "template_code": "disposition" if by == "admin" else None,
                    "template_content": "Laporan didisposisikan ke {{institution_to}}" if by == "admin" else None,
                    "attachments": attachments or []}
            if created_at is not None:
                item["created_at"] = created_at
            self._converse(lapor_id, item)
            return item

    def _converse(self, lapor_id: str, item: dict[str, Any]) -> None:
        """Append to a report's conversation: like LAPOR!, it counts and touches the report."""
        moment = self.tick()
        item.setdefault("created_at", lapor_time(moment))
        item.setdefault("complaint_id", lapor_id)
        self.followups.setdefault(lapor_id, []).append(item)
        if lapor_id in self.reports:
            self.reports[lapor_id].update(followups_count=len(self.followups[lapor_id]),
                                          updated_at=laravel_time(moment))

    def reject(self, lapor_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        missing = [k for k in ("is_request", "reason", "reason_description", "not_authority") if k not in body]
        if missing:
            return 422, {"message": f"wajib diisi: {', '.join(missing)}"}
        if not any(str(i["id"]) == str(body["reason"]) for i in self.institutions):
            return 422, {"message": "reason: instansi tidak ditemukan"}
        with self._lock:
            self.rejected.append({"id": lapor_id, **body})
            return 200, {"results": {"data": {"id": f"reject-{len(self.rejected)}"}}}


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], list[tuple[str, str, bytes]]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, Any] = {}
    files: list[tuple[str, str, bytes]] = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            files.append((name, part.get_filename(), payload))
        else:
            form[name] = payload.decode()
    return form, files


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeLapor
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY every small answer on a
    # kept-alive connection waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

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
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        fake.log.append((method, url.path))
        fake.queries.append((url.path, query))
        if (self.headers.get(fake.auth_header) != fake.authorization
                or self.headers.get(fake.token_header) != fake.token):
            return self._send(401, {"message": "Unauthenticated."})
        rule = fake.take_rule(method, url.path)
        if rule is not None and not rule.after_effect:
            time.sleep(rule.delay)
            return self._fail(rule)
        status, payload = self._route(method, url.path, query, body)
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
        if method == "GET" and parts[0] == "masters":
            return self._master(path, query)
        if method == "GET" and parts[0] == "files" and parts[-1] in fake.files:
            return 200, fake.files[parts[-1]]
        if method == "GET" and len(parts) == 3 and parts[2] in ("complaint", "followups"):
            if parts[1] not in fake.reports:
                return 404, {"message": "Not found"}
            conversation = fake.followups.get(parts[1], [])
            if parts[2] == "complaint":
                return 200, {"results": {"data": fake.reports[parts[1]], "data_logs": conversation}}
            return 200, fake.page(path, conversation, query, fake.followup_page_size)
        if method == "POST" and path == "/complaints/followup/add":
            return self._followup_add(body)
        if method == "POST" and parts[:2] == ["complaints", "process"] and parts[-1] == "reject":
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return 422, {"message": "reject menerima JSON"}
            return fake.reject(parts[2], json.loads(body or b"{}"))
        if method == "POST" and parts[:2] == ["complaints", "process"] and parts[-1] == "status":
            form, _files = _multipart(self.headers.get("Content-Type", ""), body)
            fake.statuses.append({"id": parts[2], **form})
            return 200, {"results": {"data": {"id": f"status-{len(fake.statuses)}"}}}
        return 404, {"message": "Not found"}

    def _master(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        fake = self.server_fake
        rows = {"/masters/institutions/external": fake.institutions, "/masters/templates": fake.templates}.get(path)
        if rows is None:
            return 404, {"message": "Not found"}
        return 200, fake.page(path, rows, query, int(query.get("page_size", 15)))

    def _followup_add(self, body: bytes) -> tuple[int, Any]:
        fake = self.server_fake
        form, files = _multipart(self.headers.get("Content-Type", ""), body)
        if str(form.get("complaint_id")) not in fake.reports:
            return 422, {"message": "complaint_id tidak valid"}
        if not form.get("content") or not form.get("institution_from_id") or not form.get("user_id"):
            return 422, {"message": "content, user_id dan institution_from_id wajib diisi"}
        return 200, {"results": {"data": {"id": fake.add_followup(form, files)["id"]}}}

    def _fail(self, rule: Rule) -> None:
        if rule.malformed:
            return self._send(200, b'{"results": {"data": [ {"id": "19', content_type="application/json")
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
