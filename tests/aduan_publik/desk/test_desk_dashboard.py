"""The dashboard's figures (selectors) and its page for admins and leaders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aduan_publik.figure_cells import bucket_width
from aduan_publik.models import Complaint, Disposition, Event
from aduan_publik.selectors.dashboard import dashboard_figures
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_return, followup_draft
from aduan_publik.services.figure_aggregates import figures_rebuild, figures_settle

pytestmark = pytest.mark.django_db
S = Complaint.Status


def received(contact, hours_ago: float, channel: str = "web") -> Complaint:
    complaint, _code = complaint_create(channel=channel, title="t", description="d", contact=contact,
                                        acknowledge=False)
    Complaint.objects.filter(pk=complaint.pk).update(received_at=timezone.now() - timedelta(hours=hours_ago))
    complaint.refresh_from_db()
    return complaint


def test_percentages_and_medians(contact, admin_user, liaison_pu, opd_pu):
    now = timezone.now()
    verify_hours = [1, 2, 3, 10]  # median 2.5 h, average 4 h
    complaints = [received(contact, 48) for _ in verify_hours]
    for complaint, hours in zip(complaints, verify_hours, strict=True):
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
        Complaint.objects.filter(pk=complaint.pk).update(
            verified_at=complaint.received_at + timedelta(hours=hours))
    followup_draft(disposition=complaints[0].dispositions.get(), by=liaison_pu, body="x" * 40, publish=True)
    Complaint.objects.filter(pk=complaints[1].pk).update(status=S.CLOSED, closed_at=now, answered_at=now)
    received(contact, 1, channel="manual")  # not yet verified
    archived = received(contact, 1)
    Complaint.objects.filter(pk=archived.pk).update(status=S.ARCHIVED)  # spam never counts
    figures_rebuild()  # the rows were changed behind the services' back (no audit event)

    figures = dashboard_figures()
    totals = figures["totals"]
    assert totals["total"] == 5
    assert totals["followed_up"] == 2 and totals["pct_followed_up"] == 40.0
    assert totals["selesai"] == 1 and totals["pct_selesai"] == 20.0
    assert totals["in_process"] == 2 and totals["pct_in_process"] == 40.0
    # medians come from 2%-wide buckets above an hour (docs/figures.md): exact to a bucket's width
    assert abs(totals["median_verify"] - timedelta(hours=2.5)) <= bucket_width(timedelta(hours=2.5))
    assert totals["avg_verify"] == timedelta(hours=4)
    channels = {row["channel"]: row for row in figures["per_channel"]}
    assert channels["web"]["total"] == 4 and channels["manual"]["total"] == 1
    assert channels["web"]["median_verify"] == totals["median_verify"]
    (pu,) = figures["per_opd"]
    assert pu["opd__name"] == opd_pu.name and pu["total"] == 4 and pu["answered"] == 1


def test_returned_overdue_and_logins(disposed, liaison_pu, admin_user):
    disposition_return(disposition=disposed.dispositions.get(), by=liaison_pu, reason="Jalan milik provinsi")
    Complaint.objects.filter(pk=disposed.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Event.objects.create(actor=admin_user, actor_label="admin1", verb="login", summary="masuk")
    Event.objects.create(actor=liaison_pu, actor_label="pu", verb="login", summary="masuk")  # not an admin
    figures = dashboard_figures()
    assert figures["returned_not_authority"] == 1
    assert figures["overdue"] == 1
    assert figures["logins"] == {"logins": 1, "admins": 1, "days": 30}
    assert figures["per_opd"][0]["returned"] == 1


def test_dashboard_figures_cost_a_fixed_number_of_queries(contact, admin_user, opd_pu, opd_dlh,
                                                          django_assert_max_num_queries):
    for _ in range(3):
        complaint_verify(complaint=received(contact, 5), by=admin_user, opds=[opd_pu])
    figures_settle()
    with django_assert_max_num_queries(16) as few:  # 16: the triage accuracy figure (issue 15)
        dashboard_figures()
    for _ in range(20):
        complaint_verify(complaint=received(contact, 5, "manual"), by=admin_user, opds=[opd_pu, opd_dlh])
    figures_settle()
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard_figures()


def test_dashboard_page_for_admin_and_leader(admin_client_, leader_client, disposed):
    for client in (admin_client_, leader_client):
        page = client.get("/desk/", {"periode": "30"})
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-figure="total"' in body and "Peringkat OPD" in body
        assert Disposition.objects.get().opd.name in body
