"""The broadcast document: maker-checker, audited transitions, edits, bad input refused before approval."""

from __future__ import annotations

import pytest
from bc_helpers import PNG, subscriber
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from fakes.graph_api import FakeGraphAPI

from aduan_publik.broadcasts import services
from aduan_publik.broadcasts.catalogue import render, templates_sync
from aduan_publik.broadcasts.models import Broadcast, Recipient, Template
from aduan_publik.models import Event
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def test_author_can_never_approve_their_own_broadcast(draft, admin_user):
    services.broadcast_submit(broadcast=draft, by=admin_user)
    with pytest.raises(PermissionDenied, match="sendiri"):
        services.broadcast_approve(broadcast=draft, by=admin_user)
    draft.refresh_from_db()
    assert draft.state == Broadcast.State.SUBMITTED and not Recipient.objects.exists()


def test_a_second_admin_or_a_leader_may_approve_opd_staff_may_not(draft, admin_user, liaison_pu, leader_user):
    services.broadcast_submit(broadcast=draft, by=admin_user)
    with pytest.raises(PermissionDenied):
        services.broadcast_approve(broadcast=draft, by=liaison_pu)
    approved = services.broadcast_approve(broadcast=draft, by=leader_user)
    assert approved.state == Broadcast.State.SCHEDULED and approved.approved_by == leader_user
    assert approved.audience_count == 5 == Recipient.objects.filter(broadcast=approved).count()


def test_approver_roles_are_a_site_setting(settings, draft, admin_user, leader_user):
    settings.ADUAN = {**settings.ADUAN, "broadcast": {**settings.ADUAN["broadcast"], "approver_roles": ["admin"]}}
    services.broadcast_submit(broadcast=draft, by=admin_user)
    with pytest.raises(PermissionDenied):
        services.broadcast_approve(broadcast=draft, by=leader_user)


def test_leader_cannot_draft(templates, leader_user):
    with pytest.raises(PermissionDenied):
        services.broadcast_save(by=leader_user, values={"title": "x", "topic": "agenda"})


def test_editing_after_approval_sends_it_back_to_draft_and_unfreezes_the_audience(approved, admin_user):
    assert Recipient.objects.filter(broadcast=approved).count() == 5
    services.broadcast_save(by=admin_user, broadcast=approved, values={"title": "Agenda (ralat)"})
    approved.refresh_from_db()
    assert approved.state == Broadcast.State.DRAFT and approved.audience_count is None
    assert not Recipient.objects.filter(broadcast=approved).exists()
    event = Event.objects.filter(verb="broadcast_draft").get()
    assert event.data["from"] == "scheduled" and event.data["broadcast"] == approved.pk


def test_audience_is_frozen_at_approval(approved):
    subscriber("6281299999999")  # subscribes after approval
    assert approved.audience_count == 5 == Recipient.objects.filter(broadcast=approved).count()


def test_only_approved_templates_can_be_chosen(templates, admin_user):
    b = services.broadcast_save(by=admin_user, values={"title": "x", "topic": "agenda",
                                                        "template": templates["draf_ditolak"], "variables": ["a"]})
    with pytest.raises(WorkflowError, match="belum disetujui"):
        services.broadcast_submit(broadcast=b, by=admin_user)


def test_missing_variables_are_named(templates, admin_user, residents):
    b = services.broadcast_save(by=admin_user, values={"title": "x", "topic": "agenda",
                                                        "template": templates["agenda_kota"], "variables": ["a"]})
    with pytest.raises(WorkflowError) as err:
        services.broadcast_submit(broadcast=b, by=admin_user)
    assert "{{2}}, {{3}}" in str(err.value)


def test_no_template_is_refused(wa, admin_user, residents):
    b = services.broadcast_save(by=admin_user, values={"title": "x", "topic": "agenda"})
    with pytest.raises(WorkflowError, match="Pilih templat"):
        services.broadcast_submit(broadcast=b, by=admin_user)


def test_empty_audience_is_refused_before_approval(templates, admin_user, residents):
    b = services.broadcast_save(by=admin_user, values={"title": "x", "topic": "darurat",
                                                        "template": templates["gangguan_layanan"],
                                                        "variables": ["air", "Pontianak Barat"]})
    with pytest.raises(WorkflowError, match="Tidak ada penerima"):
        services.broadcast_submit(broadcast=b, by=admin_user)
    assert Broadcast.objects.get().state == Broadcast.State.DRAFT


def test_unconfirmed_subscribers_are_not_in_the_audience(templates, admin_user):
    subscriber("6281200000001", confirmed=False)
    b = services.broadcast_save(by=admin_user, values={"title": "x", "topic": "agenda",
                                                        "template": templates["agenda_kota"],
                                                        "variables": ["a", "b", "c"]})
    with pytest.raises(WorkflowError, match="Tidak ada penerima"):
        services.broadcast_submit(broadcast=b, by=admin_user)


@pytest.mark.django_db(transaction=True)
def test_header_image_is_uploaded_at_approval_and_sent_by_id(templates, admin_user, leader_user, residents, wa):
    upload = SimpleUploadedFile("poster.png", PNG, content_type="image/png")
    b = services.broadcast_save(by=admin_user, media=upload, values={
        "title": "Poster", "topic": "agenda", "template": templates["poster_agenda"], "variables": ["HUT Kota"]})
    services.broadcast_submit(broadcast=b, by=admin_user)
    b = services.broadcast_approve(broadcast=b, by=leader_user)
    assert b.media_id.startswith("media.FAKE")
    from aduan_publik.broadcasts import jobs

    jobs.broadcast_tick()
    header = wa.accepted()[0]["template"]["components"][0]
    assert header == {"type": "header", "parameters": [{"type": "image", "image": {"id": b.media_id}}]}


def test_a_file_whatsapp_refuses_stops_the_approval_and_nothing_is_sent(templates, admin_user, leader_user,
                                                                        residents, wa):
    wa.upload_error = FakeGraphAPI.error(131053, message="Media upload error", details="file too large")
    upload = SimpleUploadedFile("poster.png", PNG, content_type="image/png")
    b = services.broadcast_save(by=admin_user, media=upload, values={
        "title": "Poster", "topic": "agenda", "template": templates["poster_agenda"], "variables": ["HUT"]})
    services.broadcast_submit(broadcast=b, by=admin_user)
    with pytest.raises(WorkflowError, match="WhatsApp menolak berkas kepala"):
        services.broadcast_approve(broadcast=b, by=leader_user)
    b.refresh_from_db()
    assert b.state == Broadcast.State.SUBMITTED and not Recipient.objects.exists() and not wa.sends()


def test_a_pdf_for_an_image_header_is_refused(templates, admin_user, residents):
    from bc_helpers import PDF

    upload = SimpleUploadedFile("poster.pdf", PDF, content_type="application/pdf")
    b = services.broadcast_save(by=admin_user, media=upload, values={
        "title": "Poster", "topic": "agenda", "template": templates["poster_agenda"], "variables": ["HUT"]})
    with pytest.raises(WorkflowError, match="tidak menerima berkas application/pdf"):
        services.broadcast_submit(broadcast=b, by=admin_user)


def test_templates_sync_reads_every_page_and_keeps_categories(templates, wa):
    assert set(templates) == {"agenda_kota", "gangguan_layanan", "poster_agenda", "draf_ditolak",
                              "konfirmasi_langganan"}
    assert templates["agenda_kota"].variables == 3 and templates["agenda_kota"].category == "MARKETING"
    assert templates["poster_agenda"].header_format == "IMAGE"
    wa.templates = wa.templates[:1]
    templates_sync()
    assert Template.objects.get(name="gangguan_layanan").status == "DELETED"


def test_preview_renders_as_the_resident_reads_it(templates):
    t = templates["agenda_kota"]
    assert render(t, ["CFD", "Minggu", "{nama}"]) == "Agenda CFD: Minggu. Salam, {nama}"

    class Row:
        name, area_name = "Budi", "Pontianak Barat"

    assert render(t, ["CFD", "Minggu", "{nama}"], Row()) == "Agenda CFD: Minggu. Salam, Budi"


@pytest.mark.django_db(transaction=True)
def test_completed_broadcasts_are_published_on_the_informasi_page_and_feed(approved, client, wa):
    from aduan_publik.broadcasts import jobs

    assert "Car Free Day" not in client.get("/informasi/").content.decode()  # not sent yet
    jobs.broadcast_tick()
    page = client.get("/informasi/").content.decode()
    assert "Agenda Car Free Day: Minggu pagi di Jl. Sudirman. Salam, Bapak/Ibu" in page
    feed = client.get("/informasi/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "<title>Agenda Car Free Day</title>" in body and f"/informasi/{approved.pk}/" in body
    detail = client.get(f"/informasi/{approved.pk}/")
    assert detail.status_code == 200 and "Salam, Bapak/Ibu" in detail.content.decode()


def test_drafts_are_not_published(draft, client):
    assert client.get(f"/informasi/{draft.pk}/").status_code == 404
