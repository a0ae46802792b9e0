"""The scheduler's jobs (``manage.py scheduler`` loads it, the Procfile's scheduler: one per site).

Plugin packages add theirs: each module named in the ``aduan_publik.cron`` entry-point group is
imported here and registers its jobs with ``rq.cron.register``; one that fails is logged and left out.
"""

from rq import cron

from aduan_publik.api.jobs import purge_idempotency_records
from aduan_publik.broadcasts.jobs import broadcast_tick
from aduan_publik.channels.lapor.jobs import tick as lapor_tick
from aduan_publik.jobs import (
    run_daily_digest,
    run_deadline_sweep,
    run_escalation_sweep,
    run_figures_sweep,
    run_retention,
    sweep_pending,
)
from aduan_publik.portal.jobs import purge_pending_uploads
from aduan_publik.reports.jobs import send_monthly_reports
from aduan_publik.triage.jobs import run_nightly as triage_nightly
from aduan_publik.webhooks_out.jobs import webhook_sweep

cron.register(sweep_pending, queue_name="default", interval=60)
cron.register(run_deadline_sweep, queue_name="default", interval=600)
cron.register(lapor_tick, queue_name="default", interval=60)  # SP4N-LAPOR! push retries + pull
# Staff notifications: escalation steps (idempotent: each step once) and the daily digest
# (hourly; once per working day from notify.digest_hour, local time).
cron.register(run_escalation_sweep, queue_name="default", interval=600)
cron.register(run_daily_digest, queue_name="default", interval=3600)
cron.register(purge_pending_uploads, queue_name="default", interval=3600)  # files of forms never sent
# The monthly report to the leaders: checked daily, last month's sent once (see services/report_mail.py).
cron.register(send_monthly_reports, queue_name="default", cron="0 1 * * *")
# Smart triage: retrain on the site's verified history nightly (19:30 UTC = 02:30 WIB), then triage stragglers.
cron.register(triage_nightly, queue_name="long", cron="30 19 * * *")  # minutes of training: 30-min timeout
cron.register(purge_idempotency_records, queue_name="default", interval=3600)  # API create answers after 24 h
# UU 27/2022 PDP: identities past the site's retention period are erased (docs/privacy.md).
cron.register(run_retention, queue_name="default", cron="30 2 * * *")

# Outgoing webhooks: retries that are due and deliveries whose job was lost (docs/webhooks.md).
cron.register(webhook_sweep, queue_name="default", interval=60)
cron.register(broadcast_tick, queue_name="default", interval=5)  # broadcasts: start, restart slots, resume
# Figures' aggregates: complaints whose refresh job was lost (docs/figures.md).
cron.register(run_figures_sweep, queue_name="default", interval=60)


def _plugin_jobs() -> None:
    import importlib
    import logging
    import sys
    from importlib.metadata import entry_points

    for ep in entry_points(group="aduan_publik.cron"):
        try:  # rq reloads this module for every scheduler: reload the plugin's too, so it registers again
            loaded = sys.modules.get(ep.value)
            importlib.reload(loaded) if loaded is not None else ep.load()
        except Exception:  # a broken plugin must not stop every other scheduled job
            logging.getLogger(__name__).exception("periodic jobs of %s not loaded", ep.value)


_plugin_jobs()
