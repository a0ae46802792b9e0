"""PostgreSQL query plans of the figures' reads (issue 14): *Terlambat* is a count of the narrow
``FigureOpenDue`` alone (never a join of the dispositions with the complaints) and a period's histograms
are read through their unique index, a few rows per series."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from aduan_publik import figure_cells, figures
from aduan_publik.models import FigureHistogram, FigureOpenDue
from aduan_publik.selectors import figure_aggregates

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]


def explain(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def filled(db):
    now = timezone.now()
    FigureOpenDue.objects.bulk_create(
        FigureOpenDue(disposition_id=i, complaint_id=i, opd_id=i % 30 + 1, received_at=now - timedelta(hours=i),
                      overdue_at=now + timedelta(hours=(i % 400) - 200)) for i in range(1, 20_001))
    counts = figure_cells.hist_encode(figure_cells.hist_dense({3: 2, 70: 1}))
    start = date(2024, 1, 1)
    FigureHistogram.objects.bulk_create(
        FigureHistogram(grain="d", day=start + timedelta(days=d), opd_id=o, measure=m, channel="", counts=counts)
        for d in range(700) for o in range(1, 8) for m in ("response", "answer"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def test_late_now_is_an_index_only_count_without_joins(filled):
    for period in (figures.ALL_TIME, figures.last_days(30)):
        qs = period.filter(FigureOpenDue.objects.filter(overdue_at__lt=timezone.now()), "received_at")
        plan = explain(qs.values_list("opd_id").order_by())
        assert "aduan_publik_figureopendue" in plan, plan  # its index or, when most are late, the narrow table
        assert "aduan_publik_disposition" not in plan and "aduan_publik_complaint" not in plan, plan
    assert sum(figure_aggregates.overdue_now().values()) == FigureOpenDue.objects.filter(
        overdue_at__lt=timezone.now()).count()


def test_a_periods_histograms_are_read_by_their_index(filled):
    period = figures.Period(start=timezone.make_aware(timezone.datetime(2025, 11, 20)))
    qs = FigureHistogram.objects.filter(figure_aggregates.period_q(period), measure__in=("response", "answer"))
    plan = explain(qs.exclude(opd_id=0).values_list("opd_id", "measure", "channel", "counts"))
    assert "Seq Scan" not in plan and "figurehistogram_unique_key" in plan, plan
