"""The sending engine: any number of RQ workers, each running one *slot* of a broadcast.

Recipients are split into ``SLOTS`` slots by id; a slot is run by at most one job at a time,
held by a Redis lease the job renews on every batch (a killed worker's lease lapses within
:data:`LEASE_SECONDS`, and the tick starts a new job for the slot). A job claims a small batch
of queued rows (state → ``sending``, committed), asks the shared bucket (:mod:`.pacing`) for
each message, sends it and records the answer at once.

Exactly once: a row is sent only from ``queued`` and every send carries
``biz_opaque_callback_data = "bcast:<recipient id>"``. A row found in ``sending`` by a new job
was claimed by a dead one: it is *not* sent again until :data:`reconcile_seconds` have passed
without a status webhook for it (a message the provider accepted always reports ``sent`` or
``failed`` within seconds; :func:`recipient_status_update` then settles the row).
"""

from __future__ import annotations

import logging
import time
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.db.models import Min, Q
from django.db.models.functions import Mod
from django.utils import timezone

from ..channels.base import BroadcastMessage, ChannelError, ContactRef, StatusUpdate
from ..channels.registry import get_channel
from ..portal.models import Subscription
from . import config, outcomes, services
from .catalogue import fill
from .models import Broadcast, Recipient
from .pacing import Bucket, redis

logger = logging.getLogger(__name__)
R = Recipient.State
SLOTS = 3  # jobs per broadcast; more workers than slots serve other broadcasts and replies
BATCH = 20
LEASE_SECONDS = 15
STATE_CHECK_SECONDS = 1.0  # the longest sleep between two looks at the broadcast's state
IDLE_EXIT_SECONDS = 30.0  # a slot whose next row is further away ends; the tick restarts it
# A job ends after this long and the tick starts the next one: well inside RQ's job timeout,
# whose SIGALRM would otherwise interrupt a database call and leave the connection unusable.
RUN_SECONDS = 120.0
JOB_TIMEOUT = 600
RANK: dict[str, int] = {R.QUEUED: -1, R.SENDING: 0, R.SENT: 1, R.DELIVERED: 2, R.READ: 3}


def lease_key(broadcast_id: int, slot: int) -> str:
    from django.conf import settings

    return f"aduan:{settings.SITE_NAME}:bcast:lease:{broadcast_id}:{slot}"


class Lease:
    def __init__(self, conn: Any, key: str):
        self.conn, self.key = conn, key
        self.token = f"{time.time_ns()}"

    def acquire(self) -> bool:
        return bool(self.conn.set(self.key, self.token, nx=True, ex=LEASE_SECONDS))

    def renew(self) -> bool:
        if self.conn.get(self.key) != self.token.encode():
            return False
        self.conn.expire(self.key, LEASE_SECONDS)
        return True

    def release(self) -> None:
        if self.conn.get(self.key) == self.token.encode():
            self.conn.delete(self.key)


def _slot_rows(broadcast_id: int, slot: int) -> Any:
    return Recipient.objects.annotate(slot=Mod("id", SLOTS)).filter(broadcast_id=broadcast_id, slot=slot)


def _claim(broadcast_id: int, slot: int, cfg: config.BroadcastConfig) -> list[Recipient]:
    """Claim up to :data:`BATCH` due rows of the slot; orphans past the reconcile time are requeued first."""
    now = timezone.now()
    rows = _slot_rows(broadcast_id, slot)
    orphans = rows.filter(state=R.SENDING, claimed_at__lt=now - timedelta(seconds=cfg.reconcile_seconds))
    Recipient.objects.filter(pk__in=list(orphans.values_list("pk", flat=True))).update(state=R.QUEUED)
    due = rows.filter(state=R.QUEUED).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
    ids = list(due.order_by("id").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return []
    with transaction.atomic():
        Recipient.objects.filter(pk__in=ids, state=R.QUEUED).update(state=R.SENDING, claimed_at=now)
        # A resident who left after the list was frozen is skipped, never sent to.
        Recipient.objects.filter(pk__in=ids, state=R.SENDING, claimed_at=now,
                                 subscription__unsubscribed_at__isnull=False).update(state=R.OPTED_OUT)
    return list(Recipient.objects.filter(pk__in=ids, state=R.SENDING, claimed_at=now).order_by("id"))


def _next_due(broadcast_id: int, slot: int, cfg: config.BroadcastConfig) -> float | None:
    """Seconds until the slot has work again; None when it has nothing left at all.

    A row left in ``sending`` by a dead job counts from the moment it may be sent again
    (``reconcile_seconds`` after its claim), unless its status webhook settles it first.
    """
    rows = _slot_rows(broadcast_id, slot)
    now = timezone.now()
    times = []
    orphan = rows.filter(state=R.SENDING).aggregate(at=Min("claimed_at"))["at"]
    if orphan is not None:
        times.append((orphan + timedelta(seconds=cfg.reconcile_seconds) - now).total_seconds())
    queued = rows.filter(state=R.QUEUED)
    if queued.filter(not_before__isnull=True).exists():
        times.append(0.0)
    nxt = queued.aggregate(at=Min("not_before"))["at"]
    if nxt is not None:
        times.append((nxt - now).total_seconds())
    return max(min(times), 0.0) if times else None


class SlotRun:
    """One job's run of one slot; :meth:`run` returns the number of messages it sent."""

    def __init__(self, broadcast: Broadcast, slot: int, conn: Any):
        self.broadcast, self.slot, self.conn = broadcast, slot, conn
        self.cfg = config.load()
        self.bucket = Bucket(conn, rate=self.cfg.rate, tier=self.cfg.tier, runner=f"{broadcast.pk}:{slot}")
        self.channel = get_channel(broadcast.channel)
        self.sent = 0
        self.out_of_time = False  # the run ended at RUN_SECONDS with work left: a successor follows
        self.answered: list[Recipient] = []

    def state(self) -> str:
        """The broadcast's state in the database (read per batch; per message the bucket checks Redis)."""
        return Broadcast.objects.filter(pk=self.broadcast.pk).values_list("state", flat=True).first() or ""

    def run(self, lease: Lease) -> int:
        ends = time.monotonic() + RUN_SECONDS
        while lease.renew() and self.state() == Broadcast.State.SENDING:
            batch = _claim(self.broadcast.pk, self.slot, self.cfg)
            if batch:
                if not self.send_batch(batch):
                    break
            else:
                wait = _next_due(self.broadcast.pk, self.slot, self.cfg)
                if wait is None or wait > IDLE_EXIT_SECONDS:
                    break
                time.sleep(min(max(wait, 0.05), STATE_CHECK_SECONDS))
            if time.monotonic() >= ends:
                self.out_of_time = True
                break
        return self.sent

    def send_batch(self, batch: list[Recipient]) -> bool:
        """Send a claimed batch; False when the run must stop (paused, cancelled, quota spent)."""
        try:
            return self._send_batch(batch)
        finally:
            # The last request was answered: it no longer counts as in flight for the other
            # runners. (Within the batch each take() clears this runner's previous request.)
            self.bucket.done()
            self.flush()

    def _send_batch(self, batch: list[Recipient]) -> bool:
        for index, row in enumerate(batch):
            message = self.message(row)  # built before the grant: nothing slow between grant and request
            verdict = self.wait_turn(row)
            if verdict != "ok":
                rest = batch[index:] if verdict != "pair" else []
                if verdict == "pair":
                    _requeue([row], timezone.now() + timedelta(seconds=6))
                    continue
                _release(rest, self.state())
                return False
            self.send_one(row, message)
        return True

    def wait_turn(self, row: Recipient) -> str:
        """Take a token for ``row``: "ok", "pair", "quota" or "stop" (paused/cancelled meanwhile)."""
        while True:
            verdict = self.bucket.take(row.phone, self.broadcast.pk)
            if verdict.kind == "stop":
                return "stop"
            if verdict.ok or verdict.kind == "pair":
                return verdict.kind
            if verdict.kind == "quota":
                services.broadcast_wait_quota(broadcast_id=self.broadcast.pk,
                                              until=timezone.now() + timedelta(seconds=verdict.wait))
                return "quota"
            time.sleep(min(verdict.wait, STATE_CHECK_SECONDS))

    def send_one(self, row: Recipient, message: BroadcastMessage) -> None:
        row.attempts += 1  # counts requests to the provider, not claims; written with the answer
        try:
            result = self.channel.send_broadcast(message)
        except ChannelError as exc:
            _record_error(row, exc, self.cfg)
            return
        row.external_id, row.sent_at = result.external_id[:128], timezone.now()
        self.answered.append(row)
        self.sent += 1

    def flush(self) -> None:
        """Record the batch's accepted sends in one transaction (one commit, not one per message).

        A crash before this leaves those rows in ``sending``: their status webhooks (callback
        data) settle them, or they wait the reconcile time — never a blind resend.
        """
        rows, self.answered = self.answered, []
        if not rows:
            return
        table = Recipient._meta.db_table  # the model's own table name, not input
        sent = [(r.external_id, r.sent_at, r.attempts, r.pk) for r in rows]
        with transaction.atomic(), connection.cursor() as cursor:
            # executemany: one round trip on PostgreSQL (pipeline mode), one commit for the batch.
            cursor.executemany(
                f"UPDATE {table} SET state = 'sent', external_id = %s, sent_at = %s, attempts = %s, "  # noqa: S608
                "reason = '', reason_code = '' WHERE id = %s AND state = 'sending'", sent)
            # A row a status webhook settled first (by callback data) keeps its state; it gets the id.
            cursor.executemany(f"UPDATE {table} SET external_id = %s WHERE id = %s AND external_id = ''",  # noqa: S608
                               [(r.external_id, r.pk) for r in rows])

    def message(self, row: Recipient) -> BroadcastMessage:
        b, t = self.broadcast, self.broadcast.template
        assert t is not None
        return BroadcastMessage(
            recipient_id=row.pk, to=ContactRef(phone=row.phone, name=row.name), template=t.name,
            language=t.language, params=tuple(fill(str(v), row) for v in b.variables[: t.variables]),
            header_format=t.header_format, header_media_id=b.media_id, header_filename=b.media_name,
            callback_data=f"bcast:{row.pk}",
        )


def _requeue(rows: list[Recipient], at: Any) -> None:
    Recipient.objects.filter(pk__in=[r.pk for r in rows], state=R.SENDING).update(state=R.QUEUED, not_before=at)


def _release(rows: list[Recipient], state: str) -> None:
    """Hand back claimed rows that were not sent: queued again, or cancelled with the broadcast."""
    to = R.CANCELLED if state == Broadcast.State.CANCELLED else R.QUEUED
    Recipient.objects.filter(pk__in=[r.pk for r in rows], state=R.SENDING).update(state=to)


def _record_error(row: Recipient, exc: ChannelError, cfg: config.BroadcastConfig) -> None:
    decision = outcomes.outcome_for(exc, attempts=row.attempts, now=timezone.now(), cfg=cfg)
    _apply(row.pk, decision, outcomes.code_of(exc), str(exc), attempts=row.attempts)


def _apply(pk: int, decision: outcomes.Outcome, code: str, reason: str, attempts: int | None = None) -> None:
    extra = {"attempts": attempts} if attempts is not None else {}
    Recipient.objects.filter(pk=pk).update(state=decision.state, not_before=decision.not_before,
                                           reason_code=code[:20], reason=reason[:500], **extra)
    if decision.stop_marketing:
        sub_id = Recipient.objects.filter(pk=pk).values_list("subscription_id", flat=True).first()
        Subscription.objects.filter(pk=sub_id or 0, marketing_stopped_at__isnull=True).update(
            marketing_stopped_at=timezone.now())


def run_slot(broadcast_id: int, slot: int) -> int:
    """The job body: run one slot while the broadcast is sending; then try to complete it."""
    conn = redis()
    lease = Lease(conn, lease_key(broadcast_id, slot))
    conn.delete(f"{lease.key}:enqueued")
    if not lease.acquire():
        return 0  # another live job runs this slot
    _fresh_connection()  # a worker process outlives its jobs: never start on a broken connection
    run: SlotRun | None = None
    try:
        broadcast = Broadcast.objects.select_related("template").get(pk=broadcast_id)
        run = SlotRun(broadcast, slot, conn)
        run.run(lease)
        services.broadcast_complete(broadcast_id=broadcast_id)
    finally:
        lease.release()
        _fresh_connection()
    assert run is not None  # an exception above has left already
    if run.out_of_time and conn.set(f"{lease.key}:enqueued", "1", nx=True, ex=60):
        # The next job for the slot at once (after the lease is free), not at the tick's next
        # round: a gap of a few seconds per slot every RUN_SECONDS would show in the rate.
        enqueue_slot(broadcast_id, slot)
    return run.sent


def enqueue_slot(broadcast_id: int, slot: int) -> None:
    """Queue one slot's runner (``jobs.broadcast_run``, by path: jobs import this module)."""
    from redis.exceptions import RedisError

    from ..queueing import get_queue

    with suppress(RedisError):  # the next tick tries again
        get_queue("default").enqueue("aduan_publik.broadcasts.jobs.broadcast_run", broadcast_id, slot,
                                     job_timeout=JOB_TIMEOUT)


def _fresh_connection() -> None:
    """Drop a database connection left unusable by an earlier job (not inside a transaction: tests)."""
    if not connection.in_atomic_block:
        close_old_connections()


def slots_to_start(broadcast_id: int) -> list[int]:
    """Slots with no live job and none waiting in the queue (a marker lives 60 s after enqueueing)."""
    conn = redis()
    free = []
    for s in range(SLOTS):
        key = lease_key(broadcast_id, s)
        if not conn.exists(key) and conn.set(f"{key}:enqueued", "1", nx=True, ex=60):
            free.append(s)
    return free


# ---- status webhooks ------------------------------------------------------------------------


@transaction.atomic
def recipient_status_update(*, update: StatusUpdate) -> bool:
    """Apply a status webhook to a broadcast recipient (by message id or callback data).

    Moves only forward; a ``failed`` status is classified like a send error (131049 waits a
    day, 131050 marks the subscription). Returns False when no recipient matches.
    """
    row = _recipient_for(update)
    if row is None:
        return False
    if update.status == "failed":
        if row.state in (R.READ, R.FAILED, R.QUEUED):
            return True
        code = outcomes.code_in(update.error)
        decision = outcomes.outcome(code, temporary=False, attempts=row.attempts, now=timezone.now(),
                                    cfg=config.load())
        _apply(row.pk, decision if decision.state != "sending" else outcomes.Outcome("failed"), code, update.error)
        return True
    if update.status not in RANK or row.state not in RANK or RANK[update.status] <= RANK[row.state]:
        return True
    Recipient.objects.filter(pk=row.pk).update(
        state=update.status, external_id=row.external_id or update.external_id[:128],
        sent_at=row.sent_at or update.at)
    return True


def _recipient_for(update: StatusUpdate) -> Recipient | None:
    row = Recipient.objects.select_for_update().filter(external_id=update.external_id).first() \
        if update.external_id else None
    if row is None and update.callback_data.startswith("bcast:"):
        pk = update.callback_data.split(":", 1)[1]
        row = Recipient.objects.select_for_update().filter(pk=int(pk) if pk.isdigit() else 0).first()
    return row
