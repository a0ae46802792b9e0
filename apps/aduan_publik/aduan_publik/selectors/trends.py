"""Series for the charts and reports, on the definitions of :mod:`aduan_publik.figures`.

Day-aligned periods read the aggregates (``selectors/figure_aggregates.py``: a few indexed reads,
whatever the number of complaints); any other period is recounted (``figures_recount.py``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import figures
from ..figures import ALL_TIME, Period


def _source(period: Period) -> Any:
    from .. import figures_recount
    from . import figure_aggregates

    return figure_aggregates if figures.day_aligned(period) else figures_recount


def received_vs_completed(period: Period = ALL_TIME, *, unit: str = "month",
                          opd_id: int | None = None) -> list[dict[str, Any]]:
    """Per week or month: complaints received then, and counted complaints closed then."""
    return _source(period).received_vs_completed(period, unit=unit, opd_id=opd_id)  # type: ignore[no-any-return]


def top_categories(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    """The most frequent top-level categories (a sub-category counts for its parent)."""
    return _source(period).top_categories(period, limit=limit, opd_id=opd_id)  # type: ignore[no-any-return]


def top_kelurahan(period: Period = ALL_TIME, *, limit: int = 10, opd_id: int | None = None) -> list[dict[str, Any]]:
    return _source(period).top_kelurahan(period, limit=limit, opd_id=opd_id)  # type: ignore[no-any-return]


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _chart(key: str, title: str, kind: str, labels: list[str], series: list[tuple[str, list[Any]]],
           unit: str = "") -> dict[str, Any]:
    """One chart: what the canvas draws, what its table fallback lists, and a sentence saying it."""
    summary = str(_("%(t)s: tidak ada data.") % {"t": title})
    if labels and series and any(v is not None for v in series[0][1]):
        values = series[0][1]
        top = max(range(len(values)), key=lambda i: values[i] if values[i] is not None else float("-inf"))
        summary = str(_("%(t)s: %(n)d baris; %(s)s tertinggi pada %(l)s (%(v)s%(u)s).") % {
            "t": title, "n": len(labels), "s": series[0][0], "l": labels[top],
            "v": figures.fmt_decimal(values[top]) if isinstance(values[top], float) else figures.fmt_int(values[top]),
            "u": unit})
    rows = [[label, *[_cell(vals[i], unit) for _name, vals in series]] for i, label in enumerate(labels)]
    return {"key": key, "title": title, "kind": kind, "labels": labels, "unit": unit, "summary": summary,
            "series": [{"label": name, "values": vals} for name, vals in series],
            "headers": [name for name, _vals in series], "rows": rows}


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    return f"{figures.fmt_decimal(value)}{unit}" if isinstance(value, float) else figures.fmt_int(value)


def charts(period: Period = ALL_TIME, *, unit: str = "month", channel_labels: dict[str, str] | None = None,
           opd_rows: list[dict[str, Any]] | None = None, channel_rows: list[dict[str, Any]] | None = None,
           opd_id: int | None = None) -> list[dict[str, Any]]:
    """Every chart of the statistics page, the dashboard and the reports (JSON-able)."""
    trend = received_vs_completed(period, unit=unit, opd_id=opd_id)
    opds = opd_rows if opd_rows is not None else figures.per_opd(period, opd_id=opd_id)
    labels = channel_labels or {}
    bucket = "%Y-%m" if unit == "month" else "%Y-%m-%d"
    found = [
        _chart("trend", str(_("Aduan masuk dan selesai per bulan") if unit == "month"
                            else _("Aduan masuk dan selesai per minggu")), "line",
               [row["bucket"].strftime(bucket) for row in trend],
               [(str(_("Masuk")), [r["received"] for r in trend]),
                (str(_("Selesai")), [r["completed"] for r in trend])]),
        _chart("opd_completion", str(_("Penyelesaian dan ketepatan waktu per OPD")), "bar",
               [r["opd__name"] for r in opds],
               [(str(_("Penyelesaian (%)")), [_num(r["pct_answered"]) for r in opds]),
                (str(_("Tepat waktu (%)")), [_num(r["pct_on_time"]) for r in opds])], unit="%"),
        _chart("opd_rating", str(_("Rata-rata penilaian pelapor per OPD (1-5)")), "bar",
               [r["opd__name"] for r in opds], [(str(_("Penilaian")), [_num(r["avg_rating"]) for r in opds])]),
    ]
    if opd_id is None:
        channels = channel_rows if channel_rows is not None else figures.per_channel(period)
        found.append(_chart("channels", str(_("Aduan per kanal")), "bar",
                            [labels.get(r["channel"], r["channel"]) for r in channels],
                            [(str(_("Masuk")), [r["total"] for r in channels]),
                             (str(_("Selesai")), [r["selesai"] for r in channels])]))
    cats, kels = top_categories(period, opd_id=opd_id), top_kelurahan(period, opd_id=opd_id)
    found += [
        _chart("categories", str(_("Kategori terbanyak")), "bar", [r["name"] for r in cats],
               [(str(_("Aduan")), [r["total"] for r in cats])]),
        _chart("kelurahan", str(_("Kelurahan terbanyak")), "bar", [r["name"] for r in kels],
               [(str(_("Aduan")), [r["total"] for r in kels])]),
    ]
    return found


LEAGUE = (
    ("total", _lazy("Disposisi")), ("pct_answered", _lazy("Penyelesaian")),
    ("pct_on_time", _lazy("Tepat waktu")), ("median_response", _lazy("Median respons")),
    ("avg_rating", _lazy("Penilaian")), ("overdue", _lazy("Terlambat")), ("returned", _lazy("Dikembalikan")),
)


def _league_cell(key: str, row: dict[str, Any]) -> str:
    value = row[key]
    if key.startswith("pct_"):
        return figures.fmt_pct(value)
    if key == "median_response":
        return figures.fmt_duration(value)
    if key == "avg_rating":
        return figures.fmt_decimal(value)
    return figures.fmt_int(value)


def league(rows: list[dict[str, Any]], *, sort: str = "pct_answered", direction: str = "desc") -> dict[str, Any]:
    """The OPD league table, sorted on any column (server side: it works without JavaScript).

    Rows without a value for the column (no answer yet, no rating) always come last.
    """
    keys = {key for key, _label in LEAGUE} | {"opd__name"}
    sort = sort if sort in keys else "pct_answered"
    desc = direction != "asc"
    by_name = sorted(rows, key=lambda r: r["opd__name"])
    ordered = sorted((r for r in by_name if r[sort] is not None), key=lambda r: r[sort], reverse=desc)
    ordered += [r for r in by_name if r[sort] is None]
    return {
        "sort": sort, "direction": "desc" if desc else "asc",
        "columns": [{"key": key, "label": str(label),
                     "next": "asc" if sort == key and desc else "desc",
                     "aria": ("descending" if desc else "ascending") if sort == key else "none"}
                    for key, label in LEAGUE],
        "rows": [{"name": r["opd__name"], "code": r.get("opd__code", ""), "opd_id": r["opd_id"],
                  "cells": [_league_cell(key, r) for key, _label in LEAGUE]} for r in ordered],
    }
