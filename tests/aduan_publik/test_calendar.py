"""The working-day calendar: weekends, Indonesian holidays, cuti bersama, site days off, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import override_settings

from aduan_publik.calendar import WorkingCalendar, stage_days
from aduan_publik.models import Category, DayOff

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def end_of(day: date, tz: ZoneInfo = WIB) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=tz)


def aduan_with(**overrides):  # type: ignore[no-untyped-def]
    return override_settings(ADUAN={**settings.ADUAN, **overrides})


@pytest.fixture
def cal(db) -> WorkingCalendar:
    return WorkingCalendar()


def test_weekend_is_skipped(cal):
    # Friday 9 January 2026 + 3 working days: Mon 12, Tue 13, Wed 14.
    assert cal.add_working_days(wib(2026, 1, 9, 19, 0), 3) == end_of(date(2026, 1, 14))
    assert not cal.is_working_day(date(2026, 1, 10)) and not cal.is_working_day(date(2026, 1, 11))


def test_received_on_a_weekend_counts_from_the_next_working_day(cal):
    assert cal.add_working_days(wib(2026, 1, 10, 9, 0), 1) == end_of(date(2026, 1, 12))
    assert cal.add_working_days(wib(2026, 1, 10, 9, 0), 0) == end_of(date(2026, 1, 12))
    assert cal.add_working_days(wib(2026, 1, 12, 9, 0), 0) == end_of(date(2026, 1, 12))


def test_independence_day_is_not_a_working_day(cal):
    assert date(2026, 8, 17).weekday() == 0  # a Monday
    assert not cal.is_working_day(date(2026, 8, 17))
    # Friday 14 August + 1 working day skips the weekend and 17 August.
    assert cal.add_working_days(wib(2026, 8, 14, 10, 0), 1) == end_of(date(2026, 8, 18))


def test_idul_fitri_and_cuti_bersama_2026(cal):
    # Nyepi 19 March, Idul Fitri 21-22 March; cuti bersama 18, 20, 23 and 24 March (SKB 3 Menteri).
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert not cal.is_working_day(date(2026, 3, day)), day
    assert cal.add_working_days(wib(2026, 3, 17, 10, 0), 1) == end_of(date(2026, 3, 25))
    assert cal.working_days_between(wib(2026, 3, 16, 8, 0), wib(2026, 3, 27, 8, 0)) == 4  # 17, 25, 26, 27


def test_a_site_may_ignore_cuti_bersama(db):
    with aduan_with(holiday_categories=["public"]):
        cal = WorkingCalendar()
        assert cal.is_working_day(date(2026, 3, 18)) and cal.is_working_day(date(2026, 3, 23))
        assert not cal.is_working_day(date(2026, 3, 19))  # Nyepi stays a public holiday
        assert cal.add_working_days(wib(2026, 3, 17, 10, 0), 1) == end_of(date(2026, 3, 18))


def test_day_off_row_is_skipped(db):
    DayOff.objects.create(date=date(2026, 1, 12), name="Hari jadi Kota Pontianak (contoh)")
    cal = WorkingCalendar()
    assert not cal.is_working_day(date(2026, 1, 12))
    assert cal.add_working_days(wib(2026, 1, 9, 19, 0), 3) == end_of(date(2026, 1, 15))


def test_site_extra_days_off_are_skipped(db):
    with aduan_with(extra_days_off=["2026-01-13", "2026-01-14"]):
        cal = WorkingCalendar()
        assert cal.add_working_days(wib(2026, 1, 9, 19, 0), 3) == end_of(date(2026, 1, 19))
    assert WorkingCalendar().add_working_days(wib(2026, 1, 9, 19, 0), 3) == end_of(date(2026, 1, 14))


def test_calendar_days_count_weekends_and_holidays(cal):
    assert cal.add_days(wib(2026, 8, 10, 10, 0), 14) == end_of(date(2026, 8, 24))


def test_working_days_between(cal):
    assert cal.working_days_between(wib(2026, 1, 5, 9, 0), wib(2026, 1, 8, 9, 0)) == 3
    assert cal.working_days_between(wib(2026, 1, 9, 9, 0), wib(2026, 1, 12, 9, 0)) == 1
    assert cal.working_days_between(wib(2026, 1, 8, 9, 0), wib(2026, 1, 5, 9, 0)) == 0


@pytest.mark.parametrize(
    ("zone", "due_utc"),
    [
        # 16:30 UTC on Monday 5 January is 23:30 Monday in WIB but already Tuesday in WITA and WIT.
        ("Asia/Jakarta", datetime(2026, 1, 6, 16, 59, 59, tzinfo=UTC)),
        ("Asia/Makassar", datetime(2026, 1, 7, 15, 59, 59, tzinfo=UTC)),
        ("Asia/Jayapura", datetime(2026, 1, 7, 14, 59, 59, tzinfo=UTC)),
    ],
)
def test_end_of_working_day_in_the_site_time_zone(db, zone, due_utc):
    with override_settings(TIME_ZONE=zone):
        due = WorkingCalendar().add_working_days(datetime(2026, 1, 5, 16, 30, tzinfo=UTC), 1)
    assert due == due_utc
    assert due.astimezone(ZoneInfo(zone)).time().isoformat() == "23:59:59"


# ---- stage durations --------------------------------------------------------------------


@pytest.fixture
def tree(db):
    root = Category.objects.create(name="Pekerjaan Umum", code="pu", verify_working_days=2, complete_days=30)
    child = Category.objects.create(name="Jalan", code="pu-jalan", parent=root, respond_working_days=2)
    leaf = Category.objects.create(name="Jalan berlubang", code="pu-jalan-lubang", parent=child,
                                   verify_working_days=1)
    return root, child, leaf


def test_site_defaults_apply_without_category(db):
    assert stage_days("verify_working_days") == 3
    assert stage_days("respond_working_days") == 5
    assert stage_days("complete_days") == 14
    assert stage_days("complete_field_check_days") == 60
    assert stage_days("autoclose_working_days") == 10


def test_category_override_then_nearest_ancestor_then_site(tree):
    _root, child, leaf = tree
    assert stage_days("verify_working_days", leaf) == 1  # own value
    assert stage_days("respond_working_days", leaf) == 2  # parent
    assert stage_days("complete_days", leaf) == 30  # grandparent
    assert stage_days("verify_working_days", child) == 2  # parent
    assert stage_days("autoclose_working_days", leaf) == 10  # site default


def test_site_config_deadlines_override_defaults(db):
    with aduan_with(deadlines={**settings.ADUAN["deadlines"], "verify_working_days": 2}):
        assert stage_days("verify_working_days") == 2
        assert stage_days("respond_working_days") == 5


def test_unknown_stage_is_a_clear_error(db):
    with pytest.raises(ValueError, match="unknown deadline stage"):
        stage_days("verify_days")
