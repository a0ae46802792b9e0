"""OPD-side services: accept, return and re-route, follow-ups, and the multi-OPD answer rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from aduan_publik.models import Complaint, Disposition, Event, FollowUp
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import (
    disposition_accept,
    disposition_return,
    followup_draft,
    followup_publish,
)
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db
S, D = Complaint.Status, Disposition.State
BODY = "Tim sudah menambal lubang dan memasang rambu peringatan di lokasi."
REASON = "Jalan provinsi, bukan kewenangan kota."


def _events(complaint: Complaint) -> list[tuple[str, str]]:
    return list(Event.objects.filter(complaint=complaint).values_list("verb", "actor_label"))


@pytest.fixture
def two_opds(complaint, admin_user, opd_pu, opd_dlh):
    d_pu, d_dlh = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    return d_pu, d_dlh


def test_accept_starts_the_work(complaint, admin_user, opd_pu, operator_pu, liaison_dlh):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    with pytest.raises(PermissionDenied):
        disposition_accept(disposition=disposition, by=liaison_dlh)
    disposition_accept(disposition=disposition, by=operator_pu)
    complaint.refresh_from_db()
    disposition.refresh_from_db()
    assert (complaint.status, disposition.state) == (S.IN_PROGRESS, D.ACCEPTED)
    assert complaint.first_response_at == disposition.accepted_at
    assert _events(complaint)[-1] == ("accepted", "operator_pu")
    with pytest.raises(WorkflowError, match="tidak dapat terima disposisi"):
        disposition_accept(disposition=disposition, by=operator_pu)


def test_answered_only_when_every_active_disposition_is(complaint, two_opds, liaison_pu, liaison_dlh):
    d_pu, d_dlh = two_opds
    followup_draft(disposition=d_pu, by=liaison_pu, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and complaint.answered_at is None
    followup_draft(disposition=d_dlh, by=liaison_dlh, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED and complaint.answered_at is not None
    assert complaint.due_at is not None  # the auto-close moment
    assert [v for v, _a in _events(complaint)].count("answered") == 1


def test_return_of_the_only_disposition_sends_it_back_for_rerouting(complaint, admin_user, opd_pu, opd_dlh,
                                                                     operator_pu, liaison_dlh):
    [d_pu] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    with pytest.raises(WorkflowError, match="minimal 10"):
        disposition_return(disposition=d_pu, by=operator_pu, reason="bukan")
    disposition_return(disposition=d_pu, by=operator_pu, reason=f"  {REASON}  ")
    complaint.refresh_from_db()
    d_pu.refresh_from_db()
    assert (complaint.status, d_pu.state, d_pu.return_reason) == (S.RETURNED, D.RETURNED, REASON)
    assert complaint.due_at is not None
    event = Event.objects.filter(complaint=complaint).latest("id")
    assert (event.verb, event.actor, event.data) == ("returned", operator_pu, {"opd": "PUPR", "reason": REASON})
    # No Wrong Door: the admin re-routes it, and the new OPD can answer.
    [d_dlh] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_dlh])
    complaint.refresh_from_db()
    assert complaint.status == S.DISPOSED
    followup_draft(disposition=d_dlh, by=liaison_dlh, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    with pytest.raises(WorkflowError):  # the returned disposition stays closed
        followup_draft(disposition=d_pu, by=operator_pu, body=BODY)


def test_return_with_another_active_disposition_keeps_the_complaint(complaint, two_opds, operator_pu,
                                                                     liaison_dlh):
    d_pu, d_dlh = two_opds
    followup_draft(disposition=d_dlh, by=liaison_dlh, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS
    disposition_return(disposition=d_pu, by=operator_pu, reason=REASON)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED  # every remaining active disposition has answered


def test_rerouting_to_an_opd_already_working_on_it_is_refused(complaint, two_opds, admin_user, opd_pu):
    with pytest.raises(WorkflowError):  # disposed, not returned: verify is not allowed
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    assert Disposition.objects.filter(complaint=complaint).count() == 2


def test_followup_draft_rules(complaint, two_opds, operator_pu, liaison_pu, liaison_dlh):
    d_pu, _d_dlh = two_opds
    with pytest.raises(WorkflowError, match="terlalu singkat"):
        followup_draft(disposition=d_pu, by=operator_pu, body="Sudah.")
    with pytest.raises(PermissionDenied):
        followup_draft(disposition=d_pu, by=liaison_dlh, body=BODY)
    draft = followup_draft(disposition=d_pu, by=operator_pu, body=BODY)
    assert draft.state == FollowUp.State.DRAFT and draft.author == operator_pu
    with pytest.raises(PermissionDenied):  # operators draft, liaisons publish
        followup_publish(followup=draft, by=operator_pu)
    followup_publish(followup=draft, by=liaison_pu)
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.PUBLISHED and draft.published_by == liaison_pu
    with pytest.raises(WorkflowError, match="sudah dikirim"):
        followup_publish(followup=draft, by=liaison_pu)
    assert [v for v, _a in _events(complaint)][-2:] == ["followup_drafted", "followup_published"]
    message = draft.messages.get()
    assert message.direction == "out" and BODY in message.body
