"""The complaint list: fixed query count, filters, overdue highlight, bulk actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import Category, Complaint, Contact
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept
from tests.aduan_publik.desk.desk_helpers import LIST_URL

pytestmark = pytest.mark.django_db
S = Complaint.Status


def make_complaints(n: int, *, admin, opds, category) -> list[Complaint]:
    made = []
    for i in range(n):
        contact = Contact.objects.create(channel="web", address=f"w{i}-{n}@example.org", name=f"Warga {i}")
        complaint, _code = complaint_create(channel="web", title=f"Aduan {i}", description="Uraian aduan.",
                                            contact=contact, category=category, acknowledge=False)
        complaint_verify(complaint=complaint, by=admin, opds=opds)
        made.append(complaint)
    return made


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_list_costs_the_same_queries_for_5_and_50_rows(admin_client_, admin_user, opd_pu, opd_dlh, category_jalan):
    make_complaints(5, admin=admin_user, opds=[opd_pu, opd_dlh], category=category_jalan)
    few = count_list_queries(admin_client_)
    make_complaints(45, admin=admin_user, opds=[opd_pu, opd_dlh], category=category_jalan)
    many = count_list_queries(admin_client_)
    body = admin_client_.get(LIST_URL).content.decode()
    assert body.count("PUPR, DLH") == 50  # every row shows both OPDs
    assert few == many, f"{few} queries for 5 rows, {many} for 50"


def test_opd_list_query_count_is_fixed_too(liaison_pu_client, admin_user, opd_pu, category_jalan):
    make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    few = count_list_queries(liaison_pu_client)
    make_complaints(30, admin=admin_user, opds=[opd_pu], category=category_jalan)
    assert count_list_queries(liaison_pu_client) == few


def test_queue_filter_shows_only_open_work_of_that_opd(admin_client_, admin_user, liaison_pu, opd_pu, opd_dlh,
                                                      category_jalan):
    pending, accepted, other = make_complaints(3, admin=admin_user, opds=[opd_pu], category=category_jalan)
    disposition_accept(disposition=accepted.dispositions.get(), by=liaison_pu)
    Complaint.objects.filter(pk=other.pk).update(status=S.CLOSED)
    other.dispositions.update(state="answered")
    dlh_only = make_complaints(1, admin=admin_user, opds=[opd_dlh], category=category_jalan)[0]
    body = admin_client_.get(LIST_URL, {"antrean": opd_pu.pk}).content.decode()
    assert pending.tracking_number in body and accepted.tracking_number in body
    assert other.tracking_number not in body and dlh_only.tracking_number not in body
    by_opd = admin_client_.get(LIST_URL, {"opd": opd_pu.pk}).content.decode()
    assert other.tracking_number in by_opd and dlh_only.tracking_number not in by_opd


def test_overdue_filter_and_red_highlight(admin_client_, complaint, contact):
    late = complaint
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    on_time, _code = complaint_create(channel="web", title="Masih sempat", description="d", contact=contact)
    body = admin_client_.get(LIST_URL, {"terlambat": "ya"}).content.decode()
    assert late.tracking_number in body and on_time.tracking_number not in body
    assert "text-red-600" in body
    assert late.tracking_number not in admin_client_.get(LIST_URL, {"terlambat": "tidak"}).content.decode()


def test_status_label_and_search_by_reporter_phone_for_admins(admin_client_, complaint):
    body = admin_client_.get(LIST_URL, {"q": "081234567890"}).content.decode()
    assert complaint.tracking_number in body
    assert "Belum terverifikasi" in body and "bg-orange-100" in body  # coloured status label


def test_bulk_verify_disposes_to_default_opd_and_reports_skips(admin_client_, contact, category_jalan, opd_pu):
    ok, _ = complaint_create(channel="web", title="A", description="d", contact=contact, category=category_jalan)
    no_default = Category.objects.create(name="Lain-lain", code="lain")
    skipped, _ = complaint_create(channel="web", title="B", description="d", contact=contact, category=no_default)
    wrong_state, _ = complaint_create(channel="web", title="C", description="d", contact=contact)
    Complaint.objects.filter(pk=wrong_state.pk).update(status=S.CLOSED)
    response = admin_client_.post(LIST_URL, {"action": "verify_to_default_opd",
                                             "_selected_action": [ok.pk, skipped.pk, wrong_state.pk]})
    assert response.status_code == 302
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("1 berhasil" in t for t in text)
    assert any("2 dilewati" in t and skipped.tracking_number in t and "OPD bawaan" in t
               and wrong_state.tracking_number in t for t in text)
    ok.refresh_from_db()
    skipped.refresh_from_db()
    assert ok.status == S.DISPOSED and ok.dispositions.get().opd == opd_pu
    assert skipped.status == S.RECEIVED


def test_bulk_archive_as_spam(admin_client_, admin_user, complaint, opd_pu):
    spam, _ = complaint_create(channel="web", title="Promo pinjol", description="klik", contact=complaint.contact)
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    response = admin_client_.post(LIST_URL, {"action": "archive_as_spam", "_selected_action": [spam.pk, complaint.pk]})
    assert response.status_code == 302
    spam.refresh_from_db()
    complaint.refresh_from_db()
    assert spam.status == S.ARCHIVED and spam.archive_reason == "spam"
    assert complaint.status == S.DISPOSED  # wrong state: skipped, untouched


def test_bulk_actions_are_not_offered_to_opd_users(liaison_pu_client, disposed):
    response = liaison_pu_client.post(LIST_URL, {"action": "archive_as_spam", "_selected_action": [disposed.pk]})
    disposed.refresh_from_db()
    assert disposed.status == S.DISPOSED
    assert "archive_as_spam" not in liaison_pu_client.get(LIST_URL).content.decode()
    assert response.status_code in (200, 302)
