"""The scheduler's configuration loads the way ``manage.py rqcron aduan_publik.cron`` loads it."""

from __future__ import annotations

import django_rq
import pytest
from django_rq.cron import DjangoCronScheduler
from rq.cron import CronScheduler

from aduan_publik import jobs
from aduan_publik.broadcasts.jobs import broadcast_tick
from aduan_publik.channels.lapor.jobs import tick as lapor_tick

EXPECTED = {
    "aduan_publik.jobs.sweep_pending": 60,
    "aduan_publik.jobs.run_deadline_sweep": 600,
    "aduan_publik.channels.lapor.jobs.tick": 60,
    "aduan_publik.broadcasts.jobs.broadcast_tick": 5,
}


def _registered(scheduler: CronScheduler) -> dict[str, int | None]:
    return {job.func_name: job.interval for job in scheduler.get_jobs()}


def test_rq_loads_the_config_and_registers_the_jobs():
    scheduler = CronScheduler(connection=django_rq.get_connection("default"))
    scheduler.load_config_from_file("aduan_publik.cron")
    assert _registered(scheduler) == EXPECTED
    assert {job.queue_name for job in scheduler.get_jobs()} == {"default"}
    assert {job.func for job in scheduler.get_jobs()} == {jobs.sweep_pending, jobs.run_deadline_sweep, lapor_tick,
                                                             broadcast_tick}


def test_django_rq_scheduler_loads_it_too_and_reloading_does_not_duplicate():
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("aduan_publik.cron")
    assert _registered(scheduler) == EXPECTED
    again = DjangoCronScheduler()
    again.load_config_from_file("aduan_publik.cron")
    assert len(again.get_jobs()) == len(EXPECTED)


@pytest.mark.django_db
def test_the_deadline_job_runs_the_sweep(monkeypatch):
    calls = []
    monkeypatch.setattr("aduan_publik.services.deadlines.deadlines_sweep", lambda **kw: calls.append(kw) or {})
    jobs.run_deadline_sweep()
    assert calls == [{}]
