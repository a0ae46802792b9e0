"""Issue 14 point 9: two sites on one Redis database would share RQ queues; the second refuses to start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from aduan_publik.redis_site import CHECK_TAG, redis_claim, site_identity

BENCH = Path(settings.BENCH_DIR)


def test_first_site_claims_the_database_and_a_second_site_is_told_who_holds_it():
    url = settings.REDIS_URL
    assert redis_claim(url, "kota-a/1111") is None
    assert redis_claim(url, "kota-a/1111") is None  # the same site again (another machine, a restart)
    assert redis_claim(url, "kota-b/2222") == "kota-a/1111"


def test_identity_tells_two_default_sites_apart_by_their_secret_key():
    assert site_identity("default", "key-one") == site_identity("default", "key-one")
    assert site_identity("default", "key-one") != site_identity("default", "key-two")
    assert "key-one" not in site_identity("default", "key-one")  # the secret never lands in Redis


def test_system_check_errors_when_another_site_holds_the_database():
    assert [m.id for m in run_checks(tags=[CHECK_TAG])] == []  # this site claims it
    with override_settings(SITE_NAME="kota-lain", SECRET_KEY="another-site-secret-key-0123456789"):
        problems = run_checks(tags=[CHECK_TAG])
    assert [m.id for m in problems] == ["aduan_publik.E020"]
    assert f"({settings.SITE_NAME})" in problems[0].msg and "kota-lain" not in problems[0].msg


def _check(sites_dir: Path, site: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ADUAN_SITES_DIR": str(sites_dir),
           "ADUAN_SITE": site, "ADUAN_REDIS_URL": settings.REDIS_URL}
    for name in ("ADUAN_TESTING", "ADUAN_SECRET_KEY", "ADUAN_DATABASE_URL"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", "check", "--tag", CHECK_TAG], cwd=BENCH, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_second_site_on_the_same_redis_database_refuses_to_start(tmp_path):
    """What the Procfile runs before gunicorn and the worker: a non-zero exit stops the process."""
    for name in ("kota-a", "kota-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "site_config.json").write_text(json.dumps({"secret_key": f"{name}-secret-" * 4}))
    first = _check(tmp_path, "kota-a")
    assert first.returncode == 0, first.stderr[-2000:]
    second = _check(tmp_path, "kota-b")
    assert second.returncode == 1
    assert "aduan_publik.E020" in second.stderr and "kota-a" in second.stderr
    again = _check(tmp_path, "kota-a")  # the first site keeps working
    assert again.returncode == 0, again.stderr[-2000:]


def test_procfile_checks_before_web_and_worker_start():
    lines = dict(line.split(":", 1) for line in (BENCH / "Procfile").read_text().splitlines() if ":" in line)
    for process in ("web", "worker"):
        assert lines[process].strip().startswith(f"python manage.py check --tag {CHECK_TAG} && exec ")
