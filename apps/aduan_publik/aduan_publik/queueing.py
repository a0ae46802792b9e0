"""Putting work on the RQ queues: the layer below services and jobs.

Services hand follow-up work to a job without importing the job's module: they name it by its
dotted path (``"aduan_publik.jobs.send_message"``), which is also the name RQ stores in Redis,
so a queued job keeps working across releases as long as the path stays. Imports run one way
(jobs → services → queueing); nothing here imports services or jobs.
"""

from __future__ import annotations

import hashlib
import logging
import re
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

Job = Callable[..., Any] | str  # a job function, or its dotted path


def _name(func: Job) -> str:
    return func if isinstance(func, str) else func.__name__


def enqueue(func: Job, *args: Any, queue: str = "default", job_id: str | None = None,
            retry: Retry | None = None, check_pending: bool = True) -> bool:
    """Enqueue now; returns False (and logs) when Redis cannot take it: the sweep will.

    ``func`` is a job function or its dotted path (``"aduan_publik.jobs.send_message"``): RQ
    stores the path either way. With a ``job_id``, work already waiting or running under that
    id is not enqueued twice (the sweep re-enqueues by id); ``check_pending=False`` skips that
    look-up for new rows. An id RQ would refuse (build ids with :func:`job_id`) returns False
    instead of raising after the caller's commit, so the caller can record the failure.
    """
    if job_id is not None and not _JOB_ID_ALPHABET.fullmatch(job_id):
        logger.error("job id %r is outside RQ's alphabet; %s%r not enqueued", job_id, _name(func), args)
        return False
    try:
        q = get_queue(queue)
        if job_id and check_pending and q.is_async and _still_pending(q, job_id):
            return True  # the same work is already waiting or running
        q.enqueue(func, *args, job_id=job_id, retry=retry)
        return True
    except RedisError:
        logger.warning("Redis unavailable; %s%r left for the sweep", _name(func), args)
        return False


def enqueue_on_commit(func: Job, *args: Any, **options: Any) -> None:
    """Enqueue after the current transaction commits (immediately outside one); options as :func:`enqueue`."""
    transaction.on_commit(lambda: enqueue(func, *args, **options))


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


def will_retry() -> bool:
    """Inside a job: whether RQ will run it again if it raises now (False inline or on the last try)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None or not job.retries_left:
        return False
    return bool(django_rq.get_queue(job.origin).is_async)
