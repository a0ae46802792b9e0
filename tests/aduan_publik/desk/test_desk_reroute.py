"""Issue 8 point 11: No Wrong Door for part of a case.

Disposed to two OPDs, one returns its part: the admin sees it in the queue (list filter and
dashboard) and re-routes it from the complaint page while the other OPD keeps working.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aduan_publik.models import OPD, Complaint, Disposition, Event
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_postpone,
    complaint_reroute,
    complaint_resume,
    complaint_return_settle,
    complaint_verify,
)
from aduan_publik.services.dispositions import disposition_accept, disposition_return, followup_draft
from aduan_publik.workflow import WorkflowError
from tests.aduan_publik.desk.desk_helpers import LIST_URL, action_url, change_url

pytestmark = pytest.mark.django_db
S, D = Complaint.Status, Disposition.State
REASON = "Saluran di ruas ini kewenangan Dinas Perhubungan <script>alert(1)</script>."
BODY = "Tim sudah membersihkan saluran dan mengangkut sampah dari lokasi."


@pytest.fixture
def opd_dishub(db):
    return OPD.objects.create(code="DISHUB", name="Dinas Perhubungan", kind="dinas")


@pytest.fixture
def partly_returned(complaint, admin_user, opd_pu, opd_dlh, operator_pu, liaison_dlh):
    """PU and DLH got it; DLH accepted and works on it, PU returned its part."""
    d_pu, d_dlh = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    disposition_accept(disposition=d_dlh, by=liaison_dlh)
    disposition_return(disposition=d_pu, by=operator_pu, reason=REASON)
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS  # DLH still works on it
    return complaint, d_pu, d_dlh


def test_returned_part_shows_in_the_admin_queue_filter(admin_client_, partly_returned, contact):
    complaint, _d_pu, _d_dlh = partly_returned
    from aduan_publik.services.complaints import complaint_create

    untouched, _code = complaint_create(channel="web", title="Lain", description="Aduan lain", contact=contact)
    page = admin_client_.get(LIST_URL, {"disposisi_ulang": "ya"}).content.decode()
    assert complaint.tracking_number in page and untouched.tracking_number not in page


def test_dashboard_counts_returned_parts_and_links_the_queue(admin_client_, partly_returned):
    page = admin_client_.get("/desk/").content.decode()
    assert 'data-figure="awaiting_reroute"' in page
    figure = page.split('data-figure="awaiting_reroute"', 1)[1]
    assert "?disposisi_ulang=ya" in figure.split(">", 1)[0] and figure.split(">", 1)[1].startswith("1<")


def test_admin_reroutes_the_returned_part_from_the_complaint_page(admin_client_, partly_returned, opd_dishub,
                                                                  liaison_dlh):
    complaint, d_pu, d_dlh = partly_returned
    page = admin_client_.get(change_url(complaint)).content.decode()
    assert action_url(complaint, "reroute") in page and "menunggu disposisi ulang" in page
    form = admin_client_.get(action_url(complaint, "reroute")).content.decode()
    assert "kewenangan Dinas Perhubungan &lt;script&gt;" in form  # the reason helps choose, escaped
    assert "<script>alert(1)" not in form
    response = admin_client_.post(action_url(complaint, "reroute"),
                                  {"opds": [opd_dishub.pk], "instruction": "Bagian saluran"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    d_pu.refresh_from_db()
    new = Disposition.objects.get(complaint=complaint, opd=opd_dishub)
    assert (new.state, new.respond_due is not None, new.instruction) == (D.PENDING, True, "Bagian saluran")
    assert complaint.status == S.IN_PROGRESS and d_pu.return_handled_at is not None
    assert Disposition.objects.get(pk=d_dlh.pk).state == D.ACCEPTED  # DLH's work is untouched
    event = Event.objects.filter(complaint=complaint).latest("id")
    assert event.verb == "rerouted" and event.data["opds"] == ["DISHUB"] and event.data["returned"] == ["PUPR"]
    assert complaint.tracking_number not in admin_client_.get(LIST_URL, {"disposisi_ulang": "ya"}).content.decode()
    assert action_url(complaint, "reroute") not in admin_client_.get(change_url(complaint)).content.decode()


def test_reroute_of_an_answered_complaint_sends_it_back_to_work(partly_returned, admin_user, liaison_dlh,
                                                               opd_dishub):
    complaint, _d_pu, d_dlh = partly_returned
    followup_draft(disposition=d_dlh, by=liaison_dlh, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    complaint_reroute(complaint=complaint, by=admin_user, opds=[opd_dishub])
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and complaint.due_at is not None


def test_reroute_refusals_change_nothing(partly_returned, admin_user, opd_dlh, opd_dishub, liaison_dlh, complaint):
    _c, _d_pu, _d_dlh = partly_returned
    count = Disposition.objects.count()
    with pytest.raises(WorkflowError, match="sudah didisposisikan"):
        complaint_reroute(complaint=complaint, by=admin_user, opds=[opd_dlh])
    with pytest.raises(PermissionDenied):
        complaint_reroute(complaint=complaint, by=liaison_dlh, opds=[opd_dishub])
    complaint_reroute(complaint=complaint, by=admin_user, opds=[opd_dishub])
    with pytest.raises(WorkflowError, match="menunggu disposisi ulang"):  # nothing left to re-route
        complaint_reroute(complaint=complaint, by=admin_user, opds=[opd_dishub])
    assert Disposition.objects.count() == count + 1


def test_settle_takes_the_part_off_the_queue_with_a_reason(admin_client_, partly_returned):
    complaint, d_pu, _d_dlh = partly_returned
    empty = admin_client_.post(action_url(complaint, "settle-return"), {"reason": ""})
    assert empty.status_code == 400
    with pytest.raises(WorkflowError, match="mengapa"):
        complaint_return_settle(complaint=complaint, by=complaint.verified_by, note="  ")
    response = admin_client_.post(action_url(complaint, "settle-return"), {"reason": "DLH menangani seluruhnya."})
    assert response.status_code == 302
    d_pu.refresh_from_db()
    assert d_pu.return_handled_at is not None
    assert Event.objects.filter(complaint=complaint).latest("id").verb == "return_settled"


def test_full_return_then_verify_clears_the_queue(complaint, admin_user, opd_pu, opd_dishub, operator_pu):
    [d_pu] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_return(disposition=d_pu, by=operator_pu, reason=REASON)
    from aduan_publik.selectors.complaints import awaiting_reroute

    assert list(awaiting_reroute()) == [complaint]
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_dishub])
    assert not awaiting_reroute().exists()


# ---- point 15: postponing a returned complaint keeps it returned -----------------------------


def test_postpone_and_resume_of_a_returned_complaint_stays_returned(complaint, admin_user, opd_pu, operator_pu):
    [d_pu] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_return(disposition=d_pu, by=operator_pu, reason=REASON)
    complaint_postpone(complaint=complaint, by=admin_user, request_text="Mohon kirim foto saluran.")
    complaint_resume(complaint=complaint, by=admin_user)
    complaint.refresh_from_db()
    assert complaint.status == S.RETURNED and complaint.due_at is not None


def test_archived_complaint_leaves_the_queue(complaint, admin_user, opd_pu, operator_pu, admin_client_):
    [d_pu] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_return(disposition=d_pu, by=operator_pu, reason=REASON)
    complaint_archive(complaint=complaint, by=admin_user, reason="unclear")
    page = admin_client_.get(LIST_URL, {"disposisi_ulang": "ya"}).content.decode()
    assert complaint.tracking_number not in page
