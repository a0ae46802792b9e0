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
            retry: Retry | None = None, check_pending: bool = True) -> bool:
    """Enqueue now; returns False (and logs) when Redis cannot take it: the sweep will.

    With a ``job_id``, work already waiting or running under that id is not enqueued twice
    (the sweep re-enqueues by id); ``check_pending=False`` skips that look-up for new rows.
    """
    try:
        q = get_queue(queue)
        if job_id and check_pending and q.is_async and _still_pending(q, job_id):
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


# ---- inbound hand-off: the webhook's hot path ---------------------------------------------

DRAIN_BATCH = 200
DRAIN_FLAG_TTL = 300  # seconds; a drain job lost with the flag held delays work at most this long


def _inbound_keys() -> tuple[str, str]:
    from django.conf import settings

    prefix = f"aduan:{settings.SITE_NAME}:inbound"
    return f"{prefix}:backlog", f"{prefix}:drain-queued"


def notify_inbound(event_id: int) -> bool:
    """Hand a stored delivery to the workers in one Redis round trip.

    The id goes on a backlog list and the request tries to claim the "drain queued" flag;
    only the request that claims it enqueues an RQ job (:func:`drain_inbound`), which turns
    the backlog into one :func:`process_inbound_event` job per event. Under load thousands
    of deliveries share a handful of RQ enqueues. Nothing is lost when Redis is down or a
    drain job dies holding popped ids: the events are still *pending* in the database and
    :func:`sweep_pending` enqueues them.
    """
    q = get_queue("default")
    if not q.is_async:  # tests and inline mode: run the processing job itself
        return enqueue(process_inbound_event, event_id, job_id=f"inbound-{event_id}", check_pending=False)
    backlog, flag = _inbound_keys()
    try:
        pipe = q.connection.pipeline(transaction=False)
        pipe.lpush(backlog, event_id)
        pipe.set(flag, "1", nx=True, ex=DRAIN_FLAG_TTL)
        _pushed, claimed = pipe.execute()
        if claimed:
            q.enqueue(drain_inbound)
        return True
    except RedisError:
        logger.warning("Redis unavailable; inbound event %s left for the sweep", event_id)
        return False


def drain_inbound() -> int:
    """Job: turn the inbound backlog into per-event jobs (one pipeline per batch). Returns the count."""
    from rq import Queue

    q = get_queue("default")
    conn = q.connection
    backlog, flag = _inbound_keys()
    total = 0
    while True:
        ids = conn.rpop(backlog, DRAIN_BATCH)
        if not ids:
            conn.delete(flag)
            # A delivery pushed between the empty pop and the delete saw the flag held and
            # enqueued no drain: look once more, and carry on if the flag can be claimed again.
            if conn.llen(backlog) and conn.set(flag, "1", nx=True, ex=DRAIN_FLAG_TTL):
                continue
            return total
        q.enqueue_many([
            Queue.prepare_data(process_inbound_event, (int(i),), job_id=f"inbound-{int(i)}") for i in ids
        ])
        total += len(ids)


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


# ---- staff notifications ----------------------------------------------------------------------


def send_notification_mail(notification_id: int) -> None:
    from .services.notify import notification_mail_send

    notification_mail_send(notification_id=notification_id, final=not will_retry())


def run_escalation_sweep() -> None:
    """Escalation steps that are due, and notification e-mails whose job was lost."""
    from .services.escalation import escalation_sweep
    from .services.notify import queued_mail_ids

    escalation_sweep()
    for notification_id in queued_mail_ids():
        enqueue(send_notification_mail, notification_id, job_id=f"notify-mail-{notification_id}", retry=SEND_RETRY)


def run_daily_digest() -> None:
    """Hourly; sends each user's digest once per working day from the site's digest hour."""
    from .services.escalation import digest_send

    digest_send()
