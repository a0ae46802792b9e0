"""Messages: outbound queue and send (on commit, retries, failures), receipts, inbound routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from aduan_publik.channels.base import (
    ContactRef,
    InboundMessage,
    PermanentChannelError,
    StatusUpdate,
    TemporaryChannelError,
)
from aduan_publik.models import Complaint, Contact, Event, Message
from aduan_publik.services.complaints import complaint_archive, complaint_create
from aduan_publik.services.outbound import complaint_reply, message_resend
from aduan_publik.services.receiving import message_receive
from aduan_publik.services.sending import message_send, message_status_update, stale_sending_fail
from aduan_publik.testing.fake_channel import fake_channel_installed
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db
M = Message.State
AT = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake(tmp_path):
    with fake_channel_installed(tmp_path) as channel:
        yield channel


@pytest.fixture
def fake_complaint(fake):
    contact = Contact.objects.create(channel="fake", address="62811", name="Rina", phone="62811")
    complaint, _code = complaint_create(channel="fake", title="Sampah", description="Sampah menumpuk",
                                        contact=contact, acknowledge=False)
    return complaint


def _queued(complaint: Complaint, admin_user) -> Message:
    return complaint_reply(complaint=complaint, by=admin_user, body="Sedang kami tangani.")


def test_outbound_is_queued_then_sent_on_commit(fake, fake_complaint, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queued(fake_complaint, admin_user)
        message.refresh_from_db()
        assert message.state == M.QUEUED and fake.sent == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert (message.state, message.external_id, message.attempts) == (M.SENT, f"fake-out-{message.pk}", 1)
    assert message.sent_at is not None
    [sent] = fake.sent
    assert (sent.message_id, sent.text, sent.to.address) == (message.pk, "Sedang kami tangani.", "62811")
    assert sent.tracking_number == fake_complaint.tracking_number
    event = Event.objects.filter(complaint=fake_complaint).latest("id")
    assert (event.verb, event.actor, event.data) == ("replied", admin_user, {"message": message.pk})


def test_temporary_error_leaves_it_queued_and_reraises(fake, fake_complaint, admin_user):
    message = _queued(fake_complaint, admin_user)
    fake.fail_with = TemporaryChannelError("batas kirim tercapai", retry_after=6)
    with pytest.raises(TemporaryChannelError):
        message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.state, message.error, message.attempts) == (M.QUEUED, "batas kirim tercapai", 1)
    assert not Event.objects.filter(verb="message_failed").exists()
    fake.fail_with = None
    message_send(message_id=message.pk)  # the retry
    message.refresh_from_db()
    assert (message.state, message.error, message.attempts, len(fake.sent)) == (M.SENT, "", 2, 1)


def test_permanent_error_fails_the_message_with_its_reason(fake, fake_complaint, admin_user):
    message = _queued(fake_complaint, admin_user)
    fake.fail_with = PermanentChannelError("nomor tidak terdaftar", code="131026")
    message_send(message_id=message.pk)  # not re-raised: retrying would not help
    message.refresh_from_db()
    assert (message.state, message.error) == (M.FAILED, "nomor tidak terdaftar")
    event = Event.objects.filter(complaint=fake_complaint).latest("id")
    assert (event.verb, event.actor_label) == ("message_failed", "sistem")
    assert event.data == {"message": message.pk, "reason": "nomor tidak terdaftar"}
    fake.fail_with = None
    message_send(message_id=message.pk)  # a failed message is never resent by a stray job
    assert fake.sent == []


def test_adapter_bug_fails_visibly_and_reraises(fake, fake_complaint, admin_user):
    message = _queued(fake_complaint, admin_user)
    fake.fail_with = KeyError("to")
    with pytest.raises(KeyError):
        message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == M.FAILED and message.error.startswith("KeyError")


def test_resend_requeues_only_failed_messages(fake, fake_complaint, admin_user, django_capture_on_commit_callbacks):
    message = _queued(fake_complaint, admin_user)
    with pytest.raises(WorkflowError, match="gagal"):
        message_resend(message=message, by=admin_user)
    Message.objects.filter(pk=message.pk).update(state=M.FAILED, error="x")
    with django_capture_on_commit_callbacks(execute=True):
        message_resend(message=message, by=admin_user)
    message.refresh_from_db()
    assert message.state == M.SENT and len(fake.sent) == 1
    assert Event.objects.filter(complaint=fake_complaint, verb="message_resent", actor=admin_user).exists()


def test_stuck_sending_message_is_marked_failed(fake, fake_complaint, admin_user):
    stuck, fresh = _queued(fake_complaint, admin_user), _queued(fake_complaint, admin_user)
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=stuck.pk).update(state=M.SENDING, state_changed_at=long_ago)
    Message.objects.filter(pk=fresh.pk).update(state=M.SENDING, state_changed_at=timezone.now())
    assert stale_sending_fail() == 1
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.state == M.FAILED and "terputus" in stuck.error
    assert fresh.state == M.SENDING  # may still be in flight
    assert Event.objects.filter(complaint=fake_complaint, verb="message_failed").count() == 1
    assert stale_sending_fail() == 0


# ---- receipts -------------------------------------------------------------------------------


def _sent(complaint: Complaint, external_id: str = "wamid.1") -> Message:
    return Message.objects.create(complaint=complaint, contact=complaint.contact, channel="fake", direction="out",
                                  body="x", state=M.SENT, external_id=external_id, created_at=AT)


def _receipt(status: str, external_id: str = "wamid.1", error: str = "") -> bool:
    return message_status_update(update=StatusUpdate(channel="fake", external_id=external_id, status=status,
                                                     at=AT, error=error))


def test_receipts_only_move_forward(fake_complaint):
    message = _sent(fake_complaint)
    assert _receipt("read") is True
    assert _receipt("delivered") is False  # arrived late: ignored
    assert _receipt("sent") is False
    assert _receipt("failed", error="late failure") is False  # never after read
    message.refresh_from_db()
    assert message.state == M.READ and message.error == ""
    assert _receipt("read", external_id="unknown") is False


def test_failed_after_sent_applies_and_is_audited(fake_complaint):
    message = _sent(fake_complaint)
    assert _receipt("delivered") is True
    assert _receipt("failed", error="131047 di luar jendela 24 jam") is True
    message.refresh_from_db()
    assert (message.state, message.error) == (M.FAILED, "131047 di luar jendela 24 jam")
    assert Event.objects.get(complaint=fake_complaint, verb="message_failed").data["message"] == message.pk
    assert _receipt("failed") is False  # once


# ---- inbound routing ------------------------------------------------------------------------


def _inbound(external_id: str, sender: str = "62899", text: str = "Air PDAM mati", tracking: str = ""):
    return InboundMessage(channel="fake", external_id=external_id, sender=ContactRef(address=sender, name="Dedi"),
                          sent_at=AT, text=text, tracking_number=tracking)


def test_unknown_sender_opens_a_complaint_and_redelivery_is_a_no_op(fake):
    first = message_receive(inbound=_inbound("in-1", text="Air PDAM mati\nsejak pagi"))
    again = message_receive(inbound=_inbound("in-1", text="Air PDAM mati\nsejak pagi"))
    assert again.pk == first.pk
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.title, complaint.external_id) == ("fake", "Air PDAM mati", "in-1")
    assert complaint.contact.address == "62899" and complaint.contact.last_inbound_at == AT
    assert Message.objects.filter(direction="in").count() == 1
    assert Message.objects.filter(direction="out", complaint=complaint).count() == 1  # the acknowledgement
    event = Event.objects.get(complaint=complaint)
    assert (event.verb, event.actor_label) == ("created", "fake")


def test_known_sender_joins_the_open_complaint(fake):
    message_receive(inbound=_inbound("in-1"))
    reply = message_receive(inbound=_inbound("in-2", text="Sudah dua hari"))
    complaint = Complaint.objects.get()
    assert reply.complaint == complaint and complaint.messages.filter(direction="in").count() == 2
    event = Event.objects.filter(complaint=complaint).latest("id")
    assert (event.verb, event.actor_label, event.data) == ("reporter_message", "pelapor (fake)",
                                                           {"external_id": "in-2"})


def test_closed_complaint_means_a_new_one(fake, admin_user):
    message_receive(inbound=_inbound("in-1"))
    first = Complaint.objects.get()
    complaint_archive(complaint=first, by=admin_user, reason="spam")
    message_receive(inbound=_inbound("in-2", text="Masih mati"))
    assert Complaint.objects.count() == 2
    assert Complaint.objects.exclude(pk=first.pk).get().title == "Masih mati"


def test_tracking_number_picks_the_complaint(fake):
    message_receive(inbound=_inbound("in-1", text="Aduan pertama"))
    older = Complaint.objects.get()
    Complaint.objects.filter(pk=older.pk).update(received_at=AT - timedelta(days=3))
    contact = older.contact
    newer, _code = complaint_create(channel="fake", title="Kedua", description="Kedua", contact=contact,
                                    acknowledge=False)
    message = message_receive(inbound=_inbound("in-3", text="Tambahan", tracking=older.tracking_number.lower()))
    assert message.complaint == older
    assert message_receive(inbound=_inbound("in-4", text="Lagi")).complaint == newer  # the latest open one


def _answered_fake_complaint(admin_user, opd, liaison) -> Complaint:
    from aduan_publik.services.complaints import complaint_verify
    from aduan_publik.services.dispositions import followup_draft

    message_receive(inbound=_inbound("in-1", text="Got mampet"))
    complaint = Complaint.objects.get()
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd])
    followup_draft(disposition=disposition, by=liaison, publish=True,
                   body="Got sudah dikeruk oleh petugas kebersihan pada hari Rabu.")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    return complaint


def test_reporter_reply_to_an_answer_sends_it_back_to_the_opd(fake, admin_user, opd_pu, liaison_pu):
    complaint = _answered_fake_complaint(admin_user, opd_pu, liaison_pu)
    message_receive(inbound=_inbound("in-2", text="Belum, masih mampet"))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.IN_PROGRESS
    assert list(complaint.dispositions.values_list("state", flat=True)) == ["accepted"]
    verbs = list(Event.objects.filter(complaint=complaint).values_list("verb", "actor_label"))[-2:]
    assert verbs == [("reporter_message", "pelapor (fake)"), ("reporter_unsatisfied", "pelapor (fake)")]


def test_reporter_answer_resumes_a_postponed_complaint(fake, admin_user):
    from aduan_publik.services.complaints import complaint_postpone

    message_receive(inbound=_inbound("in-1", text="Lampu mati"))
    complaint = Complaint.objects.get()
    complaint_postpone(complaint=complaint, by=admin_user, request_text="Lampu di jalan apa?")
    message_receive(inbound=_inbound("in-2", text="Jl. Gajah Mada depan masjid"))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RECEIVED and complaint.due_at is not None
    assert Event.objects.filter(complaint=complaint).latest("id").verb == "resumed"
