"""Outgoing webhooks: fan-out of audit events, signed delivery, retries, dead letters.

Contracts:

* :func:`deliveries_fan_out` runs inside :func:`services.audit.event_record`'s transaction and
  writes one *pending* delivery per active subscription that wants the event and whose scope
  (:mod:`aduan_publik.access`) allows the complaint. The body is built once, then never changes.
* Per (subscription, complaint) deliveries go out strictly in event order: a delivery is sent
  only when no earlier one of its line is pending (waiting, retrying) or dead. A dead letter holds
  its line until an admin sends it again or discards it.
* A failed attempt is retried with exponential backoff until ``retry_hours`` (default 24) have
  passed since its first attempt; the failure after that makes it a dead letter.
* Sending is at-least-once: the idempotency key (``WebhookDelivery.key``) is the same on every
  attempt, so a receiver drops what it has already seen.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import (
    ACTIVE_DISPOSITION_STATES,
    Complaint,
    Event,
    FollowUp,
    WebhookDelivery,
    WebhookSubscription,
)
from ..workflow import WorkflowError
from . import events, transport
from .dispatch import enqueue_delivery, schedule_retry

logger = logging.getLogger(__name__)
State = WebhookDelivery.State
OPEN_STATES = (State.PENDING, State.DEAD)  # states that hold the deliveries behind them
# RQ's scheduler works in whole seconds and may start a retry a fraction early: still due.
DUE_SLACK = timedelta(seconds=2)

DEFAULTS: dict[str, Any] = {
    "retry_hours": 24,
    "backoff_base_seconds": 30,
    "backoff_max_seconds": 6 * 3600,
    "timeout_seconds": 10,
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **(settings.ADUAN.get("outgoing_webhooks") or {})}


# ---- fan-out ------------------------------------------------------------------------------


def deliveries_fan_out(*, event: Event) -> list[int]:
    """Inside the event's transaction: the pending deliveries of ``event``; their ids.

    Costs one query when no subscription is active. The jobs are enqueued on commit.
    """
    if event.complaint_id is None or event.verb not in events.VERB_TYPES:
        return []  # internal verbs (notes, drafts, messages) never leave the hub
    subs = list(WebhookSubscription.objects.filter(active=True).select_related("owner__aduan_profile"))
    if not subs:
        return []
    complaint = Complaint.objects.select_related("contact", "category", "kecamatan", "kelurahan").get(
        pk=event.complaint_id)
    types = events.event_types(event, complaint)
    takers = [s for s in subs if not s.events or set(s.events) & set(types)]
    if not takers:
        return []
    dispositions = list(complaint.dispositions.values_list("opd_id", "opd__code", "state"))
    opd_ids = {opd_id for opd_id, _code, _state in dispositions}
    takers = [s for s in takers if access.webhook_may_receive(s.owner, s.opd_id, opd_ids)]
    if not takers:
        return []
    body = _body(event, complaint, types, sorted({c for _i, c, s in dispositions if s in ACTIVE_DISPOSITION_STATES}))
    rows = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(subscription=s, event=event, complaint_id=complaint.pk, event_type=types[0], body=body)
        for s in takers
    ])
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue_many(ids))
    return ids


def _body(event: Event, complaint: Complaint, types: list[str], opd_codes: list[str]) -> str:
    content = access.webhook_sees_content(complaint)
    snapshot = events.masked(events.complaint_snapshot(complaint, opd_codes),
                             identity=access.webhook_sees_identity(complaint), content=content)
    followup_body = None
    if content and "followup" in event.data:
        followup_body = FollowUp.objects.filter(pk=event.data["followup"]).values_list("body", flat=True).first()
    data = events.event_data(event, content=content, followup_body=followup_body)
    return events.body_of(event=event, types=types, complaint=snapshot, data=data, site=settings.SITE_NAME)


def _enqueue_many(ids: list[int]) -> None:
    for delivery_id in ids:
        enqueue_delivery(delivery_id, 0)


# ---- sending ------------------------------------------------------------------------------


def _earlier_open() -> QuerySet[WebhookDelivery]:
    """Deliveries of the same line as the outer row, before it, still holding the line."""
    return WebhookDelivery.objects.filter(
        subscription_id=OuterRef("subscription_id"), complaint_id=OuterRef("complaint_id"),
        event_id__lt=OuterRef("event_id"), state__in=OPEN_STATES,
    )


def _is_head(delivery: WebhookDelivery) -> bool:
    return not WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id, complaint_id=delivery.complaint_id,
        event_id__lt=delivery.event_id, state__in=OPEN_STATES,
    ).exists()


def delivery_attempt(*, delivery_id: int, now: datetime | None = None, follow: int = 100) -> str:
    """Send one delivery if it is due and first in its line, then up to ``follow`` more of the same
    line while they succeed (one job drains a line instead of one job per delivery).

    Returns what happened to ``delivery_id``: ``delivered``, ``retry``, ``dead``, or why nothing
    was sent (``done``, ``paused``, ``not_due``, ``waiting``, ``busy``). Idempotent: a second job
    for the same delivery finds it done, held or leased.
    """
    first = outcome = _attempt_one(delivery_id, now)
    current = delivery_id
    while outcome == "delivered":
        following = _next_in_line(current)
        if following is None:
            break
        if follow <= 0:  # a long line goes on in a fresh job, so other lines get a worker too
            _enqueue_after(following, current)
            break
        current, follow = following[0], follow - 1
        outcome = _attempt_one(current, now)
    return first


def _attempt_one(delivery_id: int, now: datetime | None) -> str:
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != State.PENDING:
        return "done"
    if not delivery.subscription.active:
        return "paused"
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + DUE_SLACK:
        return "not_due"
    if not _is_head(delivery):
        return "waiting"
    lease = now + timedelta(seconds=float(config()["timeout_seconds"]) * 2 + 30)
    claimed = WebhookDelivery.objects.filter(pk=delivery.pk, state=State.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=lease)
    if not claimed:
        return "busy"
    outcome = transport.post(delivery, attempt=delivery.attempts + 1, timeout=float(config()["timeout_seconds"]))
    return _record(delivery, outcome, now)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base · 2^(attempts-1), capped."""
    cfg = config()
    seconds = float(cfg["backoff_base_seconds"]) * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, float(cfg["backoff_max_seconds"])))


def _record(delivery: WebhookDelivery, outcome: transport.Outcome, now: datetime) -> str:
    first = delivery.first_attempt_at or now
    fields: dict[str, Any] = {
        "attempts": delivery.attempts + 1, "first_attempt_at": first, "last_attempt_at": now,
        "last_status": outcome.status, "last_error": outcome.error[:2000], "lease_until": None,
    }
    if outcome.ok:
        fields.update(state=State.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None)
        result = "delivered"
    elif now - first >= timedelta(hours=float(config()["retry_hours"])):
        fields.update(state=State.DEAD, next_attempt_at=None)
        result = "dead"
    else:
        fields.update(next_attempt_at=now + backoff(delivery.attempts + 1))
        result = "retry"
    WebhookDelivery.objects.filter(pk=delivery.pk, state=State.PENDING).update(**fields)
    if result == "retry":
        schedule_retry(delivery.pk, fields["attempts"], fields["next_attempt_at"])
    else:
        logger.warning("webhook delivery %s is a dead letter after %s attempts", delivery.pk, fields["attempts"])
    return result


def _next_in_line(delivery_id: int) -> tuple[int, int] | None:
    """(id, attempts) of the pending delivery that follows ``delivery_id`` in its line."""
    row = WebhookDelivery.objects.filter(pk=delivery_id).values("subscription_id", "complaint_id", "event_id").first()
    if row is None:
        return None
    return WebhookDelivery.objects.filter(
        subscription_id=row["subscription_id"], complaint_id=row["complaint_id"],
        event_id__gt=row["event_id"], state=State.PENDING,
    ).order_by("event_id").values_list("pk", "attempts").first()


def _enqueue_after(following: tuple[int, int], previous: int) -> None:
    transaction.on_commit(lambda: enqueue_delivery(following[0], following[1], after=previous))


def _enqueue_next(delivery: WebhookDelivery) -> None:
    """The next delivery of the line, now that this one no longer holds it."""
    following = _next_in_line(delivery.pk)
    if following is not None:
        _enqueue_after(following, delivery.pk)


def due_heads(*, now: datetime | None = None, limit: int = 1000) -> list[tuple[int, int]]:
    """(id, attempts) of deliveries first in their line and due: for the sweep (lost jobs, retries)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(state=State.PENDING, subscription__active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(~Exists(_earlier_open()))
        .order_by("id").values_list("pk", "attempts")[:limit]
    )


# ---- the desk: dead letters ---------------------------------------------------------------


@transaction.atomic
def delivery_resend(*, delivery: WebhookDelivery, by: Any) -> WebhookDelivery:
    """An admin sends a dead letter again: a fresh series of attempts, first in its line again."""
    _require_admin(by)
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != State.DEAD:
        raise WorkflowError(_("Hanya kiriman yang gagal (dead-letter) yang dapat dikirim ulang."))
    delivery.state = State.PENDING
    delivery.attempts = 0
    delivery.first_attempt_at = delivery.next_attempt_at = delivery.lease_until = None
    delivery.handled_by = by
    delivery.save()
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue_many([pk]))
    return delivery


@transaction.atomic
def delivery_discard(*, delivery: WebhookDelivery, by: Any) -> WebhookDelivery:
    """An admin gives a dead letter up: it is kept in the log and the line behind it moves on."""
    _require_admin(by)
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != State.DEAD:
        raise WorkflowError(_("Hanya kiriman yang gagal (dead-letter) yang dapat dibuang."))
    delivery.state = State.DISCARDED
    delivery.handled_by = by
    delivery.save()
    _enqueue_next(delivery)
    return delivery


def _require_admin(by: Any) -> None:
    if not access.actor_for(by).is_admin:
        raise access.PermissionDenied(_("Hanya admin yang dapat mengelola kiriman webhook."))


# ---- the desk: subscriptions --------------------------------------------------------------


@transaction.atomic
def subscription_save(*, subscription: WebhookSubscription, by: Any) -> WebhookSubscription:
    """An admin creates or changes an integrator's subscription (the scope checked by access.py)."""
    _require_admin(by)
    access.webhook_scope_opd(subscription.owner, subscription.opd_id)
    unknown = set(subscription.events or []) - set(events.EVENT_TYPES)
    if unknown:
        raise WorkflowError(_("Jenis peristiwa tidak dikenal: %(e)s") % {"e": ", ".join(sorted(unknown))})
    subscription.save()
    return subscription
