"""The public address of a site that takes webhooks: system-check warnings, and the proxy settings
read from the site config (``aduan --site NAME check`` as an admin runs it)."""

from __future__ import annotations

import json

import pytest

from aduan_publik.checks import public_address_configured
from tests.aduan_publik.test_cli import ROOT, aduan

WHATSAPP = {"whatsapp": {"phone_number_id": "1", "access_token": "t", "app_secret": "s", "verify_token": "v"}}


def _ids(settings, **site) -> list[str]:
    settings.ADUAN = {**settings.ADUAN, "channels": site.pop("channels", WHATSAPP)}
    for key, value in site.items():
        setattr(settings, key, value)
    return sorted(m.id for m in public_address_configured(None))


def test_defaults_with_a_channel_warn_about_both(settings):
    assert _ids(settings, SITE_URL="http://127.0.0.1:8000",
                ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"]) == ["aduan_publik.W010", "aduan_publik.W011"]


def test_defaults_without_a_channel_are_fine(settings):
    assert _ids(settings, channels={}, SITE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1"]) == []


@pytest.mark.parametrize(("site_url", "allowed", "expected"), [
    ("https://aduan.kotacontoh.go.id", ["aduan.kotacontoh.go.id", "127.0.0.1"], []),
    ("https://aduan.kotacontoh.go.id/", [".kotacontoh.go.id"], []),
    ("https://aduan.kotacontoh.go.id", ["lapor.kotacontoh.go.id"], ["aduan_publik.W011"]),
    ("http://aduan.kotacontoh.go.id", ["aduan.kotacontoh.go.id"], ["aduan_publik.W012"]),
    ("aduan.kotacontoh.go.id", ["aduan.kotacontoh.go.id"], ["aduan_publik.W010"]),
])
def test_public_address_is_validated(settings, site_url, allowed, expected):
    assert _ids(settings, SITE_URL=site_url, ALLOWED_HOSTS=allowed) == expected


def test_aduan_check_reports_it_and_the_proxy_settings_come_from_the_site(tmp_path):
    sites_dir = tmp_path / "sites"
    env = {"ADUAN_BENCH": str(ROOT), "ADUAN_SITES_DIR": str(sites_dir)}
    assert aduan("new-site", "kota", cwd=tmp_path, **env).returncode == 0
    path = sites_dir / "kota" / "site_config.json"
    config = json.loads(path.read_text())
    path.write_text(json.dumps({**config, "channels": WHATSAPP}))
    checked = aduan("--site", "kota", "check", cwd=tmp_path, **env)
    assert checked.returncode == 0, checked.stderr
    assert "aduan_publik.W010" in checked.stderr and "aduan_publik.W011" in checked.stderr

    path.write_text(json.dumps({**config, "channels": WHATSAPP, "site_url": "https://aduan.kotacontoh.go.id",
                                "allowed_hosts": ["aduan.kotacontoh.go.id"],
                                "secure_proxy_ssl_header": ["HTTP_X_FORWARDED_PROTO", "https"],
                                "use_x_forwarded_host": True}))
    checked = aduan("--site", "kota", "check", cwd=tmp_path, **env)
    assert checked.returncode == 0 and "W01" not in checked.stderr + checked.stdout
    shown = aduan("--site", "kota", "shell", "-c",
                  "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.USE_X_FORWARDED_HOST)",
                  cwd=tmp_path, **env)
    assert shown.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https') True", shown.stderr


def test_new_site_with_its_public_address_passes_the_check(tmp_path):
    sites_dir = tmp_path / "sites"
    env = {"ADUAN_BENCH": str(ROOT), "ADUAN_SITES_DIR": str(sites_dir)}
    created = aduan("new-site", "kota", "--site-url", "https://Aduan.KotaContoh.go.id/", cwd=tmp_path, **env)
    assert created.returncode == 0, created.stderr
    path = sites_dir / "kota" / "site_config.json"
    config = json.loads(path.read_text())
    assert config["site_url"] == "https://Aduan.KotaContoh.go.id"
    assert config["allowed_hosts"][0] == "aduan.kotacontoh.go.id" and "127.0.0.1" in config["allowed_hosts"]
    assert config["csrf_trusted_origins"] == ["https://Aduan.KotaContoh.go.id"]
    path.write_text(json.dumps({**config, "channels": WHATSAPP}))
    checked = aduan("--site", "kota", "check", cwd=tmp_path, **env)
    assert checked.returncode == 0 and "W01" not in checked.stderr + checked.stdout, checked.stderr


def test_new_site_refuses_an_address_without_a_scheme(tmp_path):
    env = {"ADUAN_BENCH": str(ROOT), "ADUAN_SITES_DIR": str(tmp_path / "sites")}
    refused = aduan("new-site", "kota", "--site-url", "aduan.kotacontoh.go.id", cwd=tmp_path, **env)
    assert refused.returncode != 0 and "site_url" in refused.stderr
    assert not (tmp_path / "sites" / "kota").exists()
