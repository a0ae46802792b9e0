"""Site folders: ``sites/<name>/site_config.json`` plus the site's database and files.

Kept free of Django imports: settings.py and the ``aduan`` CLI call it before Django is
configured. A *bench* is the folder holding ``config/`` and ``sites/`` (like a Frappe bench);
``sites/currentsite.txt`` names the site used when none is given.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SITE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")

# Stage durations when a site says nothing (the domain brief's figures); settings.py and
# new sites both start from these.
DEFAULT_DEADLINES: dict[str, int] = {
    "verify_working_days": 3,
    "respond_working_days": 5,
    "complete_days": 14,
    "complete_field_check_days": 60,
    "autoclose_working_days": 10,
}

# The public address when a site says nothing: fine on one machine, wrong for any webhook or
# link that leaves it (a system check warns once a channel is configured).
DEFAULT_ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
DEFAULT_SITE_URL = "http://127.0.0.1:8000"

DEFAULT_CITY_NAME = "Kota Contoh"
DEMO_CITY_NAME = "Kota Pontianak"  # the city seed_demo's data is modelled on (aduan_publik.demo)
TIME_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
DB_SCHEMES = ("sqlite://", "postgres://", "postgresql://", "pgsql://")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
CURRENT_SITE_FILE = "currentsite.txt"


class SiteError(ValueError):
    """A site name or config is unusable; the message says why."""


def site_dir(sites_dir: Path, name: str) -> Path:
    if not SITE_NAME_RE.match(name):
        raise SiteError(f"invalid site name {name!r}: use lowercase letters, digits, '.', '-', '_'")
    return sites_dir / name


def load_site_config(sites_dir: Path, name: str) -> dict[str, Any]:
    """Return the site's config, or {} when the site does not exist yet."""
    path = site_dir(sites_dir, name) / "site_config.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SiteError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SiteError(f"{path}: must hold a JSON object")
    return data


def resolve_time_zone(value: str) -> str:
    """``WIB``/``WITA``/``WIT`` or an IANA ``Area/City`` name, checked against the tz database."""
    tz = TIME_ZONES.get(value.strip().upper(), value.strip())
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteError(f"unknown time zone {value!r}: use WIB, WITA, WIT or an Area/City name") from None
    return tz


def _check_url(kind: str, url: str | None, schemes: tuple[str, ...]) -> None:
    if url is not None and not url.startswith(schemes):
        raise SiteError(f"{kind} {url!r} must start with one of: {', '.join(schemes)}")


def public_address(site_url: str) -> dict[str, Any]:
    """``site_url``, ``allowed_hosts`` and ``csrf_trusted_origins`` for a public ``http(s)://host`` address."""
    parts = urlsplit(site_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(f"site_url {site_url!r} must be a full address such as https://aduan.kotacontoh.go.id")
    origin = f"{parts.scheme}://{parts.netloc}"
    return {
        "site_url": origin + parts.path.rstrip("/"),
        "allowed_hosts": [parts.hostname, *DEFAULT_ALLOWED_HOSTS],
        "csrf_trusted_origins": [origin],
    }


def new_site_config(
    *,
    time_zone: str = "Asia/Jakarta",
    language: str = "id",
    db_url: str | None = None,
    redis_url: str | None = None,
    city_name: str | None = None,
    site_url: str | None = None,
    demo: bool = False,
) -> dict[str, Any]:
    """A fresh site config with a generated secret key; bad values raise :class:`SiteError`.

    Without ``db_url`` the site uses SQLite (WAL) in its own folder; without ``redis_url``
    the Redis at 127.0.0.1:6379 (see config/settings.py). A ``site_url`` also sets
    ``allowed_hosts`` and ``csrf_trusted_origins`` for its host (see :func:`public_address`).
    ``demo`` marks a demo site (``seed_demo`` may create its published logins), named after the
    demo data's city unless ``city_name`` says otherwise.
    """
    tz = resolve_time_zone(time_zone)
    if language not in ("id", "en"):
        raise SiteError(f"language must be 'id' or 'en', not {language!r}")
    _check_url("db_url", db_url, DB_SCHEMES)
    _check_url("redis_url", redis_url, REDIS_SCHEMES)
    config: dict[str, Any] = {
        "secret_key": secrets.token_urlsafe(50),
        "time_zone": tz,
        "language": language,
        "city_name": city_name or (DEMO_CITY_NAME if demo else DEFAULT_CITY_NAME),
        "deadlines": dict(DEFAULT_DEADLINES),
        "extra_days_off": [],
        "channels": {},
        # The Fernet key of the Channel documents' secrets (32 random bytes, url-safe base64).
        "channel_keys": [base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()],
    }
    if demo:
        config["demo"] = True
    if site_url:
        config.update(public_address(site_url))
    if db_url:
        config["db_url"] = db_url
    if redis_url:
        config["redis_url"] = redis_url
    return config


def create_site(sites_dir: Path, name: str, **options: Any) -> Path:
    """Create ``sites/<name>/`` with a fresh config (secret key generated here, never committed)."""
    folder = site_dir(sites_dir, name)
    config_path = folder / "site_config.json"
    if config_path.exists():
        raise SiteError(f"site {name!r} already exists at {folder}")
    config = new_site_config(**options)  # validate before touching the disk
    (folder / "private" / "files").mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start: the secret key is never readable by others, not even briefly.
    fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(config, indent=2) + "\n")
    return folder


def list_sites(sites_dir: Path) -> list[str]:
    """Names of the sites in ``sites_dir`` (folders holding a site_config.json), sorted."""
    if not sites_dir.is_dir():
        return []
    return sorted(
        p.name for p in sites_dir.iterdir()
        if (p / "site_config.json").is_file() and SITE_NAME_RE.match(p.name)
    )


def current_site(sites_dir: Path) -> str | None:
    """The site named in ``sites/currentsite.txt``, or None."""
    path = sites_dir / CURRENT_SITE_FILE
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def use_site(sites_dir: Path, name: str) -> Path:
    """Make ``name`` the bench's current site; it must exist."""
    if name not in list_sites(sites_dir):
        site_dir(sites_dir, name)  # a bad name gets the name error, not "does not exist"
        raise SiteError(f"site {name!r} does not exist in {sites_dir}: create it with `aduan new-site {name}`")
    path = sites_dir / CURRENT_SITE_FILE
    path.write_text(name + "\n", encoding="utf-8")
    return path


def find_bench(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding both ``config/`` and ``sites/``."""
    for folder in (start, *start.parents):
        if (folder / "config").is_dir() and (folder / "sites").is_dir():
            return folder
    return None
