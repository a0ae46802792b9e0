"""Issue 14: the complaint's work page at scale — the same queries for a small and a big case and city
(categories, areas, dispositions, messages, files, follow-ups, a duplicate), each table of the case read
once, the latest part of a very long case with «lihat semua», and (PostgreSQL) every read by an index."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import (
    Area,
    Attachment,
    Category,
    Complaint,
    Contact,
    Disposition,
    Event,
    FollowUp,
    Message,
)
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from tests.aduan_publik.desk.desk_helpers import PNG, action_url, change_url
from tests.aduan_publik.desk.test_desk_list import make_complaints
from tests.aduan_publik.desk.test_desk_workpage import inbound

pytestmark = pytest.mark.django_db
# The sidebar's queue badges (desk/site.py, selectors/queues.py) are the list's: counted apart.
QUEUE_COUNT = re.compile(r"^SELECT COUNT\(\*\) FROM \(SELECT .* LIMIT \d+\) subquery$", re.S)


def page_sql(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for q in queries]


def grow_city_and_case(complaint: Complaint, *, admin, operator, opds, category) -> Complaint:
    """More categories (with parents), areas, complaints and OPDs in the city; a longer case."""
    for i in range(12):
        parent = Category.objects.create(name=f"Topik {i}", code=f"topik-{i}")
        Category.objects.create(name=f"Sub {i}", code=f"sub-{i}", parent=parent)
    kecamatan = Area.objects.create(code="kec-1", name="Kecamatan Satu", level=Area.Level.KECAMATAN)
    kelurahan = Area.objects.create(code="kel-1", name="Kelurahan Satu", level=Area.Level.KELURAHAN,
                                    parent=kecamatan)
    for i in range(8):
        Area.objects.create(code=f"kel-x{i}", name=f"Kelurahan {i}", level=Area.Level.KELURAHAN, parent=kecamatan)
    make_complaints(6, admin=admin, opds=opds, category=category)
    original = make_complaints(1, admin=admin, opds=opds[:1], category=category)[0]
    Complaint.objects.filter(pk=complaint.pk).update(
        kecamatan=kecamatan, kelurahan=kelurahan, duplicate_of=original,
        category=Category.objects.get(code="sub-3"))
    disposition = complaint.dispositions.get(opd=opds[0])
    disposition_accept(disposition=disposition, by=operator)
    for i in range(6):
        inbound(complaint, "whatsapp" if i % 2 else "web", f"Pesan {i}", photo=True)
        followup_draft(disposition=disposition, by=operator, body=f"Draf nomor {i} dengan uraian yang cukup panjang.")
    draft = complaint.followups.order_by("pk").last()
    attachment_create(complaint=complaint, content=PNG, filename="bukti.png", followup=draft)
    attachment_create(complaint=complaint, content=PNG, filename="lepas.png")
    return original  # of which ``complaint`` is now marked a duplicate


@pytest.fixture
def two_opds(complaint, admin_user, opd_pu, opd_dlh):
    """The sample case disposed to Dinas PU and DLH."""
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    return complaint


def big_city(*, contact, category, opds, rows: int = 3000) -> Complaint:
    """``rows`` complaints with a file, two messages and four audit events each, two in three disposed (with a
    follow-up); and the
    sample case (the one the page shows), made through the services."""
    now = timezone.now()
    reporters = Contact.objects.bulk_create(Contact(channel="web", address=f"w{i}@example.org", name=f"Warga {i}")
                                            for i in range(rows))
    made = Complaint.objects.bulk_create(
        Complaint(tracking_number=f"BULK-{i:06d}", access_code_hash=hashlib.sha256(str(i).encode()).hexdigest(),
                  title=f"Aduan {i}", description="Uraian.", channel="web", contact=reporters[i], category=category,
                  received_at=now - timedelta(minutes=i), status="disposed" if i % 3 else "received")
        for i in range(rows))
    parts = Disposition.objects.bulk_create(Disposition(complaint=c, opd=opds[i % 2], created_at=now)
                                            for i, c in enumerate(made) if i % 3)
    FollowUp.objects.bulk_create(FollowUp(disposition=d, complaint_id=d.complaint_id, body="Sudah ditinjau.")
                                 for d in parts)
    Attachment.objects.bulk_create(Attachment(complaint=c, file=f"attachments/x{i}.png", original_name="x.png",
                                              content_type="image/png", size=1, sha256="0" * 64)
                                   for i, c in enumerate(made))
    Message.objects.bulk_create(Message(complaint=c, contact=contact, channel="web", direction=Message.Direction.IN,
                                        body=f"Pesan {j}", state=Message.State.RECEIVED, created_at=now)
                                for c in made for j in range(2))
    Event.objects.bulk_create(Event(complaint=c, actor_label="sistem", verb="created", summary=f"Langkah {j}")
                              for c in made for j in range(4))
    target, _code = complaint_create(channel="web", title="Jalan berlubang", description="Lubang besar.",
                                     contact=contact, category=category)
    return target


def test_work_page_queries_are_the_same_for_a_small_and_a_big_case_and_city(
        admin_client_, liaison_pu_client, disposed, admin_user, operator_pu, opd_pu, opd_dlh, category_jalan):
    url = change_url(disposed)
    page_sql(admin_client_, url)  # warm: what a process reads once (content types) is not the page's
    small = [len(page_sql(admin_client_, url)), len(page_sql(liaison_pu_client, url))]
    original = grow_city_and_case(disposed, admin=admin_user, operator=operator_pu, opds=[opd_pu, opd_dlh],
                                  category=category_jalan)
    page = admin_client_.get(url).content.decode()
    assert "Topik 3 › Sub 3" in page and "Kelurahan Satu" in page and "lepas.png" in page
    assert f'{change_url(original)}">{original.tracking_number}</a>' in page  # «duplikat dari»
    big_sql = [page_sql(admin_client_, url), page_sql(liaison_pu_client, url)]
    assert small == [len(q) for q in big_sql], "\n\n".join("\n".join(q) for q in big_sql)


def main_table(sql: str) -> str:
    """The table a SELECT reads (its FROM outside any parentheses), '' for anything else."""
    sql = re.sub(r"^DECLARE .*? FOR ", "", sql)  # a select's choices, read by .iterator()
    if not sql.startswith("SELECT"):
        return ""
    depth = 0
    for i, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(' FROM "', i):
            return sql[i + 7:sql.index('"', i + 7)]
    return ""


def reads_of(sql: list[str], table: str) -> list[str]:
    return [s for s in sql if not QUEUE_COUNT.match(s) and main_table(s) == table]


@pytest.mark.parametrize("who", ["admin", "liaison"])
def test_work_page_reads_each_table_of_the_case_once(who, admin_client_, liaison_pu_client, disposed, admin_user,
                                                    operator_pu, opd_pu, opd_dlh, category_jalan):
    grow_city_and_case(disposed, admin=admin_user, operator=operator_pu, opds=[opd_pu, opd_dlh],
                       category=category_jalan)
    sql = page_sql(admin_client_ if who == "admin" else liaison_pu_client, change_url(disposed))
    for table in ("complaint", "message", "attachment", "followup", "event", "disposition"):
        assert len(reads_of(sql, f"aduan_publik_{table}")) == 1, (table, reads_of(sql, f"aduan_publik_{table}"))
    # The selects of the admin's form: categories with their parents in one query; kecamatan and kelurahan.
    assert len(reads_of(sql, "aduan_publik_category")) == (1 if who == "admin" else 0)
    assert len(reads_of(sql, "aduan_publik_area")) == (2 if who == "admin" else 0)


def test_work_page_stays_within_a_fixed_number_of_queries(admin_client_, liaison_pu_client, disposed):
    admin = [s for s in page_sql(admin_client_, change_url(disposed)) if not QUEUE_COUNT.match(s)]
    liaison = [s for s in page_sql(liaison_pu_client, change_url(disposed)) if not QUEUE_COUNT.match(s)]
    assert len(admin) <= 17, "\n".join(admin)
    assert len(liaison) <= 14, "\n".join(liaison)


def test_a_long_case_shows_its_latest_part_and_links_to_everything(admin_client_, disposed, monkeypatch):
    monkeypatch.setattr("aduan_publik.selectors.workpage.RECENT", 3)
    for i in range(6):
        inbound(disposed, "web", f"Pesan ke-{i} dari pelapor.")
    url = change_url(disposed)
    page = admin_client_.get(url).content.decode()
    assert "Pesan ke-5 dari pelapor." in page and "Pesan ke-2 dari pelapor." not in page
    assert 'data-see-all' in page and "?semua=1" in page
    everything = admin_client_.get(url, {"semua": "1"}).content.decode()
    assert all(f"Pesan ke-{i} dari pelapor." in everything for i in range(6))
    assert "data-see-all" not in everything
    # A short case shows everything without the link.
    monkeypatch.setattr("aduan_publik.selectors.workpage.RECENT", 50)
    assert "data-see-all" not in admin_client_.get(url).content.decode()


def test_a_long_case_costs_the_same_queries(admin_client_, liaison_pu_client, disposed, monkeypatch):
    monkeypatch.setattr("aduan_publik.selectors.workpage.RECENT", 3)
    url = change_url(disposed)
    short = [len(page_sql(admin_client_, url)), len(page_sql(liaison_pu_client, url))]
    for i in range(8):
        inbound(disposed, "web", f"Pesan {i}", photo=True)
    assert [len(page_sql(admin_client_, url)), len(page_sql(liaison_pu_client, url))] == short


def test_the_opd_page_of_a_shared_case_shows_only_what_it_may(liaison_dlh_client, two_opds, operator_pu):
    """Another OPD's drafts and their evidence stay off the page of a co-disposed OPD."""
    draft = followup_draft(disposition=two_opds.dispositions.get(opd__code="PUPR"), by=operator_pu,
                           body="Draf rahasia PUPR yang belum dikirim.")
    attachment_create(complaint=two_opds, content=PNG, filename="bukti-pupr.png", followup=draft)
    Complaint.objects.filter(pk=two_opds.pk).update(is_anonymous=True)
    page = liaison_dlh_client.get(change_url(two_opds)).content.decode()
    assert "Draf rahasia PUPR" not in page and "bukti-pupr.png" not in page
    assert "Budi Santoso" not in page and "081234567890" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_every_read_of_the_work_page_uses_an_index(admin_client_, liaison_pu_client, admin_user, operator_pu,
                                                   opd_pu, opd_dlh, category_jalan, contact):
    """A few thousand complaints with their threads and ANALYZE: no table of the case is scanned whole."""
    target = big_city(contact=contact, category=category_jalan, opds=[opd_pu, opd_dlh])
    complaint_verify(complaint=target, by=admin_user, opds=[opd_pu])
    grow_city_and_case(target, admin=admin_user, operator=operator_pu, opds=[opd_pu, opd_dlh],
                       category=category_jalan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    scanned = re.compile(r"Seq Scan on aduan_publik_(complaint|message|event|attachment|followup|disposition|contact)"
                         r"\b")
    for client in (admin_client_, liaison_pu_client):
        for sql in page_sql(client, change_url(target)):
            if QUEUE_COUNT.match(sql) or not sql.startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                text = "\n".join(row[0] for row in cursor.fetchall())
            assert not scanned.search(text), f"{sql}\n{text}"


@pytest.mark.parametrize("slug", ["verify", "merge"])
def test_action_forms_cost_the_same_queries_however_many_categories_and_areas(admin_client_, complaint, slug):
    """The form pages of the buttons: the category select and the complaint's summary read in fixed queries."""
    url = action_url(complaint, slug)
    page_sql(admin_client_, url)  # warm
    few = len(page_sql(admin_client_, url))
    for i in range(12):
        parent = Category.objects.create(name=f"Topik {i}", code=f"topik-{i}")
        Category.objects.create(name=f"Sub {i}", code=f"sub-{i}", parent=parent)
    kecamatan = Area.objects.create(code="kec-1", name="Kecamatan Satu", level=Area.Level.KECAMATAN)
    kelurahan = Area.objects.create(code="kel-1", name="Kelurahan Satu", level=Area.Level.KELURAHAN, parent=kecamatan)
    Complaint.objects.filter(pk=complaint.pk).update(kecamatan=kecamatan, kelurahan=kelurahan)
    page = admin_client_.get(url).content.decode()
    assert "Kelurahan Satu" in page and "Kecamatan Satu" in page
    assert ("Topik 3 › Sub 3" in page) == (slug == "verify")  # the verify form's category select
    assert len(page_sql(admin_client_, url)) == few
