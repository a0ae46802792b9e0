"""Public pages: what the public may see, masking, reviewed files only, and the figures."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from portal_helpers import photo_bytes

from aduan_publik.models import Complaint, Contact
from aduan_publik.portal import stats
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.figure_aggregates import figures_rebuild, figures_settle

pytestmark = pytest.mark.django_db(transaction=True)


def make(title, *, secret=False, anonymous=False, verify_by=None, opds=(), channel="web"):
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    contact = Contact.objects.create(channel=channel, address=email, name="Rahmat Hidayat", email=email,
                                     phone="081299990000")
    complaint, _code = complaint_create(channel=channel, title=title, description=f"Uraian {title} cukup panjang.",
                                        contact=contact, is_secret=secret, is_anonymous=anonymous)
    if verify_by:
        complaint_verify(complaint=complaint, by=verify_by, opds=list(opds))
    return complaint


def test_list_shows_verified_non_secret_only_without_identity(client, admin_user, opd_pu):
    make("Sampah menumpuk pasar", verify_by=admin_user, opds=[opd_pu])
    make("Pungli di kantor", secret=True, verify_by=admin_user, opds=[opd_pu])
    make("Belum diverifikasi")
    make("Anonim parit mampet", anonymous=True, verify_by=admin_user, opds=[opd_pu])
    html = client.get("/publik/").content.decode()
    assert "Sampah menumpuk pasar" in html and "Anonim parit mampet" in html
    assert "Pungli" not in html and "Belum diverifikasi" not in html
    assert "Rahmat" not in html and "081299990000" not in html and "@example.org" not in html


def test_secret_detail_is_404_and_public_detail_masks(client, admin_user, opd_pu):
    secret = make("Pungli di kantor", secret=True, verify_by=admin_user, opds=[opd_pu])
    public = make("Sampah menumpuk pasar", verify_by=admin_user, opds=[opd_pu])
    assert client.get(f"/publik/{secret.tracking_number}/").status_code == 404
    html = client.get(f"/publik/{public.tracking_number}/").content.decode()
    assert "Sampah menumpuk pasar" in html and opd_pu.name in html
    assert "Rahmat" not in html and "example.org" not in html


def test_search_and_filters(client, admin_user, opd_pu, category_jalan):
    a = make("Jalan berlubang Jl. Merdeka", verify_by=admin_user, opds=[opd_pu])
    Complaint.objects.filter(pk=a.pk).update(category=category_jalan)
    make("Lampu taman mati", verify_by=admin_user, opds=[opd_pu])
    html = client.get("/publik/", {"q": "lubang"}).content.decode()
    assert "Jalan berlubang" in html and "Lampu taman" not in html
    html = client.get("/publik/", {"category": category_jalan.parent_id}).content.decode()
    assert "Jalan berlubang" in html and "Lampu taman" not in html
    html = client.get("/publik/", {"status": "closed"}).content.decode()
    assert "Jalan berlubang" not in html


def test_attachments_public_only_after_review(client, admin_user, opd_pu, liaison_pu):
    complaint = make("Sampah menumpuk pasar", verify_by=admin_user, opds=[opd_pu])
    photo = attachment_create(complaint=complaint, content=photo_bytes(), filename="wajah.png", by="pelapor")
    assert client.get(f"/publik/berkas/{photo.pk}/").status_code == 404
    assert f"/publik/berkas/{photo.pk}/" not in client.get(f"/publik/{complaint.tracking_number}/").content.decode()
    photo.public_reviewed = True
    photo.save()
    assert client.get(f"/publik/berkas/{photo.pk}/").status_code == 200
    assert f"/publik/berkas/{photo.pk}/" in client.get(f"/publik/{complaint.tracking_number}/").content.decode()


def test_draft_followup_file_never_public(client, admin_user, opd_pu, operator_pu):
    complaint = make("Sampah menumpuk pasar", verify_by=admin_user, opds=[opd_pu])
    draft = followup_draft(disposition=complaint.dispositions.get(), by=operator_pu,
                           body="Draf jawaban: truk sampah dijadwalkan hari Kamis.")
    file = attachment_create(complaint=complaint, content=photo_bytes(), filename="bukti.png", by=operator_pu,
                             followup=draft)
    file.public_reviewed = True
    file.save()
    assert client.get(f"/publik/berkas/{file.pk}/").status_code == 404
    assert "Draf jawaban" not in client.get(f"/publik/{complaint.tracking_number}/").content.decode()


def test_figures_follow_the_one_definition(admin_user, opd_pu, opd_dlh, operator_pu):
    """aduan_publik.figures: rahasia counts (never listed), archived does not, times run from receipt."""
    a = make("Satu", verify_by=admin_user, opds=[opd_pu])
    make("Dua", verify_by=admin_user, opds=[opd_dlh], channel="manual")
    make("Rahasia", secret=True, verify_by=admin_user, opds=[opd_pu])
    make("Baru")
    spam = make("Spam")
    Complaint.objects.filter(pk=spam.pk).update(status="archived")
    disposition = a.dispositions.get()
    disposition_accept(disposition=disposition, by=operator_pu)
    # Make the response take exactly two hours, so the mean is known.
    Complaint.objects.filter(pk=a.pk).update(first_response_at=a.received_at + timedelta(hours=2))
    type(disposition).objects.filter(pk=disposition.pk).update(accepted_at=disposition.created_at + timedelta(hours=2))
    Complaint.objects.filter(pk=a.pk).update(status="closed", closed_at=timezone.now())
    figures_rebuild()  # the rows were changed behind the services' back (no audit event)
    figures = stats.public_figures()
    totals = figures["totals"]
    assert totals["total"] == 4 and totals["selesai"] == 1 and totals["waiting"] == 1 and totals["secret"] == 1
    assert totals["pct_selesai"] == Decimal("25.0")
    assert totals["avg_first_response"] == timedelta(hours=2)
    per_opd = {row["opd__name"]: row for row in figures["per_opd"]}
    assert per_opd[opd_pu.name]["total"] == 2  # the rahasia one counts in the figures
    assert per_opd[opd_pu.name]["avg_response"] == timedelta(hours=2)
    assert per_opd[opd_dlh.name]["avg_response"] is None
    per_channel = {row["channel"]: row for row in figures["per_channel"]}
    assert per_channel["web"]["total"] == 3 and per_channel["manual"]["total"] == 1


def test_figures_take_a_fixed_number_of_queries(admin_user, opd_pu):
    def count():
        figures_settle()  # the refresh jobs (on commit, which a test never reaches)
        with CaptureQueriesContext(connection) as ctx:
            stats.public_figures()
        return len(ctx.captured_queries)

    make("Satu", verify_by=admin_user, opds=[opd_pu])
    few = count()
    for n in range(5):
        make(f"Lagi {n}", verify_by=admin_user, opds=[opd_pu])
    assert count() == few


def test_statistics_and_home_pages_render(client, admin_user, opd_pu):
    make("Satu", verify_by=admin_user, opds=[opd_pu])
    html = client.get("/statistik/").content.decode()
    assert opd_pu.name in html and "Portal web" in html
    assert client.get("/").status_code == 200


def test_english_switch(client):
    assert "Buat aduan" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/aduan/baru/"})
    assert response.status_code == 302
    html = client.get("/aduan/baru/").content.decode()
    assert 'lang="en"' in html and "File a complaint" in html and "Send complaint" in html
    assert "Security question" in html


def test_public_list_query_count_does_not_grow(client, admin_user, opd_pu, category_jalan):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/publik/").status_code == 200
        return len(ctx.captured_queries)

    make("Satu", verify_by=admin_user, opds=[opd_pu])
    few = count()
    for n in range(6):
        c = make(f"Lagi {n}", verify_by=admin_user, opds=[opd_pu])
        Complaint.objects.filter(pk=c.pk).update(category=category_jalan)
    assert count() == few
