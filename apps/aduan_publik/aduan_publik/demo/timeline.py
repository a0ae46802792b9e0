"""The demo's scenarios: which steps a complaint goes through, and when.

A plan is drawn at random (seeded) and redrawn until it fits before the real present; staff
act in office hours on working days, residents at any hour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from ..calendar import WorkingCalendar, stage_days


@dataclass(frozen=True)
class Spec:
    steps: tuple[str, ...]
    weight: int
    age_days: tuple[float, float]  # how long ago the complaint arrived


SCENARIOS: dict[str, Spec] = {
    "received": Spec(("create",), 6, (0.05, 4)),
    "postponed": Spec(("create", "postpone"), 4, (2, 60)),
    "archived": Spec(("create", "archive"), 7, (5, 118)),
    "merged": Spec(("create", "merge"), 3, (5, 118)),
    "not_authority": Spec(("create", "not_authority"), 5, (5, 118)),
    "disposed": Spec(("create", "verify"), 5, (2, 12)),
    "in_progress": Spec(("create", "verify", "accept", "draft"), 10, (8, 45)),
    "returned": Spec(("create", "verify_wrong", "return"), 3, (5, 20)),
    "answered": Spec(("create", "verify", "accept", "publish"), 6, (4, 12)),
    "closed": Spec(("create", "verify", "accept", "publish", "rate"), 25, (15, 118)),
    "autoclosed": Spec(("create", "verify", "accept", "publish"), 10, (25, 118)),
    "rerouted": Spec(("create", "verify_wrong", "return", "verify", "accept", "publish", "rate"), 4, (20, 118)),
    "resumed": Spec(("create", "postpone", "reply", "verify", "accept", "publish", "rate"), 4, (20, 118)),
    "multi": Spec(("create", "verify_multi", "accept", "publish", "rate"), 4, (20, 118)),
    "unsatisfied": Spec(("create", "verify", "accept", "publish", "reply", "publish", "rate"), 4, (25, 118)),
}

# The first plans cover every status, so even a small demo shows each one.
GUARANTEED = ["received", "postponed", "disposed", "in_progress", "returned", "answered", "closed", "archived",
              "not_authority"]

# step -> (min hours, max hours) after the previous step, and whether staff take it
DELAYS: dict[str, tuple[float, float, bool]] = {
    "postpone": (1, 30, True),
    "reply": (3, 72, False),
    "verify": (1, 70, True),
    "verify_wrong": (1, 70, True),
    "verify_multi": (1, 70, True),
    "return": (4, 72, True),
    "accept": (1, 60, True),
    "draft": (4, 72, True),
    "publish": (8, 200, True),
    "rate": (2, 120, False),
    "archive": (1, 48, True),
    "merge": (1, 48, True),
    "not_authority": (2, 72, True),
}


@dataclass
class Step:
    at: datetime
    name: str


@dataclass
class Plan:
    index: int
    scenario: str
    leaf: Any
    kecamatan: str
    channel: str
    received_at: datetime
    steps: list[Step] | None = field(default=None)


def plan_steps(rng: random.Random, scenario: str, now: datetime) -> tuple[datetime, list[Step] | None]:
    """Draw the moments of a scenario's steps; ``None`` when they do not fit before ``now``."""
    spec = SCENARIOS[scenario]
    cal = WorkingCalendar()
    received = now - timedelta(days=rng.uniform(*spec.age_days))
    steps = [Step(received, "create")]
    moment = received
    for name in spec.steps[1:]:
        low, high, staff = DELAYS[name]
        moment += timedelta(hours=rng.uniform(low, high))
        if staff:
            moment = _office_hours(rng, cal, moment)
        steps.append(Step(moment, name))
    if moment >= now - timedelta(minutes=10) or not _fits(scenario, cal, moment, now):
        return received, None
    return received, steps


def _fits(scenario: str, cal: WorkingCalendar, last: datetime, now: datetime) -> bool:
    """Answered complaints must still be inside their reply window, auto-closed ones past it."""
    window_end = cal.add_working_days(last, stage_days("autoclose_working_days"))
    if scenario == "answered":
        return window_end > now
    if scenario == "autoclosed":
        return window_end < now - timedelta(days=1)
    return True


def _office_hours(rng: random.Random, cal: WorkingCalendar, moment: datetime) -> datetime:
    """Move a staff action into 08:00-16:00 local time of a working day."""
    local = moment.astimezone(cal.tz)
    day = local.date()
    if local.time() >= time(16, 0):
        day += timedelta(days=1)
    moved = local.time() < time(8, 0) or local.time() >= time(16, 0)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
        moved = True
    if not moved:
        return moment
    return datetime.combine(day, time(8, 0), tzinfo=cal.tz) + timedelta(minutes=rng.randint(0, 240))
