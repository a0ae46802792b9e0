"""Behind the reverse proxy every request came from 127.0.0.1: one resident's failures counted for the
whole city. With the site key ``proxy_depth`` the client's address comes from X-Forwarded-For, as the
trusted proxy wrote it (docs/deploy.md); without it the header is ignored (a client could forge it)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from aduan_publik.models import Event

pytestmark = pytest.mark.django_db
BENCH = Path(__file__).resolve().parents[3]
PROXIED = ["xff.middleware.XForwardedForMiddleware", *settings.MIDDLEWARE]
LOGIN = "/desk/login/?next=/desk/"


def _failed_from(forwarded_for: str) -> str:
    """Sign in wrongly through the proxy (REMOTE_ADDR 127.0.0.1); the address the audit trail recorded."""
    Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for).post(
        LOGIN, {"username": "admin1", "password": "salah-sekali"})
    return Event.objects.filter(verb="login_failed").latest("pk").data["ip"]


@override_settings(MIDDLEWARE=PROXIED, XFF_TRUSTED_PROXY_DEPTH=1)
def test_behind_one_proxy_the_client_address_is_the_one_the_proxy_saw(admin_user):
    assert _failed_from("203.0.113.7") == "203.0.113.7"
    # A client that sends its own header: nginx appends the real address, only that one is trusted.
    assert _failed_from("10.9.9.9, 198.51.100.20") == "198.51.100.20"


def test_without_proxy_depth_the_header_is_ignored(admin_user):
    assert settings.XFF_TRUSTED_PROXY_DEPTH == 0 and "xff.middleware.XForwardedForMiddleware" not in settings.MIDDLEWARE
    assert _failed_from("203.0.113.7") == "127.0.0.1"


def test_the_site_key_turns_the_middleware_on(tmp_path):
    site = tmp_path / "prod"
    site.mkdir()
    (site / "site_config.json").write_text(json.dumps({"secret_key": secrets.token_urlsafe(50), "proxy_depth": 1}))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ADUAN_SITES_DIR": str(tmp_path),
           "ADUAN_SITE": "prod"}
    for name in ("ADUAN_TESTING", "ADUAN_SECRET_KEY", "ADUAN_DEBUG"):
        env.pop(name, None)
    code = "from django.conf import settings as s; print(s.MIDDLEWARE[0], s.XFF_TRUSTED_PROXY_DEPTH)"
    done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=BENCH, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.split() == ["xff.middleware.XForwardedForMiddleware", "1"], done.stderr[-2000:]
