"""Every transition of workflow.COMPLAINT_TRANSITIONS, allowed and refused, and the life-cycle rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from aduan_publik import workflow
from aduan_publik.models import Complaint, Disposition, Event, Message
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_create,
    complaint_mark_not_authority,
    complaint_merge,
    complaint_postpone,
    complaint_reroute,
    complaint_resume,
    complaint_verify,
)
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.lifecycle import (
    complaint_autoclose,
    complaint_rate,
    complaint_reopen,
    complaint_reporter_reopen,
    reporter_can_reopen,
    reporter_returned,
)
from aduan_publik.services.outbound import complaint_reply
from aduan_publik.workflow import COMPLAINT_TRANSITIONS, WorkflowError

pytestmark = pytest.mark.django_db
S = Complaint.Status
FOLLOWUP = "Saluran sudah dibersihkan petugas UPT pada hari Selasa pagi."


def _force(complaint: Complaint, status: str) -> Complaint:
    """Put a complaint in ``status`` directly (test set-up only: the services never do this)."""
    Complaint.objects.filter(pk=complaint.pk).update(status=status)
    complaint.refresh_from_db()
    return complaint


def _other(contact) -> Complaint:
    other, _code = complaint_create(channel="web", title="Aduan lain", description="Uraian lain", contact=contact)
    return other


def _reroute(complaint: Complaint, admin, opd) -> None:  # type: ignore[no-untyped-def]
    """Re-route needs a part an OPD returned: plant one, then re-route it (to the same OPD again)."""
    now = timezone.now()
    Disposition.objects.create(complaint=complaint, opd=opd, state="returned", created_at=now, returned_at=now)
    complaint_reroute(complaint=complaint, by=admin, opds=[opd])


# action -> how an admin (or the reporter) performs it through the services
PERFORM = {
    "reroute": lambda c, admin, opd, other: _reroute(c, admin, opd),
    "verify": lambda c, admin, opd, other: complaint_verify(complaint=c, by=admin, opds=[opd]),
    "postpone": lambda c, admin, opd, other: complaint_postpone(
        complaint=c, by=admin, request_text="Lokasi persisnya?"),
    "resume": lambda c, admin, opd, other: complaint_resume(complaint=c, by=admin),
    "archive": lambda c, admin, opd, other: complaint_archive(complaint=c, by=admin, reason="spam"),
    "merge": lambda c, admin, opd, other: complaint_merge(complaint=c, into=other, by=admin),
    "not_authority": lambda c, admin, opd, other: complaint_mark_not_authority(
        complaint=c, by=admin, forwarded_to="Balai Besar Wilayah Sungai"),
    "reopen": lambda c, admin, opd, other: complaint_reopen(complaint=c, by=admin, reason="Pelapor keberatan"),
    "rate": lambda c, admin, opd, other: complaint_rate(complaint=c, rating=4),
    "reply": lambda c, admin, opd, other: complaint_reply(complaint=c, by=admin, body="Terima kasih."),
}
CASES = [(action, status, status in COMPLAINT_TRANSITIONS[action])
         for action in sorted(PERFORM) for status in S.values]


@pytest.mark.parametrize(("action", "status", "allowed"), CASES)
def test_transition_table_is_enforced_by_the_services(complaint, admin_user, opd_pu, action, status, allowed):
    complaint = _force(complaint, status)
    other = _other(complaint.contact)
    before = model_to_dict(complaint)
    events, messages = Event.objects.count(), Message.objects.count()
    if allowed:
        PERFORM[action](complaint, admin_user, opd_pu, other)
        assert Event.objects.count() > events
        assert Event.objects.filter(complaint=complaint).latest("id").actor_label in ("admin1", "Ani (admin1)",
                                                                                     "pelapor")
        return
    with pytest.raises(WorkflowError) as info:
        PERFORM[action](complaint, admin_user, opd_pu, other)
    label = str(workflow.ACTION_LABELS[action])
    assert info.value.messages == [
        f"Aduan {complaint.tracking_number} berstatus «{complaint.get_status_display()}»: tidak dapat {label}."
    ]
    complaint.refresh_from_db()
    assert model_to_dict(complaint) == before
    assert Event.objects.count() == events and Message.objects.count() == messages


def test_every_action_of_the_table_is_covered():
    assert set(COMPLAINT_TRANSITIONS) == set(PERFORM) | {"reporter_reply", "autoclose"}
    assert all(str(workflow.ACTION_LABELS[action]) for action in COMPLAINT_TRANSITIONS)


@pytest.mark.parametrize("status", S.values)
def test_reporter_reply_and_autoclose_follow_the_table(complaint, status):
    complaint = _force(complaint, status)
    if status in COMPLAINT_TRANSITIONS["reporter_reply"]:
        workflow.ensure_allowed("reporter_reply", complaint)
    else:
        with pytest.raises(WorkflowError, match="tidak dapat balas"):
            workflow.ensure_allowed("reporter_reply", complaint)
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - timedelta(days=1))
    complaint.refresh_from_db()
    assert complaint_autoclose(complaint=complaint) is (status in COMPLAINT_TRANSITIONS["autoclose"])
    complaint.refresh_from_db()
    assert (complaint.status == S.CLOSED) is (status == S.ANSWERED or status == S.CLOSED)


def test_unknown_action_is_refused(complaint):
    with pytest.raises(WorkflowError, match="Tindakan tidak dikenal: terbang"):
        workflow.ensure_allowed("terbang", complaint)


def test_allowed_actions_of_a_new_complaint(complaint):
    assert workflow.allowed_actions(complaint) == {"verify", "postpone", "archive", "merge", "not_authority",
                                                   "reporter_reply", "reply"}


# ---- the end of a complaint's life --------------------------------------------------------


@pytest.fixture
def answered(complaint, admin_user, opd_pu, liaison_pu):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, body=FOLLOWUP, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    return complaint


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, None])
def test_rating_is_1_to_5_only(answered, rating):
    with pytest.raises(WorkflowError, match="1 sampai 5"):
        complaint_rate(complaint=answered, rating=rating)
    answered.refresh_from_db()
    assert answered.rating is None and answered.status == S.ANSWERED


@pytest.mark.parametrize("rating", [1, 5])
def test_rating_closes_an_answered_complaint(answered, rating):
    complaint_rate(complaint=answered, rating=rating, comment="  ok  ")
    answered.refresh_from_db()
    assert (answered.status, answered.rating, answered.rating_comment) == (S.CLOSED, rating, "ok")
    event = Event.objects.filter(complaint=answered).latest("id")
    assert (event.verb, event.actor_label, event.data["rating"]) == ("rated", "pelapor", rating)


def test_admin_reopens_a_closed_complaint_back_to_the_opd(answered, admin_user):
    complaint_rate(complaint=answered, rating=2)
    complaint_reopen(complaint=answered, by=admin_user, reason="Ternyata lubang muncul lagi")
    answered.refresh_from_db()
    assert answered.status == S.IN_PROGRESS and answered.closed_at is None
    assert set(answered.dispositions.values_list("state", flat=True)) == {Disposition.State.ACCEPTED}
    event = Event.objects.filter(complaint=answered).latest("id")
    assert (event.verb, event.actor, event.data) == ("reopened", admin_user, {"from": "closed", "to": "in_progress"})


def test_admin_reopen_of_an_archived_complaint_starts_over(complaint, admin_user):
    complaint_archive(complaint=complaint, by=admin_user, reason="unclear")
    with pytest.raises(WorkflowError, match="alasan"):
        complaint_reopen(complaint=complaint, by=admin_user, reason="  ")
    complaint_reopen(complaint=complaint, by=admin_user, reason="Pelapor melengkapi keterangan")
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.archive_reason == "" and complaint.due_at


def test_reporter_reopens_within_the_window_only(answered, settings):
    complaint_rate(complaint=answered, rating=1)
    answered.refresh_from_db()
    assert reporter_can_reopen(answered)
    with pytest.raises(WorkflowError, match="minimal 10"):
        complaint_reporter_reopen(complaint=answered, reason="belum")
    complaint_reporter_reopen(complaint=answered, reason="Jalan masih berlubang sampai sekarang")
    answered.refresh_from_db()
    assert answered.status == S.IN_PROGRESS
    assert Event.objects.filter(complaint=answered).latest("id").actor_label == "pelapor"


def test_reporter_cannot_reopen_after_the_window(answered):
    complaint_rate(complaint=answered, rating=3)
    long_ago = timezone.now() - timedelta(days=60)
    Complaint.objects.filter(pk=answered.pk).update(closed_at=long_ago)
    answered.refresh_from_db()
    assert not reporter_can_reopen(answered)
    events = Event.objects.count()
    with pytest.raises(WorkflowError, match="batas waktu sudah lewat"):
        complaint_reporter_reopen(complaint=answered, reason="Jalan masih berlubang sampai sekarang")
    answered.refresh_from_db()
    assert answered.status == S.CLOSED and Event.objects.count() == events


def test_reporter_reply_on_an_answered_complaint_goes_back_to_the_opd(answered):
    reporter_returned(answered, "pelapor (web)")
    answered.refresh_from_db()
    assert answered.status == S.IN_PROGRESS
    assert set(answered.dispositions.values_list("state", flat=True)) == {Disposition.State.ACCEPTED}
    event = Event.objects.filter(complaint=answered).latest("id")
    assert (event.verb, event.actor_label) == ("reporter_unsatisfied", "pelapor (web)")


def test_reporter_reply_on_a_postponed_complaint_resumes_it(complaint, admin_user):
    complaint_postpone(complaint=complaint, by=admin_user, request_text="Mohon kirim foto lokasi.")
    complaint.refresh_from_db()
    assert complaint.status == S.POSTPONED and complaint.due_at is None and complaint.paused_working_days
    reporter_returned(complaint, "pelapor (web)")
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.due_at is not None
    assert Event.objects.filter(complaint=complaint).latest("id").verb == "resumed"
