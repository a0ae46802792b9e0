"""The scale generator's SQL on the current schema (PostgreSQL): consistent data of the right shape.

The lead re-runs ``make bench ARGS=scale`` after merges; this keeps the generator loading on every
schema change (a new NOT NULL column, a renamed table) without waiting for the 1M run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "scale"))

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the generator is PostgreSQL SQL")]


def _one(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def test_generator_loads_a_consistent_city():
    import generate

    from aduan_publik.access import get_complaint_for_reporter
    from aduan_publik.models import OPD, Complaint, Counter, Disposition, Event, Message

    generate.load(2000)  # foreign-key checks off, as at 1M: no row may point nowhere
    for table, column, target in (("complaint", "contact_id", "contact"), ("complaint", "category_id", "category"),
                                  ("complaint", "kelurahan_id", "area"), ("complaint", "duplicate_of_id", "complaint"),
                                  ("disposition", "complaint_id", "complaint"), ("disposition", "opd_id", "opd"),
                                  ("event", "complaint_id", "complaint"), ("message", "complaint_id", "complaint"),
                                  ("message", "contact_id", "contact")):
        orphans = (f"SELECT count(*) FROM aduan_publik_{table} AS x LEFT JOIN aduan_publik_{target} AS y "  # noqa: S608
                   f"ON y.id = x.{column} WHERE x.{column} IS NOT NULL AND y.id IS NULL")
        assert _one(orphans) == (0,), column

    assert Complaint.objects.count() == 2000 and OPD.objects.count() >= 40
    assert 1.1 <= Disposition.objects.count() / 2000 <= 1.5
    assert 3.5 <= Event.objects.count() / 2000 <= 5 and 1.9 <= Message.objects.count() / 2000 <= 2.5
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {"received", "disposed", "in_progress", "answered", "closed", "archived"} <= statuses
    assert _one("""SELECT count(*) FROM aduan_publik_complaint WHERE verified_at < received_at
                   OR first_response_at < verified_at OR answered_at < first_response_at
                   OR closed_at < coalesce(answered_at, received_at) OR greatest(received_at, verified_at,
                   first_response_at, answered_at, closed_at) > now()""") == (0,)
    assert Complaint.objects.filter(duplicate_of__isnull=False).exists()
    assert Complaint.objects.filter(is_anonymous=True).exists() and Complaint.objects.filter(is_secret=True).exists()
    # No mass auto-close waits in the data: the measured sweep is the steady state of a live site.
    assert not Complaint.objects.filter(status="answered", due_at__lt=timezone.now()).exists()
    latest = Complaint.objects.order_by("-pk").first()
    assert get_complaint_for_reporter(latest.tracking_number, generate.ACCESS_CODE) == latest
    year = latest.tracking_number.split("-")[1]
    assert Counter.objects.get(name=f"complaint-{year}").value == int(latest.tracking_number.split("-")[2])
