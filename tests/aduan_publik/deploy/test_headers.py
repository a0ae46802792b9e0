"""Issue 14 point 4: HTTPS settings from the site config, CSP and Permissions-Policy, no-store tracking pages."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

BENCH = Path(settings.BENCH_DIR)
PRODUCTION = {
    "site_url": "https://aduan.pontianak.go.id",
    "allowed_hosts": ["aduan.pontianak.go.id"],
    "csrf_trusted_origins": ["https://aduan.pontianak.go.id"],
    "secure_proxy_ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"],
    "secure_cookies": True,
    "ssl_redirect": True,
    "hsts_seconds": 31536000,
    "hsts_include_subdomains": True,
    "hsts_preload": True,
    "auth": {"require_2fa_for": ["admin"]},
}


def directives(policy: str) -> dict[str, list[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
def test_portal_pages_get_a_strict_policy(client):
    for url in ("/", "/lacak/", "/publik/", "/statistik/", "/aduan/baru/"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], url
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
        assert "geolocation=(self)" in response["Permissions-Policy"] and "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_portal_templates_carry_no_inline_script_or_style(client):
    """What the strict policy would block: style attributes and inline <script> code."""
    for url in ("/", "/statistik/", "/aduan/baru/", "/lacak/"):
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        for chunk in html.split("<script")[1:]:
            tag = chunk.partition(">")[0]
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


@pytest.mark.django_db
def test_desk_gets_its_own_policy(client, admin_user):
    response = client.get("/desk/login/")
    csp = directives(response["Content-Security-Policy"])
    assert "'unsafe-eval'" in csp["script-src"]  # Alpine.js in unfold
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert "Permissions-Policy" in response


@pytest.mark.django_db
def test_tracking_pages_are_never_cached(client, complaint):
    for url in ("/lacak/", f"/lacak/{complaint.tracking_number}/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
    assert "no-store" not in client.get("/publik/").get("Cache-Control", "")


@pytest.mark.django_db
def test_ssl_redirect_spares_the_health_probes(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        page = client.get("/lacak/")
    assert page.status_code == 301 and page["Location"].startswith("https://")


def _check_deploy(tmp_path: Path, config: dict) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "prod"
    site.mkdir()
    (site / "site_config.json").write_text(json.dumps({"secret_key": secrets.token_urlsafe(50), **config}))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ADUAN_SITES_DIR": str(tmp_path),
           "ADUAN_SITE": "prod", "ADUAN_REDIS_URL": settings.REDIS_URL}
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests in this process, an error under --deploy.
    for name in ("ADUAN_TESTING", "ADUAN_SECRET_KEY", "ADUAN_DATABASE_URL", "ADUAN_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=BENCH, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_on_a_production_site(tmp_path):
    done = _check_deploy(tmp_path, PRODUCTION)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "System check identified no issues" in done.stdout


@pytest.mark.parametrize("roles", [[], ["operator", "liaison"]])
def test_check_deploy_warns_when_admins_need_no_second_factor(tmp_path, roles):
    done = _check_deploy(tmp_path, {**PRODUCTION, "auth": {"require_2fa_for": roles}})
    assert done.returncode == 1
    assert "aduan_publik.W030" in done.stderr and "require_2fa_for" in done.stderr
    assert "security.W" not in done.stderr  # the HTTPS keys are all there: only the second factor is missing


def test_check_deploy_names_what_a_site_without_https_keys_lacks(tmp_path):
    bare = {k: v for k, v in PRODUCTION.items() if k in ("site_url", "allowed_hosts", "csrf_trusted_origins")}
    done = _check_deploy(tmp_path, bare)
    assert done.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr
