"""The desk's dashboard (unfold's DASHBOARD_CALLBACK): the ministry's figures for admins and leaders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import access
from ..selectors.dashboard import dashboard_figures

PERIODS = {"30": (_("30 hari terakhir"), 30), "365": (_("12 bulan terakhir"), 365), "semua": (_("Semua"), None)}


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Add ``figures`` for admins and leaders (OPD staff are sent to their queue before this)."""
    if not access.actor_for(request.user).can_read_all:
        return context
    key = request.GET.get("periode", "semua")
    label, days = PERIODS.get(key, PERIODS["semua"])
    since = timezone.now() - timedelta(days=days) if days else None
    context.update(
        figures=readable(dashboard_figures(since=since)),
        periods=[(k, v[0]) for k, v in PERIODS.items()],
        period=key if key in PERIODS else "semua",
        period_label=label,
    )
    return context


def duration_text(value: timedelta) -> str:
    """A duration as staff read it: «2 hari 4 jam», «3 jam 20 menit», «45 menit»."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} hari {hours} jam"
    return f"{hours} jam {mins} menit" if hours else f"{mins} menit"


def readable(value: Any) -> Any:
    """The figures with every duration turned into text (templates cannot format timedeltas)."""
    if isinstance(value, timedelta):
        return duration_text(value)
    if isinstance(value, dict):
        return {k: readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [readable(v) for v in value]
    return value
