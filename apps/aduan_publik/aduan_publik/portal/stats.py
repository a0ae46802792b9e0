"""The portal's figures: the city's definitions from :mod:`aduan_publik.figures`, nothing of its own.

Every figure is a few indexed reads of the aggregate cells (never a count over the complaints), so
the pages cost the same with 100 or 1,000,000 complaints. Totals include *rahasia* complaints (a count
reveals nothing of them); the public list never shows them.
"""

from __future__ import annotations

from typing import Any

from ..channels.registry import channel_choices
from ..figures import ALL_TIME, Period, as_duration, per_opd, totals_and_channels, year_period

__all__ = ["as_duration", "period_for", "public_figures"]


def period_for(year: int | None) -> Period:
    return year_period(year) if year else ALL_TIME


def public_figures(year: int | None = None) -> dict[str, Any]:
    """Totals for the whole city, then one row per channel (with its label) and per OPD."""
    period = period_for(year)
    labels = dict(channel_choices())
    totals, per_channel = totals_and_channels(period)
    channels = [{**row, "label": labels.get(row["channel"], row["channel"])} for row in per_channel]
    return {"totals": totals, "per_channel": channels, "per_opd": per_opd(period), "period": period}
