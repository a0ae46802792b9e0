"""One scheduler per site (docs/deploy.md): a second scheduler waits for the lock and takes over when
the first stops; a scheduler that lost its lock stops enqueueing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import django_rq
import pytest
from django.conf import settings
from rq.cron import CronScheduler

from aduan_publik.scheduler import SchedulerLock, SchedulerLockLost, SingleCronScheduler, lock_key

BENCH = Path(__file__).resolve().parents[2]


def _conn():
    return django_rq.get_connection("default")


def test_the_lock_has_one_holder_who_alone_renews_and_releases_it():
    key = lock_key("uji")
    first, second = SchedulerLock(_conn(), key, "a", ttl=30), SchedulerLock(_conn(), key, "b", ttl=30)
    assert first.acquire() and not second.acquire()
    assert second.owner() == "a" and not second.renew()
    second.release()  # not its lock: nothing happens
    assert first.owner() == "a" and first.renew()
    first.release()
    assert first.owner() is None and second.acquire() and second.owner() == "b"


def test_a_scheduler_whose_lock_was_taken_stops_enqueueing():
    scheduler = SingleCronScheduler(connection=_conn())
    scheduler.lock = SchedulerLock(_conn(), lock_key(settings.SITE_NAME), scheduler.name)
    assert scheduler.lock.acquire()
    scheduler.heartbeat()  # still ours: renewed
    _conn().set(lock_key(settings.SITE_NAME), "another-scheduler")  # expired meanwhile and taken
    with pytest.raises(SchedulerLockLost, match="another-scheduler"):
        scheduler.heartbeat()


def _start(log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "manage.py", "scheduler", "--skip-checks"], cwd=BENCH, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _until(condition, what: str, *processes: subprocess.Popen[bytes]) -> None:
    """Poll ``condition`` (a start-up wait, bounded; fails at once if a process died)."""
    for _ in range(1200):
        if condition():
            return
        assert all(p.poll() is None for p in processes), f"a scheduler exited while waiting for: {what}"
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


def _registered() -> list[str]:
    return sorted(s.name for s in CronScheduler.all(connection=_conn()))


@pytest.mark.live
def test_a_second_scheduler_waits_until_the_first_stops(tmp_path):
    key = lock_key(settings.SITE_NAME)
    first = _start(tmp_path / "first.log")
    second = None
    try:
        _until(lambda: len(_registered()) == 1, "the first scheduler runs", first)
        holder = _conn().get(key).decode()
        second = _start(tmp_path / "second.log")
        _until(lambda: "waiting" in (tmp_path / "second.log").read_text(), "the second one waits", first, second)
        assert _registered() == [holder]  # only one scheduler enqueues
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
        _until(lambda: (_conn().get(key) or b"").decode() not in ("", holder), "the second one takes over", second)
        taker = _conn().get(key).decode()
        _until(lambda: _registered() == [taker], "the second one runs alone", second)
        assert taker != holder
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
