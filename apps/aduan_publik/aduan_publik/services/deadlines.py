"""Deadlines: the complaint's current due time, and the scheduled sweep that flags and auto-closes."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..calendar import WorkingCalendar, stage_days
from ..models import Complaint, Disposition
from .audit import event_record

logger = logging.getLogger(__name__)
S = Complaint.Status
D = Disposition.State


def refresh_due(complaint: Complaint) -> None:
    """Recompute ``complaint.due_at`` for the stage it is in (call inside the service's transaction).

    Received/returned: the verification deadline (kept as set). With OPDs working on it: the
    earliest open deadline of its dispositions. Answered: the auto-close moment.
    """
    if complaint.status in (S.DISPOSED, S.IN_PROGRESS):
        agg = complaint.dispositions.aggregate(
            respond=Min("respond_due", filter=Q(state=D.PENDING)),
            complete=Min("complete_due", filter=Q(state__in=(D.PENDING, D.ACCEPTED))),
        )
        candidates = [d for d in (agg["respond"], agg["complete"]) if d is not None]
        complaint.due_at = min(candidates) if candidates else None
    elif complaint.status == S.ANSWERED:
        complaint.due_at = WorkingCalendar().add_working_days(
            complaint.answered_at or timezone.now(),
            stage_days("autoclose_working_days", complaint.category),
        )
    complaint.overdue_flagged_at = None
    Complaint.objects.filter(pk=complaint.pk).update(due_at=complaint.due_at, overdue_flagged_at=None)


OVERDUE_STATUSES = (S.RECEIVED, S.RETURNED, S.DISPOSED, S.IN_PROGRESS)


def overdue_complaints(now: datetime | None = None):  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    return Complaint.objects.filter(status__in=OVERDUE_STATUSES, due_at__lt=now)


def deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Flag newly overdue complaints and dispositions, auto-close answered ones. Idempotent."""
    now = now or timezone.now()
    flagged = 0
    for pk in overdue_complaints(now).filter(overdue_flagged_at__isnull=True).values_list("pk", flat=True):
        flagged += _flag_complaint(pk, now)
    late = Disposition.objects.filter(overdue_flagged_at__isnull=True).filter(
        Q(state=D.PENDING, respond_due__lt=now) | Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now)
    )
    flagged_dispositions = sum(_flag_disposition(pk, now) for pk in late.values_list("pk", flat=True))
    closed = 0
    from .lifecycle import complaint_autoclose

    for complaint in Complaint.objects.filter(status=S.ANSWERED, due_at__lt=now):
        try:
            complaint_autoclose(complaint=complaint, now=now)
            closed += 1
        except Exception:  # one bad row must not stop the sweep
            logger.exception("auto-close of %s failed", complaint.tracking_number)
    return {"complaints_flagged": flagged, "dispositions_flagged": flagged_dispositions, "closed": closed}


@transaction.atomic
def _flag_complaint(pk: int, now: datetime) -> int:
    complaint = Complaint.objects.select_for_update().get(pk=pk)
    if complaint.overdue_flagged_at or not complaint.due_at or complaint.due_at >= now:
        return 0
    complaint.overdue_flagged_at = now
    complaint.save(update_fields=["overdue_flagged_at"])
    event_record(complaint=complaint, by=None, verb="overdue",
                 summary=_("Melewati batas waktu tahap «%(s)s».") % {"s": complaint.get_status_display()},
                 data={"due_at": complaint.due_at.isoformat(), "status": complaint.status})
    return 1


@transaction.atomic
def _flag_disposition(pk: int, now: datetime) -> int:
    disposition = Disposition.objects.select_for_update().select_related("complaint", "opd").get(pk=pk)
    if disposition.overdue_flagged_at:
        return 0
    disposition.overdue_flagged_at = now
    disposition.save(update_fields=["overdue_flagged_at"])
    event_record(complaint=disposition.complaint, by=None, verb="disposition_overdue",
                 summary=_("%(opd)s melewati batas waktu.") % {"opd": disposition.opd.name},
                 data={"opd": disposition.opd.code, "state": disposition.state})
    return 1
