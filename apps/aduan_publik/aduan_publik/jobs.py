"""Background jobs on Redis (RQ).

Every job takes an id, loads the row, calls a service and is idempotent: running it twice,
or after a crash, changes nothing more. Jobs are enqueued on commit, so a job never sees
data that was rolled back. If Redis is down at that moment the row stays in its pending
state and the scheduler's sweep (:func:`sweep_pending`) enqueues it later: nothing
accepted is lost. In tests the queues run inline (``RQ_QUEUES[...]["ASYNC"] = False``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import django_rq
from django.db import transaction
from redis.exceptions import RedisError
from rq import Retry

logger = logging.getLogger(__name__)

PENDING_JOB_STATES = ("queued", "started", "scheduled", "deferred")
# RQ accepts only these characters in a job id (rq.job.JOB_ID_PATTERN) and raises otherwise.
_JOB_ID_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_JOB_ID_SAFE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SEND_RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])
# Media URLs live 5 minutes but media ids 7 days: each retry asks for a fresh URL.
MEDIA_RETRY = Retry(max=4, interval=[15, 60, 300, 1800])


def enqueue(func: Callable[..., Any], *args: Any, queue: str = "default", job_id: str | None = None,
            retry: Retry | None = None, check_pending: bool = True) -> bool:
    """Enqueue now; returns False (and logs) when Redis cannot take it: the sweep will.

    With a ``job_id``, work already waiting or running under that id is not enqueued twice
    (the sweep re-enqueues by id); ``check_pending=False`` skips that look-up for new rows.
    An id RQ would refuse (build ids with :func:`job_id`) returns False instead of raising
    after the caller's commit, so the caller can record the failure.
    """
    if job_id is not None and not _JOB_ID_ALPHABET.fullmatch(job_id):
        logger.error("job id %r is outside RQ's alphabet; %s%r not enqueued", job_id, func.__name__, args)
        return False
    try:
        q = get_queue(queue)
        if job_id and check_pending and q.is_async and _still_pending(q, job_id):
            return True  # the same work is already waiting or running
        q.enqueue(func, *args, job_id=job_id, retry=retry)
        return True
    except RedisError:
        logger.warning("Redis unavailable; %s%r left for the sweep", func.__name__, args)
        return False


def job_id(prefix: str, *parts: object) -> str:
    """A deterministic RQ job id for ``parts`` that may hold any character (a provider's media id).

    A part that is not plain ``[A-Za-z0-9_-]`` (or is long) is replaced by a hash of itself, so
    the same work always gets the same id (the pending look-up still deduplicates it) and RQ
    never rejects it after the database has committed.
    """
    safe = [prefix]
    for part in parts:
        text = str(part)
        if not _JOB_ID_SAFE.fullmatch(text):
            text = "h" + hashlib.sha256(text.encode()).hexdigest()[:32]
        safe.append(text)
    return "-".join(safe)


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
DRAIN_FLAG_TTL = 300  # seconds; only a backstop: a flag whose drain job is gone is taken over at once
# RQ job states in which a drain job will still look at the backlog.
_DRAIN_ALIVE = ("queued", "started", "scheduled")

# One round trip, atomic in Redis: push the event id (if any) on the backlog, then make sure a
# drain job is coming. The flag holds the id of the drain job that will read the backlog; it is
# claimed when free, and taken over when its job does not exist or is no longer waiting (the
# claimer's enqueue was lost to a Redis stall or a killed process). Returns 1 (claimed), 2 (taken
# over) — the caller then enqueues a drain job under ARGV[2] — or 0 (a live drain job is coming).
_HANDOFF_LUA = """
if ARGV[1] ~= '' then redis.call('LPUSH', KEYS[1], ARGV[1]) end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then return 1 end
local holder = redis.call('GET', KEYS[2])
if holder then
  local state = redis.call('HGET', ARGV[4] .. holder, 'status')
  for i = 5, #ARGV do
    if state == ARGV[i] then return 0 end
  end
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 2
"""

_SCRIPTS: dict[int, tuple[Any, Any, str]] = {}


def _inbound_keys() -> tuple[str, str]:
    from django.conf import settings

    prefix = f"aduan:{settings.SITE_NAME}:inbound"
    return f"{prefix}:backlog", f"{prefix}:drain-queued"


def _handoff(q: Any, event_id: int | None) -> None:
    """Push ``event_id`` (None: nothing) and enqueue a drain job if none is alive. Raises RedisError."""
    from rq.job import Job

    cached = _SCRIPTS.get(id(q))
    if cached is None or cached[0] is not q:  # one per kept queue (a new queue may reuse an id)
        cached = _SCRIPTS[id(q)] = (q, q.connection.register_script(_HANDOFF_LUA), Job.key_for(""))
    _q, script, job_prefix = cached
    drain_id = f"inbound-drain-{uuid.uuid4().hex}"
    backlog, flag = _inbound_keys()
    outcome = script(keys=[backlog, flag], args=[
        "" if event_id is None else event_id, drain_id, DRAIN_FLAG_TTL, job_prefix, *_DRAIN_ALIVE])
    if outcome:
        if outcome == 2:
            logger.warning("inbound drain flag had no live job behind it; taken over by %s", drain_id)
        # At the front: the drain only moves ids into the queue, fresh work should not wait for it.
        q.enqueue(drain_inbound, job_id=drain_id, at_front=True)


def notify_inbound(event_id: int) -> bool:
    """Hand a stored delivery to the workers in one Redis round trip.

    The id goes on a backlog list and a "drain queued" flag makes sure one RQ job
    (:func:`drain_inbound`) is coming to turn the backlog into one :func:`process_inbound_event`
    job per event: under load thousands of deliveries share a handful of RQ enqueues. A flag
    whose drain job never made it into Redis (a stall between the claim and the enqueue) is
    taken over by the next delivery, so it never makes later deliveries wait. Nothing is lost
    when Redis is down or a drain job dies holding popped ids: the events are still *pending*
    in the database and :func:`sweep_pending` enqueues them.
    """
    q = get_queue("default")
    if not q.is_async:  # tests and inline mode: run the processing job itself
        return enqueue(process_inbound_event, event_id, job_id=f"inbound-{event_id}", check_pending=False)
    try:
        _handoff(q, event_id)
        return True
    except RedisError:
        logger.warning("Redis unavailable; inbound event %s left for the sweep", event_id)
        return False


def drain_inbound() -> int:
    """Job: turn the inbound backlog into per-event jobs (one pipeline per batch). Returns the count.

    The flag is released first: a delivery pushed from now on claims it and brings its own
    drain job, so nothing waits on this one (and a kill mid-drain strands no flag). Ids whose
    event is no longer pending (the sweep got there first) are dropped, so a stale backlog
    costs no jobs in front of fresh deliveries.
    """
    from rq import Queue

    from .services.inbound import inbound_pending_among

    q = get_queue("default")
    conn = q.connection
    backlog, flag = _inbound_keys()
    conn.delete(flag)
    total = 0
    while ids := conn.rpop(backlog, DRAIN_BATCH):
        pending = inbound_pending_among([int(i) for i in ids])
        if pending:
            q.enqueue_many([
                Queue.prepare_data(process_inbound_event, (i,), job_id=f"inbound-{i}") for i in pending
            ])
        total += len(pending)
    return total


def inbound_reconcile() -> bool:
    """Make sure a backlog left behind (no delivery since a stall) has a live drain job. For the sweep."""
    q = get_queue("default")
    if not q.is_async:
        return False
    try:
        if not q.connection.llen(_inbound_keys()[0]):
            return False
        _handoff(q, None)
        return True
    except RedisError:
        logger.warning("Redis unavailable; inbound backlog not reconciled")
        return False


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
    from .models import Event

    # The complaint's own channel instance (which LAPOR! account, which number) mirrors it.
    instance = Event.objects.filter(pk=event_id).values_list("complaint__channel_instance", flat=True).first()
    get_channel(channel, instance=instance or "").on_event(event_id)


def run_deadline_sweep() -> None:
    from .services.deadlines import deadlines_sweep

    deadlines_sweep()


def sweep_pending() -> None:
    """Re-enqueue work whose job was lost (Redis down at enqueue time, worker killed)."""
    from .services.inbound import pending_inbound_ids
    from .services.messages import queued_message_ids, stale_sending_fail

    inbound_reconcile()
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


def run_retention() -> int:
    """Daily: erase the identities the site's retention policy says to (services.privacy)."""
    from .services.privacy import retention_apply

    return retention_apply()


def figures_refresh(complaint_id: int) -> None:
    """Bring the figures' aggregates up to date with one complaint (marked by ``event_record``)."""
    from .services.figure_aggregates import complaint_figures_refresh

    complaint_figures_refresh(complaint_id=complaint_id)


def run_figures_sweep() -> int:
    """Every minute: complaints whose figures refresh job was lost."""
    from .services.figure_aggregates import figures_sweep

    return figures_sweep()
