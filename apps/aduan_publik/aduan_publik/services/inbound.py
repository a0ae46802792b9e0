"""Raw inbound deliveries: store first (fast, durable, deduplicated), process in a job."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..channels.base import Channel, InboundMessage, PayloadError, RawInbound, StatusUpdate
from ..channels.registry import get_channel
from ..models import InboundEvent
from .messages import message_receive, message_status_update

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
E = InboundEvent.State


def inbound_event_store(*, channel: str, raw: RawInbound, dedupe_key: str) -> tuple[InboundEvent, bool]:
    """Store a verified delivery once per provider key; enqueue its processing on commit.

    Returns ``(event, created)``; a redelivery returns the stored event and enqueues nothing.
    Insert first and let the unique key catch the (rare) redelivery: one round trip to the
    database on the webhook's hot path instead of get_or_create's select and savepoint.
    """
    from ..jobs import enqueue_on_commit, process_inbound_event

    key = dedupe_key[:255]
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(channel=channel, dedupe_key=key, body=raw.body,
                                                headers=dict(raw.headers))
            enqueue_on_commit(process_inbound_event, event.pk, job_id=f"inbound-{event.pk}")
    except IntegrityError:
        return InboundEvent.objects.get(channel=channel, dedupe_key=key), False
    return event, True


def inbound_event_process(*, event_id: int) -> str:
    """Parse a stored delivery and route every item in it. Idempotent; returns the final state."""
    try:
        with transaction.atomic():
            event = InboundEvent.objects.select_for_update().get(pk=event_id)
            if event.state != E.PENDING:
                return event.state
            raw = RawInbound(method="POST", body=bytes(event.body), headers=event.headers)
            try:
                items = get_channel(event.channel).parse_inbound(raw)
            except PayloadError as exc:
                return _finish(event, E.REJECTED, str(exc))
            channel = get_channel(event.channel)
            for item in items:
                _route(channel, item)
            return _finish(event, E.PROCESSED, "")
    except Exception as exc:
        _count_failure(event_id, exc)
        raise


def _route(channel: Channel, item: InboundMessage | StatusUpdate) -> None:
    if isinstance(item, StatusUpdate):
        message_status_update(update=item)
    elif not channel.intercept(item):  # e.g. a STATUS keyword answered by the channel
        message_receive(inbound=item)


def _finish(event: InboundEvent, state: str, reason: str) -> str:
    event.state = state
    event.reason = reason
    event.processed_at = timezone.now()
    event.attempts += 1
    event.save(update_fields=["state", "reason", "processed_at", "attempts"])
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


def pending_inbound_ids(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(InboundEvent.objects.filter(state=E.PENDING, received_at__lt=cutoff)
                .order_by("received_at").values_list("pk", flat=True)[:1000])


@transaction.atomic
def inbound_event_retry(*, event: InboundEvent, by) -> InboundEvent:  # type: ignore[no-untyped-def]
    """An admin sends a failed or rejected delivery through processing again."""
    from ..jobs import enqueue_on_commit, process_inbound_event

    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    if event.state not in (E.FAILED, E.REJECTED):
        return event
    event.state = E.PENDING
    event.attempts = 0
    event.save(update_fields=["state", "attempts"])
    enqueue_on_commit(process_inbound_event, event.pk, job_id=f"inbound-{event.pk}")
    return event
