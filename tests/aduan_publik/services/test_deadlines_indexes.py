"""The deadline sweep reads only what is due and not yet flagged (issue 14 point 1).

Partial indexes hold the open complaints and dispositions not yet flagged for their deadline; a
flagged row leaves them, so the sweep's cost follows new lateness, not the city's history.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import Complaint, Disposition
from aduan_publik.services import deadlines
from aduan_publik.services.deadlines import late_dispositions, unflagged_overdue
from aduan_publik.services.lifecycle import deadlines_sweep

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")


def _city(opd, *, flagged: int, fresh: int) -> dict[str, list[int]]:
    """``flagged`` overdue complaints already reported (and their late dispositions), ``fresh`` newly late."""
    now = timezone.now()
    due = now - timedelta(days=2)

    def make(prefix: str, count: int, flag) -> list[Complaint]:  # type: ignore[no-untyped-def]
        made = Complaint.objects.bulk_create([Complaint(
            tracking_number=f"{prefix}-{i:04d}", access_code_hash="0" * 64, title="Aduan", description="Uraian",
            channel="web", status=Complaint.Status.DISPOSED, received_at=now - timedelta(days=30), due_at=due,
            overdue_flagged_at=flag,
        ) for i in range(count)])
        made = list(Complaint.objects.filter(tracking_number__startswith=f"{prefix}-"))
        Disposition.objects.bulk_create([Disposition(
            complaint=c, opd=opd, state=Disposition.State.PENDING, created_at=now - timedelta(days=30),
            respond_due=due, complete_due=due, overdue_flagged_at=flag,
        ) for c in made])
        return made

    old = make("OLD", flagged, due + timedelta(hours=1))
    new = make("NEW", fresh, None)
    return {"old": [c.pk for c in old], "new": [c.pk for c in new]}


def _plan(queryset, *, analyze: bool = False) -> str:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:  # tiny tables: make the planner show the index it would use at scale
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        return queryset.explain(analyze=analyze)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")


@postgres_only
def test_sweep_queries_use_the_partial_indexes(opd_pu):
    _city(opd_pu, flagged=20, fresh=3)
    now = timezone.now()
    complaints = _plan(unflagged_overdue(now).values_list("pk", flat=True))
    dispositions = _plan(late_dispositions(now).values_list("pk", flat=True))
    assert "complaint_sweep_unflagged" in complaints, complaints
    assert "disposition_sweep_respond" in dispositions and "disposition_sweep_complete" in dispositions, dispositions


@postgres_only
def test_flagged_rows_are_not_read_by_the_sweep_queries(opd_pu):
    _city(opd_pu, flagged=40, fresh=3)
    now = timezone.now()
    for queryset in (unflagged_overdue(now), late_dispositions(now)):
        plan = _plan(queryset.values_list("pk", flat=True), analyze=True)
        # The index holds the three unflagged rows only: nothing read and thrown away.
        assert "Rows Removed by Filter" not in plan and "Rows Removed by Index Recheck" not in plan, plan
        assert "rows=3 " in plan, plan


def test_a_flagged_row_is_not_read_again(opd_pu):
    city = _city(opd_pu, flagged=5, fresh=2)
    calls: list[tuple[str, int]] = []
    flag_complaint, flag_disposition = deadlines._flag_complaint, deadlines._flag_disposition

    def counting(kind, flag):  # type: ignore[no-untyped-def]
        def wrapped(pk, now):  # type: ignore[no-untyped-def]
            calls.append((kind, pk))
            return flag(pk, now)
        return wrapped

    with mock.patch.object(deadlines, "_flag_complaint", counting("complaint", flag_complaint)), \
            mock.patch.object(deadlines, "_flag_disposition", counting("disposition", flag_disposition)):
        first = deadlines_sweep()
        read_first = list(calls)
        calls.clear()
        with CaptureQueriesContext(connection) as second_queries:
            second = deadlines_sweep()
    assert first == {"complaints_flagged": 2, "dispositions_flagged": 2, "closed": 0}
    # Only the new lateness is opened row by row.
    assert sorted(pk for kind, pk in read_first if kind == "complaint") == sorted(city["new"])
    assert len(read_first) == 4
    assert second == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0} and calls == []
    assert len(second_queries) == 3  # the three candidate reads, each empty; no row read one by one
