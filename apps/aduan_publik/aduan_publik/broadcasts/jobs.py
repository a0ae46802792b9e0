"""Broadcast jobs: the tick (scheduler, every few seconds) and one job per running slot."""

from __future__ import annotations

from contextlib import suppress

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
            _enqueue_slot(b.pk, slot, engine.JOB_TIMEOUT)
        services.broadcast_complete(broadcast_id=b.pk)


def _enqueue_slot(broadcast_id: int, slot: int, timeout: int) -> None:
    from redis.exceptions import RedisError

    from ..queueing import get_queue

    with suppress(RedisError):  # the next tick tries again
        get_queue("default").enqueue(broadcast_run, broadcast_id, slot, job_timeout=timeout)


def send_optin(subscription_id: int) -> None:
    from .optin import optin_request_send

    optin_request_send(subscription_id=subscription_id)
