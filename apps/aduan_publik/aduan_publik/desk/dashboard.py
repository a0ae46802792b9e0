"""The desk's dashboard (unfold's DASHBOARD_CALLBACK): the city's figures for admins and leaders.

The numbers come from :mod:`aduan_publik.figures` (the same definitions as the portal and the
reports); each card links to the complaint list filtered to exactly the complaints it counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import access, figures
from ..models import Complaint
from ..selectors import trends
from ..selectors.dashboard import dashboard_figures

PERIODS = {"30": (_("30 hari terakhir"), 30), "365": (_("12 bulan terakhir"), 365), "semua": (_("Semua"), None)}
S = Complaint.Status
CARDS = ("total", "selesai", "followed_up", "in_process", "waiting", "awaiting_reporter", "not_authority")
#: the list filter that shows exactly the complaints a card counts (the counted rule added to each)
CARD_FILTERS: dict[str, dict[str, str]] = {
    "total": {"status__in": ",".join(s for s in S.values if s != S.ARCHIVED)},
    "selesai": {"status__exact": S.CLOSED},
    "followed_up": {"status__in": ",".join(s for s in S.values if s != S.ARCHIVED), "answered_at__isnull": "False"},
    "in_process": {"status__in": ",".join(figures.IN_PROCESS)},
    "waiting": {"status__in": ",".join(figures.WAITING)},
    "awaiting_reporter": {"status__in": ",".join(figures.AWAITING_REPORTER)},
    "not_authority": {"status__exact": S.NOT_AUTHORITY},
}


def card_url(key: str, since: datetime | None) -> str:
    """The complaint list filtered to the complaints counted by card ``key`` in the period."""
    params = {**CARD_FILTERS[key], "duplicate_of__isnull": "True"}
    if since is not None:
        params["received_at__gte"] = since.isoformat()
    return reverse("admin:aduan_publik_complaint_changelist") + "?" + urlencode(params)


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Add ``figures`` for admins and leaders (OPD staff are sent to their queue before this)."""
    if not access.actor_for(request.user).can_read_all:
        return context
    key = request.GET.get("periode", "semua")
    label, days = PERIODS.get(key, PERIODS["semua"])
    since = figures.last_days(days).start if days else None  # whole site-local days: the day cells answer it
    found = dashboard_figures(since=since)
    totals = found["totals"]
    cards = [{"figure": f, "url": card_url(f.key, since)} for f in figures.labelled(totals, CARDS)]
    times = figures.labelled(totals, ("median_verify", "avg_verify", "median_first_response",
                                      "avg_first_response", "median_close", "avg_close"))
    triage = figures.labelled(found["triage"], ("triage_accepted", "triage_top3", "triage_decided"))
    context.update(
        figures=readable(found), cards=cards, times=times, triage=triage, headline=figures.headline(totals),
        league=trends.league(found["per_opd"], sort=request.GET.get("urut", ""),
                             direction=request.GET.get("arah", "")),
        charts=trends.charts(figures.Period(start=since), opd_rows=found["per_opd"],
                             channel_rows=found["per_channel"]),
        keep=urlencode({"periode": key}) if key in PERIODS else "",
        periods=[(k, v[0]) for k, v in PERIODS.items()],
        period=key if key in PERIODS else "semua",
        period_label=label,
        overdue_url=reverse("admin:aduan_publik_complaint_changelist") + "?terlambat=ya",
    )
    return context


def duration_text(value: timedelta) -> str:
    """A duration as staff read it: «2 hari 4 jam», «3 jam 20 menit», «45 menit»."""
    return figures.fmt_duration(value)


def readable(value: Any) -> Any:
    """The figures with every duration and percentage turned into Indonesian text."""
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, Decimal):
        return figures.fmt_decimal(value)
    if isinstance(value, dict):
        return {k: readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v) for v in value]
    return value
