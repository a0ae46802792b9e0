"""Django settings for an aduan_publik bench.

Like a Frappe bench, one code base serves one *site* at a time: the site is chosen by the
``ADUAN_SITE`` environment variable (or ``sites/currentsite.txt``) and its folder
``sites/<name>/`` holds ``site_config.json``, the default SQLite database and uploaded files.

Environment variables override the site config where a process needs it (tests, CI, bench):
``ADUAN_DATABASE_URL``, ``ADUAN_REDIS_URL``, ``ADUAN_SECRET_KEY``, ``ADUAN_DEBUG``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _lazy

import aduan_publik
from aduan_publik.sites import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_DEADLINES,
    DEFAULT_SITE_URL,
    load_site_config,
    site_dir,
)
from aduan_publik.storage import private_storage

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

ALLOWED_HOSTS: list[str] = SITE_CONFIG.get("allowed_hosts", list(DEFAULT_ALLOWED_HOSTS))
CSRF_TRUSTED_ORIGINS: list[str] = SITE_CONFIG.get("csrf_trusted_origins", [])
SITE_URL: str = SITE_CONFIG.get("site_url", DEFAULT_SITE_URL)
# HTTPS behind a reverse proxy (docs/whatsapp.md): the proxy's scheme and host headers are
# trusted only when the site says so, e.g. "secure_proxy_ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"].
if SITE_CONFIG.get("secure_proxy_ssl_header"):
    SECURE_PROXY_SSL_HEADER = tuple(SITE_CONFIG["secure_proxy_ssl_header"])
USE_X_FORWARDED_HOST = bool(SITE_CONFIG.get("use_x_forwarded_host", False))
# HTTPS (docs/deploy.md): all off by default so http://127.0.0.1:8000 keeps working; a public site
# turns them on, and `manage.py check --deploy` is then clean.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = bool(SITE_CONFIG.get("secure_cookies", False))
SECURE_SSL_REDIRECT = bool(SITE_CONFIG.get("ssl_redirect", False))
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # a load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = int(SITE_CONFIG.get("hsts_seconds", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(SITE_CONFIG.get("hsts_include_subdomains", False))
SECURE_HSTS_PRELOAD = bool(SITE_CONFIG.get("hsts_preload", False))

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
# The integrator API (REST + Open311): its apps and framework settings live with it.
from aduan_publik.api.conf import API_APPS, REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402,F401

INSTALLED_APPS += API_APPS


def _channel_apps() -> list[str]:
    """Channel plugins that ship models (an ``apps`` module) become Django apps too.

    A plugin that raises on import is left out (logged; ``aduan check`` reports it as
    aduan_publik.E001) so that one broken package cannot stop the hub.
    """
    from aduan_publik.channels.registry import plugin_apps

    return plugin_apps()


INSTALLED_APPS += _channel_apps()

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "aduan_publik.security_headers.SecurityHeadersMiddleware",  # CSP, Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Behind a reverse proxy (docs/deploy.md) every request comes from the proxy's address: with
# "proxy_depth": N (the proxies that each append to X-Forwarded-For; 1 for nginx or Caddy alone) the
# client's address, as the last trusted proxy saw it, becomes REMOTE_ADDR for the rate limits, the
# sign-in lockout and the audit trail. Left out (0), the header is ignored: a client could forge it.
XFF_TRUSTED_PROXY_DEPTH = int(SITE_CONFIG.get("proxy_depth", 0))
if XFF_TRUSTED_PROXY_DEPTH:
    MIDDLEWARE.insert(0, "xff.middleware.XForwardedForMiddleware")

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
    elif db["ENGINE"].startswith("django.db.backends.postgresql"):
        # No JIT: the hub's queries are short, and compiling one that crosses the cost threshold
        # took ~280 ms at 1M complaints (more than the query itself). A URL's own options win.
        options = db.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, ["-c jit=off", options.get("options", "")]))
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

# ---- staff sign-in (docs/security.md): lockout (django-axes), TOTP (django-otp), password policy ----
# site_config.json "auth" overrides each key.
SIGNIN: dict[str, Any] = {
    "require_2fa_for": [],  # roles that must use a second factor: "admin", "leader", "liaison", "operator"
    "failure_limit": 10,  # failed sign-ins before the account or the address is locked
    "lockout_minutes": 30,  # how long a lock lasts (a failure during the lock starts it again)
    "lockout_by": ["username", "ip_address"],  # each counted on its own; drop "ip_address" behind a shared NAT
    "password_min_length": 12,
    **SITE_CONFIG.get("auth", {}),
}
INSTALLED_APPS += ["aduan_publik.signin_apps.SigninAxesConfig", "django_otp",
                   "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_otp.middleware.OTPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes asks
# The axes backend refuses a locked account or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["aduan_publik.signin_backend.SigninBackend"]
AXES_FAILURE_LIMIT = int(SIGNIN["failure_limit"])
AXES_COOLOFF_TIME = timedelta(minutes=int(SIGNIN["lockout_minutes"]))
AXES_LOCKOUT_PARAMETERS = list(SIGNIN["lockout_by"])
AXES_LOCKOUT_CALLABLE = "aduan_publik.desk.signin.lockout_response"
AXES_ENABLE_ADMIN = False  # the desk has its own (unfold) list with an unlock action
AXES_SENSITIVE_PARAMETERS = ["ip_address", "token"]
AXES_VERBOSE = False
OTP_TOTP_ISSUER = f"Aduan Publik {SITE_CONFIG.get('city_name', 'Kota Contoh')}".strip()
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(SIGNIN["password_min_length"])}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "aduan_publik.passwords.PublishedPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = SITE_CONFIG.get("language", "id")
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
# The hub's catalogue first: the desk's admin app comes before it in INSTALLED_APPS, and Django's
# Indonesian admin catalogue "translates" some words as English ("None" stays "None").
LOCALE_PATHS: list[Path] = [Path(aduan_publik.__file__).parent / "locale"]
TIME_ZONE = SITE_CONFIG.get("time_zone", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BENCH_DIR / "staticfiles"
STORAGES = {
    # Uploaded files live in the site folder (or the site's S3 bucket, docs/storage.md) and are never
    # served as static files or bucket URLs: aduan_publik.views.files streams them after an access check.
    "default": private_storage(SITE_CONFIG.get("storage"), str(SITE_DIR / "private" / "files")),
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
    "city_name": SITE_CONFIG.get("city_name", "Kota Pontianak" if SITE_CONFIG.get("demo") else "Kota Contoh"),
    # A demo site (`aduan new-site NAME --demo`): seed_demo may create its published logins.
    "demo_site": bool(SITE_CONFIG.get("demo", False)),
    "deadlines": {**DEFAULT_DEADLINES, **SITE_CONFIG.get("deadlines", {})},
    "extra_days_off": SITE_CONFIG.get("extra_days_off", []),
    # "government" adds the cuti bersama (joint leave days) to the public holidays.
    "holiday_categories": SITE_CONFIG.get("holiday_categories", ["public", "government"]),
    "max_upload_bytes": int(SITE_CONFIG.get("max_upload_bytes", 10 * 1024 * 1024)),
    # Hard cap on one webhook delivery (Meta documents payloads of up to 3 MB); above it the
    # delivery is kept as "rejected" with the reason (aduan_publik.views.webhooks).
    "webhook_max_bytes": int(SITE_CONFIG.get("webhook_max_bytes", 8 * 1024 * 1024)),
    # Personal data (docs/privacy.md): contact_retention_years = erase a reporter's identity N years
    # after their last complaint closed (None: kept until erased on request).
    "privacy": {"contact_retention_years": None, **SITE_CONFIG.get("privacy", {})},
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
    # Integrators' outgoing webhooks: retry_hours, backoff, timeout (docs/webhooks.md).
    "outgoing_webhooks": SITE_CONFIG.get("outgoing_webhooks", {}),
    # Staff notifications: SMTP of this site, escalation levels, the daily digest (docs/notifications.md).
    "notify": {
        "smtp": {},  # {"host", "port", "username", "password", "use_tls", "use_ssl", "timeout", "from_email"}
        "escalation": [
            {"level": "pengingat", "offset_working_days": -1, "notify": ["liaison", "operator"]},
            {"level": "batas_waktu", "offset_working_days": 0, "notify": ["liaison", "operator", "opd_head"]},
            {"level": "pimpinan", "offset_working_days": 2, "notify": ["admin", "leader"]},
        ],
        "digest_hour": 7,
        **SITE_CONFIG.get("notify", {}),
    },
    # Fernet keys for the Channel documents' secrets, newest first (aduan_publik.channels.secrets);
    # `aduan new-site` writes one, `aduan --site NAME rotate_channel_key` replaces it.
    "channel_keys": SITE_CONFIG.get("channel_keys", []),
    # Broadcast pacing, tier and prices (aduan_publik/broadcasts/config.py has the defaults).
    "broadcast": SITE_CONFIG.get("broadcast", {}),
}

# The integrator API per site: {"rate_per_minute": 120, "max_body_bytes": 1048576} (docs/api.md).
ADUAN["api"] = {"rate_per_minute": 120, "anonymous_rate_per_minute": 60, "max_body_bytes": 1024 * 1024,
                **SITE_CONFIG.get("api", {})}

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
    # The user menu: the password and the account's own sign-in security (docs/security.md).
    "ACCOUNT": {"navigation": [
        {"title": _lazy("Ubah kata sandi"), "link": reverse_lazy("admin:password_change")},
        {"title": _lazy("Keamanan akun"), "link": reverse_lazy("admin:desk_security")},
    ]},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"aduan_publik": {"level": "INFO"}},
}
