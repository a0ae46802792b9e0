"""Putting delivery attempts on the queue (below :mod:`.services` and :mod:`.jobs`).

The job is named by its dotted path, which RQ stores in Redis: keep it stable.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.exceptions import RedisError

from ..queueing import enqueue, get_queue, job_id

logger = logging.getLogger(__name__)

DELIVER_JOB = "aduan_publik.webhooks_out.jobs.deliver_webhook"


def enqueue_delivery(delivery_id: int, attempts: int, after: int | None = None) -> bool:
    """Enqueue an attempt now; the id names the attempt, so the sweep never doubles a waiting job.

    ``after`` (the delivery that just left the line) gives the hand-over its own job id: the
    delivery's first job may still be running, having found the line held a moment ago, and a
    look-up by the same id would take it for the work already waiting.
    """
    if after is not None:
        return enqueue(DELIVER_JOB, delivery_id, job_id=job_id("hook", delivery_id, attempts, "after", after),
                       check_pending=False)
    return enqueue(DELIVER_JOB, delivery_id, job_id=job_id("hook", delivery_id, attempts))


def schedule_retry(delivery_id: int, attempts: int, when: datetime) -> None:
    """The next attempt at ``when`` (RQ's scheduler); inline queues and lost jobs rely on the sweep."""
    q = get_queue("default")
    if not q.is_async:
        return
    try:
        # Rounded up to the next second: the scheduler compares whole seconds.
        at = when.replace(microsecond=0) + timedelta(seconds=1)
        q.enqueue_at(at, DELIVER_JOB, delivery_id, job_id=job_id("hook", delivery_id, attempts))
    except RedisError:
        logger.warning("Redis unavailable; webhook delivery %s left for the sweep", delivery_id)
