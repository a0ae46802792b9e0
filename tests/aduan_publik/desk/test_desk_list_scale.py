"""The complaint list at scale: no exact COUNT(*) of the table, filter choices without the table, fixed
queries whatever the number of rows (admin and OPD user, filters and search), pages past 10.000."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import Category, Complaint
from tests.aduan_publik.desk.desk_helpers import LIST_URL
from tests.aduan_publik.desk.test_desk_list import make_complaints

pytestmark = pytest.mark.django_db
VIEWS = ({}, {"_facets": "True"}, {"q": "Aduan"}, {"q": "Warga 1"}, {"status__exact": "disposed"},
         {"channel__exact": "web"}, {"tampilan": "terlambat"}, {"p": "2"})


def list_sql(client, params=None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, params or {})
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in queries]


#: The paginator's count (paging._count_capped): rows up to the limit, then — only past it — the planner's
#: estimate on PostgreSQL (an exact count on SQLite, whose sites are small).
CAPPED = re.compile(r"WITH capped AS \(SELECT COUNT\(\*\) AS n FROM \(.* LIMIT \d+\) subquery\) "
                    r"SELECT n, CASE WHEN n > ", re.S)


def unbounded_counts(sql: list[str]) -> list[str]:
    """Counts of complaints not taken over a LIMITed subquery (an exact count of the whole set): the
    paginator's, the "full result count", the sidebar's queue counts."""
    return [s for s in sql if re.match(r"(SELECT|WITH) ", s) and "COUNT(" in s and "aduan_publik_complaint" in s
            and not re.search(r"LIMIT \d+\) subquery$", s.strip()) and not CAPPED.match(s)]


def test_list_page_never_counts_the_whole_table(admin_client_, admin_user, opd_pu, category_jalan):
    make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    for params in VIEWS:
        sql = list_sql(admin_client_, params)
        assert unbounded_counts(sql) == [], (params, unbounded_counts(sql))
        assert any(CAPPED.match(s) for s in sql), params  # the list is counted, up to the limit


def test_opd_list_page_never_counts_the_whole_table(liaison_pu_client, admin_user, opd_pu, category_jalan):
    make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    for params in VIEWS:
        assert unbounded_counts(list_sql(liaison_pu_client, params)) == [], params


def test_filter_choices_do_not_read_the_complaint_table(admin_client_, admin_user, opd_pu, category_jalan):
    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    sql = list_sql(admin_client_)
    assert not [s for s in sql if "DISTINCT" in s.upper() and "aduan_publik_complaint" in s]


def test_category_filter_names_cost_one_query_however_many_parents(admin_client_, admin_user, opd_pu,
                                                                   category_jalan):
    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    before = len(list_sql(admin_client_))
    for i in range(12):
        parent = Category.objects.create(name=f"Topik {i}", code=f"topik-{i}")
        Category.objects.create(name=f"Sub {i}", code=f"sub-{i}", parent=parent)
    page = admin_client_.get(LIST_URL).content.decode()
    assert "Topik 3 › Sub 3" in page
    assert len(list_sql(admin_client_)) == before


@pytest.mark.parametrize("params", VIEWS)
def test_admin_list_queries_fixed_for_5_and_50(admin_client_, admin_user, opd_pu, opd_dlh, category_jalan, params):
    make_complaints(5, admin=admin_user, opds=[opd_pu, opd_dlh], category=category_jalan)
    few = len(list_sql(admin_client_, params))
    make_complaints(45, admin=admin_user, opds=[opd_pu, opd_dlh], category=category_jalan)
    assert len(list_sql(admin_client_, params)) == few


@pytest.mark.parametrize("params", VIEWS)
def test_opd_list_queries_fixed_for_5_and_50(liaison_pu_client, admin_user, opd_pu, category_jalan, params):
    make_complaints(5, admin=admin_user, opds=[opd_pu], category=category_jalan)
    few = len(list_sql(liaison_pu_client, params))
    make_complaints(45, admin=admin_user, opds=[opd_pu], category=category_jalan)
    assert len(list_sql(liaison_pu_client, params)) == few


def test_desk_search_finds_words_numbers_phones_names(admin_client_, admin_user, opd_pu, category_jalan):
    made = make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    Complaint.objects.filter(pk=made[1].pk).update(title="Lampu jalan padam", location_text="Gang Mawar")
    made[2].contact.phone = "081355554444"
    made[2].contact.save()

    def rows(term: str) -> set[str]:
        body = admin_client_.get(LIST_URL, {"q": term}).content.decode()
        return {c.tracking_number for c in made if c.tracking_number in body}

    assert rows("lampu padam") == {made[1].tracking_number}
    assert rows("Mawar") == {made[1].tracking_number}
    assert rows(made[0].tracking_number[-6:]) == {made[0].tracking_number}
    assert rows("0813 5555") == {made[2].tracking_number}
    assert rows("Warga 0") == {made[0].tracking_number}


def test_opd_search_never_matches_an_anonim_reporter(liaison_pu_client, admin_user, opd_pu, category_jalan):
    named, anonim = make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    Complaint.objects.filter(pk=anonim.pk).update(is_anonymous=True)
    body = liaison_pu_client.get(LIST_URL, {"q": "Warga 1"}).content.decode()
    assert anonim.tracking_number not in body
    body = liaison_pu_client.get(LIST_URL, {"q": "Warga 0"}).content.decode()
    assert named.tracking_number in body


def test_above_the_exact_limit_the_count_is_a_label_and_every_page_opens(admin_client_, admin_user, opd_pu,
                                                                        category_jalan, monkeypatch):
    from aduan_publik.paging import CappedPaginator

    made = make_complaints(7, admin=admin_user, opds=[opd_pu], category=category_jalan)
    monkeypatch.setattr(CappedPaginator, "exact_limit", 3)
    monkeypatch.setattr("aduan_publik.desk.complaint_admin.ComplaintAdmin.list_per_page", 2)
    first = admin_client_.get(LIST_URL).content.decode()
    assert "lebih dari 3" in first
    last = admin_client_.get(LIST_URL, {"p": "4"})
    assert last.status_code == 200
    oldest = made[0].tracking_number
    assert oldest in last.content.decode()  # newest first: the oldest is alone on page 4
    assert admin_client_.get(LIST_URL, {"p": "2"}).status_code == 200


def test_queue_badges_stop_counting_at_the_limit(admin_client_, admin_user, opd_pu, category_jalan, monkeypatch):
    from aduan_publik.selectors import queues

    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    for i in range(4):
        Complaint.objects.create(tracking_number=f"ADU-T-{i}", title="t", description="d", channel="web",
                                 received_at=timezone.now())
    monkeypatch.setattr(queues, "EXACT_LIMIT", 3)
    assert queues.queue_counts(admin_user)["perlu-verifikasi"] == 4  # counted up to the limit + 1
    assert queues.queue_badge(4) == "3+" and queues.queue_badge(3) == "3"
    page = admin_client_.get(LIST_URL).content.decode()
    assert "3+" in page


def test_a_searched_list_counts_exactly_only_up_to_the_search_limit(admin_client_, liaison_pu_client, admin_user,
                                                                    opd_pu, category_jalan, monkeypatch):
    """Every match of a search costs a row to count: above ``search.COUNT_LIMIT`` the count is a label
    (the list itself is unchanged); a list without a search still counts up to 10.000."""
    from aduan_publik.desk import complaint_admin

    made = make_complaints(5, admin=admin_user, opds=[opd_pu], category=category_jalan)
    monkeypatch.setattr(complaint_admin, "COUNT_LIMIT", 3)
    for client in (admin_client_, liaison_pu_client):
        page = client.get(LIST_URL, {"q": "uraian"}).content.decode()
        assert "lebih dari 3" in page and made[-1].tracking_number in page
        assert "lebih dari 3" not in client.get(LIST_URL).content.decode()
        assert "lebih dari" not in client.get(LIST_URL, {"q": made[0].tracking_number}).content.decode()


def test_a_list_page_costs_the_same_queries_below_and_above_the_exact_limit(admin_client_, liaison_pu_client,
                                                                          admin_user, opd_pu, category_jalan,
                                                                          monkeypatch):
    """The count past the limit (the planner's estimate) comes in the capped count's own query: a page
    of a million complaints costs the queries of a page of a thousand."""
    from aduan_publik.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "exact_limit", 3)
    make_complaints(2, admin=admin_user, opds=[opd_pu], category=category_jalan)
    views = ({}, {"status__exact": "disposed"}, {"tampilan": "perlu-verifikasi"})
    below = {(who, str(v)): len(list_sql(client, v)) for who, client in (("admin", admin_client_),
                                                                          ("opd", liaison_pu_client)) for v in views}
    make_complaints(6, admin=admin_user, opds=[opd_pu], category=category_jalan)
    above = {(who, str(v)): len(list_sql(client, v)) for who, client in (("admin", admin_client_),
                                                                          ("opd", liaison_pu_client)) for v in views}
    assert below == above
    assert "lebih dari 3" in admin_client_.get(LIST_URL).content.decode()
