"""The capped count (paging._count_capped): exact up to the limit, the planner's estimate past it, one
query either way."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import Complaint
from aduan_publik.paging import CappedPaginator, _count_capped

pytestmark = pytest.mark.django_db


def _complaints(n: int) -> None:
    now = timezone.now()
    Complaint.objects.bulk_create(Complaint(tracking_number=f"ADU-P-{i:04d}", title="Lampu mati", received_at=now,
                                            description="Uraian.", channel="web") for i in range(n))


def test_below_the_limit_the_count_is_exact_and_no_estimate_is_asked():
    _complaints(4)
    ids = Complaint.objects.filter(channel="web").values("pk").order_by()
    with CaptureQueriesContext(connection) as queries:
        assert _count_capped(ids, 10) == (4, None)
    assert len(queries) == 1


def test_past_the_limit_one_query_gives_the_capped_count_and_the_estimate():
    _complaints(30)
    ids = Complaint.objects.filter(channel="web", title__startswith="Lampu").values("pk").order_by()
    with CaptureQueriesContext(connection) as queries:
        capped, estimate = _count_capped(ids, 10)
    assert len(queries) == 1 and capped == 11
    if connection.vendor == "postgresql":  # the planner's figure for the whole query, not a count
        assert estimate == json.loads(ids.explain(format="json"))[0]["Plan"]["Plan Rows"]
    else:
        assert estimate == 30


def test_a_search_term_with_quotes_reaches_the_estimate_as_a_literal():
    """The estimate's query text carries the parameters bound as quoted literals: a quote in a search
    term is data, not SQL (the function only plans the text, but it must still parse)."""
    _complaints(12)
    ids = Complaint.objects.filter(title__in=["Lampu mati", "x'); DROP TABLE aduan_publik_complaint; --"])
    capped, _estimate = _count_capped(ids.values("pk").order_by(), 5)
    assert capped == 6 and Complaint.objects.count() == 12


def test_the_paginator_says_more_than_the_limit_and_keeps_every_page(monkeypatch):
    _complaints(9)
    monkeypatch.setattr(CappedPaginator, "exact_limit", 4)
    paginator = CappedPaginator(Complaint.objects.order_by("pk"), 2)
    assert paginator.count >= 5 and not paginator.count_is_exact and paginator.count_label == "lebih dari 4"
    assert [c.tracking_number for c in paginator.page(5)] == ["ADU-P-0008"]


def test_an_empty_queryset_is_counted_without_a_query():
    with CaptureQueriesContext(connection) as queries:
        assert _count_capped(Complaint.objects.none().values("pk"), 10) == (0, None)
    assert queries.captured_queries == []
