"""Django settings for an aduan_publik bench.

Like a Frappe bench, one code base serves one *site* at a time: the site is chosen by the
``ADUAN_SITE`` environment variable (or ``sites/currentsite.txt``) and its folder
``sites/<name>/`` holds ``site_config.json``, the default SQLite database and uploaded files.

Environment variables override the site config where a process needs it (tests, CI, bench):
``ADUAN_DATABASE_URL``, ``ADUAN_REDIS_URL``, ``ADUAN_SECRET_KEY``, ``ADUAN_DEBUG``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aduan_publik.sites import DEFAULT_DEADLINES, load_site_config, site_dir

BENCH_DIR = Path(__file__).resolve().parent.parent
SITES_DIR = Path(os.environ.get("ADUAN_SITES_DIR", BENCH_DIR / "sites"))
SITE_NAME = os.environ.get("ADUAN_SITE") or (
    (SITES_DIR / "currentsite.txt").read_text().strip()
    if (SITES_DIR / "currentsite.txt").exists()
    else "default"
)
SITE_DIR = site_dir(SITES_DIR, SITE_NAME)
SITE_CONFIG: dict[str, Any] = load_site_config(SITES_DIR, SITE_NAME)

TESTING = os.environ.get("ADUAN_TESTING") == "1"
DEBUG = os.environ.get("ADUAN_DEBUG", str(SITE_CONFIG.get("developer_mode", False))).lower() in (
    "1",
    "true",
)

SECRET_KEY = os.environ.get("ADUAN_SECRET_KEY") or SITE_CONFIG.get("secret_key") or ""
if not SECRET_KEY:
    if not (TESTING or DEBUG):
        # Refusing to start is kinder than running with a guessable key.
        raise RuntimeError(
            f"Site {SITE_NAME!r} has no secret_key: create it with `aduan new-site {SITE_NAME}`"
        )
    SECRET_KEY = "insecure-key-for-tests-and-development-only"  # noqa: S105 (never used in production)

ALLOWED_HOSTS: list[str] = SITE_CONFIG.get("allowed_hosts", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = SITE_CONFIG.get("csrf_trusted_origins", [])
SITE_URL: str = SITE_CONFIG.get("site_url", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # unfold's basic config + the desk's AdminConfig: the desk's own site becomes admin.site.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "aduan_publik.desk.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_rq",
    "aduan_publik",
    "aduan_publik.portal",
    "aduan_publik.broadcasts",
]


def _channel_apps() -> list[str]:
    """Channel plugins that ship models (an ``apps`` module) become Django apps too."""
    import importlib.util
    from importlib.metadata import entry_points

    apps = []
    for ep in entry_points(group="aduan_publik.channels"):
        module = ep.value.split(":")[0]
        try:
            if importlib.util.find_spec(f"{module}.apps") is not None:
                apps.append(module)
        except ModuleNotFoundError:
            continue
    return sorted(set(apps))


INSTALLED_APPS += _channel_apps()

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aduan_publik.context_processors.site",
            ],
        },
    },
]


def _database(url: str) -> dict[str, Any]:
    import dj_database_url

    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        db["OPTIONS"] = {
            # WAL lets the web and the worker read while one writes; IMMEDIATE avoids
            # "database is locked" upgrades from read to write inside a transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    return db


DATABASE_URL = (
    os.environ.get("ADUAN_DATABASE_URL")
    or SITE_CONFIG.get("db_url")
    or f"sqlite:///{SITE_DIR / 'site.sqlite3'}"
)
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = (
    os.environ.get("ADUAN_REDIS_URL") or SITE_CONFIG.get("redis_url") or "redis://127.0.0.1:6379/0"
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"aduan:{SITE_NAME}",
        "TIMEOUT": 300,
    }
}

RQ_ASYNC = not TESTING and os.environ.get("ADUAN_RQ_ASYNC", "1") == "1"
_rq = {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300, "ASYNC": RQ_ASYNC}
RQ_QUEUES = {"default": dict(_rq), "short": dict(_rq), "long": dict(_rq, DEFAULT_TIMEOUT=1800)}
RQ_SHOW_ADMIN_LINK = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = SITE_CONFIG.get("language", "id")
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS: list[Path] = []
TIME_ZONE = SITE_CONFIG.get("time_zone", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BENCH_DIR / "staticfiles"
STORAGES = {
    "default": {
        # Uploaded files live in the site folder and are never served as static files:
        # aduan_publik.views.files streams them after an access check.
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(SITE_DIR / "private" / "files"), "base_url": "/files/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG or TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = SITE_DIR / "private" / "files"

LOGIN_URL = "/desk/login/"
EMAIL_BACKEND = SITE_CONFIG.get("email_backend", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = SITE_CONFIG.get("default_from_email", "aduan@localhost")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The hub's own settings, with site_config.json able to override each key.
ADUAN: dict[str, Any] = {
    "city_name": SITE_CONFIG.get("city_name", "Kota Contoh"),
    "deadlines": {**DEFAULT_DEADLINES, **SITE_CONFIG.get("deadlines", {})},
    "extra_days_off": SITE_CONFIG.get("extra_days_off", []),
    # "government" adds the cuti bersama (joint leave days) to the public holidays.
    "holiday_categories": SITE_CONFIG.get("holiday_categories", ["public", "government"]),
    "max_upload_bytes": int(SITE_CONFIG.get("max_upload_bytes", 10 * 1024 * 1024)),
    "allowed_upload_types": SITE_CONFIG.get(
        "allowed_upload_types",
        [
            "image/jpeg",
            "image/png",
            "image/webp",
            "application/pdf",
            "audio/ogg",
            "audio/mpeg",
            "audio/mp4",
            "video/mp4",
        ],
    ),
    "reopen_working_days": int(SITE_CONFIG.get("reopen_working_days", 10)),
    "channels": SITE_CONFIG.get("channels", {}),
    # Broadcast pacing, tier and prices (aduan_publik/broadcasts/config.py has the defaults).
    "broadcast": SITE_CONFIG.get("broadcast", {}),
}

# Portal rate limits per site, e.g. {"submit_ip": "20/h"} (see aduan_publik/portal/abuse.py).
ADUAN_PORTAL_RATES: dict[str, str] = SITE_CONFIG.get("portal_rates", {})

UNFOLD = {
    "SITE_TITLE": "Aduan Publik",
    "SITE_HEADER": "Aduan Publik — Meja Kerja",
    "SITE_SYMBOL": "campaign",
    "SHOW_HISTORY": False,
    "SHOW_LANGUAGES": True,
    "DASHBOARD_CALLBACK": "aduan_publik.desk.dashboard.dashboard_callback",
    "STYLES": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"aduan_publik": {"level": "INFO"}},
}
