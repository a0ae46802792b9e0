"""Periodic jobs of the social channels, loaded by the hub's scheduler through the
``aduan_publik.cron`` entry-point group (``manage.py rqcron aduan_publik.cron``)."""

from rq import cron

from aduan_social.jobs import x_poll_tick

cron.register(x_poll_tick, queue_name="default", interval=60)  # paced inside by poll_interval_seconds
