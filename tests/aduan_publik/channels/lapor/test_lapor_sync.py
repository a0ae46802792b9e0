"""The pull against the fake SP4N-LAPOR! over real HTTP: paging, idempotency, failures, flags, files."""

from __future__ import annotations

import pytest
from fakes.lapor_server import remote_time

from aduan_publik.channels.lapor.models import LaporLink, SkippedRecord, SyncState
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Attachment, Complaint, Contact, Event, Message

pytestmark = pytest.mark.django_db(transaction=True)
S = Complaint.Status


def state() -> SyncState:
    return SyncState.objects.get(key="default")


def test_first_sync_creates_complaints_across_pages(lapor_site, fake_lapor):
    reports = [fake_lapor.add_report() for _ in range(7)]  # per_page=3: pages of 3, 3, 1
    result = lapor_pull()
    assert result["created"] == 7 and result["pages"] == 3 and not result["errors"]
    assert fake_lapor.count("GET", "/complaints") == 3
    for report in reports:
        complaint = Complaint.objects.get(channel="lapor", external_id=report["id"])
        assert complaint.status == S.RECEIVED and complaint.title == report["title"]
        assert complaint.lapor_link.remote_status == "Belum Terverifikasi"
        assert complaint.contact.name == "Siti Aminah"
    assert state().cursor == remote_time(reports[-1]["updated_at"])
    assert not Message.objects.filter(direction="out").exists(), "LAPOR! already acknowledged the reporter"


def test_resync_of_unchanged_data_changes_nothing_and_writes_no_event(lapor_site, fake_lapor):
    for _ in range(5):
        fake_lapor.add_report()
    lapor_pull()
    events, updated = Event.objects.count(), list(Complaint.objects.values_list("updated_at", flat=True))
    links = list(LaporLink.objects.values_list("synced_at", flat=True))
    result = lapor_pull(full=True)
    assert result["unchanged"] == 5 and "created" not in result and "updated" not in result
    assert Event.objects.count() == events
    assert list(Complaint.objects.values_list("updated_at", flat=True)) == updated
    assert list(LaporLink.objects.values_list("synced_at", flat=True)) == links


def test_incremental_sync_asks_only_for_changes_since_the_cursor(lapor_site, fake_lapor):
    first = fake_lapor.add_report()
    lapor_pull()
    fake_lapor.update_report(first["id"], title="Judul diperbaiki", status_name="Dalam Proses")
    fresh = fake_lapor.add_report()
    result = lapor_pull()
    assert result["created"] == 1 and result["updated"] == 1
    complaint = Complaint.objects.get(external_id=first["id"])
    assert complaint.title == "Judul diperbaiki"
    assert complaint.status == S.RECEIVED, "a remote 'Dalam Proses' must not fake a disposition"
    assert complaint.lapor_link.remote_status == "Dalam Proses"
    verbs = list(complaint.events.values_list("verb", flat=True))
    assert verbs == ["created", "updated", "lapor_status"]
    assert Complaint.objects.filter(external_id=fresh["id"]).exists()


def test_remote_end_closes_a_complaint_nobody_started_on(lapor_site, fake_lapor):
    done = fake_lapor.add_report(status_name="Selesai")
    rejected = fake_lapor.add_report(status_name="Ditolak")
    lapor_pull()
    assert Complaint.objects.get(external_id=done["id"]).status == S.CLOSED
    assert Complaint.objects.get(external_id=rejected["id"]).status == S.NOT_AUTHORITY
    assert Event.objects.filter(verb="lapor_closed").count() == 2


def test_anonim_and_rahasia_are_honoured(lapor_site, fake_lapor):
    anon = fake_lapor.add_report(is_anonymous=True, is_secret=True)
    lapor_pull()
    complaint = Complaint.objects.get(external_id=anon["id"])
    assert complaint.is_anonymous and complaint.is_secret
    assert complaint.contact.name == "" and complaint.contact.phone == "" and complaint.contact.email == ""
    assert complaint.contact.user_id == f"laporan-{anon['id']}"


def test_same_reporter_shares_one_contact(lapor_site, fake_lapor):
    user = {"id": "u77", "name": "Budi", "phone": "0813", "email": ""}
    fake_lapor.add_report(user=user)
    fake_lapor.add_report(user=user)
    lapor_pull()
    assert Contact.objects.filter(channel="lapor", user_id="pelapor-u77").count() == 1
    assert Complaint.objects.filter(contact__user_id="pelapor-u77").count() == 2


def test_partial_pages_do_not_end_the_sync(lapor_site, fake_lapor):
    fake_lapor.cap_per_page = 2  # the server gives fewer than asked, and says so in meta.last_page
    for _ in range(5):
        fake_lapor.add_report()
    result = lapor_pull()
    assert result["created"] == 5 and result["pages"] == 3


def test_attachments_are_downloaded_and_a_failed_one_is_visible_then_retried(lapor_site, fake_lapor):
    good = fake_lapor.add_file("foto.jpg")
    report = fake_lapor.add_report(attachments=[good, {"path": "/files/hilang.jpg", "file_name": "hilang.jpg",
                                                       "extension": "jpg"}])
    lapor_pull()
    complaint = Complaint.objects.get(external_id=report["id"])
    assert list(Attachment.objects.filter(complaint=complaint).values_list("original_name", flat=True)) == [
        "foto.jpg"]
    link = complaint.lapor_link
    assert list(link.attachment_errors) == ["/files/hilang.jpg"]
    assert Event.objects.filter(complaint=complaint, verb="media_failed").count() == 1
    lapor_pull(full=True)  # still missing: no second event
    assert Event.objects.filter(complaint=complaint, verb="media_failed").count() == 1
    fake_lapor.add_file("hilang.jpg")
    lapor_pull(full=True)
    link.refresh_from_db()
    assert link.attachment_errors == {} and complaint.attachments.count() == 2


def test_a_file_of_a_forbidden_type_is_refused_for_good(lapor_site, fake_lapor):
    bad = fake_lapor.add_file("skrip.exe", b"MZ\x90\x00" + b"\x00" * 100)
    report = fake_lapor.add_report(attachments=[bad])
    lapor_pull()
    link = LaporLink.objects.get(lapor_id=report["id"])
    assert "skrip.exe" in next(iter(link.attachment_errors.values()))
    assert link.attachments_done == ["/files/skrip.exe"]
    assert not Attachment.objects.exists()


def test_wrong_credentials_abort_without_changes(lapor_site, fake_lapor):
    fake_lapor.add_report()
    fake_lapor.token = "lain"
    result = lapor_pull()
    assert result["aborted"] == 1 and "401" in result["errors"][0]
    assert not Complaint.objects.exists()
    assert state().cursor is None and "401" in state().last_error
    assert fake_lapor.count("GET", "/complaints") == 1, "a 401 is not retried"


def test_429_waits_for_retry_after_then_continues(lapor_site, fake_lapor):
    for _ in range(4):
        fake_lapor.add_report()
    fake_lapor.fail("/complaints", status=429, retry_after=0.05, times=2)
    result = lapor_pull()
    assert result["created"] == 4 and not result["errors"]
    assert fake_lapor.count("GET", "/complaints") == 2 + 2


def test_server_errors_are_retried_and_a_lasting_outage_keeps_the_cursor(lapor_site, fake_lapor):
    first = fake_lapor.add_report()
    fake_lapor.fail("/complaints", status=500, times=1)
    assert lapor_pull()["created"] == 1
    cursor = state().cursor
    assert cursor == remote_time(first["updated_at"])
    fake_lapor.add_report()
    fake_lapor.fail("/complaints", status=503, times=100)
    result = lapor_pull()
    assert result["aborted"] == 1 and "503" in result["errors"][0]
    assert state().cursor == cursor and state().last_success_at < state().last_run_at


def test_timeouts_are_retried(lapor_site, fake_lapor):
    lapor_site(per_page=3, timeout=0.2)
    fake_lapor.add_report()
    fake_lapor.fail("/complaints", delay=0.6, status=200, times=1)
    result = lapor_pull()
    assert result["created"] == 1 and fake_lapor.count("GET", "/complaints") == 2


def test_malformed_json_is_retried_and_reported_when_it_persists(lapor_site, fake_lapor):
    fake_lapor.add_report()
    fake_lapor.fail("/complaints", malformed=True, times=1)
    assert lapor_pull()["created"] == 1
    fake_lapor.add_report()
    fake_lapor.fail("/complaints", malformed=True, times=100)
    result = lapor_pull()
    assert result["aborted"] == 1 and "JSON" in result["errors"][0]


def test_records_without_an_id_are_skipped_apart(lapor_site, fake_lapor):
    for report in (fake_lapor.add_report(), fake_lapor.add_report()):
        report["id"] = None
    result = lapor_pull()
    assert result["skipped"] == 2 and not result["errors"]
    assert [r.error for r in SkippedRecord.objects.all()] == ["ID laporan kosong"] * 2


def test_an_unreadable_record_is_skipped_visibly_and_never_blocks_the_pull(lapor_site, fake_lapor):
    fake_lapor.add_report()
    broken = fake_lapor.add_report(content="")
    last = fake_lapor.add_report()
    result = lapor_pull()
    assert result["created"] == 2 and result["skipped"] == 1 and result["errors"] == []
    [skipped] = SkippedRecord.objects.all()
    assert (skipped.kind, skipped.key, skipped.error) == ("report", broken["id"], f"laporan {broken['id']}: "
                                                                                  "isi laporan kosong")
    assert skipped.raw["id"] == broken["id"], "the raw record is kept for the desk"
    assert state().cursor == remote_time(last["updated_at"]), "the cursor moves past it"
    lapor_pull(full=True)
    assert SkippedRecord.objects.get().times == 2, "skipped again: one row, counted"
    fake_lapor.update_report(broken["id"], content="Isi yang sudah diperbaiki di LAPOR!.")
    assert lapor_pull()["created"] == 1
    assert not SkippedRecord.objects.exists(), "a record that reads fine is no longer listed"
