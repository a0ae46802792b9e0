"""Who reaches the desk and what each role sees: other OPDs' complaints, masking, read-only roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Complaint, Disposition, Event
from aduan_publik.sealed import unseal
from aduan_publik.services.dispositions import followup_draft
from tests.aduan_publik.desk.desk_helpers import LIST_URL, PNG, action_url, change_url, client_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_gets_the_login_page(client, disposed):
    for url in (LIST_URL, change_url(disposed), action_url(disposed, "verify"), "/desk/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/desk/login/")


def test_integrator_and_roleless_staff_never_reach_the_desk(integrator_user, disposed, django_user_model):
    roleless = django_user_model.objects.create_user("tanpa_peran", password="x", is_staff=True)
    for user in (integrator_user, roleless):
        client = client_for(user)
        for url in (LIST_URL, change_url(disposed), "/desk/"):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/desk/login/")
        assert b"Budi" not in client.get(LIST_URL, follow=True).content


def test_other_opd_gets_404_for_page_actions_and_files(disposed, liaison_pu, liaison_dlh_client):
    disposition = disposed.dispositions.get()
    followup = followup_draft(disposition=disposition, by=liaison_pu, body="x" * 40,
                              files=[SimpleUploadedFile("bukti.png", PNG, content_type="image/png")])
    attachment = followup.attachments.get()
    events_before = Event.objects.count()

    assert liaison_dlh_client.get(change_url(disposed)).status_code == 404
    for slug in ("accept", "return", "followup", "verify"):
        assert liaison_dlh_client.get(action_url(disposed, slug)).status_code == 404
        posted = liaison_dlh_client.post(action_url(disposed, slug), {"reason": "bukan kami sama sekali"})
        assert posted.status_code == 404
    assert liaison_dlh_client.get(f"/files/{attachment.pk}/").status_code == 404
    listing = liaison_dlh_client.get(LIST_URL)
    assert disposed.tracking_number not in listing.content.decode()

    disposition.refresh_from_db()
    assert disposition.state == Disposition.State.PENDING
    assert Event.objects.count() == events_before


def test_own_opd_reads_its_complaint_and_file(disposed, liaison_pu, liaison_pu_client):
    disposition = disposed.dispositions.get()
    followup = followup_draft(disposition=disposition, by=liaison_pu, body="x" * 40,
                              files=[SimpleUploadedFile("bukti.png", PNG, content_type="image/png")])
    page = liaison_pu_client.get(change_url(disposed))
    assert page.status_code == 200
    attachment = followup.attachments.get()
    assert f"/files/{attachment.pk}/" in page.content.decode()
    assert liaison_pu_client.get(f"/files/{attachment.pk}/").status_code == 200


def test_anonim_identity_masked_for_opd_on_list_and_page(disposed, liaison_pu_client, admin_client_):
    Complaint.objects.filter(pk=disposed.pk).update(is_anonymous=True)
    for response in (liaison_pu_client.get(LIST_URL), liaison_pu_client.get(change_url(disposed))):
        body = response.content.decode()
        assert response.status_code == 200
        assert "Budi Santoso" not in body
        assert "081234567890" not in body
        assert "warga@example.org" not in body
        assert "Anonim" in body
    # Admins still see who it is (they verify and can contact the reporter).
    assert "Budi Santoso" in admin_client_.get(change_url(disposed)).content.decode()


def test_opd_cannot_find_an_anonim_reporter_by_searching_the_name(disposed, liaison_pu_client):
    Complaint.objects.filter(pk=disposed.pk).update(is_anonymous=True)
    found = liaison_pu_client.get(LIST_URL, {"q": "Budi"}).content.decode()
    assert disposed.tracking_number not in found
    assert disposed.tracking_number in liaison_pu_client.get(LIST_URL, {"q": "berlubang"}).content.decode()


def test_identity_shown_to_opd_when_not_anonim(disposed, liaison_pu_client):
    assert "Budi Santoso" in liaison_pu_client.get(change_url(disposed)).content.decode()


def test_leader_reads_everything_but_changes_nothing(disposed, leader_client):
    page = leader_client.get(change_url(disposed))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # read-only view
    response = leader_client.post(change_url(disposed), {"title": "diubah pimpinan"})
    assert response.status_code == 403
    disposed.refresh_from_db()
    assert disposed.title == "Jalan berlubang di Jl. Merdeka"
    assert leader_client.get(action_url(disposed, "archive")).status_code == 302  # no such button for leaders


def test_opd_users_land_on_their_queue_admins_on_the_dashboard(liaison_pu_client, opd_pu, admin_client_):
    response = liaison_pu_client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?antrean={opd_pu.pk}"
    dashboard = admin_client_.get("/desk/")
    assert dashboard.status_code == 200
    assert 'id="desk-dashboard"' in dashboard.content.decode()


def test_login_form_redirects_opd_user_to_queue_and_records_the_login(client, liaison_pu, opd_pu):
    response = client.post("/desk/login/?next=/desk/", {"username": "penghubung_pu", "password": "rahasia-123",
                                                       "next": "/desk/"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST_URL}?antrean={opd_pu.pk}"
    assert Event.objects.filter(verb="login", actor=liaison_pu).count() == 1


def test_audit_trail_is_read_only_for_everyone(admin_client_, disposed):
    event = Event.objects.filter(complaint=disposed).first()
    assert admin_client_.get("/desk/aduan_publik/event/add/").status_code == 403
    assert admin_client_.post(f"/desk/aduan_publik/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_.get(f"/desk/aduan_publik/event/{event.pk}/change/").status_code == 200
    assert Event.objects.filter(pk=event.pk).exists()


def test_opd_user_cannot_manage_users_or_organisation(liaison_pu_client):
    for url in ("/desk/auth/user/", "/desk/aduan_publik/opd/", "/desk/aduan_publik/inboundevent/"):
        assert liaison_pu_client.get(url).status_code == 403, url


def test_reporter_access_code_never_shown_in_the_timeline(admin_client_, contact):
    from aduan_publik.services.complaints import complaint_create

    created, code = complaint_create(channel="web", title="Lampu mati", description="Gelap.", contact=contact)
    assert code in unseal(created.messages.get().body)  # the acknowledgement carries it (sealed at rest)
    page = admin_client_.get(change_url(created)).content.decode()
    assert code not in page
    assert created.tracking_number in page


def test_queue_note_explains_the_filtered_list(liaison_pu_client, opd_pu):
    assert 'id="desk-queue-note"' in liaison_pu_client.get(LIST_URL, {"antrean": opd_pu.pk}).content.decode()
    assert 'id="desk-queue-note"' not in liaison_pu_client.get(LIST_URL).content.decode()
