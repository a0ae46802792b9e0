"""The push: hub actions on a LAPOR! complaint reach the fake SP4N-LAPOR! once, with retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fakes.lapor_server import JPEG

from aduan_publik.channels.lapor import LaporChannel
from aduan_publik.channels.lapor.masters import masters_sync
from aduan_publik.channels.lapor.models import LaporInstitution, Outbox
from aduan_publik.channels.lapor.push import outbox_due_ids, outbox_retry, outbox_send, outbox_set_target
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Complaint, Event, Message
from aduan_publik.services.complaints import complaint_mark_not_authority, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)
ST = Outbox.State
ANSWER = "Jalan sudah ditambal oleh tim UPT Jalan pada hari Senin pagi, terima kasih."


@pytest.fixture
def lapor_complaint(lapor_site, fake_lapor):
    report = fake_lapor.add_report(is_secret=True)
    lapor_pull()
    return Complaint.objects.get(channel="lapor", external_id=report["id"])


def answer(complaint, admin_user, opd_pu, liaison_pu, files=()):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    return followup_draft(disposition=disposition, by=liaison_pu, body=ANSWER, files=files, publish=True)


def test_published_followup_is_posted_once_with_attachments(lapor_complaint, fake_lapor, admin_user, opd_pu,
                                                            liaison_pu):
    photo = SimpleUploadedFile("hasil.jpg", JPEG, content_type="image/jpeg")
    followup = answer(lapor_complaint, admin_user, opd_pu, liaison_pu, files=[photo])
    [posted] = fake_lapor.posted
    assert posted["complaint_id"] == lapor_complaint.external_id and posted["content"] == ANSWER
    assert posted["is_secret"] == "1", "a rahasia report stays secret on LAPOR!"
    assert posted["files"] == [("hasil.jpg", JPEG)]
    row = Outbox.objects.get(action="followup")
    assert row.state == ST.SENT and row.remote_id == "f1"
    message = Message.objects.get(followup=followup)
    assert message.state == "sent" and "SP4N-LAPOR!" in message.meta["note"] and message.error == ""
    # The job runs again (a worker restarted): the same event adds no row and posts nothing.
    event = Event.objects.get(complaint=lapor_complaint, verb="followup_published")
    LaporChannel().on_event(event.pk)
    assert len(fake_lapor.posted) == 1 and Outbox.objects.filter(action="followup").count() == 1


def test_status_changes_without_a_status_call_are_recorded_not_applicable(lapor_complaint, admin_user, opd_pu,
                                                                          liaison_pu, fake_lapor):
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    rows = Outbox.objects.filter(action="status").order_by("pk")
    assert [r.payload["status"] for r in rows] == ["Terverifikasi", "Dalam Proses", "Dalam Proses"]
    assert {r.state for r in rows} == {ST.NOT_APPLICABLE} and fake_lapor.statuses == []


def test_status_changes_are_sent_when_the_site_has_a_status_call(lapor_complaint, lapor_site, admin_user,
                                                                 opd_pu, fake_lapor):
    lapor_site(paths={"status": "/complaints/process/{id}/status"})
    complaint_verify(complaint=lapor_complaint, by=admin_user, opds=[opd_pu])
    assert fake_lapor.statuses == [{"id": lapor_complaint.external_id, "status": "Terverifikasi",
                                    "note": fake_lapor.statuses[0]["note"]}]
    assert Outbox.objects.get(action="status").state == ST.SENT


def test_not_authority_sends_the_json_reject_with_the_target_institution_id(lapor_complaint, admin_user,
                                                                           fake_lapor):
    masters_sync()
    complaint_mark_not_authority(complaint=lapor_complaint, by=admin_user,
                                 forwarded_to="kementerian pekerjaan umum", note="Jalan nasional")
    [rejected] = fake_lapor.rejected
    assert rejected == {"id": lapor_complaint.external_id, "is_request": 1, "reason": 3101,
                        "reason_description": "Jalan nasional", "not_authority": 1}
    row = Outbox.objects.get(action="reject")
    assert row.state == ST.SENT and row.payload["target_name"] == "Kementerian Pekerjaan Umum"


def test_an_unknown_target_fails_visibly_until_an_admin_picks_the_institution(lapor_complaint, admin_user,
                                                                              leader_user, fake_lapor):
    masters_sync()
    complaint_mark_not_authority(complaint=lapor_complaint, by=admin_user, forwarded_to="Dinas Provinsi")
    row = Outbox.objects.get(action="reject")
    assert row.state == ST.FAILED and "«Dinas Provinsi» tidak ditemukan" in row.last_error
    assert fake_lapor.rejected == [] and fake_lapor.count("POST", "/reject") == 0
    target = LaporInstitution.objects.get(remote_id="3102")
    with pytest.raises(PermissionDenied):
        outbox_set_target(row=row, institution=target, by=leader_user)
    outbox_set_target(row=row, institution=target, by=admin_user)
    assert outbox_send(row_id=row.pk) == ST.SENT
    assert [r["reason"] for r in fake_lapor.rejected] == [3102]
    assert Event.objects.filter(complaint=lapor_complaint, verb="lapor_target_set").count() == 1


def test_a_desk_reply_goes_as_a_followup(lapor_complaint, admin_user, fake_lapor):
    complaint_reply(complaint=lapor_complaint, by=admin_user, body="Mohon kirim foto lokasi yang lebih jelas.")
    assert [p["content"] for p in fake_lapor.posted] == ["Mohon kirim foto lokasi yang lebih jelas."]


def test_events_written_by_the_pull_are_not_echoed(lapor_complaint, fake_lapor, lapor_site):
    fake_lapor.update_report(lapor_complaint.external_id, title="Judul baru")
    lapor_pull()
    assert Event.objects.filter(complaint=lapor_complaint, verb="updated").exists()
    assert not Outbox.objects.exists() and fake_lapor.posted == []


def test_server_error_retries_later_with_backoff_and_posts_once(lapor_complaint, fake_lapor, admin_user, opd_pu,
                                                                liaison_pu):
    fake_lapor.fail("/followup/add", status=502)
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    assert row.state == ST.PENDING and "502" in row.last_error and row.next_attempt_at > timezone.now()
    assert row.pk not in outbox_due_ids(), "not due before its backoff"
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_due_ids() == [row.pk]
    assert outbox_send(row_id=row.pk) == ST.SENT
    assert len(fake_lapor.posted) == 1
    assert outbox_send(row_id=row.pk) == "", "a sent row is never sent again"


def test_429_schedules_the_retry_after_the_servers_wait(lapor_complaint, fake_lapor, admin_user, opd_pu,
                                                        liaison_pu):
    fake_lapor.fail("/followup/add", status=429, retry_after=120)
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    wait = (row.next_attempt_at - row.state_changed_at).total_seconds()
    assert row.state == ST.PENDING and 119 <= wait <= 121


def test_a_lost_answer_is_not_posted_again_on_retry(lapor_complaint, fake_lapor, lapor_site, admin_user, opd_pu,
                                                    liaison_pu):
    lapor_site(timeout=0.2)
    fake_lapor.fail("/followup/add", delay=0.6, status=200, after_effect=True)  # stored, answer lost
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    assert row.state == ST.PENDING and len(fake_lapor.posted) == 1
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
    assert outbox_send(row_id=row.pk) == ST.SENT
    assert len(fake_lapor.posted) == 1 and fake_lapor.count("GET", "/followups") == 1
    row.refresh_from_db()
    assert row.remote_id == "f1"


def test_a_refusal_fails_visibly_and_an_admin_can_retry(lapor_complaint, fake_lapor, admin_user, opd_pu,
                                                        liaison_pu, leader_user):
    fake_lapor.fail("/followup/add", status=422)
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    assert row.state == ST.FAILED and "422" in row.last_error
    assert Event.objects.filter(complaint=lapor_complaint, verb="lapor_push_failed").count() == 1
    assert row.pk not in outbox_due_ids()
    with pytest.raises(PermissionDenied):
        outbox_retry(rows=[row], by=leader_user)
    assert outbox_retry(rows=[row], by=admin_user) == 1
    assert outbox_send(row_id=row.pk) == ST.SENT and len(fake_lapor.posted) == 1


def test_repeated_temporary_failures_end_as_failed(lapor_complaint, fake_lapor, lapor_site, admin_user, opd_pu,
                                                   liaison_pu):
    lapor_site(push_max_attempts=2)
    fake_lapor.fail("/followup", status=500, times=10)
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=None)
    assert outbox_send(row_id=row.pk) == ST.FAILED
    row.refresh_from_db()
    assert row.attempts == 2 and "2 kali" in row.last_error and fake_lapor.posted == []


def test_a_row_stuck_in_sending_goes_back_in_line(lapor_complaint, fake_lapor, admin_user, opd_pu, liaison_pu):
    fake_lapor.fail("/followup/add", status=500)
    answer(lapor_complaint, admin_user, opd_pu, liaison_pu)
    row = Outbox.objects.get(action="followup")
    Outbox.objects.filter(pk=row.pk).update(state=ST.SENDING, state_changed_at=timezone.now() - timedelta(hours=1))
    assert outbox_due_ids() == [row.pk]
    assert outbox_send(row_id=row.pk) == ST.SENT and len(fake_lapor.posted) == 1
