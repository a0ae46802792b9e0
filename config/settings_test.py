"""Settings for the test suite: a throwaway site folder, inline jobs on a real Redis.

``ADUAN_DATABASE_URL`` picks the database (SQLite by default; CI runs again on PostgreSQL),
``ADUAN_REDIS_URL`` the Redis (db 9 of 127.0.0.1:6379 by default).
"""

import os
import tempfile

os.environ.setdefault("ADUAN_TESTING", "1")
os.environ.setdefault("ADUAN_SITE", "test")
os.environ.setdefault("ADUAN_SITES_DIR", tempfile.mkdtemp(prefix="aduan-test-sites-"))
os.environ.setdefault("ADUAN_REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("ADUAN_DATABASE_URL", "sqlite:///" + os.path.join(os.environ["ADUAN_SITES_DIR"], "test.sqlite3"))

from .settings import *  # noqa: F403
from .settings import ADUAN

ADUAN["channels"] = {}
ADUAN["demo_site"] = True  # a throwaway site: seed_demo may build the demo city (test_demo_guard turns it off)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the app finders in tests (the live server serves them); no collectstatic.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
# The SQLite test database is a file, not shared-cache memory: concurrency tests (threads with
# their own connections, real rq worker processes) need real locking and one database for all.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["ADUAN_SITES_DIR"], "test-db.sqlite3")}  # noqa: F405
# Tests run in a transaction that never commits, so the on-commit refresh jobs of the figures'
# aggregates never run there: the aggregate reads refresh the complaints marked stale first.
ADUAN_FIGURES_SETTLE = True
