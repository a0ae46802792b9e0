"""The figures' aggregates (issue 14): they equal a full recount, stay fresh through the services'
events, survive a lost job, rebuild from scratch, and keep the public pages' query count flat."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik import figure_cells, figures, figures_check, jobs
from aduan_publik.models import (
    OPD,
    Category,
    Complaint,
    Contact,
    Disposition,
    FigureCell,
    FigureContribution,
    FigureDirty,
    FigureHistogram,
    FigureOpenDue,
    Role,
    StaffProfile,
)
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_create,
    complaint_merge,
    complaint_verify,
)
from aduan_publik.services.dispositions import disposition_accept, disposition_return
from aduan_publik.services.figure_aggregates import complaint_figures_refresh, figures_settle

S = Complaint.Status


def cells() -> dict[tuple, tuple]:
    """The non-empty cells and histograms, comparable across rebuilds."""
    names = ("grain", "day", "opd_id", "dim", "key")
    values = [f.name for f in FigureCell._meta.fields if f.name not in (*names, "id")]
    found = {tuple(r[n] for n in names): tuple(r[v] for v in values)
             for r in FigureCell.objects.values(*names, *values) if any(r[v] for v in values)}
    for *key, data in FigureHistogram.objects.values_list("grain", "day", "opd_id", "measure", "channel", "counts"):
        counts = tuple(int(n) for n in figure_cells.hist_decode(data))
        if any(counts):
            found[("hist", *key)] = counts
    for row in FigureOpenDue.objects.values_list("disposition_id", "complaint_id", "opd_id", "received_at",
                                                 "overdue_at"):
        found[("open_due", row[0])] = row[1:]
    return found


def at_local(day: datetime, hour: int, minute: int = 0) -> datetime:
    tz = timezone.get_default_timezone()
    return datetime.combine(day.date(), time(hour, minute), tzinfo=tz)


@pytest.fixture
def city(db):
    """The demo city (every scenario, through the services on a simulated clock) plus complaints
    received either side of local midnight, a secret one, an archived and a merged one."""
    call_command("seed_demo", "--complaints", "150", stdout=StringIO(), stderr=StringIO())
    admin = StaffProfile.objects.filter(role=Role.ADMIN).first().user
    contact = Contact.objects.create(channel="web", name="Warga")
    yesterday = timezone.localtime() - timedelta(days=1)
    made = []
    for when, secret in ((at_local(yesterday, 23, 50), False), (at_local(timezone.localtime(), 0, 10), True),
                         (at_local(yesterday - timedelta(days=40), 23, 59), False)):
        complaint, _code = complaint_create(channel="web", title="Batas hari", description="Uraian batas hari.",
                                            contact=contact, received_at=when, is_secret=secret, acknowledge=False)
        made.append(complaint)
    opds = list(OPD.objects.order_by("pk")[:2])
    complaint_verify(complaint=made[0], by=admin, opds=opds)
    complaint_archive(complaint=made[2], by=admin, reason=Complaint.ArchiveReason.SPAM)
    complaint_merge(complaint=made[1], into=made[0], by=admin)
    return admin


def every_period() -> dict[str, figures.Period]:
    periods = figures_check.usual_periods()
    years = {d.year for d in Complaint.objects.dates("received_at", "year")}
    for year in years:
        periods[str(year)] = figures.year_period(year)
    first = Complaint.objects.order_by("received_at").first().received_at
    local = timezone.localtime(first)
    periods["month-of-first"] = figures.month_period(local.year, local.month)
    periods["45-days"] = figures.last_days(45)  # edges on both sides of whole months
    return periods


def test_aggregates_equal_the_full_recount_for_every_period(city):
    totals = figures.totals()
    assert totals["selesai"] and totals["not_authority"] and totals["rated"] and totals["secret"]
    assert Complaint.objects.filter(duplicate_of__isnull=False).exists()
    assert Complaint.objects.filter(status=S.ARCHIVED).exists()
    assert Disposition.objects.filter(state=Disposition.State.RETURNED).exists()
    assert figures_check.figures_differences(every_period()) == []


def test_rebuild_gives_the_same_cells_and_the_check_catches_a_difference(city):
    figures_settle()
    before = cells()
    assert any(key[0] == "open_due" for key in before)  # late dispositions are compared too
    out = StringIO()
    call_command("figures_rebuild", stdout=out)
    assert "aduan" in out.getvalue() and FigureContribution.objects.count() == Complaint.objects.count()
    assert cells() == before
    call_command("figures_rebuild", "--check", stdout=StringIO(), stderr=StringIO())
    FigureCell.objects.filter(grain="m", dim="c", opd_id=0).update(n=0)
    with pytest.raises(CommandError):
        call_command("figures_rebuild", "--check", stdout=StringIO(), stderr=StringIO())



def test_a_rebuild_by_copy_gives_the_same_cells(city, monkeypatch):
    """PostgreSQL takes a rebuild's many cells by COPY (above ``COPY_FROM_ROWS``): the same cells."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from aduan_publik.services import figure_aggregates

    figures_settle()
    before = cells()
    monkeypatch.setattr(figure_aggregates, "COPY_FROM_ROWS", 0)
    with CaptureQueriesContext(connection) as seen:
        call_command("figures_rebuild", stdout=StringIO())
    assert any("figure_cells_in" in q["sql"] for q in seen.captured_queries)
    assert cells() == before

@pytest.mark.django_db
def test_a_change_through_a_service_moves_the_figures(contact, admin_user, opd_pu, opd_dlh, liaison_pu,
                                                      liaison_dlh):
    complaint, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                        contact=contact, acknowledge=False)
    assert FigureDirty.objects.filter(complaint_id=complaint.pk).exists()  # marked in the same transaction
    assert figures.totals()["waiting"] == 1
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    part = complaint.dispositions.get()
    disposition_return(disposition=part, by=liaison_pu, reason="Bukan wewenang kami")
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_dlh])  # all parts returned: verify again
    disposition_accept(disposition=complaint.dispositions.get(opd=opd_dlh), by=liaison_dlh)
    row = figures.totals()
    assert (row["total"], row["waiting"], row["in_process"]) == (1, 0, 1)
    league = {r["opd__code"]: r for r in figures.per_opd()}
    assert league["PUPR"]["returned"] == 1 and league["DLH"]["open"] == 1
    assert figures_check.figures_differences() == []


@pytest.mark.django_db
def test_refreshing_twice_changes_nothing(contact, admin_user, opd_pu):
    complaint, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                        contact=contact, acknowledge=False)
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    figures_settle()
    before = cells()
    assert complaint_figures_refresh(complaint_id=complaint.pk) is False
    assert complaint_figures_refresh(complaint_id=complaint.pk) is False
    assert cells() == before


@pytest.mark.django_db
def test_a_lost_job_is_picked_up_by_the_sweep(contact, settings):
    settings.ADUAN_FIGURES_SETTLE = False  # as in production: only the job or the sweep refreshes
    complaint_create(channel="web", title="Aduan", description="Uraian cukup.", contact=contact, acknowledge=False)
    # The transaction of a test never commits, so the job was never enqueued: it is "lost".
    assert figures.totals()["total"] == 0
    assert jobs.run_figures_sweep() == 0  # a mark younger than the job's grace time is left to the job
    FigureDirty.objects.update(marked_at=timezone.now() - timedelta(minutes=5))
    assert jobs.run_figures_sweep() == 1
    assert figures.totals()["total"] == 1 and not FigureDirty.objects.exists()


@pytest.mark.django_db
def test_a_deleted_complaint_leaves_the_figures_on_its_refresh(contact):
    complaint, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                        contact=contact, acknowledge=False)
    assert figures.totals()["total"] == 1
    pk = complaint.pk
    Complaint.objects.filter(pk=pk).delete()
    jobs.figures_refresh(pk)
    assert figures.totals()["total"] == 0 and cells() == {}


def test_medians_from_buckets_are_within_a_bucket_width():
    assert figure_cells.bucket(59_999) == 0 and figure_cells.bucket(3_599_999) == 59
    assert figure_cells.bucket(3_600_000) == 60 and figure_cells.bucket(-5) == 0
    for seconds in (30, 61, 3599, 3600, 7200, 86_400 * 3 + 17, 86_400 * 400):
        value = timedelta(seconds=seconds)
        found = figure_cells.median_of({figure_cells.bucket(seconds * 1000): 1})
        assert abs(found - value) <= figure_cells.bucket_width(value), seconds
    # the two middle values of an even count are averaged, as the recount does
    assert figure_cells.median_of({1: 1, 3: 1}) == timedelta(minutes=2)
    assert figure_cells.median_of({}) is None


@pytest.mark.django_db
def test_dashboard_periods_are_whole_local_days():
    period = figures.last_days(30)
    start = timezone.localtime(period.start, timezone.get_default_timezone())
    assert start.time() == time(0) and start.date() == timezone.localdate() - timedelta(days=29)
    assert figures.day_aligned(period) and figures.day_aligned(figures.ALL_TIME)
    assert not figures.day_aligned(figures.Period(start=timezone.now() - timedelta(hours=1)))


@pytest.mark.django_db
def test_a_period_that_is_not_day_aligned_is_recounted(contact):
    complaint_create(channel="web", title="Aduan", description="Uraian cukup.", contact=contact, acknowledge=False)
    FigureCell.objects.all().delete()  # the aggregates cannot answer it: it must not read them
    FigureDirty.objects.all().delete()
    assert figures.totals(figures.Period(start=timezone.now() - timedelta(hours=1)))["total"] == 1
    assert figures.totals()["total"] == 0


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_public_figures_cost_the_same_queries_with_more_complaints(contact, admin_user, opd_pu, opd_dlh):
    category = Category.objects.create(name="Sampah", code="sampah")
    for _ in range(2):
        complaint, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                            contact=contact, category=category, acknowledge=False)
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    figures_settle()
    # This year's page (a year written out would hold no complaint once the calendar passes it).
    urls = ("/", "/statistik/", f"/statistik/?tahun={timezone.localdate().year}")
    few = {url: _queries(url) for url in urls}
    for i in range(12):
        complaint, _code = complaint_create(channel="web" if i % 2 else "manual", title="Aduan",
                                            description="Uraian cukup.", contact=contact,
                                            received_at=timezone.now() - timedelta(days=40 * i), acknowledge=False)
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    figures_settle()
    assert {url: _queries(url) for url in urls} == few
    with mock.patch("aduan_publik.figures_recount.medians") as window:  # never the window functions
        Client().get("/statistik/")
        Client().get("/")
    window.assert_not_called()


@pytest.mark.django_db
def test_a_service_writing_several_events_refreshes_once_per_complaint(contact, admin_user, opd_pu, opd_dlh,
                                                                        django_capture_on_commit_callbacks):
    """Every event marks its complaint, but one transaction enqueues one refresh per complaint."""
    from django.db import transaction

    from aduan_publik.models import Event
    from aduan_publik.services.figure_aggregates import REFRESH_JOB

    with mock.patch("aduan_publik.queueing.enqueue") as enqueue, \
            django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                        contact=contact, acknowledge=False)
        complaint_verify(complaint=first, by=admin_user, opds=[opd_pu, opd_dlh])
        second, _code = complaint_create(channel="web", title="Aduan", description="Uraian cukup.",
                                         contact=contact, acknowledge=False)
    refreshed = [c.args[1] for c in enqueue.call_args_list if c.args[0] == REFRESH_JOB]
    assert Event.objects.filter(complaint=first).count() >= 2
    assert sorted(refreshed) == sorted([first.pk, second.pk])
    assert {c.kwargs["job_id"] for c in enqueue.call_args_list if c.args[0] == REFRESH_JOB} == {
        f"figures-{first.pk}", f"figures-{second.pk}"}


@pytest.mark.django_db
def test_a_savepoint_rolled_back_does_not_lose_the_refresh(django_capture_on_commit_callbacks):
    """The refresh of a mark inside a savepoint that rolls back is enqueued again by the next mark."""
    from django.db import transaction

    from aduan_publik.services.figure_aggregates import REFRESH_JOB, complaint_figures_mark

    complaint = mock.Mock(pk=987_654)  # marked nowhere else in this test's transaction
    with mock.patch("aduan_publik.queueing.enqueue") as enqueue, \
            django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                complaint_figures_mark(complaint_id=complaint.pk)
                raise RuntimeError
        except RuntimeError:
            pass
        complaint_figures_mark(complaint_id=complaint.pk)
        complaint_figures_mark(complaint_id=complaint.pk)
    assert [c.args[1] for c in enqueue.call_args_list if c.args[0] == REFRESH_JOB] == [complaint.pk]


def test_histograms_read_as_arrays_give_the_same_medians():
    """A stored histogram (dense int32 array) gives the median of the same counts as a dict."""
    import numpy as np

    for sparse in ({1: 1, 3: 1}, {0: 5}, {61: 2, 400: 3, 7: 1}, {59: 1, 60: 1, 200: 4}):
        dense = figure_cells.hist_decode(figure_cells.hist_encode(figure_cells.hist_dense(sparse)))
        assert figure_cells.hist_median(dense) == figure_cells.median_of(sparse)
    assert figure_cells.hist_median(np.zeros(0, dtype=np.int64)) is None
    assert figure_cells.hist_encode(figure_cells.hist_dense({2: 1, 5: 0})) == b"\x02\x00\x02\x00\x01\x00"
    big = figure_cells.hist_dense({300: 40_000, 301: 1})  # a count above int16: int32 for the row
    assert list(figure_cells.hist_decode(figure_cells.hist_encode(big))) == list(big)
    assert figure_cells.hist_encode(np.zeros(3, dtype=np.int64)) == b""
    grown = figure_cells.hist_add(figure_cells.hist_dense({1: 1}), figure_cells.hist_dense({4: 2}))
    assert list(grown) == [0, 1, 0, 0, 2]


def test_the_rebuilds_fast_path_adds_the_same_cells_as_the_refresh(city):
    """``figure_cells.day_parts`` (the rebuild's hot loop) equals ``split(cells(..., months=False))``."""
    figures_settle()
    snaps = list(FigureContribution.objects.values_list("data", flat=True))
    assert any(s and s["c"] and s["c"]["d"] for s in snaps)
    snaps.append({**snaps[-1], "t": [1, 0]})  # a triage decision (the demo city has none)
    general: dict = {}
    for snap in snaps:
        figure_cells.cells(snap, into=general, months=False)
    plain: dict = {}
    hists: dict = {}
    for snap in snaps:
        figure_cells.day_parts(snap, plain, hists)
    assert (plain, hists) == figure_cells.split(general)
