"""Site folders: ``sites/<name>/site_config.json`` plus the site's database and files.

Kept free of Django imports: settings.py calls it before Django is configured.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

SITE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")

TIME_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


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


def new_site_config(
    *,
    time_zone: str = "Asia/Jakarta",
    language: str = "id",
    db_url: str | None = None,
    redis_url: str | None = None,
    city_name: str = "Kota Contoh",
) -> dict[str, Any]:
    tz = TIME_ZONES.get(time_zone.upper(), time_zone)
    if language not in ("id", "en"):
        raise SiteError(f"language must be 'id' or 'en', not {language!r}")
    config: dict[str, Any] = {
        "secret_key": secrets.token_urlsafe(50),
        "time_zone": tz,
        "language": language,
        "city_name": city_name,
        "deadlines": {
            "verify_working_days": 3,
            "respond_working_days": 5,
            "complete_days": 14,
            "complete_field_check_days": 60,
            "autoclose_working_days": 10,
        },
        "extra_days_off": [],
    }
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
    (folder / "private" / "files").mkdir(parents=True, exist_ok=True)
    config_path.write_text(json.dumps(new_site_config(**options), indent=2) + "\n", encoding="utf-8")
    config_path.chmod(0o600)
    return folder
