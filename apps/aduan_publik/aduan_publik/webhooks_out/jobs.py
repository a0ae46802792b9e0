"""RQ entry points of outgoing webhooks: id in, service out (see :mod:`.services`)."""

from __future__ import annotations

from .dispatch import enqueue_delivery, schedule_retry

__all__ = ["deliver_webhook", "enqueue_delivery", "schedule_retry", "webhook_sweep"]


def deliver_webhook(delivery_id: int) -> str:
    """Job: one attempt of one delivery (idempotent: a held, done or leased delivery is left alone)."""
    from .services import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


def webhook_sweep() -> int:
    """Every minute: re-enqueue due deliveries first in their line (retries, jobs lost). Returns the count."""
    from .services import due_heads

    heads = due_heads()
    for delivery_id, attempts in heads:
        enqueue_delivery(delivery_id, attempts)
    return len(heads)
