"""Master lists (institutions, templates) in the desk, and what the push takes from them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from fakes.lapor_server import JPEG

from aduan_publik.channels.lapor.masters import masters_run, masters_sync, template_make_default
from aduan_publik.channels.lapor.models import LaporInstitution, LaporTemplate, Outbox, SkippedRecord, SyncState
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Complaint
from aduan_publik.services.complaints import complaint_mark_not_authority
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_masters_are_read_page_by_page_with_page_size(lapor_site, fake_lapor):
    lapor_site(master_page_size=2)
    assert masters_sync() == {"institutions": 5, "templates": 3}
    assert LaporInstitution.objects.get(remote_id="3101").name == "Kementerian Pekerjaan Umum"
    asked = [q for path, q in fake_lapor.queries if path == "/masters/institutions/external"]
    assert asked == [{"page_size": "2", "page": str(n)} for n in (1, 2, 3)]
    assert set(LaporTemplate.objects.values_list("code", flat=True)) == {"disposition", "tindak_lanjut",
                                                                        "permintaan_data"}
    assert SyncState.objects.get().masters_synced_at is not None


def test_an_institution_gone_from_the_list_is_kept_inactive_and_a_bad_entry_skipped(lapor_site, fake_lapor):
    masters_sync()
    fake_lapor.institutions = [i for i in fake_lapor.institutions if i["id"] != 3103] + [{"id": 77}]
    masters_sync()
    assert not LaporInstitution.objects.get(remote_id="3103").active
    assert LaporInstitution.objects.filter(active=True).count() == 4
    [skipped] = SkippedRecord.objects.all()
    assert skipped.kind == "master" and skipped.error == "instansi tanpa ID atau nama" and skipped.raw == {"id": 77}


def test_a_failed_master_sync_is_kept_for_the_desk_and_changes_nothing(lapor_site, fake_lapor):
    masters_sync()
    fake_lapor.fail("/masters/templates", status=404, times=5)
    fake_lapor.institutions = fake_lapor.institutions[:1]
    assert "404" in masters_run()["error"]
    assert "404" in SyncState.objects.get().masters_error
    assert LaporTemplate.objects.filter(active=True).count() == 3


def test_the_marked_template_goes_with_every_follow_up_and_the_form_is_complete(lapor_site, fake_lapor, admin_user,
                                                                               leader_user):
    masters_sync()
    template = LaporTemplate.objects.get(code="tindak_lanjut")
    with pytest.raises(PermissionDenied):
        template_make_default(template=template, by=leader_user)
    template_make_default(template=template, by=admin_user)
    report = fake_lapor.add_report()
    lapor_pull()
    complaint = Complaint.objects.get(external_id=report["id"])
    complaint_reply(complaint=complaint, by=admin_user, body="Mohon kirim foto lokasi yang lebih jelas.")
    [posted] = fake_lapor.posted
    assert {k: posted[k] for k in ("user_id", "institution_from_id", "institution_to_id", "complaint_id",
                                   "info_disposition", "template_code", "rating", "is_secret")} == {
        "user_id": "7001", "institution_from_id": "9001", "institution_to_id": "9001",
        "complaint_id": report["id"], "info_disposition": "", "template_code": "tindak_lanjut", "rating": "0",
        "is_secret": "0"}


def test_files_go_as_attachment_i(lapor_site, fake_lapor, admin_user, opd_pu, liaison_pu):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aduan_publik.services.complaints import complaint_verify
    from aduan_publik.services.dispositions import disposition_accept, followup_draft

    report = fake_lapor.add_report()
    lapor_pull()
    complaint = Complaint.objects.get(external_id=report["id"])
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    photos = [SimpleUploadedFile(f"hasil{n}.jpg", JPEG, content_type="image/jpeg") for n in (1, 2)]
    followup_draft(disposition=disposition, by=liaison_pu, body="Sudah ditambal, terlampir fotonya.",
                   files=photos, publish=True)
    [posted] = fake_lapor.posted
    assert posted["file_fields"] == ["attachment[0]", "attachment[1]"]
    assert [name for name, _blob in posted["files"]] == ["hasil1.jpg", "hasil2.jpg"]


def test_the_desk_offers_the_lapor_institutions_for_an_unmatched_bukan_wewenang(lapor_site, fake_lapor, admin_user):
    masters_sync()
    report = fake_lapor.add_report()
    lapor_pull()
    complaint = Complaint.objects.get(external_id=report["id"])
    complaint_mark_not_authority(complaint=complaint, by=admin_user, forwarded_to="Dinas Pertanahan")
    row = Outbox.objects.get(action="reject")
    client = client_for(admin_user)
    listing = client.get("/desk/aduan_lapor/outbox/").content.decode()
    assert "Pilih instansi tujuan" in listing and f"/desk/aduan_lapor/outbox/{row.pk}/instansi-tujuan/" in listing
    form = client.get(f"/desk/aduan_lapor/outbox/{row.pk}/instansi-tujuan/").content.decode()
    assert "Badan Pertanahan Nasional" in form and "Kementerian Pekerjaan Umum" in form
    bad = client.post(f"/desk/aduan_lapor/outbox/{row.pk}/instansi-tujuan/", {"institution": "999999"})
    assert bad.status_code == 400 and fake_lapor.rejected == []
    target = LaporInstitution.objects.get(remote_id="3103")
    done = client.post(f"/desk/aduan_lapor/outbox/{row.pk}/instansi-tujuan/", {"institution": target.pk})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.state == Outbox.State.SENT and [r["reason"] for r in fake_lapor.rejected] == [3103]


def test_master_pages_are_for_admins(lapor_site, fake_lapor, admin_user, liaison_pu):
    masters_sync()
    listing = client_for(admin_user).get("/desk/aduan_lapor/laporinstitution/").content.decode()
    assert "Kementerian Pekerjaan Umum" in listing
    assert client_for(liaison_pu).get("/desk/aduan_lapor/laporinstitution/").status_code == 403
    assert client_for(liaison_pu).get("/desk/aduan_lapor/skippedrecord/").status_code == 403
    response = client_for(admin_user).post("/desk/aduan_lapor/syncstate/sinkron-master/")
    assert response.status_code == 302


def test_the_scheduler_reads_the_masters_once_per_interval(lapor_site, fake_lapor):
    from aduan_publik.channels.lapor.jobs import tick

    fake_lapor.add_report()
    tick()  # queues run synchronously in the tests
    assert LaporInstitution.objects.count() == 5 and Complaint.objects.count() == 1
    reads = fake_lapor.count("GET", "/masters/")
    tick()
    assert fake_lapor.count("GET", "/masters/") == reads, "not again before masters_interval"
    SyncState.objects.update(masters_tried_at=None)
    fake_lapor.fail("/masters/institutions", status=404, times=5)
    tick()
    state = SyncState.objects.get()
    assert "404" in state.masters_error and state.masters_tried_at is not None
