"""The webhook's hot path: handing a stored inbound delivery to the workers (below services and jobs).

Stored deliveries (``InboundEvent``) go on a Redis backlog in front of RQ, and one drain job turns
the backlog into per-event jobs. Jobs are named by their dotted paths, which RQ stores in Redis:
keep them stable.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from redis.exceptions import RedisError

from .queueing import enqueue, get_queue

logger = logging.getLogger(__name__)

DRAIN_JOB = "aduan_publik.jobs.drain_inbound"
PROCESS_JOB = "aduan_publik.jobs.process_inbound_event"

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
        q.enqueue(DRAIN_JOB, job_id=drain_id, at_front=True)


def notify_inbound(event_id: int) -> bool:
    """Hand a stored delivery to the workers in one Redis round trip.

    The id goes on a backlog list and a "drain queued" flag makes sure one RQ job
    (``aduan_publik.jobs.drain_inbound``) is coming to turn the backlog into one ``process_inbound_event``
    job per event: under load thousands of deliveries share a handful of RQ enqueues. A flag
    whose drain job never made it into Redis (a stall between the claim and the enqueue) is
    taken over by the next delivery, so it never makes later deliveries wait. Nothing is lost
    when Redis is down or a drain job dies holding popped ids: the events are still *pending*
    in the database and the sweep (``aduan_publik.jobs.sweep_pending``) enqueues them.
    """
    q = get_queue("default")
    if not q.is_async:  # tests and inline mode: run the processing job itself
        return enqueue(PROCESS_JOB, event_id, job_id=f"inbound-{event_id}", check_pending=False)
    try:
        _handoff(q, event_id)
        return True
    except RedisError:
        logger.warning("Redis unavailable; inbound event %s left for the sweep", event_id)
        return False


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
