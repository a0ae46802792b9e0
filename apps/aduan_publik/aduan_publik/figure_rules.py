"""The rules behind every figure (which complaints count, periods, spans, percentages, row finishing).

Shared by :mod:`aduan_publik.figures` (the public face every page calls), the full recount
(:mod:`aduan_publik.figures_recount`) and the aggregate reader (``selectors/figure_aggregates.py``),
so neither of those has to import the module that dispatches to it. The definitions are stated in
:mod:`aduan_publik.figures` and ``docs/figures.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DurationField, Expression, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Complaint, Disposition

S = Complaint.Status
D = Disposition.State

WAITING = (S.RECEIVED, S.POSTPONED)
IN_PROCESS = (S.DISPOSED, S.IN_PROGRESS, S.RETURNED)
AWAITING_REPORTER = (S.ANSWERED,)
#: the status filter of the public list → the figure with the same label
STATUS_FIGURE: dict[str, str] = {S.CLOSED: "selesai", S.NOT_AUTHORITY: "not_authority", S.ANSWERED: "awaiting_reporter"}


# ---- which complaints count, and over which period ----------------------------------------------


@dataclass(frozen=True)
class Period:
    """Complaints received in ``[start, end)``; ``None`` on either side is open."""

    start: datetime | None = None
    end: datetime | None = None

    def filter(self, qs: QuerySet[Any], field: str = "received_at") -> QuerySet[Any]:
        if self.start is not None:
            qs = qs.filter(**{f"{field}__gte": self.start})
        if self.end is not None:
            qs = qs.filter(**{f"{field}__lt": self.end})
        return qs


ALL_TIME = Period()


def year_period(year: int) -> Period:
    tz = timezone.get_current_timezone()
    return Period(datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz))


def month_period(year: int, month: int) -> Period:
    tz = timezone.get_current_timezone()
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return Period(datetime(year, month, 1, tzinfo=tz), end)


def counted_q(prefix: str = "") -> Q:
    """The rule of which complaints count, for a query over complaints (or through ``prefix``)."""
    return ~Q(**{f"{prefix}status": S.ARCHIVED}) & Q(**{f"{prefix}duplicate_of__isnull": True})


def counted(period: Period = ALL_TIME, *, opd_id: int | None = None) -> QuerySet[Complaint]:
    """The complaints every figure counts; ``opd_id`` keeps those ever disposed to that OPD."""
    qs = period.filter(Complaint.objects.filter(counted_q()))
    if opd_id is not None:
        qs = qs.filter(pk__in=Disposition.objects.filter(opd_id=opd_id).exclude(state=D.CANCELLED)
                       .values("complaint_id"))
    return qs


def is_counted(complaint: Complaint) -> bool:
    """The same rule as :func:`counted` for one complaint already in memory (the CSV export)."""
    return complaint.status != S.ARCHIVED and complaint.duplicate_of_id is None


# ---- spans, medians, percentages --------------------------------------------------------------


def span(end: str, start: str) -> Expression:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


#: complaint times: every one runs from the moment the complaint was received
TIMES = {
    "verify": ("verified_at", "received_at"),
    "first_response": ("first_response_at", "received_at"),
    "close": ("closed_at", "received_at"),
}
OPD_RESPONSE = ExpressionWrapper(Coalesce("accepted_at", "answered_at") - F("created_at"),
                                 output_field=DurationField())
OPD_ANSWER = ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())


def as_duration(value: Any) -> timedelta | None:
    """Some databases return a mean duration as microseconds; normalise to a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))


def percent(part: int | None, whole: int | None) -> Decimal | None:
    """``part`` of ``whole`` in percent, rounded half up to one decimal (``None`` without a whole)."""
    if not whole:
        return None
    return (Decimal(100 * (part or 0)) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---- the queries: aggregates for day-aligned periods, the full recount otherwise ----------------------


def finish_triage(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("triage_accepted", "triage_top3"):
        row[f"pct_{key}"] = percent(row[key], row["triage_decided"])
    return row


def finish(row: dict[str, Any]) -> dict[str, Any]:
    """Percentages and durations of a :func:`totals`-shaped row of counts and mean times."""
    for key in ("selesai", "followed_up", "in_process"):
        row[f"pct_{key}"] = percent(row[key], row["total"])
    for name in TIMES:
        row[f"avg_{name}"] = as_duration(row[f"avg_{name}"])
    return row


def finish_opd(row: dict[str, Any]) -> dict[str, Any]:
    """Percentages, rating and durations of a league-table row."""
    row["pct_answered"] = percent(row["answered"], row["total"])
    row["pct_on_time"] = percent(row["on_time"], row["answered"])
    row["avg_rating"] = one_decimal(row["avg_rating"])
    row["avg_response"], row["avg_answer"] = as_duration(row["avg_response"]), as_duration(row["avg_answer"])
    return row


def one_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
