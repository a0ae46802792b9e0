"""The reporter's replies on SP4N-LAPOR! reach the hub's thread (pull of a report's follow-ups)."""

from __future__ import annotations

import pytest
from fakes.lapor_server import JPEG, remote_time

from aduan_publik.channels.lapor.models import LaporLink, SkippedRecord, SyncState
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Complaint, Disposition, Event, Message
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft

pytestmark = pytest.mark.django_db(transaction=True)
S, D = Complaint.Status, Disposition.State
ANSWER = "Lubang di Jalan Merdeka sudah ditambal oleh tim UPT Jalan pada hari Senin pagi."
REPLY = "Belum selesai, lubangnya masih ada di depan nomor 12."


def pulled(fake_lapor, **fields) -> tuple[dict, Complaint]:
    report = fake_lapor.add_report(**fields)
    lapor_pull()
    return report, Complaint.objects.get(channel="lapor", external_id=report["id"])


def answered(complaint, admin_user, opd_pu, liaison_pu) -> Complaint:
    """Verified, accepted and answered by the OPD; the answer is pushed to LAPOR! as a follow-up."""
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, body=ANSWER, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    return complaint


def inbound(complaint) -> list[Message]:
    return list(complaint.messages.filter(direction=Message.Direction.IN).order_by("created_at"))


def test_reporter_reply_after_an_answer_sends_the_work_back_to_the_opd(lapor_site, fake_lapor, admin_user, opd_pu,
                                                                        liaison_pu):
    report, complaint = pulled(fake_lapor)
    complaint = answered(complaint, admin_user, opd_pu, liaison_pu)
    assert len(fake_lapor.posted) == 1, "the answer reached LAPOR! as the institution's follow-up"
    item = fake_lapor.reply(report["id"], REPLY)
    result = lapor_pull()
    assert result["replies"] == 1 and not result["errors"]
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS
    assert list(complaint.dispositions.values_list("state", flat=True)) == [D.ACCEPTED]
    [message] = inbound(complaint)
    assert message.body == REPLY and message.channel == "lapor" and message.external_id == f"lapor-fu-{item['id']}"
    assert message.contact_id == complaint.contact_id
    assert message.created_at == remote_time(item["created_at"]), "d-m-Y H:i:s read in the site's time zone"
    verbs = set(complaint.events.values_list("verb", flat=True))
    assert {"reporter_message", "reporter_unsatisfied"} <= verbs


def test_institution_items_are_not_imported(lapor_site, fake_lapor, admin_user, opd_pu, liaison_pu):
    report, complaint = pulled(fake_lapor)
    answered(complaint, admin_user, opd_pu, liaison_pu)  # our own follow-up is on LAPOR! now
    fake_lapor.reply(report["id"], "Mohon dilengkapi foto lokasi.", by="institution")
    fake_lapor.reply(report["id"], "Laporan didisposisikan.", by="admin")
    result = lapor_pull()
    assert "replies" not in result and not result["errors"]
    assert fake_lapor.count("GET", f"/complaints/{report['id']}/followups") == 1
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED and inbound(complaint) == []


def test_a_second_pull_imports_nothing_and_fetches_nothing(lapor_site, fake_lapor):
    report, complaint = pulled(fake_lapor)
    fake_lapor.reply(report["id"], "Tambahan: lokasinya dekat sekolah.")
    assert lapor_pull()["replies"] == 1
    events, fetches = Event.objects.count(), fake_lapor.count("GET", "/followups")
    for full in (False, True):
        result = lapor_pull(full=full)
        assert "replies" not in result and not result["errors"]
    assert Event.objects.count() == events and len(inbound(complaint)) == 1
    assert fake_lapor.count("GET", "/followups") == fetches, "an unchanged report's conversation is not read"


def test_a_report_without_follow_ups_costs_no_request(lapor_site, fake_lapor):
    pulled(fake_lapor)
    assert fake_lapor.count("GET", "/followups") == 0


def test_without_a_count_the_update_time_decides(lapor_site, fake_lapor):
    lapor_site(per_page=3, fields={"followup_count": "tidak_ada"})  # a list item that does not count
    report, complaint = pulled(fake_lapor)
    assert fake_lapor.count("GET", "/followups") == 1, "a new report's conversation is read once"
    lapor_pull(full=True)
    assert fake_lapor.count("GET", "/followups") == 1
    fake_lapor.reply(report["id"], REPLY)  # touches the report's updated_at
    lapor_pull()
    assert fake_lapor.count("GET", "/followups") == 2 and [m.body for m in inbound(complaint)] == [REPLY]


def test_anonim_reply_reveals_no_identity(lapor_site, fake_lapor):
    report, complaint = pulled(fake_lapor, is_anonymous=True)
    fake_lapor.reply(report["id"], REPLY)
    lapor_pull()
    [message] = inbound(complaint)
    contact = message.contact
    assert contact.pk == complaint.contact_id and contact.user_id == f"laporan-{report['id']}"
    assert (contact.name, contact.phone, contact.email) == ("", "", "")
    assert "Siti" not in str(message.meta)


def test_a_reply_with_a_photo_stores_it_on_the_message(lapor_site, fake_lapor):
    report, complaint = pulled(fake_lapor)
    photo = fake_lapor.add_file("masih-rusak.jpg", JPEG)
    fake_lapor.reply(report["id"], REPLY, attachments=[photo])
    lapor_pull()
    [message] = inbound(complaint)
    assert list(message.attachments.values_list("original_name", flat=True)) == ["masih-rusak.jpg"]


@pytest.mark.parametrize("failure", [{"status": 500}, {"malformed": True}])
def test_a_failed_fetch_keeps_the_report_update_and_is_retried_next_pull(lapor_site, fake_lapor, failure):
    report, complaint = pulled(fake_lapor)
    cursor = SyncState.objects.get().cursor
    fake_lapor.update_report(report["id"], title="Jalan berlubang di depan sekolah")
    fake_lapor.reply(report["id"], REPLY)
    rule = fake_lapor.fail("/followups", times=100, **failure)
    result = lapor_pull()
    assert result["updated"] == 1 and "tindak lanjut laporan" in result["errors"][0]
    complaint.refresh_from_db()
    assert complaint.title == "Jalan berlubang di depan sekolah", "the report's update is kept"
    assert inbound(complaint) == []
    assert SyncState.objects.get().cursor == cursor, "the cursor waits for the conversation"
    rule.times = 0
    result = lapor_pull()
    assert result["replies"] == 1 and not result["errors"] and "updated" not in result
    assert [m.body for m in inbound(complaint)] == [REPLY]
    assert SyncState.objects.get().cursor == remote_time(fake_lapor.reports[report["id"]]["updated_at"])
    assert LaporLink.objects.get(lapor_id=report["id"]).followups_marker.endswith("|1")


def test_an_unreadable_item_is_skipped_visibly_and_the_rest_received(lapor_site, fake_lapor):
    report, complaint = pulled(fake_lapor)
    fake_lapor.reply(report["id"], "Tanpa ID")
    fake_lapor.reply(report["id"], "Jam aneh", created_at="kemarin sore")
    fake_lapor.reply(report["id"], REPLY)
    fake_lapor.followups[report["id"]][0].pop("id")
    result = lapor_pull()
    assert result["errors"] == [] and result["skipped"] == 2 and result["replies"] == 1
    assert [m.body for m in inbound(complaint)] == [REPLY]
    assert SyncState.objects.get().cursor == remote_time(fake_lapor.reports[report["id"]]["updated_at"])
    errors = set(SkippedRecord.objects.filter(kind="followup").values_list("error", flat=True))
    odd_time = fake_lapor.followups[report["id"]][1]["id"]
    assert errors == {"tindak lanjut tanpa ID", f"tindak lanjut {odd_time}: tanggal tidak dikenali: 'kemarin sore'"}
    assert not LaporLink.objects.get().followups_marker.endswith("|3"), "a full re-sync reads it again"
