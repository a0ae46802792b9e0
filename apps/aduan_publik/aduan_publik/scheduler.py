"""One scheduler per site, however many machines run the Procfile (``manage.py scheduler``).

rq's ``CronScheduler`` (django-rq's ``rqcron``) takes no lock: two of them (a second machine started
with the whole Procfile, a restart overlapping the old process) would both enqueue every periodic
job. The jobs are idempotent, so nothing would break, but every sweep and the 5-second broadcast
tick would run twice. So the scheduler holds a Redis lock while it runs: ``aduan:<site>:scheduler``
holding its name, with a TTL renewed at every turn of its loop and released at shutdown. A second
scheduler waits (it logs who holds the lock) and takes over when the first stops, or at most
:data:`LOCK_TTL` seconds after the first died without releasing it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django_rq.cron import DjangoCronScheduler
from redis import Redis

LOCK_TTL = 90  # seconds; the holder renews it every turn of its loop, at most LOCK_TTL / 3 apart
WAIT_POLL = 2.0  # seconds between two tries of a waiting scheduler

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
logger = logging.getLogger(__name__)


class SchedulerLockLost(RuntimeError):
    """The lock expired and another scheduler took it: this one stops enqueueing (and exits)."""


def lock_key(site: str) -> str:
    return f"aduan:{site}:scheduler"


class SchedulerLock:
    """A Redis lock held by one named holder, renewed by it, released only by it."""

    def __init__(self, connection: Redis, key: str, holder: str, ttl: float = LOCK_TTL) -> None:
        self.connection, self.key, self.holder, self.ttl_ms = connection, key, holder, int(ttl * 1000)

    def acquire(self) -> bool:
        return bool(self.connection.set(self.key, self.holder, nx=True, px=self.ttl_ms))

    def owner(self) -> str | None:
        value = self.connection.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def renew(self) -> bool:
        """Extend the lock if this holder still has it; False when it was lost."""
        return bool(self.connection.eval(_RENEW, 1, self.key, self.holder, self.ttl_ms))

    def release(self) -> None:
        self.connection.eval(_RELEASE, 1, self.key, self.holder)

    def wait(self, poll: float = WAIT_POLL) -> None:
        """Block until this holder has the lock (SIGTERM ends the process while it waits)."""
        reported = None
        while not self.acquire():
            owner = self.owner()
            if owner != reported:
                logger.warning("another scheduler (%s) is running for this site: waiting for it to stop", owner)
                reported = owner
            time.sleep(poll)


class SingleCronScheduler(DjangoCronScheduler):
    """django-rq's cron scheduler that runs only while it holds the site's scheduler lock."""

    def __init__(self, *args: Any, lock_ttl: float = LOCK_TTL, poll: float = WAIT_POLL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock_ttl, self.poll = lock_ttl, poll
        self.lock: SchedulerLock | None = None

    def start(self) -> None:
        self.lock = SchedulerLock(self.connection, lock_key(settings.SITE_NAME), self.name, self.lock_ttl)
        self.lock.wait(self.poll)
        logger.info("scheduler %s holds the site's scheduler lock", self.name)
        try:
            super().start()
        finally:
            self.lock.release()

    def heartbeat(self) -> None:
        # Called once per turn of rq's loop, before it sleeps: the lock lives as long as the loop turns.
        if self.lock is not None and not self.lock.renew():
            raise SchedulerLockLost(f"scheduler {self.name} lost the lock to {self.lock.owner()}")
        super().heartbeat()

    def calculate_sleep_interval(self) -> float:
        return min(super().calculate_sleep_interval(), self.lock_ttl / 3)
