"""The scheduler's configuration loads the way ``manage.py scheduler`` (and ``rqcron``) load it."""

from __future__ import annotations

import django_rq
import pytest
from django_rq.cron import DjangoCronScheduler
from rq.cron import CronScheduler

from aduan_publik import jobs
from aduan_publik.api.jobs import purge_idempotency_records
from aduan_publik.broadcasts.jobs import broadcast_tick
from aduan_publik.channels.lapor.jobs import tick as lapor_tick
from aduan_publik.portal.jobs import purge_pending_uploads
from aduan_publik.reports.jobs import send_monthly_reports
from aduan_publik.triage.jobs import run_nightly as triage_nightly
from aduan_publik.webhooks_out.jobs import webhook_sweep
from aduan_social.jobs import x_poll_tick

EXPECTED = {
    "aduan_publik.jobs.sweep_pending": 60,
    "aduan_publik.jobs.run_deadline_sweep": 600,
    "aduan_publik.channels.lapor.jobs.tick": 60,
    "aduan_publik.jobs.run_escalation_sweep": 600,
    "aduan_publik.jobs.run_daily_digest": 3600,
    "aduan_publik.portal.jobs.purge_pending_uploads": 3600,
    "aduan_publik.reports.jobs.send_monthly_reports": None,  # cron string, daily
    "aduan_publik.jobs.run_retention": None,  # cron string, daily (UU 27/2022 PDP retention)
    # A plugin package's own jobs, loaded through the ``aduan_publik.cron`` entry-point group.
    "aduan_social.jobs.x_poll_tick": 60,
    "aduan_publik.api.jobs.purge_idempotency_records": 3600,
    "aduan_publik.triage.jobs.run_nightly": None,  # cron string, nightly retraining
    "aduan_publik.webhooks_out.jobs.webhook_sweep": 60,
    "aduan_publik.broadcasts.jobs.broadcast_tick": 5,
    "aduan_publik.jobs.run_figures_sweep": 60,  # figures' aggregates: refresh jobs that were lost
}


def _registered(scheduler: CronScheduler) -> dict[str, int | None]:
    return {job.func_name: job.interval for job in scheduler.get_jobs()}


def test_rq_loads_the_config_and_registers_the_jobs():
    scheduler = CronScheduler(connection=django_rq.get_connection("default"))
    scheduler.load_config_from_file("aduan_publik.cron")
    assert _registered(scheduler) == EXPECTED
    assert {job.queue_name for job in scheduler.get_jobs()} == {"default", "long"}  # long: triage retraining
    assert {job.func for job in scheduler.get_jobs()} == {jobs.sweep_pending, jobs.run_deadline_sweep, lapor_tick,
                                                      jobs.run_escalation_sweep, jobs.run_daily_digest,
                                                      purge_pending_uploads, send_monthly_reports, x_poll_tick,
                                                      purge_idempotency_records, triage_nightly,
                                                      jobs.run_retention, webhook_sweep,
                                                      broadcast_tick, jobs.run_figures_sweep}


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
    monkeypatch.setattr("aduan_publik.services.lifecycle.deadlines_sweep", lambda **kw: calls.append(kw) or {})
    jobs.run_deadline_sweep()
    assert calls == [{}]
