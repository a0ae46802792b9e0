"""Triage jobs: one per new complaint (enqueued on commit by :mod:`.intake`) and the nightly retraining."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def triage_complaint(complaint_id: int) -> None:
    """Idempotent. A failure is logged and left for the nightly sweep: a suggestion is advice, never a gate."""
    from .services import suggestion_create

    try:
        suggestion_create(complaint_id=complaint_id)
    except Exception:  # see the docstring: intake must not fail for advice
        logger.exception("triage of complaint %s failed; the nightly sweep retries it", complaint_id)


def run_nightly() -> dict[str, object]:
    """Retrain on the site's verified history, then suggest for waiting complaints that have none."""
    from ..models import Complaint
    from . import store

    if not store.options()["enabled"]:
        return {"enabled": False}
    model = store.retrain()
    missing = list(Complaint.objects.filter(status=Complaint.Status.RECEIVED, triage__isnull=True)
                   .values_list("pk", flat=True)[:5000])
    for pk in missing:
        triage_complaint(pk)
    return {"source": model.info.get("source"), "rows": model.info.get("n_train"), "triaged": len(missing)}
