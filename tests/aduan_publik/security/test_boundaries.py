"""Writes, files, the portal and escaping, probed as an outsider would."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from aduan_publik.access import hash_access_code
from aduan_publik.models import Attachment, Complaint, Contact, Disposition, Event
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.outbound import complaint_reply
from tests.aduan_publik.desk.desk_helpers import LIST_URL, PNG, action_url, change_url, client_for
from tests.aduan_publik.security.conftest import ANON

XSS = "<script>alert(1)</script>"
TEMPLATES = Path(__file__).resolve().parents[3] / "apps" / "aduan_publik" / "aduan_publik"


@pytest.mark.django_db
def test_other_opd_writes_and_files_answer_404_and_change_nothing(anon_pu, named_dlh, operator_pu):
    item = attachment_create(complaint=named_dlh, content=PNG, filename="foto.png")
    client = client_for(operator_pu)
    events, states = Event.objects.count(), list(Disposition.objects.values_list("state", flat=True))
    for slug in ("accept", "return", "draft_followup", "verify", "archive"):
        assert client.post(action_url(named_dlh, slug), {"reason": "x", "body": "x"}).status_code == 404
    assert client.post(change_url(named_dlh), {"title": "diubah"}).status_code in (403, 404)
    assert client.post(change_url(anon_pu), {"title": "diubah"}).status_code == 403  # own OPD: read only
    assert client.get(f"/files/{item.pk}/").status_code == 404
    named_dlh.refresh_from_db()
    anon_pu.refresh_from_db()
    assert (named_dlh.title, anon_pu.title) == ("Sampah menumpuk di pasar", "Jalan berlubang di Jl. Merdeka")
    assert Event.objects.count() == events
    assert list(Disposition.objects.values_list("state", flat=True)) == states


@pytest.mark.django_db
def test_file_views_send_nosniff_and_never_inline_html(anon_pu, admin_user):
    png = attachment_create(complaint=anon_pu, content=PNG, filename="foto.png")
    response = client_for(admin_user).get(f"/files/{png.pk}/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    # A row typed text/html (never accepted at upload, but e.g. left by an older import) must not render.
    html = Attachment.objects.create(complaint=anon_pu, file=ContentFile(b"<script>alert(1)</script>", "x.html"),
                                     original_name="x.html", content_type="text/html", size=25, sha256="0")
    response = client_for(admin_user).get(f"/files/{html.pk}/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not (response["Content-Type"].startswith("text/html")
                and not response.get("Content-Disposition", "").startswith("attachment"))


@pytest.mark.django_db
def test_portal_hides_rahasia_complaints_and_every_name(anon_pu, named_dlh, admin_user):
    named_dlh.is_secret = True
    named_dlh.save(update_fields=["is_secret"])
    public = Client()
    pages = {url: public.get(url).content.decode() for url in (
        "/", "/publik/", f"/publik/?q={named_dlh.title}", f"/publik/?q={named_dlh.tracking_number}",
        f"/publik/{anon_pu.tracking_number}/", "/statistik/")}
    assert f"/publik/{anon_pu.tracking_number}/" in pages["/publik/"]  # the crawl reaches the public list
    for url, page in pages.items():
        assert f"/publik/{named_dlh.tracking_number}/" not in page, url  # no row links to the rahasia one
        for secret in (ANON["name"], ANON["phone"], ANON["email"], "Siti Rahayu"):
            assert secret not in page, url
        if "?q=" not in url:  # a search box echoes what was typed
            assert named_dlh.tracking_number not in page and named_dlh.title not in page, url
    assert public.get(f"/publik/{named_dlh.tracking_number}/").status_code == 404
    tracking = public.get(f"/lacak/{anon_pu.tracking_number}/", follow=True).content.decode()
    assert anon_pu.title not in tracking and ANON["name"] not in tracking
    Complaint.objects.filter(pk=anon_pu.pk).update(access_code_hash=hash_access_code("BENARKODE2"))
    wrong = public.post("/lacak/", {"tracking_number": anon_pu.tracking_number, "code": "SALAHKODE1"},
                        follow=True).content.decode()
    assert anon_pu.title not in wrong
    right = public.post("/lacak/", {"tracking_number": anon_pu.tracking_number, "code": "BENARKODE2"},
                        follow=True).content.decode()
    assert anon_pu.title in right  # the same request with the right code does open it


@pytest.mark.django_db
def test_xss_payloads_render_escaped_in_desk_and_portal(admin_user, opd_pu, category_jalan, operator_pu):
    contact = Contact.objects.create(channel="web", address="x@example.org", name=f"Budi {XSS}", phone="0811")
    complaint, _code = complaint_create(channel="web", title=f"Jalan {XSS}", description=f"Rusak {XSS}",
                                        contact=contact, category=category_jalan)
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    complaint_reply(complaint=complaint, by=admin_user, body=f"Balasan {XSS}")
    pages = {
        "desk list": client_for(admin_user).get(LIST_URL),
        "desk page": client_for(admin_user).get(change_url(complaint)),
        "desk page (OPD)": client_for(operator_pu).get(change_url(complaint)),
        "portal list": Client().get("/publik/"),
        "portal page": Client().get(f"/publik/{complaint.tracking_number}/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode()
        assert XSS not in text, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, name  # the text is there, escaped


def test_templates_never_mark_user_text_safe():
    offenders = [str(p) for p in TEMPLATES.rglob("*.html")
                 if "|safe" in p.read_text() or "autoescape off" in p.read_text()]
    assert offenders == []


@pytest.mark.django_db
def test_csv_export_masks_anonim_for_the_opd_and_leaves_out_other_opds(anon_pu, named_dlh, operator_pu):
    response = client_for(operator_pu).get("/export/aduan.csv")
    text = b"".join(response.streaming_content).decode()
    assert anon_pu.tracking_number in text and "Anonim" in text
    for secret in (ANON["name"], ANON["phone"], ANON["email"], named_dlh.tracking_number, "Siti Rahayu"):
        assert secret not in text


@pytest.mark.django_db
def test_leader_reads_but_changes_nothing(anon_pu, leader_user, opd_dlh):
    client = client_for(leader_user)
    events = Event.objects.count()
    assert ANON["name"] in client.get(change_url(anon_pu)).content.decode()  # leaders may see who reported
    assert client.post(change_url(anon_pu), {"title": "diubah"}).status_code == 403
    client.post(action_url(anon_pu, "reply"), {"body": "halo"})
    client.post(action_url(anon_pu, "archive"), {"reason": "spam", "note": "x"})
    anon_pu.refresh_from_db()
    assert anon_pu.title == "Jalan berlubang di Jl. Merdeka" and anon_pu.status == "disposed"
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_portal_files_need_review_or_the_reporters_own_code(anon_pu, named_dlh, admin_user):
    own = attachment_create(complaint=anon_pu, content=PNG, filename="foto.png")
    other = attachment_create(complaint=named_dlh, content=PNG, filename="foto.png")
    resident = Client()
    assert resident.get(f"/publik/berkas/{own.pk}/").status_code == 404  # not reviewed yet
    Complaint.objects.filter(pk=anon_pu.pk).update(access_code_hash=hash_access_code("BENARKODE2"))
    resident.post("/lacak/", {"tracking_number": anon_pu.tracking_number, "code": "BENARKODE2"})
    assert resident.get(f"/lacak/berkas/{own.pk}/").status_code == 200
    assert resident.get(f"/lacak/berkas/{other.pk}/").status_code == 404  # someone else's complaint
    assert Client().get(f"/lacak/berkas/{own.pk}/").status_code == 404  # no code, no file
