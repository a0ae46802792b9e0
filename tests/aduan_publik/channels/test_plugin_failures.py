"""A channel plugin that raises on import is logged, reported by the system check, and left out.

The hub itself is started in a subprocess, the way an operator starts it, with the broken
plugins installed as real distributions (``*.dist-info/entry_points.txt``) on its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks

from aduan_publik.channels import registry
from aduan_publik.testing.entry_points import installed_channels, write_distribution

BENCH = Path(django_settings.BENCH_DIR)
RAISES = 'raise RuntimeError("kunci API belum diisi")\n'
PROBE = """
import django
django.setup()
from django.test import Client
from aduan_publik.channels.registry import all_channels
print("channels:", ",".join(sorted(all_channels())))
print("webhook:", Client().get("/channels/kaput/webhook", HTTP_HOST="localhost").status_code)
print("web:", Client().get("/channels/web/webhook", HTTP_HOST="localhost").status_code)
"""


@pytest.fixture
def broken_plugins(tmp_path):
    """A package with models (``apps.py``) that raises on import, and a plain module that does too."""
    root = tmp_path / "plugins"
    package = root / "aduan_kaput"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Broken on purpose."""\n' + RAISES)
    (package / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass KaputConfig(AppConfig):\n"
        "    name = 'aduan_kaput'\n    label = 'aduan_kaput'\n")
    write_distribution(root, "aduan_kaput", {"kaput": "aduan_kaput:KaputChannel", "rusak": "aduan_rusak:Rusak"},
                       modules={"aduan_rusak": RAISES})
    return root


def _run(args: list[str], plugins: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "PYTHONPATH": os.pathsep.join([str(plugins), str(BENCH)])}
    return subprocess.run([sys.executable, *args], cwd=BENCH, env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def test_check_reports_plugins_that_raise_on_import(broken_plugins):
    done = _run(["manage.py", "check"], broken_plugins)
    assert "SystemCheckError: System check identified some issues" in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1  # an error: a deployment script notices
    assert "aduan_publik.E001" in done.stderr
    assert "'kaput' (aduan_kaput:KaputChannel) failed to import" in done.stderr
    assert "'rusak' (aduan_rusak:Rusak) failed to import" in done.stderr
    assert "RuntimeError: kunci API belum diisi" in done.stderr


def test_hub_runs_without_the_broken_plugins(broken_plugins):
    done = _run(["-c", PROBE], broken_plugins)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert {"web", "manual", "whatsapp", "lapor"} <= set(lines["channels"].split(","))
    assert not {"kaput", "rusak"} & set(lines["channels"].split(","))
    assert lines["webhook"] == "404" and lines["web"] == "403"  # unknown channel; a working one answers
    assert "failed to import" in done.stderr  # logged


@pytest.mark.live
def test_worker_starts_beside_a_broken_plugin(broken_plugins):
    """The Procfile's worker skips system checks: one broken plugin does not stop every channel's jobs."""
    procfile = (BENCH / "Procfile").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    assert "--skip-checks" in worker
    done = _run(["manage.py", "rqworker", "--skip-checks", "--burst", "default"], broken_plugins)
    assert done.returncode == 0, done.stderr[-3000:]


def test_contract_breakers_are_system_check_errors(tmp_path):
    points = {"notachannel": "plugin_nc:NotAChannel"}
    with installed_channels(tmp_path, points, modules={"plugin_nc": "class NotAChannel:\n    name = 'x'\n"}):
        errors = [m for m in run_checks() if m.id in ("aduan_publik.E001", "aduan_publik.E002")]
        assert [f.name for f in registry.load_failures()] == ["notachannel"]
    assert [m.id for m in errors] == ["aduan_publik.E002"]
    assert "'notachannel'" in errors[0].msg and "is not a Channel subclass" in errors[0].msg
    assert not [m for m in run_checks() if m.id == "aduan_publik.E002"]  # gone with the plugin
