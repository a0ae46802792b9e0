"""Site folders: creation, validation, the current site and bench discovery (no Django needed)."""

from __future__ import annotations

import json
import stat

import pytest

from aduan_publik import sites


def test_create_site_writes_a_private_config_with_a_fresh_secret(tmp_path):
    folder = sites.create_site(tmp_path, "pontianak", time_zone="WIB", city_name="Kota Pontianak")
    other = sites.create_site(tmp_path, "padang")

    path = folder / "site_config.json"
    config = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(config["secret_key"]) >= 50
    assert config["secret_key"] != json.loads((other / "site_config.json").read_text())["secret_key"]
    assert config["time_zone"] == "Asia/Jakarta"
    assert config["city_name"] == "Kota Pontianak"
    assert config["deadlines"]["verify_working_days"] == 3
    assert config["extra_days_off"] == [] and config["channels"] == {}
    assert "db_url" not in config  # default: SQLite in the site folder (config/settings.py)
    assert (folder / "private" / "files").is_dir()


@pytest.mark.parametrize(("given", "expected"), [
    ("WIB", "Asia/Jakarta"), ("wita", "Asia/Makassar"), ("WIT", "Asia/Jayapura"),
    ("Asia/Pontianak", "Asia/Pontianak"),
])
def test_time_zone_names_resolve(given, expected):
    assert sites.resolve_time_zone(given) == expected


@pytest.mark.parametrize("options", [
    {"time_zone": "Mars/Olympus"},
    {"language": "fr"},
    {"db_url": "mysql://root@localhost/aduan"},
    {"redis_url": "127.0.0.1:6379"},
])
def test_bad_options_are_refused_and_nothing_is_written(tmp_path, options):
    with pytest.raises(sites.SiteError):
        sites.create_site(tmp_path, "kota", **options)
    assert not (tmp_path / "kota").exists()


@pytest.mark.parametrize("name", ["Kota", "../etc", "", "-x", "a b", "x" * 64])
def test_invalid_site_names_are_refused(tmp_path, name):
    with pytest.raises(sites.SiteError, match="invalid site name"):
        sites.create_site(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_site_is_never_overwritten(tmp_path):
    folder = sites.create_site(tmp_path, "kota", db_url="postgres://postgres@127.0.0.1/kota")
    before = (folder / "site_config.json").read_text()
    with pytest.raises(sites.SiteError, match="already exists"):
        sites.create_site(tmp_path, "kota")
    assert (folder / "site_config.json").read_text() == before
    assert json.loads(before)["db_url"] == "postgres://postgres@127.0.0.1/kota"


def test_list_use_and_current_site(tmp_path):
    assert sites.list_sites(tmp_path / "missing") == []
    sites.create_site(tmp_path, "padang")
    sites.create_site(tmp_path, "pontianak")
    (tmp_path / "not-a-site").mkdir()
    assert sites.list_sites(tmp_path) == ["padang", "pontianak"]
    assert sites.current_site(tmp_path) is None

    sites.use_site(tmp_path, "pontianak")
    assert sites.current_site(tmp_path) == "pontianak"
    with pytest.raises(sites.SiteError, match="does not exist"):
        sites.use_site(tmp_path, "not-a-site")
    assert sites.current_site(tmp_path) == "pontianak"


def test_load_site_config_reports_broken_json(tmp_path):
    assert sites.load_site_config(tmp_path, "none") == {}
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "site_config.json").write_text("{not json")
    with pytest.raises(sites.SiteError, match="not valid JSON"):
        sites.load_site_config(tmp_path, "broken")


def test_find_bench_walks_up_to_the_folder_with_config_and_sites(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "sites" / "kota" / "private").mkdir(parents=True)
    assert sites.find_bench(tmp_path / "sites" / "kota" / "private") == tmp_path
    assert sites.find_bench(tmp_path.parent) is None or sites.find_bench(tmp_path.parent) != tmp_path
