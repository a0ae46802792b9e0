"""Broadcast jobs: the tick (scheduler, every few seconds) and one job per running slot."""

from __future__ import annotations

from django.utils import timezone

__all__ = ["broadcast_run", "broadcast_tick", "send_optin"]


def broadcast_run(broadcast_id: int, slot: int) -> int:
    from .engine import run_slot

    return run_slot(broadcast_id, slot)


def broadcast_tick() -> None:
    """Start due broadcasts, restart slots without a live job, resume after a quota wait, complete."""
    from . import engine, services
    from .models import Broadcast

    now = timezone.now()
    for pk in Broadcast.objects.filter(state=Broadcast.State.SCHEDULED).values_list("pk", flat=True):
        services.broadcast_start(broadcast_id=pk)
    for b in Broadcast.objects.filter(state=Broadcast.State.SENDING):
        if b.waiting_until and b.waiting_until > now:
            continue
        if b.waiting_until:
            Broadcast.objects.filter(pk=b.pk).update(waiting_until=None)
        for slot in engine.slots_to_start(b.pk):
            # No job id: a job of a killed worker stays "started" in RQ for a while, and the
            # slot's Redis lease, not the job id, is what keeps one runner per slot.
            enqueue_slot(b.pk, slot)
        services.broadcast_complete(broadcast_id=b.pk)


def enqueue_slot(broadcast_id: int, slot: int) -> None:
    from .engine import enqueue_slot as engine_enqueue_slot

    engine_enqueue_slot(broadcast_id, slot)


def send_optin(subscription_id: int) -> None:
    from .optin import optin_request_send

    optin_request_send(subscription_id=subscription_id)
