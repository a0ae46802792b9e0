"""Working-day arithmetic: how many deadlines per second the calendar computes.

Every complaint, disposition and sweep computes deadlines, so the calendar must stay far
from being the bottleneck: the targets leave room for a sweep over 100,000 open items in
well under a minute on one core.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SECONDS = 1.0  # time box per figure
TZ = ZoneInfo("Asia/Jakarta")
# Spread over a year with Idul Fitri, cuti bersama and year-end holidays in it.
STARTS = [datetime(2026, 1, 1, 9, tzinfo=TZ) + timedelta(days=d, hours=d % 13) for d in range(365)]


def per_second(op: Callable[[datetime], Any]) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        for start in STARTS:
            op(start)
        done += len(STARTS)
    return done / (time.perf_counter() - started)


def row(name: str, value: float, target: float) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": "ops/s", "target": target, "ok": value >= target}


def run() -> list[dict[str, Any]]:
    from aduan_publik.calendar import WorkingCalendar
    from aduan_publik.models import DayOff

    cal = WorkingCalendar(extra_days_off=frozenset({date(2026, 3, 18), date(2026, 12, 24)}), tz="Asia/Jakarta")
    DayOff.objects.get_or_create(date=date(2026, 3, 19), defaults={"name": "Cuti bersama (bench)"})
    return [
        row("add_working_days(+5)", per_second(lambda s: cal.add_working_days(s, 5)), 20_000),
        row("add_days(+14)", per_second(lambda s: cal.add_days(s, 14)), 50_000),
        row("working_days_between(30 days)",
            per_second(lambda s: cal.working_days_between(s, s + timedelta(days=30))), 5_000),
        # A fresh calendar reads the site's days off from the database (cached outside tests).
        row("new calendar + add_working_days(+3)",
            per_second(lambda s: WorkingCalendar().add_working_days(s, 3)), 500),
    ]
