"""Background jobs on Redis (RQ).

Every job takes an id, loads the row, calls a service and is idempotent: running it twice,
or after a crash, changes nothing more. Jobs are enqueued on commit, so a job never sees
data that was rolled back. If Redis is down at that moment the row stays in its pending
state and the scheduler's sweep (:func:`sweep_pending`) enqueues it later: nothing
accepted is lost. In tests the queues run inline (``RQ_QUEUES[...]["ASYNC"] = False``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import django_rq
from django.db import transaction
from redis.exceptions import RedisError
from rq import Retry

logger = logging.getLogger(__name__)

PENDING_JOB_STATES = ("queued", "started", "scheduled", "deferred")
SEND_RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])
# Media URLs live 5 minutes but media ids 7 days: each retry asks for a fresh URL.
MEDIA_RETRY = Retry(max=4, interval=[15, 60, 300, 1800])


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default", job_id: str | None = None,
            retry: Retry | None = None) -> bool:
    """Enqueue now; returns False (and logs) when Redis cannot take it: the sweep will."""
    try:
        q = get_queue(queue)
        if job_id and q.is_async and _still_pending(q, job_id):
            return True  # the same work is already waiting or running
        q.enqueue(func, *args, job_id=job_id, retry=retry)
        return True
    except RedisError:
        logger.warning("Redis unavailable; %s%r left for the sweep", func.__name__, args)
        return False


def _still_pending(q: Any, job_id: str) -> bool:
    existing = q.fetch_job(job_id)  # just read from Redis: its status needs no second round trip
    return existing is not None and existing.get_status(refresh=False) in PENDING_JOB_STATES


_QUEUES: dict[str, Any] = {}


def get_queue(name: str = "default") -> Any:
    """The named queue, kept per process and configuration.

    ``django_rq.get_queue`` builds a new Redis connection pool on every call, so every
    enqueue paid a TCP connect and handshake: most of a webhook's answer time. A kept pool
    reconnects by itself after Redis comes back.
    """
    from django.conf import settings

    key = f"{name}:{settings.RQ_QUEUES.get(name)!r}"
    queue = _QUEUES.get(key)
    if queue is None:
        queue = _QUEUES[key] = django_rq.get_queue(name)
    return queue


def will_retry() -> bool:
    """Inside a job: whether RQ will run it again if it raises now (False inline or on the last try)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None or not job.retries_left:
        return False
    return bool(django_rq.get_queue(job.origin).is_async)


def enqueue_on_commit(func: Callable[..., Any], *args: Any, **options: Any) -> None:
    """Enqueue after the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: enqueue(func, *args, **options))


# ---- job entry points: thin, id in, service out ------------------------------------------


def process_inbound_event(event_id: int) -> None:
    from .services.inbound import inbound_event_process

    inbound_event_process(event_id=event_id)


def send_message(message_id: int) -> None:
    from .services.messages import message_send

    message_send(message_id=message_id)


def fetch_attachment(message_id: int, media_id: str, filename: str) -> None:
    from .services.messages import message_fetch_media

    message_fetch_media(message_id=message_id, media_id=media_id, filename=filename)


def channel_event(channel: str, event_id: int) -> None:
    """Hand one audit event to a status-syncing channel (e.g. push a follow-up to SP4N-LAPOR!)."""
    from .channels.registry import get_channel

    get_channel(channel).on_event(event_id)


def run_deadline_sweep() -> None:
    from .services.deadlines import deadlines_sweep

    deadlines_sweep()


def sweep_pending() -> None:
    """Re-enqueue work whose job was lost (Redis down at enqueue time, worker killed)."""
    from .services.inbound import pending_inbound_ids
    from .services.messages import queued_message_ids, stale_sending_fail

    for event_id in pending_inbound_ids():
        enqueue(process_inbound_event, event_id, job_id=f"inbound-{event_id}")
    for message_id in queued_message_ids():
        enqueue(send_message, message_id, job_id=f"send-{message_id}", retry=SEND_RETRY)
    stale_sending_fail()
