"""PostgreSQL query plans of the list pages: each list, filter and search is answered by its index.

A few thousand rows and ANALYZE, then EXPLAIN of the querysets the pages run: no sequential scan of
the complaint table, and the named index of each list in the plan.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from aduan_publik import access
from aduan_publik.models import OPD, Complaint, Contact, Disposition, OpdScope
from aduan_publik.portal.selectors import public_search
from aduan_publik.selectors.complaints import complaint_list_queryset
from aduan_publik.selectors.queues import with_urgency
from aduan_publik.selectors.search import Identity, complaint_search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]
ROWS = 6000
WORDS = ("jalan rusak berlubang", "sampah menumpuk di pasar", "lampu penerangan padam", "saluran air tersumbat",
         "pohon tumbang menutup jalan", "pelayanan puskesmas lambat", "banjir setinggi lutut")


def complaint_row(i: int, contact: Contact, now) -> Complaint:
    """Row ``i``: a third unverified, a rare status and a rare word now and then, every tenth anonim."""
    rare = " Jembatan ambruk." if i % 1000 == 11 else ""
    status = "postponed" if i % 97 == 0 else "disposed" if i % 3 else "received"
    return Complaint(
        tracking_number=f"ADU-2026-{i:06d}", access_code_hash=hashlib.sha256(str(i).encode()).hexdigest(),
        title=WORDS[i % len(WORDS)].capitalize(), description=f"Uraian {WORDS[(i * 3) % len(WORDS)]}.{rare}",
        location_text=f"Gang {i}", channel="web", contact=contact, received_at=now - timedelta(minutes=i),
        status=status, verified_at=now if i % 3 else None, is_anonymous=i % 10 == 0)


@pytest.fixture
def city(db):
    now = timezone.now()
    opds = OPD.objects.bulk_create(OPD(code=f"OPD{i}", name=f"Dinas {i}", kind="dinas") for i in range(20))
    contacts = Contact.objects.bulk_create(
        Contact(channel="web", address=f"w{i}@example.org", email=f"w{i}@example.org", name=f"Warga Nomor {i}",
                phone=f"0812{i:08d}") for i in range(ROWS))
    complaints = Complaint.objects.bulk_create(complaint_row(i, contacts[i], now) for i in range(ROWS))
    made = Disposition.objects.bulk_create(
        # Dinas 0 has half of the work (a big OPD): its list walks the newest-first index.
        Disposition(complaint=c, opd=opds[0 if i % 2 else i % len(opds)], created_at=now)
        for i, c in enumerate(complaints) if i % 3)
    # The scope rows the disposition service writes beside each disposition (access reads them).
    OpdScope.objects.bulk_create(OpdScope(opd_id=d.opd_id, complaint=d.complaint,
                                          received_at=d.complaint.received_at) for d in made)
    with connection.cursor() as cursor:  # statistics of every table, as autovacuum keeps them on a live site
        cursor.execute("ANALYZE")
    return {"opd": opds[0]}


def plan(qs) -> str:
    return qs.explain()


def assert_indexed(text: str, *indexes: str) -> None:
    assert "Seq Scan on aduan_publik_complaint" not in text, text
    for name in indexes:
        assert name in text, f"{name} not used:\n{text}"


def desk_page_qs(user):
    """The desk list's rows in the desk's own order (an OPD's follows its scope rows' index)."""
    return with_urgency(complaint_list_queryset(user=user), user).order_by(*access.newest_first(user))


def desk_page(user, *, offset: int = 0):
    return desk_page_qs(user)[offset:offset + 50]


def test_desk_list_newest_first_uses_received_index(city, admin_user):
    assert_indexed(plan(desk_page(admin_user)), "complaint_received_id")
    assert_indexed(plan(desk_page(admin_user, offset=500)), "complaint_received_id")


def test_desk_status_filter_uses_status_index(city, admin_user):
    qs = with_urgency(complaint_list_queryset(user=admin_user), admin_user).filter(status="postponed")
    text = plan(qs.order_by("-received_at", "-pk")[:50])
    assert_indexed(text)  # a rare status: its own index (status, received_at, id) or the status index
    assert re.search(r"Index Scan \S* ?using \S*status\S* on aduan_publik_complaint", text), text


def test_opd_list_uses_the_disposition_index(city, liaison_pu):
    from aduan_publik.models import StaffProfile

    StaffProfile.objects.filter(user=liaison_pu).update(opd=city["opd"])
    liaison_pu.refresh_from_db()
    liaison_pu.__dict__.pop("_aduan_actor", None)
    text = plan(desk_page(liaison_pu))
    assert_indexed(text)
    assert "Seq Scan on aduan_publik_disposition" not in text, text


def test_public_list_uses_its_partial_index(city):
    assert_indexed(plan(public_search()[:20]), "complaint_public_received")


def test_rare_word_search_reads_the_fulltext_index(city, admin_user):
    """A word in a few rows: the GIN index of the stored document, then the newest of those rows."""
    qs = access.complaints_visible_to(admin_user)
    text = plan(complaint_search(qs, "jembatan", identity=Identity.ALL).order_by("-received_at", "-pk")[:50])
    assert "Bitmap Index Scan on complaint_search_vec" in text, text
    assert "Seq Scan on aduan_publik_complaint\n" not in text and "Seq Scan on aduan_publik_complaint " not in text


def walks(text: str, index: str, table: str = "aduan_publik_complaint") -> bool:
    """The plan reads the list along ``index`` of ``table`` (newest first) and tests each row, no search index."""
    return (re.search(rf"Index (Only )?Scan Backward using {index} on {table}\b", text) is not None
            and "complaint_search_vec" not in text and "HashAggregate" not in text and "Unique" not in text)


def test_common_word_search_walks_the_list_order(city, admin_user):
    """A word in a large share of the rows («jalan»: two of seven titles, some descriptions): the desk's
    newest-first index is walked and each row's stored document tested until the page is full, with
    no set of every match built first (no UNION, no hash of ids, no sort of all matches)."""
    text = plan(complaint_search(desk_page_qs(admin_user), "jalan", identity=Identity.ALL)[:50])
    assert walks(text, "complaint_received_id"), text
    assert "to_tsvector" not in text, text  # the stored column, never the document computed per row


def test_common_word_search_of_an_opd_walks_the_list_order(city, liaison_pu):
    from aduan_publik.models import StaffProfile

    StaffProfile.objects.filter(user=liaison_pu).update(opd=city["opd"])
    liaison_pu.refresh_from_db()
    liaison_pu.__dict__.pop("_aduan_actor", None)
    text = plan(complaint_search(desk_page_qs(liaison_pu), "jalan", identity=Identity.NAMED)[:50])
    assert walks(text, "opdscope_opd_received", "aduan_publik_opdscope"), text  # the OPD's own scope rows


def test_common_word_public_search_walks_the_public_index(city):
    assert walks(plan(public_search(q="jalan")[:20]), "complaint_public_received")


def test_search_is_one_condition_on_the_row(city, admin_user):
    """Words, number and reporter are ORed on the complaint row (no UNION of id lists, no IN over one)."""
    sql = str(complaint_search(access.complaints_visible_to(admin_user), "Warga 4711",
                               identity=Identity.ALL).query)
    assert "UNION" not in sql and "search_doc) @@" in sql and "= ANY(ARRAY(SELECT" in sql, sql


def test_a_whole_number_reads_the_numbers_btree(city, admin_user):
    """A term that starts like every number («ADU-…») matches from the start: the btree of the column
    (its LIKE-prefix index), never the trigrams «ADU», «DU-», «-20» that every row holds."""
    qs = access.complaints_visible_to(admin_user)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        text = plan(complaint_search(qs, "adu-2026-000123", identity=Identity.ALL)[:50])
    assert re.search(r"Bitmap Index Scan on aduan_publik_complaint_tracking_number\S*_like", text), text
    assert "complaint_tracking_trgm" not in text, text
    assert found_numbers(qs, "adu-2026-000123") == ["ADU-2026-000123"]
    assert found_numbers(qs, "ADU-2026-00012") == [f"ADU-2026-00012{i}" for i in range(10)]


def found_numbers(qs, term: str) -> list[str]:
    return sorted(complaint_search(qs, term, identity=Identity.NONE).values_list("tracking_number", flat=True))


@pytest.mark.parametrize(("term", "index"), [
    ("2026-000123", "complaint_tracking_trgm"),
    ("Warga Nomor 4711", "contact_name_trgm"),
    ("w4711@example", "contact_email_trgm"),
    ("0812 0000 4711", "contact_phone_trgm"),
])
def test_number_and_identity_search_match_their_trigram_indexes(city, admin_user, term, index):
    """At a few thousand rows a scan is cheaper than a trigram index, so the planner is asked to avoid
    whole-table scans (sequential, or along the primary key): what this proves is that each query's
    expression is the one its index was built on (a mismatch leaves only those scans)."""
    qs = access.complaints_visible_to(admin_user)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        text = plan(complaint_search(qs, term, identity=Identity.ALL)[:50])
    assert f"Bitmap Index Scan on {index}" in text, text


def test_an_opds_export_walks_its_scope_index_in_order(city, liaison_pu):
    """The CSV export of an OPD reads each chunk along its scope rows' index from the chunk's key: one
    join of the scope table (visibility and key on the same row), no sort, no walk over the city."""
    from aduan_publik import exports
    from aduan_publik.models import StaffProfile

    StaffProfile.objects.filter(user=liaison_pu).update(opd=city["opd"])
    liaison_pu.refresh_from_db()
    liaison_pu.__dict__.pop("_aduan_actor", None)
    columns = [v for v in exports.VALUES if v != "counted"]
    first = plan(exports.export_queryset(liaison_pu).values_list(*columns)[:300])  # a chunk
    assert re.search(r"Index (Only )?Scan using opdscope_opd_received on aduan_publik_opdscope\b", first), first
    assert first.count("on aduan_publik_opdscope") == 1 and "Sort Key" not in first, first
    later = plan(exports.export_queryset(liaison_pu, after=(timezone.now() - timedelta(days=2), 10))
                 .values_list(*columns)[:300])
    # The chunk's key narrows the same scope row as the visibility, inside the scope's index.
    assert later.count("on aduan_publik_opdscope") == 1, later
    assert re.search(r"Index Cond: \(\(opd_id = \d+\) AND \(received_at >= ", later), later
