"""RQ entry points of the LAPOR! adapter: thin, idempotent, id in and service out."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aduan_publik.queueing import enqueue


def pull(full: bool = False) -> None:
    from .sync import lapor_pull

    lapor_pull(full=full)


def masters() -> None:
    from .masters import masters_run

    masters_run()


def push(row_id: int) -> None:
    from .push import outbox_send

    outbox_send(row_id=row_id)


def enqueue_push(row_id: int) -> None:
    enqueue(push, row_id, job_id=f"lapor-push-{row_id}")


def tick() -> None:
    """The scheduler's minute: send due outbox rows, and start the pull when its interval passed."""
    from . import LaporChannel
    from .models import SyncState
    from .push import outbox_due_ids
    from .sync import PULL_JOB_ID

    channel = LaporChannel()
    if not channel.is_configured():
        return
    for row_id in outbox_due_ids():
        enqueue_push(row_id)
    interval = timedelta(seconds=int(channel.config().get("pull_interval", 900)))
    last = SyncState.objects.filter(key="default").values_list("last_run_at", flat=True).first()
    if last is None or timezone.now() - last >= interval:
        enqueue(pull, queue="long", job_id=PULL_JOB_ID)
    _masters_when_due(channel.config())


def _masters_when_due(config: dict[str, object]) -> None:
    """The master lists are re-read once a day (``masters_interval``), on the long queue."""
    from .masters import MASTERS_JOB_ID
    from .models import SyncState

    interval = timedelta(seconds=int(str(config.get("masters_interval", 86400))))
    last = SyncState.objects.filter(key="default").values_list("masters_tried_at", flat=True).first()
    if last is None or timezone.now() - last >= interval:
        enqueue(masters, queue="long", job_id=MASTERS_JOB_ID)
