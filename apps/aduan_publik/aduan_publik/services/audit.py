"""The audit trail writer and small shared helpers of the services."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Complaint, Counter, Event

SYSTEM = "sistem"
CHANNEL_EVENT_JOB = "aduan_publik.jobs.channel_event"  # stored in Redis by path: keep it stable


def actor_label(by: Any) -> str:
    if by is None:
        return SYSTEM
    if isinstance(by, str):
        return by
    full = by.get_full_name() if hasattr(by, "get_full_name") else ""
    return f"{full} ({by.get_username()})" if full else by.get_username()


def event_record(
    *, complaint: Complaint | None, by: Any, verb: str, summary: str, data: dict[str, Any] | None = None
) -> Event:
    """Append one audit event. ``by`` is a user, a label such as "pelapor" or "whatsapp", or None.

    When the complaint's channel mirrors changes back (``capabilities.status_sync``), the event
    is handed to the channel in a job after commit: the one hook through which a change made
    anywhere in the hub reaches the provider. Events the channel writes itself (``by`` is its
    name, e.g. the SP4N-LAPOR! pull) already mirror the provider and are not handed back.
    Integrators' webhook subscriptions get their deliveries in the same transaction, and the
    complaint is marked for a refresh of the figures' aggregates (a job on commit).
    """
    event = Event.objects.create(
        complaint=complaint,
        actor=by if by is not None and not isinstance(by, str) else None,
        actor_label=actor_label(by)[:150],
        verb=verb,
        summary=summary,
        data=data or {},
    )
    if complaint is not None and by != complaint.channel and _syncs_status(complaint.channel):
        from ..queueing import enqueue_on_commit

        enqueue_on_commit(CHANNEL_EVENT_JOB, complaint.channel, event.pk, job_id=f"chan-event-{event.pk}")
    if complaint is not None:
        _webhooks_fan_out(event)
        _figures_mark(complaint)
    return event


def _figures_mark(complaint: Complaint) -> None:
    """The complaint's share of the published figures is refreshed by a job on commit."""
    from .figure_aggregates import complaint_figures_mark

    complaint_figures_mark(complaint_id=complaint.pk)


def _webhooks_fan_out(event: Event) -> None:
    """Integrators' outgoing webhooks: deliveries written in this transaction (docs/webhooks.md)."""
    from ..webhooks_out.services import deliveries_fan_out

    deliveries_fan_out(event=event)


def _syncs_status(channel: str) -> bool:
    from ..channels.registry import UnknownChannel, get_channel

    try:
        return get_channel(channel).capabilities.status_sync
    except UnknownChannel:
        return False


def next_sequence(name: str) -> int:
    """Advance a named counter under a row lock: gap-free, safe across processes."""
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        counter = Counter.objects.select_for_update().get(name=name)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


def next_tracking_number() -> str:
    year = timezone.localdate().year
    return f"ADU-{year}-{next_sequence(f'complaint-{year}'):06d}"


# Unambiguous characters only: codes are read aloud over the phone and typed on phones.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_access_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
