"""The scheduler's jobs (``manage.py rqcron aduan_publik.cron``, the Procfile's scheduler)."""

from rq import cron

from aduan_publik.channels.lapor.jobs import tick as lapor_tick
from aduan_publik.jobs import run_daily_digest, run_deadline_sweep, run_escalation_sweep, sweep_pending
from aduan_publik.portal.jobs import purge_pending_uploads
from aduan_publik.reports.jobs import send_monthly_reports
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
# Outgoing webhooks: retries that are due and deliveries whose job was lost (docs/webhooks.md).
cron.register(webhook_sweep, queue_name="default", interval=60)
