"""Issue 12 point 1: work queues by urgency, with counts in the sidebar and an SLA badge per row."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.calendar import WorkingCalendar
from aduan_publik.models import Complaint, Disposition, FollowUp
from aduan_publik.selectors.queues import queue_counts, queue_url
from aduan_publik.services.complaints import complaint_create, complaint_postpone, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, disposition_return, followup_draft
from tests.aduan_publik.desk.desk_helpers import LIST_URL

pytestmark = pytest.mark.django_db
S = Complaint.Status


def new(contact, title: str, **extra) -> Complaint:
    complaint, _code = complaint_create(channel="web", title=title, description="Uraian aduan warga.",
                                        contact=contact, acknowledge=False, **extra)
    return complaint


def rows(body: str) -> list[str]:
    """Tracking numbers in the order the list shows them."""
    return re.findall(r'>(ADU-\d{4}-\d{6})</a>', body)


def sidebar_badge(body: str, key: str) -> str:
    match = re.search(r'href="[^"]*tampilan=' + key + r'"[^>]*>.*?<span class="font-semibold[^>]*>\s*(\d+)\s*</span>',
                      body, re.S)
    assert match, f"no sidebar link for {key}"
    return match.group(1)


def test_admin_queues_filter_count_and_link(admin_client_, admin_user, liaison_pu, opd_pu, contact, category_jalan):
    fresh = new(contact, "Baru masuk")
    waiting = new(contact, "Kurang lengkap")
    complaint_postpone(complaint=waiting, by=admin_user, request_text="Mohon kirim foto lokasi.")
    returned = new(contact, "Salah OPD", category=category_jalan)
    complaint_verify(complaint=returned, by=admin_user, opds=[opd_pu])
    disposition_return(disposition=returned.dispositions.get(), by=liaison_pu, reason="Ini jalan provinsi, bukan kota.")
    late = new(contact, "Sudah lewat")
    Complaint.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))

    assert queue_counts(admin_user) == {"perlu-verifikasi": 2, "dikembalikan-opd": 1, "terlambat": 1,
                                        "menunggu-pelapor": 1}
    body = admin_client_.get(queue_url("perlu-verifikasi")).content.decode()
    assert set(rows(body)) == {fresh.tracking_number, late.tracking_number}
    assert sidebar_badge(body, "perlu-verifikasi") == "2" and sidebar_badge(body, "terlambat") == "1"
    assert rows(admin_client_.get(queue_url("menunggu-pelapor")).content.decode()) == [waiting.tracking_number]
    assert rows(admin_client_.get(queue_url("dikembalikan-opd")).content.decode()) == [returned.tracking_number]
    assert rows(admin_client_.get(queue_url("terlambat")).content.decode()) == [late.tracking_number]


def test_queue_order_is_darurat_then_overdue_then_nearest_deadline(admin_client_, contact):
    now = timezone.now()
    cal = WorkingCalendar()
    far, near, overdue, urgent = (new(contact, t) for t in ("Jauh", "Dekat", "Lewat", "Darurat"))
    Complaint.objects.filter(pk=far.pk).update(due_at=cal.add_working_days(now, 3))
    Complaint.objects.filter(pk=near.pk).update(due_at=cal.add_working_days(now, 1))
    Complaint.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(days=3))
    Complaint.objects.filter(pk=urgent.pk).update(due_at=cal.add_working_days(now, 3), priority="urgent")
    body = admin_client_.get(queue_url("perlu-verifikasi")).content.decode()
    assert rows(body) == [urgent.tracking_number, overdue.tracking_number, near.tracking_number,
                          far.tracking_number]
    assert "terlambat 3 hari" in body and "1 hari kerja lagi" in body and "3 hari kerja lagi" in body


def test_a_queue_page_sorts_ids_before_reading_rows(admin_client_, contact):
    """Urgency is no index's order: a queue's first page picks its ids in a subquery (a deferred join),
    the plain list reads its rows in index order; the same rows in the same order either way."""
    made = [new(contact, f"Aduan {i}") for i in range(3)]
    Complaint.objects.filter(pk=made[1].pk).update(priority="urgent")
    response = admin_client_.get(queue_url("perlu-verifikasi"))
    assert response.context["cl"].paginator.sorted_whole is True
    assert rows(response.content.decode()) == [made[1].tracking_number, made[0].tracking_number,
                                               made[2].tracking_number]
    assert admin_client_.get(LIST_URL).context["cl"].paginator.sorted_whole is False


def test_opd_queues_use_their_own_disposition(liaison_pu_client, liaison_pu, operator_pu, admin_user, opd_pu,
                                              opd_dlh, contact, category_jalan):
    pending, working, drafted, late = (new(contact, t, category=category_jalan) for t in ("A", "B", "C", "D"))
    for c in (pending, working, drafted, late):
        complaint_verify(complaint=c, by=admin_user, opds=[opd_pu, opd_dlh])
    for c in (working, drafted, late):
        disposition_accept(disposition=c.dispositions.get(opd=opd_pu), by=liaison_pu)
    followup_draft(disposition=drafted.dispositions.get(opd=opd_pu), by=operator_pu,
                   body="Tim sudah meninjau lokasi dan menjadwalkan perbaikan minggu ini.")
    Disposition.objects.filter(complaint=late, opd=opd_pu).update(complete_due=timezone.now() - timedelta(days=1))
    # Another OPD's lateness is not Dinas PU's: DLH is late on «pending», PU is not.
    Disposition.objects.filter(complaint=pending, opd=opd_dlh).update(respond_due=timezone.now() - timedelta(days=1))

    assert queue_counts(liaison_pu) == {"baru-didisposisikan": 1, "sedang-dikerjakan": 3, "draf-menunggu": 1,
                                        "draf-dikembalikan": 0, "terlambat": 1}
    assert rows(liaison_pu_client.get(queue_url("baru-didisposisikan")).content.decode()) == [pending.tracking_number]
    assert rows(liaison_pu_client.get(queue_url("draf-menunggu")).content.decode()) == [drafted.tracking_number]
    late_page = liaison_pu_client.get(queue_url("terlambat")).content.decode()
    assert rows(late_page) == [late.tracking_number] and "terlambat 1 hari" in late_page
    working_page = liaison_pu_client.get(queue_url("sedang-dikerjakan")).content.decode()
    assert rows(working_page)[0] == late.tracking_number  # overdue first
    # Admin queue keys are not OPD queues: an unknown view shows nothing rather than everything.
    assert rows(liaison_pu_client.get(queue_url("perlu-verifikasi")).content.decode()) == []


def test_drafts_of_a_closed_complaint_do_not_wait(liaison_pu, operator_pu, admin_user, opd_pu, contact,
                                                 category_jalan):
    c = new(contact, "Ditutup", category=category_jalan)
    complaint_verify(complaint=c, by=admin_user, opds=[opd_pu])
    followup_draft(disposition=c.dispositions.get(), by=operator_pu,
                   body="Draf yang tidak pernah dikirim karena aduan sudah ditutup.")
    assert queue_counts(liaison_pu)["draf-menunggu"] == 1
    Complaint.objects.filter(pk=c.pk).update(status=S.CLOSED)
    assert FollowUp.objects.filter(state="draft").count() == 1
    assert queue_counts(liaison_pu)["draf-menunggu"] == 0


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_page_costs_the_same_queries_for_5_and_40_rows(admin_client_, liaison_pu_client, admin_user, opd_pu,
                                                            contact, category_jalan):
    def make(n):
        for i in range(n):
            c = new(contact, f"Aduan {i}", category=category_jalan)
            complaint_verify(complaint=c, by=admin_user, opds=[opd_pu])
            Complaint.objects.filter(pk=c.pk).update(due_at=timezone.now() - timedelta(days=1))

    make(5)
    few = [count_queries(admin_client_, queue_url("terlambat")),
           count_queries(liaison_pu_client, queue_url("baru-didisposisikan"))]
    make(35)
    many = [count_queries(admin_client_, queue_url("terlambat")),
            count_queries(liaison_pu_client, queue_url("baru-didisposisikan"))]
    assert few == many
    assert "40" in admin_client_.get(LIST_URL).content.decode()
