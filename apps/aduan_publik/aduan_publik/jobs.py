"""Background jobs on Redis (RQ).

Every job takes an id, loads the row, calls a service and is idempotent: running it twice,
or after a crash, changes nothing more. Jobs are enqueued on commit, so a job never sees
data that was rolled back. If Redis is down at that moment the row stays in its pending
state and the scheduler's sweep (:func:`sweep_pending`) enqueues it later: nothing
accepted is lost. In tests the queues run inline (``RQ_QUEUES[...]["ASYNC"] = False``).

Putting work on a queue lives one layer down, in :mod:`.queueing` (and the inbound hand-off in
:mod:`.inbound_queue`): services enqueue a job by its dotted path and never import this module.
The names below are re-exported for callers of this module; job functions keep their paths
(``aduan_publik.jobs.<name>``) because queued jobs in Redis name them.
"""

from __future__ import annotations

import logging

from .inbound_queue import DRAIN_BATCH, _inbound_keys, inbound_reconcile, notify_inbound  # noqa: F401
from .queueing import (  # noqa: F401  (re-exported for callers of this module)
    MEDIA_RETRY,
    SEND_RETRY,
    enqueue,
    enqueue_on_commit,
    get_queue,
    job_id,
    will_retry,
)

logger = logging.getLogger(__name__)


# ---- inbound hand-off: the drain job (the hand-off itself is in .inbound_queue) -------------


def drain_inbound() -> int:
    """Job: turn the inbound backlog into per-event jobs (one pipeline per batch). Returns the count.

    The flag is released first: a delivery pushed from now on claims it and brings its own
    drain job, so nothing waits on this one (and a kill mid-drain strands no flag). Ids whose
    event is no longer pending (the sweep got there first) are dropped, so a stale backlog
    costs no jobs in front of fresh deliveries.
    """
    from rq import Queue

    from .services.inbound import inbound_pending_among

    q = get_queue("default")
    conn = q.connection
    backlog, flag = _inbound_keys()
    conn.delete(flag)
    total = 0
    while ids := conn.rpop(backlog, DRAIN_BATCH):
        pending = inbound_pending_among([int(i) for i in ids])
        if pending:
            q.enqueue_many([
                Queue.prepare_data(process_inbound_event, (i,), job_id=f"inbound-{i}") for i in pending
            ])
        total += len(pending)
    return total


# ---- job entry points: thin, id in, service out ------------------------------------------


def process_inbound_event(event_id: int) -> None:
    from .services.inbound import inbound_event_process

    inbound_event_process(event_id=event_id)


def send_message(message_id: int) -> None:
    from .services.sending import message_send

    message_send(message_id=message_id)


def fetch_attachment(message_id: int, media_id: str, filename: str) -> None:
    from .services.receiving import message_fetch_media

    message_fetch_media(message_id=message_id, media_id=media_id, filename=filename)


def channel_event(channel: str, event_id: int) -> None:
    """Hand one audit event to a status-syncing channel (e.g. push a follow-up to SP4N-LAPOR!)."""
    from .channels.registry import get_channel
    from .models import Event

    # The complaint's own channel instance (which LAPOR! account, which number) mirrors it.
    instance = Event.objects.filter(pk=event_id).values_list("complaint__channel_instance", flat=True).first()
    get_channel(channel, instance=instance or "").on_event(event_id)


def run_deadline_sweep() -> None:
    from .services.lifecycle import deadlines_sweep

    deadlines_sweep()


def sweep_pending() -> None:
    """Re-enqueue work whose job was lost (Redis down at enqueue time, worker killed)."""
    from .services.inbound import pending_inbound_ids
    from .services.sending import queued_message_ids, stale_sending_fail

    inbound_reconcile()
    for event_id in pending_inbound_ids():
        enqueue(process_inbound_event, event_id, job_id=f"inbound-{event_id}")
    for message_id in queued_message_ids():
        enqueue(send_message, message_id, job_id=f"send-{message_id}", retry=SEND_RETRY)
    stale_sending_fail()


# ---- staff notifications ----------------------------------------------------------------------


def send_notification_mail(notification_id: int) -> None:
    from .services.notify import notification_mail_send

    notification_mail_send(notification_id=notification_id, final=not will_retry())


def run_escalation_sweep() -> None:
    """Escalation steps that are due, and notification e-mails whose job was lost."""
    from .services.escalation import escalation_sweep
    from .services.notify import queued_mail_ids

    escalation_sweep()
    for notification_id in queued_mail_ids():
        enqueue(send_notification_mail, notification_id, job_id=f"notify-mail-{notification_id}", retry=SEND_RETRY)


def run_daily_digest() -> None:
    """Hourly; sends each user's digest once per working day from the site's digest hour."""
    from .services.escalation import digest_send

    digest_send()


def run_retention() -> int:
    """Daily: erase the identities the site's retention policy says to (services.privacy)."""
    from .services.privacy import retention_apply

    return retention_apply()


def figures_refresh(complaint_id: int) -> None:
    """Bring the figures' aggregates up to date with one complaint (marked by ``event_record``)."""
    from .services.figure_aggregates import complaint_figures_refresh

    complaint_figures_refresh(complaint_id=complaint_id)


def run_figures_sweep() -> int:
    """Every minute: complaints whose figures refresh job was lost; or, when a migration marked the
    whole aggregates stale, one full rebuild on the long queue (instead of a million refreshes)."""
    from .services.figure_aggregates import figures_rebuild_wanted, figures_sweep

    if figures_rebuild_wanted():
        enqueue(figures_rebuild_marked, queue="long", job_id=job_id("figures-rebuild"))
        return 0
    return figures_sweep()


def figures_rebuild_marked() -> dict[str, int]:
    """Job: the full rebuild a migration asked for (idempotent: nothing to do once the mark is gone)."""
    from .services.figure_aggregates import figures_rebuild, figures_rebuild_wanted

    return figures_rebuild() if figures_rebuild_wanted() else {}
