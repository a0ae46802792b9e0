"""THE one place that knows SP4N-LAPOR!'s wire format: paths, headers, field and status mapping.

The integration API is documented only inside the LAPOR! admin panel (developer role). The
defaults below follow the only public code that talks to the live API (the Laravel apps
``muhilman2012/admin_lmw_v2`` and ``muhilman2012/whatsapp-admin``, 2024-2026); where no
public code exists (the list of reports disposed to a city, an "updated since" filter, a
status call) they are assumptions, marked so here and in ``docs/lapor.md``. Everything can be
overridden per site in ``site_config.json``::

    "channels": {"lapor": {
        "authorization": "Bearer …", "token": "…", "institution_id": "<ID instansi>", "user_id": "<ID pengguna>",
        "environment": "sandbox",
        "header_names": {"authorization": "auth"},
        "paths": {"list": "/complaints/disposed"},
        "fields": {"updated_at": "last_update"},
        "statuses": {"Menunggu Verifikasi": "received"}
    }}

Only this module and :mod:`.wire` (which reads answers through this configuration) spell a
LAPOR! path, header or field name; :mod:`.check` also probes a few other known shapes, to tell
an admin what their API really returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# ---- where the API lives --------------------------------------------------------------------

# Confirmed by public working code (SPLP, the government's API gateway).
BASE_URLS: dict[str, str] = {
    "production": "https://api-splp.layanan.go.id/lapor/3.0.0",
    "sandbox": "https://api-splp.layanan.go.id/sandbox-konsolidasi/1.0",
}

# The header *names* changed over time in the same public code (``auth``, later
# ``Authorization: Bearer …``), next to ``token: <GUID>``: names are configuration too.
HEADER_NAMES: dict[str, str] = {"authorization": "Authorization", "token": "token"}

# ---- endpoints ------------------------------------------------------------------------------

PATHS: dict[str, str] = {
    # ASSUMPTION: no public code lists the reports disposed to a city. Confirm it, or run the
    # "detail" pull strategy (re-reads known reports by id).
    "list": "/complaints",
    "detail": "/complaints/{id}/complaint",
    "followups": "/complaints/{id}/followups",
    "followup_add": "/complaints/followup/add",
    "reject": "/complaints/process/{id}/reject",
    # No public status-update call is known: empty means status changes are recorded as
    # "not applicable" in the outbox instead of being sent.
    "status": "",
    "masters": "/masters/{name}",
    "institutions": "/masters/institutions/external",
    "templates": "/masters/templates",
}

# Query parameters. ``page``/``page_size`` are confirmed (follow-ups page by ``?page=N``,
# master lists by ``page_size``); ``updated_since`` is an ASSUMPTION (empty: never sent).
LIST_PARAMS: dict[str, str] = {"page": "page", "per_page": "page_size", "updated_since": "updated_since",
                               "master_page_size": "page_size"}

# Where the answers keep their items and paging facts (dotted paths into the JSON). Every
# answer is wrapped as ``{"results": {"data": …}}``; paging sits under ``results``.
LIST_SHAPE: dict[str, str] = {
    "items": "results.data",
    "next_page": "results.next_page_url",
    "last_page": "results.last_page",
    "total": "results.total",
    "detail": "results.data",
    "detail_logs": "results.data_logs",
    "followup_items": "results.data",
    "master_items": "results.data",
    "created_id": "results.data.id",  # id of what a POST created, when the answer says
}

# The calls that write: our name -> LAPOR!'s field name.
FORMS: dict[str, dict[str, str]] = {
    # Confirmed: multipart, files as ``attachment[i]`` (``{i}`` is the file's index).
    "followup": {"user_id": "user_id", "institution_from_id": "institution_from_id",
                 "institution_to_id": "institution_to_id", "complaint_id": "complaint_id",
                 "info_disposition": "info_disposition", "template_code": "template_code",
                 "rating": "rating", "is_secret": "is_secret", "content": "content",
                 "attachments": "attachment[{i}]"},
    # Confirmed: a JSON body; ``reason`` carries the *target institution id*.
    "reject": {"is_request": "is_request", "target": "reason", "reason": "reason_description",
               "not_authority": "not_authority"},
    # ASSUMPTION: no public status call exists (``paths.status`` is empty by default).
    "status": {"status": "status", "note": "note"},
}
# How each writing call is encoded: "multipart" or "json".
ENCODINGS: dict[str, str] = {"followup": "multipart", "reject": "json", "status": "multipart"}

# ---- report fields (remote name for each of our names; dotted paths allowed) ----------------

FIELDS: dict[str, str] = {
    "lapor_id": "id",
    "tracking_id": "tracking_id",
    "title": "title",
    "content": "content",
    "status_code": "status_code",  # confirmed (detail)
    "status_name": "status_name",  # confirmed (detail)
    "disposition_name": "disposition_name",  # confirmed (detail)
    "category": "category_name",
    "location": "location",
    "is_anonymous": "is_anonymous",  # confirmed (create)
    "is_secret": "is_secret",  # confirmed (create)
    "reporter_id": "user.id",
    "reporter_name": "user.name",
    "reporter_phone": "user.phone",
    "reporter_email": "user.email",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "attachments": "attachments",
    # Attachments as the follow-ups carry them (confirmed): path, file_name, extension.
    "attachment_url": "path",
    "attachment_name": "file_name",
    "attachment_extension": "extension",
    # How many follow-ups a report has, when the list item says so (ASSUMPTION, Laravel's
    # ``withCount`` naming). Known and unchanged: the follow-ups are not fetched again.
    "followup_count": "followups_count",
    # One item of ``GET /complaints/{id}/followups`` (confirmed).
    "followup_id": "id",
    "followup_content": "content",
    "followup_created_at": "created_at",
    "followup_attachments": "attachments",
    "followup_from_id": "institution_from_id",
    "followup_from_name": "institution_from_name",
    "followup_to_name": "institution_to_name",
    "followup_template_code": "template_code",
    "followup_template_content": "template_content",
    # No author field exists on LAPOR!: empty means "decide from the institutions" (see
    # ``reporter_from``). A site whose API has one may name it, with ``reporter_authors``.
    "followup_author": "",
    # Master lists (confirmed: institutions have id and name; templates template_code,
    # title, type, content).
    "institution_id": "id",
    "institution_name": "name",
    "template_id": "id",
    "template_code": "template_code",
    "template_title": "title",
    "template_type": "type",
    "template_content": "content",
}

# A follow-up was written by the reporter when its *from* institution is one of these values
# (compared case-insensitively; "" = no institution). ASSUMPTION: the reporter is no
# institution. Our own follow-ups and other institutions' items carry a name and are skipped.
REPORTER_FROM: tuple[str, ...] = ("",)
# Only used when ``fields.followup_author`` is set: its values meaning "the reporter".
REPORTER_AUTHORS: tuple[str, ...] = ("reporter", "pelapor", "user", "masyarakat")
# Template codes of log entries LAPOR! writes itself (dispositions): never a reporter's word.
SYSTEM_TEMPLATES: tuple[str, ...] = ("disposition",)

# Date formats besides ISO 8601 (``strptime``), read in the site's time zone when they carry
# none. Confirmed: follow-up times are written ``d-m-Y H:i:s`` (22-07-2025 14:03:11).
DATE_FORMATS: tuple[str, ...] = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S",
                                 "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")

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

PULL_STRATEGIES = ("list", "detail")

DEFAULTS: dict[str, Any] = {
    "per_page": 100,
    "timeout": 20.0,        # seconds per request
    "max_tries": 4,         # per request during a sync (429/5xx/timeouts)
    "backoff": 2.0,         # seconds, doubled each try; 429 uses Retry-After instead
    "max_wait": 60.0,       # never sleep longer than this inside a sync
    "push_max_attempts": 8,  # then the outbox row is marked failed for a person
    # "list": page through ``paths.list``; "detail": re-read known open reports by id.
    "pull_strategy": "list",
    "detail_batch": 50,     # reports re-read per run of the detail strategy
    "detail_pace": 1.0,     # seconds between two detail calls (be gentle with SPLP)
    "master_page_size": 1000,
    "masters_interval": 86400,  # seconds between scheduled master syncs
    # Who we are on LAPOR! (the follow-up form needs them; from the admin panel).
    "institution_id": "",
    "user_id": "",
    "institution_to_id": "",  # empty: our own institution, as the public code falls back to
    "followup_template": "",  # empty: the template marked in the desk, else none
    "rating": 0,
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
    header_names: Mapping[str, str] = field(default_factory=lambda: dict(HEADER_NAMES))
    encodings: Mapping[str, str] = field(default_factory=lambda: dict(ENCODINGS))
    reporter_from: tuple[str, ...] = REPORTER_FROM
    reporter_authors: tuple[str, ...] = REPORTER_AUTHORS
    system_templates: tuple[str, ...] = SYSTEM_TEMPLATES
    date_formats: tuple[str, ...] = DATE_FORMATS
    category_map: Mapping[str, str] = field(default_factory=dict)  # LAPOR! category -> our code

    def url(self, name: str, **ids: Any) -> str:
        return self.base_url.rstrip("/") + self.paths[name].format(**ids)

    def headers(self) -> dict[str, str]:
        """Both credentials LAPOR! wants, under the configured header names."""
        names = self.header_names
        headers = {"Accept": "application/json"}
        for key, value in (("authorization", self.authorization), ("token", self.token)):
            if names.get(key):
                headers[names[key]] = value
        return headers

    def opt(self, name: str) -> Any:
        return self.options.get(name, DEFAULTS[name])


def _lower(values: Any) -> tuple[str, ...]:
    return tuple(str(v).strip().casefold() for v in values)


def base_url_for(site: Mapping[str, Any]) -> str:
    """``base_url`` when given, else the URL of ``environment`` (production unless "sandbox")."""
    return str(site.get("base_url") or BASE_URLS.get(str(site.get("environment", "production")),
                                                     BASE_URLS["production"]))


def api_config(site: Mapping[str, Any]) -> ApiConfig:
    """Build the adapter configuration from the site's ``channels.lapor`` settings."""
    return ApiConfig(
        base_url=base_url_for(site),
        authorization=str(site.get("authorization", "")),
        token=str(site.get("token", "")),
        paths={**PATHS, **site.get("paths", {})},
        list_params={**LIST_PARAMS, **site.get("list_params", {})},
        list_shape={**LIST_SHAPE, **site.get("list_shape", {})},
        forms={name: {**form, **site.get("forms", {}).get(name, {})} for name, form in FORMS.items()},
        fields={**FIELDS, **site.get("fields", {})},
        statuses={**STATUSES, **site.get("statuses", {})},
        import_columns={**IMPORT_COLUMNS, **site.get("import_columns", {})},
        options={k: site[k] for k in DEFAULTS if k in site},
        header_names={**HEADER_NAMES, **site.get("header_names", {})},
        encodings={**ENCODINGS, **site.get("encodings", {})},
        reporter_from=_lower(site.get("reporter_from", REPORTER_FROM)),
        reporter_authors=_lower(site.get("reporter_authors", REPORTER_AUTHORS)),
        system_templates=_lower(site.get("system_templates", SYSTEM_TEMPLATES)),
        date_formats=tuple(site.get("date_formats", DATE_FORMATS)),
        category_map={str(k).casefold(): str(v) for k, v in site.get("category_map", {}).items()},
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


# ---- reading JSON ---------------------------------------------------------------------------

_MISSING = object()


def dig(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for ``path="a.b"``; None where any step is missing (or ``path`` is empty)."""
    found = dig_found(data, path)
    return None if found is _MISSING else found


def dig_found(data: Any, path: str) -> Any:
    """Like :func:`dig`, but a missing step gives the :data:`_MISSING` marker, not None."""
    if not path:
        return _MISSING
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


def is_missing(value: Any) -> bool:
    return value is _MISSING


def current_config() -> ApiConfig:
    """The running site's configuration (``settings.ADUAN["channels"]["lapor"]``)."""
    from django.conf import settings

    return api_config(settings.ADUAN.get("channels", {}).get("lapor", {}))
