"""Reading SP4N-LAPOR!'s answers through :class:`~.api.ApiConfig`: reports, pages, follow-ups, masters.

Every function takes the decoded JSON and the site's mapping and gives our own types. A record
that cannot be read raises :class:`RecordError` (a report) or comes back as a
:class:`SkippedItem` (one item of a list that must not stop the others): the caller shows it
and moves on, so one odd record never blocks the pull.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .api import DATE_FORMATS, ApiConfig, dig, dig_found, is_missing


class RecordError(ValueError):
    """A remote record (or export row) that cannot be read: the message says which field."""


# ---- values ---------------------------------------------------------------------------------


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "ya", "yes", "y"}
    return bool(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse_iso(text: str) -> datetime | None:
    """ISO dates and times, also with a space before the time (as spreadsheets write them)."""
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:  # well-formed but impossible (month 13)
        return None
    if parsed is None:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        parsed = datetime(day.year, day.month, day.day) if day is not None else None
    return parsed


def parse_date_text(text: str, formats: Sequence[str] = DATE_FORMATS) -> tuple[datetime | None, str]:
    """The datetime ``text`` stands for and the format that read it ("ISO 8601" or a strptime pattern)."""
    parsed = _parse_iso(text)
    if parsed is not None:
        return parsed, "ISO 8601"
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern), pattern  # naive: made aware by the caller
        except ValueError:
            continue
    return None, ""


def to_datetime(value: Any, formats: Sequence[str] = DATE_FORMATS) -> datetime | None:
    """A LAPOR! time as an aware datetime: ISO 8601 or one of ``formats`` (``d-m-Y H:i:s`` first).

    A time without an offset is in the site's time zone (``settings.TIME_ZONE``), as LAPOR!
    writes Indonesian local time. Raises :class:`RecordError` for text no format reads.
    """
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else parse_date_text(str(value).strip(), formats)[0]
    if parsed is None:
        raise RecordError(f"tanggal tidak dikenali: {value!r}")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _count(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None  # unreadable: treat as unknown, so the follow-ups are fetched


def raw_excerpt(raw: Any, limit: int = 4000) -> Any:
    """What is kept of an unreadable record for the desk: the JSON itself, or its cut text."""
    text = json.dumps(raw, default=str, ensure_ascii=False)
    return raw if len(text) <= limit else text[:limit]


# ---- reports --------------------------------------------------------------------------------


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


def report_from_values(values: Mapping[str, Any], attachments: tuple[tuple[str, str], ...] = (),
                       followup_count: int | None = None, formats: Sequence[str] = DATE_FORMATS) -> RemoteReport:
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
    try:
        created_at, updated_at = (to_datetime(values.get(n), formats) for n in ("created_at", "updated_at"))
    except RecordError as exc:
        raise RecordError(f"laporan {lapor_id}: {exc}") from exc
    return RemoteReport(
        lapor_id=lapor_id, title=title[:200], content=content,
        **{name: _text(values.get(name)) for name in (
            "status_name", "status_code", "disposition_name", "category", "location",
            "reporter_id", "reporter_name", "reporter_phone", "reporter_email")},
        is_anonymous=to_bool(values.get("is_anonymous")), is_secret=to_bool(values.get("is_secret")),
        created_at=created_at, updated_at=updated_at, attachments=attachments, followup_count=followup_count,
    )


def _file_items(value: Any) -> Iterable[Any]:
    """Attachments as a list, or as a mapping of lists/items (``{"images": [...], "docs": [...]}``)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from (item if isinstance(item, list) else [item])
    elif isinstance(value, list):
        yield from value


def parse_files(cfg: ApiConfig, value: Any) -> tuple[tuple[str, str], ...]:
    """(url or path, file name) of each attachment; a bare string is a URL."""
    f, files = cfg.fields, []
    for item in _file_items(value):
        url = _text(dig(item, f["attachment_url"]) if isinstance(item, Mapping) else item)
        if not url:
            continue
        name = _text(dig(item, f["attachment_name"])) if isinstance(item, Mapping) else ""
        extension = _text(dig(item, f["attachment_extension"])) if isinstance(item, Mapping) else ""
        name = name or url.rsplit("/", 1)[-1]
        if extension and "." not in name:
            name = f"{name}.{extension.lstrip('.')}"
        files.append((url, name))
    return tuple(files)


def parse_report(cfg: ApiConfig, raw: Any) -> RemoteReport:
    """One report of the API's JSON, read through the field mapping."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"laporan bukan objek JSON: {str(raw)[:80]}")
    f = cfg.fields
    values = {name: dig(raw, f[name]) for name in f
              if not name.startswith(("attachment", "followup", "institution", "template"))}
    return report_from_values(values, parse_files(cfg, dig(raw, f["attachments"])),
                              _count(dig(raw, f["followup_count"])), cfg.date_formats)


def report_key(cfg: ApiConfig, raw: Any) -> str:
    """The LAPOR! id of a raw record, as far as it can be read ("" when not)."""
    return _text(dig(raw, cfg.fields["lapor_id"])).lstrip("#") if isinstance(raw, Mapping) else ""


def parse_detail(cfg: ApiConfig, body: Any) -> RemoteReport:
    """The detail answer (``results.data``, with ``results.data_logs`` beside it)."""
    raw = dig(body, cfg.list_shape["detail"])
    if raw is None:
        raise RecordError("jawaban detail laporan tidak berisi data")
    return parse_report(cfg, raw)


# ---- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    last_page: int | None = None
    has_next: bool | None = None  # None: the answer does not say (no next-page field)


def _items(body: Any, path: str, what: str) -> list[Any]:
    items = dig(body, path) if isinstance(body, Mapping) else body
    if not isinstance(items, list):
        raise RecordError(f"jawaban {what} tidak berisi larik data (dicari di {path!r})")
    return items


def parse_page(cfg: ApiConfig, body: Any, items_key: str, what: str) -> ListPage:
    """Items and paging facts; :class:`RecordError` when the items are not where configured."""
    items = _items(body, cfg.list_shape[items_key], what)
    if not isinstance(body, Mapping):
        return ListPage(items=items)
    following = dig_found(body, cfg.list_shape["next_page"])
    last = dig(body, cfg.list_shape["last_page"])
    try:
        last_page = int(last) if last is not None else None
    except (TypeError, ValueError):
        last_page = None
    return ListPage(items=items, last_page=last_page, has_next=None if is_missing(following) else bool(following))


def parse_list(cfg: ApiConfig, body: Any) -> ListPage:
    """A page of the list call."""
    return parse_page(cfg, body, "items", "daftar laporan")


# ---- follow-ups -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteFollowup:
    """One item of a report's conversation on LAPOR!."""

    followup_id: str
    content: str
    by_reporter: bool
    created_at: datetime | None = None
    attachments: tuple[tuple[str, str], ...] = field(default=())  # (url, filename)
    origin: str = ""  # the institution that wrote it ("" = none: the reporter)


@dataclass(frozen=True)
class SkippedItem:
    """A record that could not be read: shown in the desk, never blocking the rest."""

    key: str
    error: str
    raw: Any


def _origin(cfg: ApiConfig, raw: Mapping[str, Any]) -> str:
    name = dig(raw, cfg.fields["followup_from_name"])
    if isinstance(name, str) and name.strip():
        return name.strip()
    origin = dig(raw, cfg.fields["followup_from_id"])
    if isinstance(origin, Mapping):  # some answers nest {"id": …, "name": …} here
        return _text(origin.get("name") or origin.get("id"))
    return _text(origin)


def _by_reporter(cfg: ApiConfig, raw: Mapping[str, Any], origin: str) -> bool:
    """Who wrote it, decided from the institutions: LAPOR! has no author field.

    A site whose API does have one names it in ``fields.followup_author``. Entries LAPOR!
    writes itself (a disposition template) are never a reporter's word.
    """
    f = cfg.fields
    if f.get("followup_author"):
        return _text(dig(raw, f["followup_author"])).casefold() in cfg.reporter_authors
    if _text(dig(raw, f["followup_template_code"])).casefold() in cfg.system_templates:
        return False
    return origin.casefold() in cfg.reporter_from


def parse_followup(cfg: ApiConfig, raw: Any) -> RemoteFollowup:
    """One follow-up item; :class:`RecordError` when it has no id or an unreadable time."""
    f = cfg.fields
    if not isinstance(raw, Mapping):
        raise RecordError(f"tindak lanjut bukan objek JSON: {str(raw)[:80]}")
    followup_id = _text(dig(raw, f["followup_id"]))
    if not followup_id:
        raise RecordError("tindak lanjut tanpa ID")
    origin = _origin(cfg, raw)
    try:
        created_at = to_datetime(dig(raw, f["followup_created_at"]), cfg.date_formats)
    except RecordError as exc:
        raise RecordError(f"tindak lanjut {followup_id}: {exc}") from exc
    return RemoteFollowup(
        followup_id=followup_id, content=_text(dig(raw, f["followup_content"])),
        by_reporter=_by_reporter(cfg, raw, origin), created_at=created_at,
        attachments=parse_files(cfg, dig(raw, f["followup_attachments"])), origin=origin,
    )


@dataclass(frozen=True)
class FollowupPage:
    items: list[RemoteFollowup]
    skipped: list[SkippedItem]
    has_next: bool | None = None


def parse_followups(cfg: ApiConfig, body: Any) -> FollowupPage:
    """A page of the follow-ups answer. :class:`RecordError` on a bad shape; a bad *item* is skipped."""
    page = parse_page(cfg, body, "followup_items", "tindak lanjut")
    items, skipped = [], []
    for index, raw in enumerate(page.items):
        try:
            items.append(parse_followup(cfg, raw))
        except RecordError as exc:
            key = _text(dig(raw, cfg.fields["followup_id"])) if isinstance(raw, Mapping) else ""
            skipped.append(SkippedItem(key=key or f"#{index + 1}", error=str(exc), raw=raw_excerpt(raw)))
    return FollowupPage(items=items, skipped=skipped, has_next=page.has_next)


def followup_ids_and_texts(cfg: ApiConfig, body: Any) -> list[tuple[str, str]]:
    """(id, content) of each follow-up in the follow-ups answer, to spot one already posted."""
    items = dig(body, cfg.list_shape["followup_items"]) if isinstance(body, Mapping) else body
    return [(_text(dig(i, cfg.fields["followup_id"])), _text(dig(i, cfg.fields["followup_content"])))
            for i in items or () if isinstance(i, Mapping)]


def created_id(cfg: ApiConfig, body: Any) -> str:
    """The id of what a POST created, wherever the answer keeps it ("" when it does not say)."""
    for path in (cfg.list_shape["created_id"], "results.id", "data.id", "id"):
        value = dig(body, path)
        if value not in (None, "") and not isinstance(value, (Mapping, list)):
            return str(value)
    return ""


# ---- masters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterItem:
    remote_id: str
    name: str
    code: str = ""
    kind: str = ""
    content: str = ""


def parse_master(cfg: ApiConfig, name: str, raw: Any) -> MasterItem:
    """One institution or template of the master lists; :class:`RecordError` without an id."""
    f = cfg.fields
    if not isinstance(raw, Mapping):
        raise RecordError(f"data master bukan objek JSON: {str(raw)[:80]}")
    if name == "institutions":
        item = MasterItem(remote_id=_text(dig(raw, f["institution_id"])), name=_text(dig(raw, f["institution_name"])))
        if not item.remote_id or not item.name:
            raise RecordError("instansi tanpa ID atau nama")
        return item
    content = dig(raw, f["template_content"])
    item = MasterItem(remote_id=_text(dig(raw, f["template_id"])), name=_text(dig(raw, f["template_title"])),
                      code=_text(dig(raw, f["template_code"])), kind=_text(dig(raw, f["template_type"])),
                      content=content if isinstance(content, str) else json.dumps(content, ensure_ascii=False))
    if not item.code:
        raise RecordError("templat tanpa kode")
    return item
