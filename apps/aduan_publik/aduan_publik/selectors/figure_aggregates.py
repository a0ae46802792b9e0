"""Figures read from the aggregates (``FigureCell``): a few indexed reads, whatever the number of complaints.

Periods must be day-aligned in the site's time zone (:func:`aduan_publik.figures.day_aligned`): whole
months are read from month cells, the days at either edge from day cells. The results have exactly
the shape of :mod:`aduan_publik.figures_recount`, which they equal (medians within a bucket's width).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .. import figure_cells
from ..figure_cells import COMPLAINT_TIMES
from ..figure_rules import (
    ALL_TIME,
    AWAITING_REPORTER,
    IN_PROCESS,
    WAITING,
    Period,
    S,
    finish,
    finish_opd,
    finish_triage,
)
from ..models import OPD, Area, Category, FigureCell, FigureHistogram, FigureOpenDue
from ..models.figures import VALUE_COLUMNS

GROUPS = {"waiting": WAITING, "in_process": IN_PROCESS, "awaiting_reporter": AWAITING_REPORTER,
          "selesai": (S.CLOSED,), "not_authority": (S.NOT_AUTHORITY,)}


def _day(moment: Any) -> date | None:
    if moment is None:
        return None
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period_q(period: Period, *, all_time: bool = True) -> Q:
    """The cells that add up to ``period``: month cells for whole months, day cells for the edges
    (all time: the all-time cells, unless ``all_time`` is off, as for series per month)."""
    first, end = _day(period.start), _day(period.end)
    if all_time and first is None and end is None:
        return Q(grain="a")
    months_from = None if first is None else (first if first.day == 1 else _next_month(first))
    months_to = None if end is None else end.replace(day=1)
    if months_from is not None and months_to is not None and months_from >= months_to:
        days = Q(grain="d")  # no whole month inside: days only
        days &= Q(day__gte=first) if first else Q()
        return days & (Q(day__lt=end) if end else Q())
    found = Q(grain="m") & (Q(day__gte=months_from) if months_from else Q()) & (
        Q(day__lt=months_to) if months_to else Q())
    if first is not None and months_from is not None and first < months_from:
        found |= Q(grain="d", day__gte=first, day__lt=months_from)
    if end is not None and months_to is not None and months_to < end:
        found |= Q(grain="d", day__gte=months_to, day__lt=end)
    return found


def settle() -> None:
    """Test harness only (``ADUAN_FIGURES_SETTLE``): tests never commit, so on-commit refresh jobs never
    run; refresh the complaints marked stale before reading."""
    if getattr(settings, "ADUAN_FIGURES_SETTLE", False):
        from ..services.figure_aggregates import figures_settle_marked_here

        figures_settle_marked_here()


def sums(period: Period, *, dims: tuple[str, ...], opd_id: int | None = 0,
         by: tuple[str, ...] = ("opd_id", "dim", "key"), columns: tuple[str, ...] = VALUE_COLUMNS,
         ) -> list[dict[str, Any]]:
    """Column sums of the cells of ``dims`` in ``period`` grouped by ``by`` (``opd_id=None``: every OPD)."""
    settle()
    qs = FigureCell.objects.filter(period_q(period), dim__in=dims)
    qs = qs.exclude(opd_id=0) if opd_id is None else qs.filter(opd_id=opd_id)
    rows = list(qs.values(*by).annotate(**{f"s_{c}": Sum(c) for c in columns}).order_by())
    for row in rows:  # PostgreSQL sums bigints as numeric
        row.update({f"s_{c}": int(row[f"s_{c}"] or 0) for c in columns})
    return rows


Hists = dict[tuple[Any, str, str], np.ndarray]  # (opd_id, measure, channel) → counts per bucket


def _both(period: Period, *, dims: tuple[str, ...], hists: tuple[str, ...],
          opd_id: int | None) -> tuple[list[dict[str, Any]], Hists]:
    """Plain cells (every column) and the histograms of ``hists`` summed over the period's rows."""
    plain = sums(period, dims=dims, opd_id=opd_id)  # first: it settles the marked complaints in tests
    qs = FigureHistogram.objects.filter(period_q(period), measure__in=hists)
    qs = qs.exclude(opd_id=0) if opd_id is None else qs.filter(opd_id=opd_id)
    found: Hists = {}
    for opd, measure, channel, data in qs.values_list("opd_id", "measure", "channel", "counts").order_by():
        key = (opd, measure, channel)
        found[key] = figure_cells.hist_add(found.get(key), figure_cells.hist_decode(data))
    return plain, found


_EMPTY = np.zeros(0, dtype=np.int64)


def _merged(found: Hists, opd_id: Any, measure: str) -> np.ndarray:
    hist: np.ndarray | None = None
    for (opd, name, _channel), part in found.items():
        if opd == opd_id and name == measure:
            hist = figure_cells.hist_add(hist, part)
    return _EMPTY if hist is None else hist


def _complaint_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A :func:`totals` row from ``c`` cells (keys ``channel:status``)."""
    total = {c: sum(r[f"s_{c}"] for r in rows) for c in VALUE_COLUMNS}
    per_status: dict[str, int] = {}
    for r in rows:
        status = r["key"].rpartition(":")[2]
        per_status[status] = per_status.get(status, 0) + r["s_n"]
    row: dict[str, Any] = {"total": total["n"], "followed_up": total["followed_up"], "secret": total["secret"],
                           "rated": total["rated"],
                           "avg_rating": total["rating_sum"] / total["rated"] if total["rated"] else None}
    for key, statuses in GROUPS.items():
        row[key] = sum(per_status.get(s, 0) for s in statuses)
    for i, name in enumerate(COMPLAINT_TIMES, start=1):
        n = total[f"t{i}_n"]
        row[f"avg_{name}"] = timedelta(milliseconds=total[f"t{i}_ms"] / n) if n else None
    return finish(row)


def totals(period: Period = ALL_TIME, *, opd_id: int | None = None) -> dict[str, Any]:
    opd = opd_id or 0
    plain, hists = _both(period, dims=("c",), hists=COMPLAINT_TIMES, opd_id=opd)
    return _totals_row(plain, hists, opd)


def _totals_row(plain: list[dict[str, Any]], hists: Hists, opd: int) -> dict[str, Any]:
    row = _complaint_row(plain)
    for name in COMPLAINT_TIMES:
        row[f"median_{name}"] = figure_cells.hist_median(_merged(hists, opd, name))
    return row


def per_channel(period: Period = ALL_TIME) -> list[dict[str, Any]]:
    cells, hists = _both(period, dims=("c",), hists=COMPLAINT_TIMES, opd_id=0)
    return _channel_rows(cells, hists)


def totals_and_channels(period: Period = ALL_TIME) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """:func:`totals` and :func:`per_channel` of the city from one read of the same cells."""
    cells, hists = _both(period, dims=("c",), hists=COMPLAINT_TIMES, opd_id=0)
    return _totals_row(cells, hists, 0), _channel_rows(cells, hists)


def _channel_rows(cells: list[dict[str, Any]], hists: Hists) -> list[dict[str, Any]]:
    channels = sorted({r["key"].rpartition(":")[0] for r in cells})
    rows = []
    for channel in channels:
        row = _complaint_row([r for r in cells if r["key"].rpartition(":")[0] == channel])
        if not row["total"]:
            continue
        row["channel"] = channel
        for name in COMPLAINT_TIMES:
            row[f"median_{name}"] = figure_cells.hist_median(hists.get((0, name, channel), _EMPTY))
        rows.append(row)
    return sorted(rows, key=lambda row: -row["total"])  # stable: channels by name within a total


def overdue_now(period: Period = ALL_TIME, *, opd_id: int | None = None) -> dict[int, int]:
    """Open dispositions past a deadline now, per OPD: an index-only count of ``FigureOpenDue``
    (kept with the cells), equal to :func:`aduan_publik.figures_recount.overdue_now`."""
    qs = period.filter(FigureOpenDue.objects.filter(overdue_at__lt=timezone.now()), "received_at")
    if opd_id is not None:
        qs = qs.filter(opd_id=opd_id)
    return dict(qs.values_list("opd_id").annotate(n=Count("pk")).order_by())


def per_opd(period: Period = ALL_TIME, *, opd_id: int | None = None) -> list[dict[str, Any]]:
    plain, hists = _both(period, dims=("d",), hists=figure_cells.OPD_TIMES, opd_id=opd_id)
    cells = [r for r in plain if r["s_n"]]  # one row per OPD: the key of "d" cells is always ""
    names = {o["pk"]: o for o in OPD.objects.filter(pk__in=[r["opd_id"] for r in cells]).values("pk", "name", "code")}
    overdue = overdue_now(period, opd_id=opd_id)
    rows = []
    for r in cells:
        opd = r["opd_id"]
        row: dict[str, Any] = {
            "opd_id": opd, "opd__name": names[opd]["name"], "opd__code": names[opd]["code"], "total": r["s_n"],
            "answered": r["s_followed_up"], "on_time": r["s_on_time"], "returned": r["s_returned"],
            "open": r["s_open"], "rated": r["s_rated"], "overdue": overdue.get(opd, 0),
            "avg_rating": r["s_rating_sum"] / r["s_rated"] if r["s_rated"] else None,
            "avg_response": timedelta(milliseconds=r["s_t1_ms"] / r["s_t1_n"]) if r["s_t1_n"] else None,
            "avg_answer": timedelta(milliseconds=r["s_t2_ms"] / r["s_t2_n"]) if r["s_t2_n"] else None,
            "median_response": figure_cells.hist_median(hists.get((opd, "response", ""), _EMPTY)),
            "median_answer": figure_cells.hist_median(hists.get((opd, "answer", ""), _EMPTY)),
        }
        rows.append(finish_opd(row))
    return sorted(rows, key=lambda row: row["opd__name"])


def triage_accuracy(period: Period = ALL_TIME) -> dict[str, Any]:
    rows = sums(period, dims=("t",), opd_id=0, by=("dim",))
    found = rows[0] if rows else {"s_n": 0, "s_followed_up": 0, "s_on_time": 0}
    return finish_triage({"triage_decided": found["s_n"], "triage_accepted": found["s_followed_up"],
                          "triage_top3": found["s_on_time"]})


# ---- chart series ----------------------------------------------------------------------------


def received_vs_completed(period: Period = ALL_TIME, *, unit: str = "month",
                          opd_id: int | None = None) -> list[dict[str, Any]]:
    """Per week (day cells) or month: complaints received then, and counted complaints closed then."""
    settle()
    qs = FigureCell.objects.filter(dim__in=("c", "closed"), opd_id=opd_id or 0)
    qs = qs.filter(period_q(period, all_time=False)) if unit == "month" else qs.filter(grain="d").filter(
        **({"day__gte": _day(period.start)} if period.start else {}),
        **({"day__lt": _day(period.end)} if period.end else {}))
    buckets: dict[date, dict[str, int]] = {}
    for dim, day, n in qs.values_list("dim", "day").annotate(total=Sum("n")).order_by():
        n = int(n or 0)
        if not n:
            continue
        start = day.replace(day=1) if unit == "month" else day - timedelta(days=day.weekday())
        slot = buckets.setdefault(start, {"received": 0, "completed": 0})
        slot["received" if dim == "c" else "completed"] += n
    return [{"bucket": key, **value} for key, value in sorted(buckets.items()) if any(value.values())]


def _top(period: Period, dim: str, *, limit: int, opd_id: int | None) -> list[dict[str, Any]]:
    rows = [r for r in sums(period, dims=(dim,), opd_id=opd_id or 0, by=("key",)) if r["s_n"]]
    ids = [int(r["key"]) for r in rows]
    if dim == "cat":  # a sub-category counts for its parent, by today's names (as the recount does)
        names = {c["pk"]: c["parent__name"] or c["name"]
                 for c in Category.objects.filter(pk__in=ids).values("pk", "name", "parent__name")}
    else:
        names = dict(Area.objects.filter(pk__in=ids).values_list("pk", "name"))
    totals: dict[str, int] = {}
    for r in rows:
        name = names.get(int(r["key"]))
        if name is not None and r["s_n"]:
            totals[name] = totals.get(name, 0) + r["s_n"]
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [{"name": name, "total": total} for name, total in ordered]


def top_categories(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    return _top(period, "cat", limit=limit, opd_id=opd_id)


def top_kelurahan(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    return _top(period, "kel", limit=limit, opd_id=opd_id)
