"""The full recount: every figure computed straight from the complaints (window functions for medians).

This is the reference the aggregates are checked against (``aduan figures-rebuild --check`` and
``tests/aduan_publik/figures/test_aggregates.py``), and it answers periods that are not day-aligned.
Pages never call it for their usual periods: :mod:`aduan_publik.figures` reads the aggregates then.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, CharField, Count, Expression, F, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth, TruncWeek
from django.utils import timezone

from .figure_rules import (
    ALL_TIME,
    AWAITING_REPORTER,
    IN_PROCESS,
    OPD_ANSWER,
    OPD_RESPONSE,
    TIMES,
    WAITING,
    D,
    Period,
    S,
    as_duration,
    counted,
    counted_q,
    finish,
    finish_opd,
    finish_triage,
    span,
)
from .models import Disposition

TRUNC = {"month": TruncMonth, "week": TruncWeek}


def medians(qs: QuerySet[Any], *, of: Expression, group: str | None = None) -> dict[Any, timedelta]:
    """Median of ``of`` over ``qs`` per value of ``group`` (the one key ``""`` without a group).

    A window function ranks the rows per group, so one query returns only the middle rows.
    """
    partition = [F(group)] if group else []
    ranked = (qs.annotate(span=of).filter(span__isnull=False)
              .annotate(g=F(group) if group else Value("", output_field=CharField()),
                        rn=Window(RowNumber(), partition_by=partition, order_by=F("span").asc()),
                        n=Window(Count("pk"), partition_by=partition)))
    # The middle row (odd n) or the two middle rows (even n); integer division in SQL.
    middle = ranked.filter(Q(rn=(F("n") + 1) / 2) | Q(rn=F("n") / 2 + 1)).values_list("g", "span")
    found: dict[Any, list[timedelta]] = {}
    for key, value in middle:
        found.setdefault(key, []).append(as_duration(value) or timedelta())
    return {key: sum(values, timedelta()) / len(values) for key, values in found.items()}


def _complaint_aggregates() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "waiting": Count("pk", filter=Q(status__in=WAITING)),
        "in_process": Count("pk", filter=Q(status__in=IN_PROCESS)),
        "awaiting_reporter": Count("pk", filter=Q(status__in=AWAITING_REPORTER)),
        "selesai": Count("pk", filter=Q(status=S.CLOSED)),
        "not_authority": Count("pk", filter=Q(status=S.NOT_AUTHORITY)),
        "followed_up": Count("pk", filter=Q(answered_at__isnull=False)),
        "secret": Count("pk", filter=Q(is_secret=True)),
        "rated": Count("rating"),
        "avg_rating": Avg("rating"),
        **{f"avg_{name}": Avg(span(*cols)) for name, cols in TIMES.items()},
    }


def totals(period: Period = ALL_TIME, *, opd_id: int | None = None) -> dict[str, Any]:
    qs = counted(period, opd_id=opd_id)
    row = finish(qs.aggregate(**_complaint_aggregates()))
    for name, cols in TIMES.items():
        row[f"median_{name}"] = medians(qs, of=span(*cols)).get("")
    return row


def per_channel(period: Period = ALL_TIME) -> list[dict[str, Any]]:
    qs = counted(period)
    grouped = qs.values("channel").annotate(**_complaint_aggregates()).order_by("channel")
    rows = sorted((finish(dict(row)) for row in grouped), key=lambda row: -row["total"])
    found = {name: medians(qs, of=span(*cols), group="channel") for name, cols in TIMES.items()}
    for row in rows:
        for name in TIMES:
            row[f"median_{name}"] = found[name].get(row["channel"])
    return rows


def totals_and_channels(period: Period = ALL_TIME) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return totals(period), per_channel(period)


def overdue_now(period: Period = ALL_TIME, *, opd_id: int | None = None) -> dict[int, int]:
    """Open dispositions past a deadline now, per OPD (counted live: it depends on *now*)."""
    now = timezone.now()
    qs = Disposition.objects.filter(Q(state=D.PENDING, respond_due__lt=now)
                                    | Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now))
    qs = period.filter(qs.filter(counted_q("complaint__")), "complaint__received_at")
    if opd_id is not None:
        qs = qs.filter(opd_id=opd_id)
    return dict(qs.values_list("opd_id").annotate(n=Count("pk")).order_by())


def per_opd(period: Period = ALL_TIME, *, opd_id: int | None = None) -> list[dict[str, Any]]:
    qs = Disposition.objects.filter(counted_q("complaint__")).exclude(state=D.CANCELLED)
    qs = period.filter(qs, "complaint__received_at")
    if opd_id is not None:
        qs = qs.filter(opd_id=opd_id)
    on_time = Q(answered_at__isnull=False) & (Q(complete_due__isnull=True) | Q(answered_at__lte=F("complete_due")))
    rows: list[dict[str, Any]] = [dict(r) for r in qs.values("opd_id", "opd__name", "opd__code").annotate(
        total=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)),
        on_time=Count("pk", filter=on_time), returned=Count("pk", filter=Q(state=D.RETURNED)),
        open=Count("pk", filter=Q(state__in=(D.PENDING, D.ACCEPTED))),
        rated=Count("complaint__rating"), avg_rating=Avg("complaint__rating"),
        avg_response=Avg(OPD_RESPONSE), avg_answer=Avg(OPD_ANSWER),
    ).order_by("opd__name")]
    overdue = overdue_now(period, opd_id=opd_id)
    median_response = medians(qs, of=OPD_RESPONSE, group="opd_id")
    median_answer = medians(qs, of=OPD_ANSWER, group="opd_id")
    for row in rows:
        finish_opd(row)
        row["overdue"] = overdue.get(row["opd_id"], 0)
        row["median_response"] = median_response.get(row["opd_id"])
        row["median_answer"] = median_answer.get(row["opd_id"])
    return rows


def triage_accuracy(period: Period = ALL_TIME) -> dict[str, Any]:
    from .models import TriageSuggestion

    qs = period.filter(TriageSuggestion.objects.exclude(outcome=""), "complaint__received_at")
    return finish_triage(qs.aggregate(triage_decided=Count("pk"),
                                      triage_accepted=Count("pk", filter=Q(outcome="accepted")),
                                      triage_top3=Count("pk", filter=Q(top3_hit=True))))


# ---- chart series (selectors/trends.py) ------------------------------------------------------


def received_vs_completed(period: Period = ALL_TIME, *, unit: str = "month",
                          opd_id: int | None = None) -> list[dict[str, Any]]:
    trunc = TRUNC.get(unit, TruncMonth)
    received = (counted(period, opd_id=opd_id).annotate(b=trunc("received_at")).values("b")
                .annotate(n=Count("pk")))
    closed_base = counted(opd_id=opd_id).filter(closed_at__isnull=False, status=S.CLOSED)
    closed = (period.filter(closed_base, "closed_at").annotate(b=trunc("closed_at")).values("b")
              .annotate(n=Count("pk")))
    buckets: dict[Any, dict[str, Any]] = {}
    for row in received:
        buckets.setdefault(row["b"].date(), {"received": 0, "completed": 0})["received"] = row["n"]
    for row in closed:
        buckets.setdefault(row["b"].date(), {"received": 0, "completed": 0})["completed"] = row["n"]
    return [{"bucket": key, **value} for key, value in sorted(buckets.items())]


def top_categories(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    rows = (counted(period, opd_id=opd_id).filter(category__isnull=False)
            .annotate(name=Coalesce(F("category__parent__name"), F("category__name")))
            .values("name").annotate(total=Count("pk")).order_by("-total", "name")[:limit])
    return [dict(row) for row in rows]


def top_kelurahan(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    rows = (counted(period, opd_id=opd_id).filter(kelurahan__isnull=False)
            .values(name=F("kelurahan__name")).annotate(total=Count("pk")).order_by("-total", "name")[:limit])
    return [dict(row) for row in rows]
