"""The monthly report for the mayor (XLSX and PDF, with charts), per month and optionally per OPD.

Everything in it comes from :mod:`aduan_publik.figures` and :mod:`aduan_publik.selectors.trends`,
so the report shows the same numbers as the desk dashboard and the portal for the same month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import figures
from ..channels.registry import channel_choices
from ..models import OPD
from ..selectors import trends

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


@dataclass
class MonthlyReport:
    year: int
    month: int
    opd: OPD | None
    totals: dict[str, Any]
    items: list[figures.Figure]
    per_opd: list[dict[str, Any]]
    league: dict[str, Any]
    charts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    @property
    def title(self) -> str:
        scope = self.opd.name if self.opd else _("seluruh OPD")
        return _("Laporan pengaduan %(p)s — %(s)s") % {"p": self.period_label, "s": scope}

    @property
    def headline(self) -> str:
        return figures.headline(self.totals)

    def filename(self, ext: str) -> str:
        scope = f"-{self.opd.code.lower()}" if self.opd else ""
        return f"laporan-aduan-{self.year}-{self.month:02d}{scope}.{ext}"


def monthly_report(*, year: int, month: int, opd_id: int | None = None) -> MonthlyReport:
    """Gather one month's figures (complaints received that month), for the city or one OPD.

    The caller decides who may see which OPD (``access.report_opd_scope``).
    """
    period = figures.month_period(year, month)
    opd = OPD.objects.get(pk=opd_id) if opd_id is not None else None
    totals = figures.totals(period, opd_id=opd_id)
    per_opd = figures.per_opd(period, opd_id=opd_id)
    return MonthlyReport(
        year=year, month=month, opd=opd, totals=totals, items=figures.labelled(totals), per_opd=per_opd,
        league=trends.league(per_opd), charts=trends.charts(period, unit="week", opd_rows=per_opd, opd_id=opd_id,
                                                            channel_labels=dict(channel_choices())),
    )


def previous_month(today: Any = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def parse_month(value: str) -> tuple[int, int] | None:
    """``"2026-10"`` → ``(2026, 10)``; anything else → ``None``."""
    year, dash, month = (value or "").partition("-")
    if not (dash and year.isdigit() and month.isdigit()):
        return None
    y, m = int(year), int(month)
    return (y, m) if 2000 <= y <= 2100 and 1 <= m <= 12 else None
