"""Deadlines: the complaint's current due time, and flagging what is overdue (the sweep: ``lifecycle``)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..calendar import WorkingCalendar, stage_days
from ..models import CLOSED_STATUSES, Complaint, Disposition
from ..models.complaint import SWEEP_STATUSES, unflagged_q
from .audit import event_record

logger = logging.getLogger(__name__)
S = Complaint.Status
D = Disposition.State


def refresh_due(complaint: Complaint) -> None:
    """Recompute ``complaint.due_at`` for the stage it is in (call inside the service's transaction).

    Received/returned: the verification deadline (kept as set). With OPDs working on it: the
    earliest open deadline of its dispositions. Answered: the auto-close moment. The overdue
    flag is cleared only when the deadline moves: one OPD accepting while another is still
    late must not make the sweep report the same lateness twice.
    """
    before = complaint.due_at
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
    if complaint.due_at != before:
        complaint.overdue_flagged_at = None
    Complaint.objects.filter(pk=complaint.pk).update(
        due_at=complaint.due_at, overdue_flagged_at=complaint.overdue_flagged_at
    )


def disposition_deadlines(complaint: Complaint, start: datetime) -> dict[str, datetime]:
    """An OPD's response and completion deadlines for work on ``complaint`` starting at ``start``."""
    cal = WorkingCalendar()
    complete_stage = "complete_field_check_days" if complaint.field_check else "complete_days"
    return {
        "respond_due": cal.add_working_days(start, stage_days("respond_working_days", complaint.category)),
        "complete_due": cal.add_days(start, stage_days(complete_stage, complaint.category)),
    }


def dispositions_reactivate(complaint: Complaint, states: tuple[str, ...]) -> int:
    """Put the complaint's dispositions in ``states`` back to work (reopen, reporter unsatisfied).

    The OPD gets a fresh completion deadline from now: the old one passed long ago and the
    next sweep would report the reopened work as late at once. Returns how many rows changed.
    """
    due = disposition_deadlines(complaint, timezone.now())["complete_due"]
    return complaint.dispositions.filter(state__in=states).update(state=D.ACCEPTED, complete_due=due)


# The same tuple as the sweep's partial index (models.complaint.SWEEP_STATUSES), so the planner uses it.
OVERDUE_STATUSES = tuple(S(value) for value in SWEEP_STATUSES)


def overdue_complaints(now: datetime | None = None):  # type: ignore[no-untyped-def]
    """Open complaints past the deadline of their current stage (flagged or not)."""
    now = now or timezone.now()
    return Complaint.objects.filter(status__in=OVERDUE_STATUSES, due_at__lt=now)


def unflagged_overdue(now: datetime):  # type: ignore[no-untyped-def]
    """Open complaints past their deadline and not yet flagged for it: what the sweep flags.

    Read through the partial index ``complaint_sweep_unflagged`` (due rows only, flagged ones
    are not in it), so the sweep's cost follows the new lateness, not the history.
    """
    return overdue_complaints(now).filter(unflagged_q("due_at"))


def late_dispositions(now: datetime | None = None):  # type: ignore[no-untyped-def]
    """Dispositions of open complaints past their response or completion deadline, not yet flagged.

    Each arm of the OR matches one partial index (``disposition_sweep_respond``/``_complete``).
    """
    now = now or timezone.now()
    respond_late = Q(state=D.PENDING, respond_due__lt=now) & unflagged_q("respond_due")
    complete_late = Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now) & unflagged_q("complete_due")
    return Disposition.objects.filter(respond_late | complete_late).exclude(
        complaint__status__in=CLOSED_STATUSES
    )


def overdue_flag(*, now: datetime) -> tuple[int, int]:
    """Flag newly overdue complaints and dispositions: (complaints, dispositions) flagged. Idempotent.

    Each lateness is reported once (one ``overdue``/``disposition_overdue`` event); a second
    run with nothing new writes nothing. Closed, archived and forwarded complaints are never
    touched. The scheduled sweep is :func:`.lifecycle.deadlines_sweep`.
    """
    candidates = unflagged_overdue(now).values_list("pk", flat=True)
    flagged = sum(_flag_complaint(pk, now) for pk in list(candidates))
    late = list(late_dispositions(now).values_list("pk", flat=True))
    return flagged, sum(_flag_disposition(pk, now) for pk in late)


def _is_flagged(flagged_at: datetime | None, due: datetime | None) -> bool:
    return flagged_at is not None and due is not None and flagged_at >= due


@transaction.atomic
def _flag_complaint(pk: int, now: datetime) -> int:
    complaint = Complaint.objects.select_for_update().get(pk=pk)
    due = complaint.due_at
    if complaint.status not in OVERDUE_STATUSES or not due or due >= now:
        return 0
    if _is_flagged(complaint.overdue_flagged_at, due):
        return 0
    complaint.overdue_flagged_at = now
    complaint.save(update_fields=["overdue_flagged_at"])
    event_record(complaint=complaint, by=None, verb="overdue",
                 summary=_("Melewati batas waktu tahap «%(s)s».") % {"s": complaint.get_status_display()},
                 data={"due_at": due.isoformat(), "status": complaint.status})
    return 1


def _passed_deadline(disposition: Disposition, now: datetime) -> tuple[str, datetime] | None:
    """The latest deadline of the disposition that passed and is not yet flagged."""
    passed = []
    if disposition.state in (D.PENDING, D.ACCEPTED) and disposition.complete_due and disposition.complete_due < now:
        passed.append(("complete", disposition.complete_due))
    if disposition.state == D.PENDING and disposition.respond_due and disposition.respond_due < now:
        passed.append(("respond", disposition.respond_due))
    passed = [(kind, due) for kind, due in passed if not _is_flagged(disposition.overdue_flagged_at, due)]
    return max(passed, key=lambda item: item[1]) if passed else None


@transaction.atomic
def _flag_disposition(pk: int, now: datetime) -> int:
    disposition = Disposition.objects.select_for_update().select_related("complaint", "opd").get(pk=pk)
    passed = _passed_deadline(disposition, now)
    if passed is None or disposition.complaint.status in CLOSED_STATUSES:
        return 0
    kind, due = passed
    disposition.overdue_flagged_at = now
    disposition.save(update_fields=["overdue_flagged_at"])
    summary = (_("%(opd)s belum merespons disposisi melewati batas waktu.") if kind == "respond"
               else _("%(opd)s melewati batas waktu penyelesaian."))
    event_record(complaint=disposition.complaint, by=None, verb="disposition_overdue",
                 summary=summary % {"opd": disposition.opd.name},
                 data={"opd": disposition.opd.code, "state": disposition.state, "deadline": kind,
                       "due_at": due.isoformat()})
    return 1
