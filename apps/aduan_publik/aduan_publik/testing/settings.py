"""Django settings for running a channel plugin's tests outside the hub's repository.

The hub's own ``config/settings.py`` belongs to a bench, not to the installed package, so a
plugin package points pytest here instead (see :mod:`aduan_publik.testing.pytest_plugin`)::

    [tool.pytest.ini_options]
    DJANGO_SETTINGS_MODULE = "aduan_publik.testing.settings"
    addopts = "-p aduan_publik.testing.pytest_plugin"

Everything a test writes lives in a temporary folder (SQLite database, uploaded files).
``ADUAN_REDIS_URL`` picks the Redis (default ``redis://127.0.0.1:6379/15``; use a database of
your own), ``ADUAN_DATABASE_URL`` another database. Jobs run inline, on commit. Channel
plugins with an ``apps`` module are installed as Django apps, as on a real site; channel
settings start empty: set them per test with the ``channel_settings`` fixture.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

import aduan_publik
from aduan_publik.api.conf import API_APPS, REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: F401 (the API, as on a site)
from aduan_publik.channels.registry import plugin_apps
from aduan_publik.sites import DEFAULT_DEADLINES

TEST_DIR = Path(os.environ.get("ADUAN_TEST_DIR") or tempfile.mkdtemp(prefix="aduan-plugin-test-"))
TESTING = True
DEBUG = False
SECRET_KEY = "insecure-key-for-plugin-tests-only"  # noqa: S105 (tests only)
SITE_NAME = "test"
SITE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

INSTALLED_APPS = [
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
    *API_APPS,
    *plugin_apps(),
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Staff sign-in as on a site (config/settings.py, docs/security.md): lockout and second factor.
INSTALLED_APPS += ["aduan_publik.signin_apps.SigninAxesConfig", "django_otp", "django_otp.plugins.otp_totp",
                   "django_otp.plugins.otp_static"]
AUTHENTICATION_BACKENDS = ["aduan_publik.signin_backend.SigninBackend"]
SIGNIN: dict[str, Any] = {"require_2fa_for": [], "failure_limit": 10, "lockout_minutes": 30,
                          "lockout_by": ["username", "ip_address"], "password_min_length": 12}
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "aduan_publik.desk.signin.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
ROOT_URLCONF = "aduan_publik.testing.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "aduan_publik.context_processors.site",
    ]},
}]

DATABASES = {"default": dj_database_url.parse(
    os.environ.get("ADUAN_DATABASE_URL") or f"sqlite:///{TEST_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("ADUAN_REDIS_URL") or "redis://127.0.0.1:6379/15"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                      "KEY_PREFIX": "aduan:plugin-test"}}
_rq = {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300, "ASYNC": False}
RQ_QUEUES = {"default": dict(_rq), "short": dict(_rq), "long": dict(_rq)}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "id"
# The hub's catalogue before the admin app's (see config/settings.py).
LOCALE_PATHS = [Path(aduan_publik.__file__).parent / "locale"]
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(TEST_DIR / "files"), "base_url": "/files/"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = TEST_DIR / "files"
LOGIN_URL = "/desk/login/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "aduan@localhost"

ADUAN: dict[str, Any] = {
    "city_name": "Kota Uji",
    "deadlines": dict(DEFAULT_DEADLINES),
    "extra_days_off": [],
    "holiday_categories": ["public", "government"],
    "max_upload_bytes": 10 * 1024 * 1024,
    "allowed_upload_types": ["image/jpeg", "image/png", "image/webp", "application/pdf", "audio/ogg",
                             "audio/mpeg", "audio/mp4", "video/mp4"],
    "reopen_working_days": 10,
    "channels": {},
    "api": {"rate_per_minute": 120, "anonymous_rate_per_minute": 60, "max_body_bytes": 1024 * 1024},
}
ADUAN_PORTAL_RATES: dict[str, str] = {}
UNFOLD = {"SITE_TITLE": "Aduan Publik", "SITE_HEADER": "Aduan Publik — uji", "SHOW_HISTORY": False,
          "DASHBOARD_CALLBACK": "aduan_publik.desk.dashboard.dashboard_callback"}
