"""Raw inbound deliveries: store first (fast, durable, deduplicated), process in a job."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import queueing
from ..channels.base import Channel, InboundMessage, InboundProblem, PayloadError, RawInbound, StatusUpdate
from ..channels.context import routing_instance
from ..channels.redaction import redact, redact_params
from ..channels.registry import UnknownChannel, get_channel
from ..inbound_queue import PROCESS_JOB, notify_inbound
from ..models import InboundEvent
from .receiving import message_receive
from .sending import message_status_update

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
E = InboundEvent.State


def inbound_event_store(*, channel: str, raw: RawInbound, dedupe_key: str,
                        instance: str = "") -> tuple[InboundEvent, bool]:
    """Store a verified delivery once per provider key, then hand it to the workers.

    Returns ``(event, created)``; a redelivery returns the stored event and hands nothing on.
    This is the webhook's hot path (Meta wants an answer in well under 250 ms, and the
    benchmark holds it to half a trivial view's throughput), so the row is written by one
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING id``: atomic by itself, durable when it
    returns, no exception and no extra round trip for a redelivery. The hand-off to the
    workers happens only after the row is committed; if Redis is down the row stays
    *pending* and the scheduler's sweep picks it up.
    """
    event = _event_for(channel, raw, dedupe_key, instance=instance)
    event.pk = _insert_event(event)
    if event.pk is None:
        return InboundEvent.objects.get(channel=channel, dedupe_key=event.dedupe_key), False
    event._state.adding = False
    event_id = event.pk
    transaction.on_commit(lambda: notify_inbound(event_id))
    return event, True


def inbound_event_reject(*, channel: str, raw: RawInbound, dedupe_key: str, reason: str,
                         instance: str = "") -> tuple[InboundEvent, bool]:
    """Keep a delivery that cannot be processed (too large, for an instance the site lacks or has
    disabled) as *rejected*, visible with ``reason``.

    Stored once per key like an accepted delivery; nothing is handed to the workers.
    """
    event = _event_for(channel, raw, dedupe_key, state=E.REJECTED, reason=reason, instance=instance)
    event.pk = _insert_event(event)
    if event.pk is None:
        return InboundEvent.objects.get(channel=channel, dedupe_key=event.dedupe_key), False
    event._state.adding = False
    return event, True


def _event_for(channel: str, raw: RawInbound, dedupe_key: str, *, state: str = E.PENDING,
               reason: str = "", instance: str = "") -> InboundEvent:
    """The row for a delivery, with the channel's secrets redacted from headers, query and form."""
    try:
        declared = get_channel(channel)
        headers, params = declared.sensitive_headers, declared.sensitive_params
    except UnknownChannel:
        headers, params = (), ()
    return InboundEvent(channel=channel, channel_instance=instance[:32], dedupe_key=dedupe_key[:255], body=raw.body,
                        headers=redact(raw.headers, headers), query=redact_params(raw.query, params),
                        form=redact_params(raw.form, params), state=state, reason=reason,
                        received_at=timezone.now())


def _insert_event(event: InboundEvent) -> int | None:
    """Insert the delivery; its id, or None when (channel, dedupe_key) is already stored."""
    connection = transaction.get_connection()
    ops = connection.ops
    meta = InboundEvent._meta
    columns = ["channel", "channel_instance", "dedupe_key", "body", "headers", "query", "form", "state", "reason",
               "attempts",
               "received_at"]
    params = [
        event.channel, event.channel_instance, event.dedupe_key, event.body, ops.adapt_json_value(event.headers, None),
        ops.adapt_json_value(event.query, None), ops.adapt_json_value(event.form, None), event.state,
        event.reason, 0, ops.adapt_datetimefield_value(event.received_at),
    ]
    # Table and column names are the model's own, quoted; every value is a parameter.
    names = ", ".join(ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (f"INSERT INTO {ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders}) "  # noqa: S608
           "ON CONFLICT (channel, dedupe_key) DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def inbound_event_process(*, event_id: int) -> str:
    """Parse a stored delivery and route every item in it. Idempotent; returns the final state."""
    try:
        with transaction.atomic():
            event = InboundEvent.objects.select_for_update().get(pk=event_id)
            if event.state != E.PENDING:
                return event.state
            raw = RawInbound(method="POST", body=bytes(event.body), headers=event.headers,
                             query=event.query or {}, form=event.form or {})
            channel = get_channel(event.channel, instance=event.channel_instance)
            try:
                items = channel.parse_inbound(raw)
            except PayloadError as exc:
                return _finish(event, E.REJECTED, str(exc))
            with routing_instance(event.channel_instance):  # answers go out through the same instance
                problems, crashed = _route_items(channel, items)
            event.problems = problems + crashed
            if crashed:
                return _hold_for_retry(event, crashed)
            return _finish(event, E.PROCESSED, "")
    except Exception as exc:
        _count_failure(event_id, exc)
        raise


Item = InboundMessage | StatusUpdate | InboundProblem


def _route_items(channel: Channel, items: Sequence[Item]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Route item by item, each in its own savepoint: one bad or crashing item sinks no other.

    Returns (problems the channel reported, items whose routing raised). Routing is idempotent
    on the provider's ids, so routing the whole delivery again later repeats nothing.
    """
    problems: list[dict[str, str]] = []
    crashed: list[dict[str, str]] = []
    for item in items:
        if isinstance(item, InboundProblem):
            problems.append({"external_id": item.external_id, "reason": item.reason[:1000]})
            continue
        try:
            with transaction.atomic():
                _route(channel, item)
        except Exception as exc:  # recorded and retried below; the good items are kept
            logger.exception("inbound item %s failed", item.external_id)
            crashed.append({"external_id": item.external_id, "reason": f"{type(exc).__name__}: {exc}"[:1000]})
    return problems, crashed


def _route(channel: Channel, item: InboundMessage | StatusUpdate) -> None:
    if isinstance(item, StatusUpdate):
        message_status_update(update=item)
    elif not channel.intercept(item):  # e.g. a STATUS keyword answered by the channel
        message_receive(inbound=item)


def _hold_for_retry(event: InboundEvent, crashed: list[dict[str, str]]) -> str:
    """Keep the routed items; leave the delivery pending for the sweep, or failed after the last try."""
    event.attempts += 1
    names = ", ".join(c["external_id"] or "?" for c in crashed)
    event.reason = f"{len(crashed)} item gagal diproses ({names}); item lain sudah tersimpan"[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        event.state = E.FAILED
        event.processed_at = timezone.now()
    event.save(update_fields=["attempts", "reason", "state", "processed_at", "problems"])
    return event.state


def _finish(event: InboundEvent, state: str, reason: str) -> str:
    event.state = state
    event.reason = reason
    event.processed_at = timezone.now()
    event.attempts += 1
    event.save(update_fields=["state", "reason", "processed_at", "attempts", "problems"])
    return state


def _count_failure(event_id: int, exc: Exception) -> None:
    """Count a crashed attempt outside the rolled-back transaction; give up after MAX_ATTEMPTS."""
    with transaction.atomic():
        event = InboundEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.state != E.PENDING:
            return
        event.attempts += 1
        event.reason = f"{type(exc).__name__}: {exc}"[:2000]
        if event.attempts >= MAX_ATTEMPTS:
            event.state = E.FAILED
            event.processed_at = timezone.now()
        event.save(update_fields=["attempts", "reason", "state", "processed_at"])
    logger.exception("inbound event %s failed (attempt %s)", event_id, event.attempts if event else "?")


def inbound_pending_among(ids: list[int]) -> list[int]:
    """Those of ``ids`` whose delivery still waits for processing, in the given order."""
    pending = set(InboundEvent.objects.filter(pk__in=ids, state=E.PENDING).values_list("pk", flat=True))
    return [i for i in ids if i in pending]


def pending_inbound_ids(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(InboundEvent.objects.filter(state=E.PENDING, received_at__lt=cutoff)
                .order_by("received_at").values_list("pk", flat=True)[:1000])


@transaction.atomic
def inbound_event_retry(*, event: InboundEvent, by) -> InboundEvent:  # type: ignore[no-untyped-def]
    """An admin sends a failed or rejected delivery through processing again."""
    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    if event.state not in (E.FAILED, E.REJECTED):
        return event
    event.state = E.PENDING
    event.attempts = 0
    event.save(update_fields=["state", "attempts"])
    queueing.enqueue_on_commit(PROCESS_JOB, event.pk, job_id=f"inbound-{event.pk}")
    return event
