"""The figures' definitions: rounding half up, Indonesian formatting, the public list's city figure,
the league table's sorting and the charts' table fallback."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from aduan_publik import figures
from aduan_publik.models import Complaint, Contact
from aduan_publik.selectors import trends
from aduan_publik.services.complaints import complaint_create, complaint_mark_not_authority, complaint_verify
from aduan_publik.services.figure_aggregates import figures_rebuild

S = Complaint.Status


def test_percent_rounds_half_up_to_one_decimal():
    assert figures.percent(2, 3) == Decimal("66.7")  # the statistics page used to say 66,6%
    assert figures.percent(1, 2000) == Decimal("0.1")  # 0.05: half up, not half to even
    assert figures.percent(1, 8) == Decimal("12.5")
    assert figures.percent(3, 0) is None


def test_indonesian_formatting():
    assert figures.fmt_pct(Decimal("66.7")) == "66,7%"
    assert figures.fmt_int(1234567) == "1.234.567"
    assert figures.fmt_decimal(Decimal("1234.5")) == "1.234,5"
    assert figures.fmt_duration(timedelta(days=2, hours=4, minutes=59)) == "2 hari 4 jam"
    assert figures.fmt_duration(timedelta(minutes=45)) == "45 menit"
    assert figures.fmt_pct(None) == "–"


def new(contact: Contact, title: str = "Aduan") -> Complaint:
    complaint, _code = complaint_create(channel="web", title=title, description="Uraian cukup panjang.",
                                        contact=contact, acknowledge=False)
    return complaint


@pytest.mark.django_db
def test_statistics_page_rounds_two_of_three_to_66_7(contact, admin_user, opd_pu):
    for _ in range(3):
        complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_pu])
    ids = list(Complaint.objects.values_list("pk", flat=True)[:2])
    Complaint.objects.filter(pk__in=ids).update(status=S.CLOSED, closed_at=timezone.now())
    figures_rebuild()  # changed behind the services' back (no audit event)
    body = Client().get("/statistik/").content.decode()
    assert "2 (66,7%)" in body and "66,6" not in body


@pytest.mark.django_db
def test_public_list_filter_states_the_statistics_figure(contact, admin_user):
    # Not-authority complaints are never verified, so the public list cannot show them; it used to
    # say 0 where the statistics page said 1. Now it states the city's figure with the same label.
    complaint_mark_not_authority(complaint=new(contact, "Jalan provinsi"), by=admin_user,
                                 forwarded_to="Pemerintah Provinsi")
    stats_page = Client().get("/statistik/").content.decode()
    listing = Client().get("/publik/", {"status": "not_authority"}).content.decode()
    figure = '<dt data-label>Bukan wewenang</dt><dd data-value>1</dd>'
    assert figure in stats_page and figure in listing
    assert "Jalan provinsi" not in listing  # still never listed (not reviewed for the public)


def test_league_sorts_any_column_with_empty_values_last():
    rows = [
        {"opd_id": 1, "opd__name": "B", "opd__code": "B", "total": 4, "pct_answered": Decimal("50.0"),
         "pct_on_time": None, "median_response": timedelta(hours=5), "avg_rating": None, "overdue": 1,
         "returned": 0},
        {"opd_id": 2, "opd__name": "A", "opd__code": "A", "total": 9, "pct_answered": Decimal("88.9"),
         "pct_on_time": Decimal("75.0"), "median_response": timedelta(hours=1), "avg_rating": Decimal("4.5"),
         "overdue": 0, "returned": 2},
        {"opd_id": 3, "opd__name": "C", "opd__code": "C", "total": 1, "pct_answered": None,
         "pct_on_time": None, "median_response": None, "avg_rating": None, "overdue": 0, "returned": 0},
    ]
    assert [r["name"] for r in trends.league(rows)["rows"]] == ["A", "B", "C"]
    table = trends.league(rows, sort="median_response", direction="asc")
    assert [r["name"] for r in table["rows"]] == ["A", "B", "C"]
    assert table["rows"][0]["cells"][1] == "88,9%"
    table = trends.league(rows, sort="overdue", direction="desc")
    assert [r["name"] for r in table["rows"]] == ["B", "A", "C"]
    assert next(c for c in table["columns"] if c["key"] == "overdue")["aria"] == "descending"
    assert trends.league(rows, sort="nonsense")["sort"] == "pct_answered"  # unknown: the default


@pytest.mark.django_db
def test_statistics_league_is_sortable_by_link_and_charts_have_tables(contact, admin_user, opd_pu, opd_dlh):
    complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_pu])
    complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_pu])
    complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_dlh])
    body = Client().get("/statistik/", {"urut": "total", "arah": "asc"}).content.decode()
    league = body[body.index('id="liga-opd"'):]
    assert league.index(opd_dlh.name) < league.index(opd_pu.name)  # 1 disposition before 2
    body = Client().get("/statistik/", {"urut": "total", "arah": "desc"}).content.decode()
    league = body[body.index('id="liga-opd"'):]
    assert league.index(opd_pu.name) < league.index(opd_dlh.name)
    assert 'aria-sort="descending"' in league
    # Every chart: a canvas with a text alternative, and an open data table without JavaScript.
    assert 'id="grafik-trend"' in body and 'data-chart="opd_completion"' in body
    assert body.count('<details class="chart-table" open>') == body.count("<canvas ")
    assert "/static/aduan_publik/vendor/chartjs/chart.umd.min.js" in body  # served by the project


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_figure_pages_cost_a_fixed_number_of_queries(contact, admin_user, opd_pu, opd_dlh):
    from tests.aduan_publik.desk.desk_helpers import client_for

    desk, public = client_for(admin_user), Client()
    complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_pu])
    Complaint.objects.update(status=S.CLOSED, closed_at=timezone.now())  # the list has a row to show
    figures_rebuild()  # changed behind the services' back (no audit event)
    few = {url: _queries(desk if url.startswith("/desk") else public, url)
           for url in ("/desk/", "/statistik/", "/", "/publik/?status=closed")}
    for _ in range(15):
        complaint_verify(complaint=new(contact), by=admin_user, opds=[opd_pu, opd_dlh])
    Complaint.objects.filter(pk__in=Complaint.objects.values("pk")[:5]).update(status=S.CLOSED,
                                                                               closed_at=timezone.now())
    figures_rebuild()
    many = {url: _queries(desk if url.startswith("/desk") else public, url) for url in few}
    assert many == few
