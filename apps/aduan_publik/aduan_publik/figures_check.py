"""Compare the figures read from the aggregates with the full recount (``figures-rebuild --check``, tests).

Counts, percentages and ratings must be equal; mean times within a millisecond (the aggregates sum
whole milliseconds); medians within one bucket's width (:func:`figure_cells.bucket_width`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from . import figure_cells, figures, figures_recount
from .models import OPD
from .selectors import figure_aggregates as agg


def usual_periods() -> dict[str, figures.Period]:
    """The periods the surfaces show: all time, the dashboard's days, this year and this month."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return {"all": figures.ALL_TIME, "30d": figures.last_days(30), "12m": figures.last_days(365),
            str(today.year): figures.year_period(today.year),
            f"{today:%Y-%m}": figures.month_period(today.year, today.month)}


def same(a: Any, b: Any) -> bool:
    """Equal, with the tolerance of durations: a bucket's width for medians, 1 ms for means."""
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return abs(a - b) <= max(figure_cells.bucket_width(b), timedelta(milliseconds=1))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return bool(a == b)


def _pairs(period: figures.Period) -> dict[str, tuple[Any, Any]]:
    found: dict[str, tuple[Any, Any]] = {
        "totals": (agg.totals(period), figures_recount.totals(period)),
        "per_channel": (agg.per_channel(period), figures_recount.per_channel(period)),
        "per_opd": (agg.per_opd(period), figures_recount.per_opd(period)),
        "triage": (agg.triage_accuracy(period), figures_recount.triage_accuracy(period)),
    }
    for unit in ("month", "week"):
        found[f"trend_{unit}"] = (agg.received_vs_completed(period, unit=unit),
                                  figures_recount.received_vs_completed(period, unit=unit))
    for name in ("top_categories", "top_kelurahan"):
        found[name] = (getattr(agg, name)(period, limit=1000), getattr(figures_recount, name)(period, limit=1000))
    for opd_id in OPD.objects.values_list("pk", flat=True):
        found[f"totals[opd={opd_id}]"] = (agg.totals(period, opd_id=opd_id),
                                          figures_recount.totals(period, opd_id=opd_id))
        found[f"trend[opd={opd_id}]"] = (agg.received_vs_completed(period, opd_id=opd_id),
                                         figures_recount.received_vs_completed(period, opd_id=opd_id))
    return found


def figures_differences(periods: dict[str, figures.Period] | None = None) -> list[str]:
    """One line per figure where the aggregates and the recount differ (empty: they agree)."""
    lines = []
    for label, period in (periods or usual_periods()).items():
        for name, (from_cells, recounted) in _pairs(period).items():
            if not same(from_cells, recounted):
                lines.append(f"{label} {name}: aggregates {from_cells!r} != recount {recounted!r}")
    return lines
