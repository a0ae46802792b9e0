"""PostgreSQL plans of the desk's complaint list at scale (issue 14): an OPD's list, count and deep pages
walk its scope index; a deep page picks its ids from an index alone; filters use their indexes.

A few thousand rows and ANALYZE, then EXPLAIN of what the list runs (``DeskPaginator`` with the ids
``ComplaintAdmin`` gives it).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from aduan_publik import access
from aduan_publik.models import OPD, Category, Complaint, Contact, Disposition, OpdScope, StaffProfile
from aduan_publik.paging import DeskPaginator
from aduan_publik.selectors.complaints import complaint_list_queryset
from aduan_publik.selectors.queues import URGENCY_ORDER, queue_condition, with_urgency

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]
ROWS = 8000
BIG_SCANS = ("Seq Scan on aduan_publik_complaint", "Seq Scan on aduan_publik_opdscope",
             "Seq Scan on aduan_publik_disposition")
CHANNELS = ("web", "web", "whatsapp", "whatsapp", "lapor", "manual")


@pytest.fixture
def city(db, liaison_pu):
    """``ROWS`` complaints over 12 categories and four channels, one disposition each to one of 30 OPDs."""
    now = timezone.now()
    opds = OPD.objects.bulk_create(OPD(code=f"OPD{i}", name=f"Dinas {i}", kind="dinas") for i in range(30))
    categories = Category.objects.bulk_create(Category(name=f"Kategori {i}", code=f"k{i}") for i in range(12))
    contact = Contact.objects.create(channel="web", address="w@example.org", name="Warga")
    complaints = Complaint.objects.bulk_create(Complaint(
        tracking_number=f"ADU-2026-{i:06d}", access_code_hash=hashlib.sha256(str(i).encode()).hexdigest(),
        title="Jalan rusak", description="Uraian.", channel=CHANNELS[i % len(CHANNELS)], contact=contact,
        category=categories[i % len(categories)], received_at=now - timedelta(minutes=i),
        status="in_progress" if i % 40 == 0 else "closed") for i in range(ROWS))
    # The liaison's OPD holds half of the work (a big OPD): its pages must walk its index, not sort.
    parts = [(c, opds[0 if i % 2 else (i * 7) % len(opds)]) for i, c in enumerate(complaints)]
    Disposition.objects.bulk_create(Disposition(complaint=c, opd=o, created_at=now) for c, o in parts)
    OpdScope.objects.bulk_create(OpdScope(complaint=c, opd=o, received_at=c.received_at) for c, o in parts)
    StaffProfile.objects.filter(user=liaison_pu).update(opd=opds[0])
    liaison_pu.refresh_from_db()
    liaison_pu.__dict__.pop("_aduan_actor", None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"category": categories[3]}


def page_rows(user, *, offset: int, ids=None, **filters):
    """The queryset of one list page as the desk builds it (the plain list passes ``ids``)."""
    qs = with_urgency(complaint_list_queryset(user=user), user).filter(**filters).order_by(*access.newest_first(user))
    return DeskPaginator(qs, 50, ids=ids)._rows(offset, offset + 50)


def assert_plan(qs, *indexes: str, never: tuple[str, ...] = BIG_SCANS) -> str:
    text = qs.explain()
    for name in indexes:
        assert name in text, f"{name} not used:\n{text}"
    for bad in never:
        assert bad not in text, text
    return text


def test_opd_first_page_walks_its_scope_index(city, liaison_pu):
    text = assert_plan(page_rows(liaison_pu, offset=0), "opdscope_opd_received", never=BIG_SCANS)
    assert re.search(r"Index (Only )?Scan Backward using opdscope_opd_received", text), text


def test_opd_deep_page_and_count_read_only_the_scope_index(city, liaison_pu):
    ids = access.visible_ids(liaison_pu)
    inner = assert_plan(ids[200:250], "opdscope_opd_received", never=("aduan_publik_complaint", *BIG_SCANS))
    assert "Backward" in inner, inner
    # The capped count reads scope rows only (here half the table: a scan of it is the cheap way).
    assert_plan(ids.order_by()[:10001], "aduan_publik_opdscope", never=("aduan_publik_complaint",))
    # The page itself: 50 complaints by primary key (the skipped rows never leave the scope index).
    assert_plan(page_rows(liaison_pu, offset=200, ids=ids), "opdscope_opd_received",
                never=("Seq Scan on aduan_publik_complaint",))


def test_admin_deep_page_picks_ids_from_the_received_index(city, admin_user):
    text = assert_plan(page_rows(admin_user, offset=2000, ids=access.visible_ids(admin_user)), "complaint_received_id")
    assert re.search(r"Index (Only )?Scan Backward using complaint_received_id", text), text


@pytest.mark.parametrize("filters", [{"status": "in_progress"}, {"channel": "whatsapp"}])
def test_filtered_pages_use_indexes(city, admin_user, filters):
    for offset in (0, 100):
        assert_plan(page_rows(admin_user, offset=offset, **filters))


def test_category_pages_use_indexes(city, admin_user):
    for offset in (0, 100):
        assert_plan(page_rows(admin_user, offset=offset, category=city["category"]))


def test_admin_late_queue_first_page_picks_its_ids_from_the_status_due_index(city, admin_user):
    """The «Terlambat» queue sorts most urgent first over every late complaint (60,000 at 1M): the
    page's 50 ids are sorted from the (status, due_at, priority, received_at, id) index in a subquery,
    and only those 50 rows are read whole (before: every late row was read and sorted whole)."""
    now = timezone.now()
    late = Complaint.objects.filter(status="in_progress")
    late.update(due_at=now - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE aduan_publik_complaint")
    qs = (with_urgency(complaint_list_queryset(user=admin_user), admin_user)
          .filter(queue_condition(admin_user, "terlambat", now)).order_by(*URGENCY_ORDER, "-pk"))
    paginator = DeskPaginator(qs, 50)
    paginator.sorted_whole = True  # as ComplaintAdmin.get_paginator sets it for a queue
    page = paginator._rows(0, 50)
    text = assert_plan(page, "complaint_status_due")
    assert re.search(r"\(SELECT .* LIMIT 50\)", str(page.query)), page.query  # the ids first, then the rows
    assert [c.pk for c in page] == [c.pk for c in qs[:50]] and len(page) == 50
    assert "Sort" in text
