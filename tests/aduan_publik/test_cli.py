"""The ``aduan`` console script, run as a person runs it: a subprocess in a bench folder."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aduan_publik.cli import LOCAL_REDIS_PORT, redis_answers

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "aduan"


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without the test run's site, settings and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "DJANGO_"))}
    env["ADUAN_REDIS_URL"] = os.environ.get("ADUAN_REDIS_URL", "redis://127.0.0.1:6379/9")
    env.update(extra)
    return env


def aduan(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "aduan_publik.cli"]
    return subprocess.run([*command, *args], cwd=cwd, env=clean_env(**env), capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def bench(tmp_path):
    """An empty bench: a folder with config/ and sites/."""
    (tmp_path / "config").mkdir()
    (tmp_path / "sites").mkdir()
    return tmp_path


def test_new_site_writes_a_private_config_and_says_where(bench):
    result = aduan("new-site", "pontianak", "--time-zone", "WIB", "--language", "en",
                   "--city", "Kota Pontianak", cwd=bench / "sites")

    assert result.returncode == 0, result.stderr
    path = bench / "sites" / "pontianak" / "site_config.json"
    assert str(path) in result.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = json.loads(path.read_text())
    assert config["time_zone"] == "Asia/Jakarta"
    assert config["language"] == "en"
    assert config["city_name"] == "Kota Pontianak"
    assert len(config["secret_key"]) >= 50


def test_new_site_refuses_an_existing_site_and_keeps_its_secret(bench):
    assert aduan("new-site", "padang", "--time-zone", "WIT", cwd=bench).returncode == 0
    path = bench / "sites" / "padang" / "site_config.json"
    before = path.read_text()

    result = aduan("new-site", "padang", cwd=bench)

    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert path.read_text() == before
    assert json.loads(before)["time_zone"] == "Asia/Jayapura"


@pytest.mark.parametrize(("args", "message"), [
    (["new-site", "Kota Besar"], "invalid site name"),
    (["new-site", "kota", "--time-zone", "GMT+7"], "unknown time zone"),
    (["new-site", "kota", "--db-url", "mysql://x"], "db_url"),
])
def test_new_site_bad_input_is_a_clear_error_that_changes_nothing(bench, args, message):
    result = aduan(*args, cwd=bench)
    assert result.returncode == 1
    assert message in result.stderr
    assert list((bench / "sites").iterdir()) == []


def test_use_and_list_sites(bench):
    aduan("new-site", "padang", cwd=bench)
    aduan("new-site", "pontianak", cwd=bench)

    assert aduan("use", "pontianak", cwd=bench).returncode == 0
    assert (bench / "sites" / "currentsite.txt").read_text().strip() == "pontianak"
    listing = aduan("list-sites", cwd=bench).stdout.splitlines()
    assert listing == ["  padang", "* pontianak"]

    missing = aduan("use", "bukittinggi", cwd=bench)
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
    assert (bench / "sites" / "currentsite.txt").read_text().strip() == "pontianak"


def test_outside_a_bench_the_cli_says_so(tmp_path):
    result = aduan("list-sites", cwd=tmp_path)
    assert result.returncode == 1
    assert "no bench here" in result.stderr


def test_start_runs_the_bench_redis_only_for_a_site_that_uses_it(bench):
    aduan("new-site", "lokal", "--redis-url", f"redis://127.0.0.1:{LOCAL_REDIS_PORT}/0", cwd=bench)
    aduan("new-site", "bersama", "--redis-url", "redis://127.0.0.1:6379/3", cwd=bench)

    # ADUAN_REDIS_URL would override the site's redis_url: left empty here.
    local = aduan("--site", "lokal", "start", "--dry-run", cwd=bench, ADUAN_BIND="127.0.0.1:8123",
                  ADUAN_REDIS_URL="")
    shared = aduan("--site", "bersama", "start", "--dry-run", cwd=bench, ADUAN_REDIS_URL="")

    assert local.returncode == 0 and shared.returncode == 0
    local_procs = local.stdout.split("--port")[1].split()
    assert local_procs[0] == "8123"
    # A Redis already on the bench port (another `make run`) is used, not started twice.
    expected = ["web", "worker", "scheduler"]
    if not redis_answers(f"redis://127.0.0.1:{LOCAL_REDIS_PORT}"):
        expected.append("redis")
    assert local_procs[1:] == expected
    assert shared.stdout.split("--port")[1].split() == ["8000", "web", "worker", "scheduler"]
    assert "not the bench's own" in shared.stdout
    assert f"--procfile {bench / 'Procfile'}" in shared.stdout


def test_start_refuses_a_missing_site(bench):
    result = aduan("--site", "nowhere", "start", "--dry-run", cwd=bench)
    assert result.returncode == 1
    assert "aduan new-site nowhere" in result.stderr


def test_django_commands_run_for_the_chosen_site(tmp_path):
    """``aduan --site X migrate`` reaches Django with the site's config: its SQLite file fills up."""
    sites_dir = tmp_path / "sites"
    env = {"ADUAN_BENCH": str(ROOT), "ADUAN_SITES_DIR": str(sites_dir)}
    assert aduan("new-site", "kota", cwd=tmp_path, **env).returncode == 0

    migrated = aduan("--site", "kota", "migrate", "--noinput", cwd=tmp_path, **env)

    assert migrated.returncode == 0, migrated.stderr
    database = sites_dir / "kota" / "site.sqlite3"
    with sqlite3.connect(database) as db:
        applied = {app for (app,) in db.execute("select distinct app from django_migrations")}
        journal = db.execute("pragma journal_mode").fetchone()[0]
    assert {"aduan_publik", "auth"} <= applied
    assert journal == "wal"
    unknown = aduan("--site", "lain", "check", cwd=tmp_path, **env)
    assert unknown.returncode == 1
    assert "does not exist" in unknown.stderr


def test_without_a_command_the_cli_prints_its_usage(bench):
    result = aduan(cwd=bench)
    assert result.returncode == 2
    assert "new-site" in result.stdout
