"""The scheduler's jobs (``manage.py rqcron aduan_publik.cron``, the Procfile's scheduler)."""

from rq import cron

from aduan_publik.broadcasts.jobs import broadcast_tick
from aduan_publik.channels.lapor.jobs import tick as lapor_tick
from aduan_publik.jobs import run_deadline_sweep, sweep_pending

cron.register(sweep_pending, queue_name="default", interval=60)
cron.register(run_deadline_sweep, queue_name="default", interval=600)
cron.register(lapor_tick, queue_name="default", interval=60)  # SP4N-LAPOR! push retries + pull
cron.register(broadcast_tick, queue_name="default", interval=5)  # broadcasts: start, restart slots, resume
