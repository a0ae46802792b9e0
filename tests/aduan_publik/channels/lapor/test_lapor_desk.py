"""The desk pages of SP4N-LAPOR!: sync now, the outbox with retry, the import upload → preview → confirm."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aduan_publik.channels.lapor.masters import masters_sync
from aduan_publik.channels.lapor.models import ImportBatch, Outbox, SyncState
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Complaint
from aduan_publik.services.complaints import complaint_mark_not_authority

pytestmark = pytest.mark.django_db(transaction=True)
CSV = "\r\n".join(["ID;Judul;Isi Laporan;Status", "1916449;Jalan rusak;Jalan berlubang di depan pasar.;Terverifikasi",
                   ";Tanpa ID;Isi tanpa ID;Selesai"]).encode()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_sync_now_runs_the_pull_and_shows_the_result(lapor_site, fake_lapor, admin_user):
    fake_lapor.add_report()
    client = client_for(admin_user)
    response = client.post("/desk/aduan_lapor/syncstate/sinkron/")
    assert response.status_code == 302 and "dijalankan" in shown(response)
    assert Complaint.objects.filter(channel="lapor").count() == 1
    page = client.get("/desk/aduan_lapor/syncstate/")
    assert page.status_code == 200 and "created: 1" in page.content.decode()


def test_opd_staff_cannot_sync_or_import(lapor_site, fake_lapor, liaison_pu):
    fake_lapor.add_report()
    client = client_for(liaison_pu)
    assert client.post("/desk/aduan_lapor/syncstate/sinkron/").status_code == 403
    assert client.get("/desk/aduan_lapor/importbatch/unggah/").status_code == 403
    assert not Complaint.objects.exists()


def test_failed_push_is_listed_and_retry_now_sends_it(lapor_site, fake_lapor, admin_user):
    fake_lapor.add_report()
    lapor_pull()
    masters_sync()
    complaint = Complaint.objects.get()
    fake_lapor.fail("/reject", status=500, times=1)
    fake_lapor.fail("/reject", status=400, times=1)  # both tries of the first send fail
    complaint_mark_not_authority(complaint=complaint, by=admin_user, forwarded_to="Kementerian Pekerjaan Umum")
    row = Outbox.objects.get(action="reject")
    assert row.state in (Outbox.State.PENDING, Outbox.State.FAILED)
    client = client_for(admin_user)
    listing = client.get("/desk/aduan_lapor/outbox/?state__exact=" + row.state)
    assert listing.status_code == 200 and complaint.tracking_number in listing.content.decode()
    fake_lapor.rules.clear()
    response = client.post("/desk/aduan_lapor/outbox/", {"action": "retry_now", "_selected_action": [row.pk]})
    assert response.status_code == 302 and "berhasil" in shown(response)
    row.refresh_from_db()
    assert row.state == Outbox.State.SENT and len(fake_lapor.rejected) == 1


def test_import_upload_preview_confirm(lapor_site, admin_user):
    client = client_for(admin_user)
    assert client.get("/desk/aduan_lapor/importbatch/unggah/").status_code == 200
    response = client.post("/desk/aduan_lapor/importbatch/unggah/",
                           {"file": SimpleUploadedFile("ekspor.csv", CSV, content_type="text/csv")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.pk}/pratinjau/")
    preview = client.get(response["Location"]).content.decode()
    assert "Jalan rusak" in preview and "ID laporan kosong" in preview and "Impor sekarang" in preview
    assert not Complaint.objects.exists()
    done = client.post(response["Location"])
    assert "1 baru" in shown(done)
    assert Complaint.objects.get().external_id == "1916449"
    report = client.get(response["Location"]).content.decode()
    assert "Baris" in report and "3: ID laporan kosong" in report


def test_a_bad_upload_is_refused_on_the_form(lapor_site, admin_user):
    client = client_for(admin_user)
    response = client.post("/desk/aduan_lapor/importbatch/unggah/",
                           {"file": SimpleUploadedFile("foto.png", b"\x89PNG....", content_type="image/png")})
    assert response.status_code == 400 and "XLSX atau CSV" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_link_and_state_lists_render(lapor_site, fake_lapor, admin_user, leader_user):
    fake_lapor.add_report(status_name="Dalam Proses")
    lapor_pull()
    page = client_for(leader_user).get("/desk/aduan_lapor/laporlink/")
    assert page.status_code == 200 and "Dalam Proses" in page.content.decode()
    assert SyncState.objects.get().last_success_at is not None
