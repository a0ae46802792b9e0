"""The working-day calendar: weekends, Indonesian national holidays and the site's extra days off.

National holidays come from the maintained ``holidays`` package (it knows Indonesia's
observed days). Its ``government`` category holds the *cuti bersama* decreed for civil
servants (e.g. the days around Idul Fitri); a site that does not observe them sets
``holiday_categories`` to ``["public"]``. Local days off are added per site, in
``site_config.json`` (``extra_days_off``) or in the desk (:class:`~aduan_publik.models.DayOff`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

DAYS_OFF_CACHE_KEY = "calendar:days_off:v1"


DEFAULT_HOLIDAY_CATEGORIES = ("public", "government")


@lru_cache(maxsize=32)
def _national(year: int, categories: tuple[str, ...] = DEFAULT_HOLIDAY_CATEGORIES) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year, categories=categories).keys())


def _holiday_categories() -> tuple[str, ...]:
    return tuple(settings.ADUAN.get("holiday_categories") or DEFAULT_HOLIDAY_CATEGORIES)


def _extra_days_off() -> frozenset[date]:
    cached = cache.get(DAYS_OFF_CACHE_KEY) if not settings.TESTING else None
    if cached is not None:
        return frozenset(cached)
    from .models import DayOff

    days = {date.fromisoformat(d) for d in settings.ADUAN.get("extra_days_off", [])}
    days.update(DayOff.objects.values_list("date", flat=True))
    if not settings.TESTING:
        cache.set(DAYS_OFF_CACHE_KEY, sorted(days), 600)
    return frozenset(days)


def forget_days_off() -> None:
    """Call after DayOff rows change."""
    cache.delete(DAYS_OFF_CACHE_KEY)


class WorkingCalendar:
    """Working-day arithmetic in the site's time zone. Build one per operation (it snapshots days off)."""

    def __init__(self, extra_days_off: frozenset[date] | None = None, tz: str | None = None):
        self.extra = _extra_days_off() if extra_days_off is None else extra_days_off
        self.tz = ZoneInfo(tz or settings.TIME_ZONE)
        self.categories = _holiday_categories()

    def is_working_day(self, day: date) -> bool:
        return (day.weekday() < 5 and day not in self.extra
                and day not in _national(day.year, self.categories))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The moment ``days`` working days after ``start``: end of that working day, local time.

        A complaint received on Friday evening with 3 working days is due at the end of
        Wednesday; one received on a holiday starts counting on the next working day.
        """
        local = timezone.localtime(start, self.tz).date()
        remaining = days
        day = local
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        if days == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return self.end_of_day(day)

    def add_days(self, start: datetime, days: int) -> datetime:
        """Calendar days (completion deadlines count every day)."""
        local = timezone.localtime(start, self.tz).date()
        return self.end_of_day(local + timedelta(days=days))

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (0 if end <= start)."""
        a = timezone.localtime(start, self.tz).date()
        b = timezone.localtime(end, self.tz).date()
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def end_of_day(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=self.tz)

    def start_of_day(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)

    def working_days_before(self, moment: datetime, days: int) -> datetime:
        """The start (00:00 local) of the ``days``-th working day before ``moment``'s day.

        A reminder "one working day before" a deadline on Monday arrives on Friday morning.
        """
        day = timezone.localtime(moment, self.tz).date()
        remaining = days
        while remaining > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return self.start_of_day(day)


STAGES = (
    "verify_working_days",
    "respond_working_days",
    "complete_days",
    "complete_field_check_days",
    "autoclose_working_days",
)


def stage_days(stage: str, category=None) -> int:  # type: ignore[no-untyped-def]
    """The duration of a stage for a category, falling back to the site default.

    ``stage`` is one of the keys of ``settings.ADUAN["deadlines"]`` (e.g. ``verify_working_days``).
    The category's own value wins, then the nearest ancestor's, then the site's.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown deadline stage {stage!r}; expected one of {', '.join(STAGES)}")
    seen: set[int] = set()
    while category is not None and category.pk not in seen:  # the guard stops a parent cycle
        seen.add(category.pk)
        value = getattr(category, stage, None)
        if value is not None:
            return int(value)
        category = category.parent if category.parent_id else None
    return int(settings.ADUAN["deadlines"][stage])
