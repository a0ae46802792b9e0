"""Public figures, the kind cities publish: totals, % completed, response times per OPD and channel.

Every figure is one aggregate query over non-*rahasia* complaints (no per-row loops), so the page
costs the same with 100 or 100,000 complaints. Merged duplicates are not counted twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce

from ..channels.registry import channel_choices
from ..models import Complaint, Disposition

S = Complaint.Status
IN_PROCESS = (S.DISPOSED, S.IN_PROGRESS, S.RETURNED, S.ANSWERED)
WAITING = (S.RECEIVED, S.POSTPONED)


def _span(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def counted_complaints(year: int | None = None) -> QuerySet[Complaint]:
    qs = Complaint.objects.filter(is_secret=False, duplicate_of__isnull=True)
    return qs.filter(received_at__year=year) if year else qs


def _complaint_aggregates() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "closed": Count("pk", filter=Q(status=S.CLOSED)),
        "followed_up": Count("pk", filter=Q(answered_at__isnull=False)),
        "in_process": Count("pk", filter=Q(status__in=IN_PROCESS)),
        "waiting": Count("pk", filter=Q(status__in=WAITING)),
        "archived": Count("pk", filter=Q(status=S.ARCHIVED)),
        "not_authority": Count("pk", filter=Q(status=S.NOT_AUTHORITY)),
        "avg_verify": Avg(_span("verified_at", "received_at")),
        "avg_first_response": Avg(_span("first_response_at", "received_at")),
        "avg_close": Avg(_span("closed_at", "received_at")),
    }


def _with_percentages(row: dict[str, Any]) -> dict[str, Any]:
    total = row["total"] or 0
    row["pct_closed"] = round(100 * row["closed"] / total, 2) if total else None
    row["pct_followed_up"] = round(100 * row["followed_up"] / total, 2) if total else None
    return row


def public_figures(year: int | None = None) -> dict[str, Any]:
    """Totals for the whole city, then one row per channel and per OPD."""
    qs = counted_complaints(year)
    totals = _with_percentages(qs.aggregate(**_complaint_aggregates()))
    labels = dict(channel_choices())
    rows = qs.values("channel").annotate(**_complaint_aggregates()).order_by("channel")
    per_channel = sorted(
        (_with_percentages({**row, "label": labels.get(row["channel"], row["channel"])}) for row in rows),
        key=lambda row: -row["total"],
    )
    return {"totals": totals, "per_channel": per_channel, "per_opd": per_opd(qs)}


def per_opd(complaints: QuerySet[Complaint]) -> list[dict[str, Any]]:
    """Dispositions per OPD: how many, answered, returned, and the mean time to first response."""
    rows = (
        Disposition.objects.filter(complaint__in=complaints).exclude(state=Disposition.State.CANCELLED)
        .values("opd__name")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            returned=Count("pk", filter=Q(state=Disposition.State.RETURNED)),
            avg_response=Avg(ExpressionWrapper(
                Coalesce("accepted_at", "answered_at") - F("created_at"), output_field=DurationField()
            )),
            avg_answer=Avg(_span("answered_at", "created_at")),
        )
        .order_by("opd__name")
    )
    result = []
    for row in rows:
        total = row["total"]
        result.append({**row, "pct_answered": round(100 * row["answered"] / total, 2) if total else None})
    return result


def as_duration(value: Any) -> timedelta | None:
    """Some databases return a mean duration as microseconds; normalise to a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))
