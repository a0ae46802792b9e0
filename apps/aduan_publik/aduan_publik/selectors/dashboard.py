"""The ministry's figures for the dashboard, computed with aggregate queries only.

Definitions (stated here once, shown in ``docs/desk.md``):

* *ditindaklanjuti* (followed up): an OPD published a follow-up (``answered_at`` set);
* *selesai*: status closed; *dalam proses*: disposed or in progress at an OPD;
* each percentage is over the complaints that count (everything except archived ones);
* time to verify = verified − received; to first response = first OPD response − verified;
  to close = closed − received (closed ones only). Per OPD, response = accepted − disposed.

Medians use a window function (row number and count per group), so one query per figure
returns only the middle rows, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    CharField,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from ..models import Complaint, Disposition, Event, Role
from ..services.deadlines import overdue_complaints
from .complaints import awaiting_reroute

S = Complaint.Status
D = Disposition.State


def _span(end: str, start: str) -> Expression:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


DURATIONS = {
    "verify": ("verified_at", "received_at"),
    "respond": ("first_response_at", "verified_at"),
    "close": ("closed_at", "received_at"),
}


def medians(qs: QuerySet[Any], *, span: Expression, group: str | None = None) -> dict[Any, timedelta]:
    """Median of ``span`` over ``qs`` per value of ``group`` (the one key ``""`` without a group)."""
    partition = [F(group)] if group else []
    ranked = (qs.annotate(span=span).filter(span__isnull=False)
              .annotate(g=F(group) if group else Value("", output_field=CharField()),
                        rn=Window(RowNumber(), partition_by=partition, order_by=F("span").asc()),
                        n=Window(Count("pk"), partition_by=partition)))
    # The middle row (odd n) or the two middle rows (even n); integer division in SQL.
    middle = ranked.filter(Q(rn=(F("n") + 1) / 2) | Q(rn=F("n") / 2 + 1)).values_list("g", "span")
    found: dict[Any, list[timedelta]] = {}
    for key, value in middle:
        found.setdefault(key, []).append(value)
    return {key: sum(values, timedelta()) / len(values) for key, values in found.items()}


def _counted(since: datetime | None) -> QuerySet[Complaint]:
    qs = Complaint.objects.exclude(status=S.ARCHIVED)
    return qs.filter(received_at__gte=since) if since else qs


def _status_figures(qs: QuerySet[Complaint]) -> dict[str, Any]:
    agg = qs.aggregate(
        total=Count("pk"),
        followed_up=Count("pk", filter=Q(answered_at__isnull=False)),
        selesai=Count("pk", filter=Q(status=S.CLOSED)),
        in_process=Count("pk", filter=Q(status__in=(S.DISPOSED, S.IN_PROGRESS))),
        unverified=Count("pk", filter=Q(status__in=(S.RECEIVED, S.POSTPONED, S.RETURNED))),
        not_authority=Count("pk", filter=Q(status=S.NOT_AUTHORITY)),
        **{f"avg_{name}": Avg(_span(*cols)) for name, cols in DURATIONS.items()},
    )
    total = agg["total"] or 0
    for key in ("followed_up", "selesai", "in_process"):
        agg[f"pct_{key}"] = round(100 * agg[key] / total, 1) if total else None
    for name, cols in DURATIONS.items():
        agg[f"median_{name}"] = medians(qs, span=_span(*cols)).get("")
    return agg


def _per_channel(qs: QuerySet[Complaint]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [dict(row) for row in qs.values("channel").annotate(
        total=Count("pk"),
        followed_up=Count("pk", filter=Q(answered_at__isnull=False)),
        selesai=Count("pk", filter=Q(status=S.CLOSED)),
        avg_verify=Avg(_span(*DURATIONS["verify"])),
        avg_close=Avg(_span(*DURATIONS["close"])),
    ).order_by("-total", "channel")]
    median_verify = medians(qs, span=_span(*DURATIONS["verify"]), group="channel")
    median_close = medians(qs, span=_span(*DURATIONS["close"]), group="channel")
    for row in rows:
        row["median_verify"] = median_verify.get(row["channel"])
        row["median_close"] = median_close.get(row["channel"])
        row["pct_selesai"] = round(100 * row["selesai"] / row["total"], 1) if row["total"] else None
    return rows


def _per_opd(since: datetime | None) -> list[dict[str, Any]]:
    qs = Disposition.objects.all()
    if since:
        qs = qs.filter(created_at__gte=since)
    response = _span("accepted_at", "created_at")
    answer = _span("answered_at", "created_at")
    now = timezone.now()
    rows: list[dict[str, Any]] = [dict(row) for row in qs.values("opd_id", "opd__name").annotate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(state=D.ANSWERED)),
        open=Count("pk", filter=Q(state__in=(D.PENDING, D.ACCEPTED))),
        returned=Count("pk", filter=Q(state=D.RETURNED)),
        overdue=Count("pk", filter=Q(state=D.PENDING, respond_due__lt=now)
                      | Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now)),
        avg_response=Avg(response), avg_answer=Avg(answer),
    ).order_by("opd__name")]
    median_response = medians(qs, span=response, group="opd_id")
    median_answer = medians(qs, span=answer, group="opd_id")
    for row in rows:
        row["median_response"] = median_response.get(row["opd_id"])
        row["median_answer"] = median_answer.get(row["opd_id"])
        row["pct_answered"] = round(100 * row["answered"] / row["total"], 1) if row["total"] else None
    return rows


def admin_logins(*, days: int = 30) -> dict[str, int]:
    """Desk logins of Diskominfo admins in the last ``days`` days (from the audit trail)."""
    since = timezone.now() - timedelta(days=days)
    admins = get_user_model().objects.filter(Q(aduan_profile__role=Role.ADMIN) | Q(is_superuser=True))
    agg = Event.objects.filter(verb="login", created_at__gte=since, actor__in=admins).aggregate(
        logins=Count("pk"), admins=Count("actor", distinct=True))
    return {"logins": agg["logins"], "admins": agg["admins"], "days": days}


def dashboard_figures(*, since: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows; ``since`` limits it to complaints received from then on."""
    counted = _counted(since)
    returned = Disposition.objects.filter(state=D.RETURNED)
    if since:
        returned = returned.filter(returned_at__gte=since)
    return {
        "totals": _status_figures(counted),
        "per_channel": _per_channel(counted),
        "per_opd": _per_opd(since),
        "returned_not_authority": returned.count(),
        "overdue": overdue_complaints().count(),
        "awaiting_reroute": awaiting_reroute().count(),
        "logins": admin_logins(days=30),
        "since": since,
    }
