"""THE one module that knows SP4N-LAPOR!'s wire format: paths, headers, field and status mapping.

The integration API is documented only inside the LAPOR! admin panel (developer role), so
every path and field name here is a *default* taken from public v4 client code and must be
confirmed against the institution's own documentation. Each can be overridden per site in
``site_config.json``::

    "channels": {"lapor": {
        "base_url": "https://api.example.go.id/v4", "authorization": "Bearer …", "token": "…",
        "paths": {"list": "/complaints/disposed"},
        "fields": {"updated_at": "last_update"},
        "statuses": {"Menunggu Verifikasi": "received"},
        "import_columns": {"lapor_id": ["No Laporan"]}
    }}

Nothing outside this module spells a LAPOR! path, header or field name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# ---- endpoints ------------------------------------------------------------------------------

PATHS: dict[str, str] = {
    # Not documented publicly: the pull needs *some* list of reports disposed to us.
    "list": "/complaints",
    "detail": "/complaints/{id}/complaint",
    "followups": "/complaints/{id}/followups",
    "followup_add": "/complaints/followup/add",
    "reject": "/complaints/process/{id}/reject",
    # No public status-update call is known: empty means status changes are recorded as
    # "not applicable" in the outbox instead of being sent.
    "status": "",
    "masters": "/masters/{name}",
}

# Query parameters of the list call.
LIST_PARAMS: dict[str, str] = {"page": "page", "per_page": "per_page", "updated_since": "updated_since"}

# Where the list answer keeps its items and paging facts (dotted paths into the JSON).
LIST_SHAPE: dict[str, str] = {"items": "data", "last_page": "meta.last_page", "total": "meta.total",
                              # where the follow-ups answer keeps its items
                              "followup_items": "data"}

# Field names of the calls that write (multipart forms): our name -> LAPOR!'s name.
FORMS: dict[str, dict[str, str]] = {
    "followup": {"complaint_id": "complaint_id", "content": "content", "rating": "rating",
                 "is_secret": "is_secret", "attachments": "attachments[]"},
    "reject": {"reason": "reason", "target": "target_institution"},
    "status": {"status": "status", "note": "note"},
}

# ---- report fields (remote name for each of our names; dotted paths allowed) ----------------

FIELDS: dict[str, str] = {
    "lapor_id": "id",
    "tracking_id": "tracking_id",
    "title": "title",
    "content": "content",
    "status_code": "status_code",
    "status_name": "status_name",
    "disposition_name": "disposition_name",
    "category": "category_name",
    "location": "location",
    "is_anonymous": "is_anonymous",
    "is_secret": "is_secret",
    "reporter_id": "user.id",
    "reporter_name": "user.name",
    "reporter_phone": "user.phone",
    "reporter_email": "user.email",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "attachments": "attachments",
    "attachment_url": "url",
    "attachment_name": "name",
    # How many follow-ups a report has, when the list item says so (Laravel's ``withCount``
    # naming). Known and unchanged: the follow-ups are not fetched again.
    "followup_count": "followups_count",
    # Fields of one item of ``GET /complaints/{id}/followups``.
    "followup_id": "id",
    "followup_content": "content",
    "followup_author": "author_type",
    "followup_created_at": "created_at",
    "followup_attachments": "attachments",
}

# Values of ``followup_author`` that mean "written by the reporter" (compared case-insensitively).
# Anything else — the institution, LAPOR!'s admins, our own pushed follow-ups — is not a
# reporter message. Unknown values are skipped on purpose: echoing our own follow-up back as
# a reporter reply would reopen every answered complaint.
REPORTER_AUTHORS: tuple[str, ...] = ("reporter", "pelapor", "user", "masyarakat")

# ---- statuses -------------------------------------------------------------------------------

# LAPOR! status word -> the hub's status. One-to-one, so the mapping round-trips.
STATUSES: dict[str, str] = {
    "Belum Terverifikasi": "received",
    "Terverifikasi": "disposed",
    "Dalam Proses": "in_progress",
    "Selesai": "closed",
    "Diarsipkan": "archived",
    "Ditolak": "not_authority",
}
# Hub statuses LAPOR! has no word for, told as the nearest one.
HUB_ONLY_STATUSES: dict[str, str] = {
    "postponed": "received",
    "returned": "disposed",
    "answered": "in_progress",
}
# Remote statuses that end a report: applied to a hub complaint nobody has started on yet.
TERMINAL_REMOTE = frozenset({"Selesai", "Diarsipkan", "Ditolak"})

# Column headers of the admin panel's export (first match wins, compared case-insensitively).
IMPORT_COLUMNS: dict[str, list[str]] = {
    "lapor_id": ["ID", "ID Laporan", "No Laporan", "Nomor Laporan", "Tracking ID", "No. Tracking"],
    "title": ["Judul", "Judul Laporan"],
    "content": ["Isi Laporan", "Isi", "Laporan", "Deskripsi"],
    "status_name": ["Status", "Status Laporan"],
    "disposition_name": ["Disposisi", "Instansi", "Instansi Tujuan"],
    "category": ["Kategori"],
    "location": ["Lokasi"],
    "is_anonymous": ["Anonim", "Anonymous"],
    "is_secret": ["Rahasia", "Secret"],
    "reporter_name": ["Nama Pelapor", "Pelapor"],
    "reporter_phone": ["Telepon", "No HP", "Telepon Pelapor"],
    "reporter_email": ["Email", "Email Pelapor"],
    "created_at": ["Tanggal", "Tanggal Laporan", "Waktu Laporan", "Dibuat"],
    "updated_at": ["Terakhir Diperbarui", "Tanggal Update", "Diperbarui"],
}

DEFAULTS: dict[str, Any] = {
    "per_page": 100,
    "timeout": 20.0,        # seconds per request
    "max_tries": 4,         # per request during a sync (429/5xx/timeouts)
    "backoff": 2.0,         # seconds, doubled each try; 429 uses Retry-After instead
    "max_wait": 60.0,       # never sleep longer than this inside a sync
    "push_max_attempts": 8,  # then the outbox row is marked failed for a person
}


@dataclass(frozen=True)
class ApiConfig:
    """Site settings merged over the defaults above."""

    base_url: str
    authorization: str
    token: str
    paths: Mapping[str, str]
    list_params: Mapping[str, str]
    list_shape: Mapping[str, str]
    forms: Mapping[str, Mapping[str, str]]
    fields: Mapping[str, str]
    statuses: Mapping[str, str]
    import_columns: Mapping[str, list[str]]
    options: Mapping[str, Any]
    reporter_authors: tuple[str, ...] = REPORTER_AUTHORS

    def url(self, name: str, **ids: Any) -> str:
        return self.base_url.rstrip("/") + self.paths[name].format(**ids)

    def headers(self) -> dict[str, str]:
        # LAPOR! wants both: the Authorization header and a separate ``token`` header.
        return {"Authorization": self.authorization, "token": self.token, "Accept": "application/json"}

    def opt(self, name: str) -> Any:
        return self.options.get(name, DEFAULTS[name])


def api_config(site: Mapping[str, Any]) -> ApiConfig:
    """Build the adapter configuration from the site's ``channels.lapor`` settings."""
    columns = {**IMPORT_COLUMNS, **site.get("import_columns", {})}
    return ApiConfig(
        base_url=str(site.get("base_url", "")),
        authorization=str(site.get("authorization", "")),
        token=str(site.get("token", "")),
        paths={**PATHS, **site.get("paths", {})},
        list_params={**LIST_PARAMS, **site.get("list_params", {})},
        list_shape={**LIST_SHAPE, **site.get("list_shape", {})},
        forms={name: {**form, **site.get("forms", {}).get(name, {})} for name, form in FORMS.items()},
        fields={**FIELDS, **site.get("fields", {})},
        statuses={**STATUSES, **site.get("statuses", {})},
        import_columns=columns,
        options={k: site[k] for k in DEFAULTS if k in site},
        reporter_authors=tuple(str(v).casefold() for v in site.get("reporter_authors", REPORTER_AUTHORS)),
    )


# ---- status mapping -------------------------------------------------------------------------


def status_to_hub(cfg: ApiConfig, remote: str) -> str:
    """The hub status a LAPOR! status word stands for ("" when the word is unknown)."""
    wanted = remote.strip().casefold()
    for word, hub in cfg.statuses.items():
        if word.casefold() == wanted:
            return hub
    return ""


def status_to_remote(cfg: ApiConfig, hub: str) -> str:
    """The LAPOR! status word for a hub status."""
    for word, mapped in cfg.statuses.items():
        if mapped == hub:
            return word
    nearest = HUB_ONLY_STATUSES.get(hub, "")
    return status_to_remote(cfg, nearest) if nearest else ""


# ---- reports --------------------------------------------------------------------------------


class RecordError(ValueError):
    """A remote record (or export row) that cannot be read: the message says which field."""


@dataclass(frozen=True)
class RemoteReport:
    """A LAPOR! report in our own terms, whatever the wire or export looked like."""

    lapor_id: str
    title: str
    content: str
    status_name: str = ""
    status_code: str = ""
    disposition_name: str = ""
    category: str = ""
    location: str = ""
    is_anonymous: bool = False
    is_secret: bool = False
    reporter_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    attachments: tuple[tuple[str, str], ...] = field(default=())  # (url, filename)
    followup_count: int | None = None  # None: the list item does not say

    def content_hash(self) -> str:
        """Hash of everything we take from the report: equal hashes mean nothing to do."""
        data = asdict(self)
        data.pop("updated_at")  # a touch without a change is no change
        data.pop("followup_count")  # the conversation has its own marker
        blob = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def followups_marker(self) -> str:
        """What says the conversation may have changed: the remote update time and follow-up count."""
        stamp = self.updated_at.isoformat() if self.updated_at else ""
        return f"{stamp}|{'' if self.followup_count is None else self.followup_count}"


def dig(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for ``path="a.b"``; None where any step is missing."""
    for part in path.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "ya", "yes", "y"}
    return bool(value)


def to_datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else _parse_datetime_text(str(value).strip())
    if parsed is None:
        raise RecordError(f"tanggal tidak dikenali: {value!r}")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _parse_datetime_text(text: str) -> datetime | None:
    """ISO dates and times, also with a space before the time (as spreadsheets write them)."""
    parsed = parse_datetime(text.replace(" ", "T", 1) if len(text) > 10 else text)
    if parsed is None and (day := parse_date(text)) is not None:
        parsed = datetime(day.year, day.month, day.day)
    return parsed


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def report_from_values(values: Mapping[str, Any], attachments: tuple[tuple[str, str], ...] = (),
                       followup_count: int | None = None) -> RemoteReport:
    """Validate values keyed by our field names (from the API or an export row)."""
    lapor_id = _text(values.get("lapor_id")).lstrip("#")
    if lapor_id.endswith(".0"):  # spreadsheets turn 1916449 into 1916449.0
        lapor_id = lapor_id[:-2]
    if not lapor_id:
        raise RecordError("ID laporan kosong")
    content = _text(values.get("content"))
    if not content:
        raise RecordError(f"laporan {lapor_id}: isi laporan kosong")
    title = _text(values.get("title")) or content.splitlines()[0][:120]
    return RemoteReport(
        lapor_id=lapor_id, title=title[:200], content=content,
        **{name: _text(values.get(name)) for name in (
            "status_name", "status_code", "disposition_name", "category", "location",
            "reporter_id", "reporter_name", "reporter_phone", "reporter_email")},
        is_anonymous=to_bool(values.get("is_anonymous")), is_secret=to_bool(values.get("is_secret")),
        created_at=to_datetime(values.get("created_at")), updated_at=to_datetime(values.get("updated_at")),
        attachments=attachments, followup_count=followup_count,
    )


def parse_report(cfg: ApiConfig, raw: Any) -> RemoteReport:
    """One report of the API's JSON, read through the field mapping."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"laporan bukan objek JSON: {str(raw)[:80]}")
    f = cfg.fields
    values = {name: dig(raw, f[name]) for name in f if not name.startswith(("attachment", "followup"))}
    files = []
    for item in dig(raw, f["attachments"]) or ():
        url = _text(dig(item, f["attachment_url"]) if isinstance(item, Mapping) else item)
        if url:
            name = _text(dig(item, f["attachment_name"])) if isinstance(item, Mapping) else ""
            files.append((url, name or url.rsplit("/", 1)[-1]))
    return report_from_values(values, tuple(files), _count(dig(raw, f["followup_count"])))


def _count(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None  # unreadable: treat as unknown, so the follow-ups are fetched


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    last_page: int | None


def parse_list(cfg: ApiConfig, body: Any) -> ListPage:
    """Read a page of the list call; raises :class:`RecordError` when it is not the expected shape."""
    items = dig(body, cfg.list_shape["items"]) if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise RecordError("jawaban daftar laporan tidak berisi larik data")
    last = dig(body, cfg.list_shape["last_page"]) if isinstance(body, Mapping) else None
    try:
        last_page = int(last) if last is not None else None
    except (TypeError, ValueError):
        last_page = None
    return ListPage(items=items, last_page=last_page)


def _followup_items(cfg: ApiConfig, body: Any) -> list[Any]:
    items = dig(body, cfg.list_shape["followup_items"]) if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise RecordError("jawaban tindak lanjut tidak berisi larik data")
    return items


def followup_ids_and_texts(cfg: ApiConfig, body: Any) -> list[tuple[str, str]]:
    """(id, content) of each follow-up in the follow-ups answer, to spot one already posted."""
    items = dig(body, cfg.list_shape["followup_items"]) if isinstance(body, Mapping) else body
    return [(_text(dig(i, cfg.fields["followup_id"])), _text(dig(i, cfg.fields["followup_content"])))
            for i in items or () if isinstance(i, Mapping)]


@dataclass(frozen=True)
class RemoteFollowup:
    """One item of a report's conversation on LAPOR!."""

    followup_id: str
    content: str
    by_reporter: bool
    created_at: datetime | None = None
    attachments: tuple[tuple[str, str], ...] = field(default=())  # (url, filename)


def parse_followups(cfg: ApiConfig, body: Any) -> list[RemoteFollowup]:
    """The follow-ups answer, read through the field mapping; :class:`RecordError` on a bad shape."""
    f, result = cfg.fields, []
    for raw in _followup_items(cfg, body):
        if not isinstance(raw, Mapping):
            raise RecordError(f"tindak lanjut bukan objek JSON: {str(raw)[:80]}")
        followup_id = _text(dig(raw, f["followup_id"]))
        if not followup_id:
            raise RecordError("tindak lanjut tanpa ID")
        author = _text(dig(raw, f["followup_author"])).casefold()
        files = tuple((_text(dig(a, f["attachment_url"])), _text(dig(a, f["attachment_name"])))
                      for a in dig(raw, f["followup_attachments"]) or () if isinstance(a, Mapping))
        result.append(RemoteFollowup(
            followup_id=followup_id, content=_text(dig(raw, f["followup_content"])),
            by_reporter=author in cfg.reporter_authors, created_at=to_datetime(dig(raw, f["followup_created_at"])),
            attachments=tuple((url, name or url.rsplit("/", 1)[-1]) for url, name in files if url),
        ))
    return result


def current_config() -> ApiConfig:
    """The running site's configuration (``settings.ADUAN["channels"]["lapor"]``)."""
    from django.conf import settings

    return api_config(settings.ADUAN.get("channels", {}).get("lapor", {}))
