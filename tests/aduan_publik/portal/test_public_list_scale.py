"""The public list at scale: no exact COUNT(*) of the public complaints, «lebih dari …» above the limit,
every page reachable, and its search (words, tracking number; never a reporter)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aduan_publik.models import Complaint, Contact
from aduan_publik.services.complaints import complaint_create, complaint_verify
from tests.aduan_publik.desk.test_desk_list_scale import CAPPED

pytestmark = pytest.mark.django_db


def make_public(n: int, admin, opd) -> list[Complaint]:
    made = []
    for i in range(n):
        contact = Contact.objects.create(channel="web", address=f"p{i}@example.org", name=f"Pelapor Publik {i}",
                                         phone=f"0811{i:08d}")
        complaint, _code = complaint_create(channel="web", title=f"Trotoar rusak {i}", description="Uraian.",
                                            contact=contact, acknowledge=False)
        complaint_verify(complaint=complaint, by=admin, opds=[opd])
        made.append(complaint)
    return made


def test_public_list_never_counts_every_public_complaint(client, admin_user, opd_pu):
    make_public(3, admin_user, opd_pu)
    for params in ({}, {"q": "trotoar"}, {"hal": "2"}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/publik/", params).status_code == 200
        counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "aduan_publik_complaint" in q["sql"]]
        assert counts and all(CAPPED.match(sql) for sql in counts), counts


def test_above_the_limit_the_public_list_says_more_than(client, admin_user, opd_pu, monkeypatch):
    from aduan_publik.paging import CappedPaginator
    from aduan_publik.portal.views import public

    made = make_public(5, admin_user, opd_pu)
    monkeypatch.setattr(CappedPaginator, "exact_limit", 2)
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    html = client.get("/publik/").content.decode()
    assert "lebih dari 2" in html and "hal=2" in html
    last = client.get("/publik/", {"hal": "3"}).content.decode()
    assert made[0].tracking_number in last  # newest first: the oldest alone on the third page


def test_public_search_finds_words_and_numbers_never_people(client, admin_user, opd_pu):
    first, second = make_public(2, admin_user, opd_pu)
    assert second.tracking_number in client.get("/publik/", {"q": second.tracking_number}).content.decode()
    html = client.get("/publik/", {"q": "Pelapor Publik 0"}).content.decode()
    assert first.tracking_number not in html
    assert first.tracking_number not in client.get("/publik/", {"q": "0811 0000 0000"}).content.decode()


def test_a_public_search_counts_exactly_only_up_to_the_search_limit(client, admin_user, opd_pu, monkeypatch):
    from aduan_publik.portal.views import public

    made = make_public(5, admin_user, opd_pu)
    monkeypatch.setattr(public, "COUNT_LIMIT", 3)
    html = client.get("/publik/", {"q": "trotoar"}).content.decode()
    assert "lebih dari 3" in html and made[-1].tracking_number in html
    assert "lebih dari 3" not in client.get("/publik/").content.decode()  # no search: exact up to 10.000
