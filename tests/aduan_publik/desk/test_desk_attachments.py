"""Attachment review in the desk: only admins decide what the public may see, and it is audited."""

from __future__ import annotations

import pytest

from aduan_publik.models import Attachment, Event
from aduan_publik.services.attachments import attachment_create
from tests.aduan_publik.desk.desk_helpers import PNG

pytestmark = pytest.mark.django_db
LIST = "/desk/aduan_publik/attachment/"


@pytest.fixture
def photo(complaint):
    return attachment_create(complaint=complaint, content=PNG, filename="lubang.png")


def test_admin_makes_a_photo_public_and_it_is_audited(admin_client_, photo):
    response = admin_client_.post(LIST, {"action": "make_public", "_selected_action": [photo.pk]}, follow=True)
    assert response.status_code == 200
    photo.refresh_from_db()
    assert photo.public_reviewed is True
    event = Event.objects.get(verb="attachment_reviewed")
    assert event.complaint_id == photo.complaint_id and event.actor.username == "admin1"

    admin_client_.post(LIST, {"action": "make_private", "_selected_action": [photo.pk]})
    photo.refresh_from_db()
    assert photo.public_reviewed is False and Event.objects.filter(verb="attachment_reviewed").count() == 2


def test_opd_and_leader_cannot_publish(liaison_pu_client, leader_client, photo, admin_user, opd_pu):
    from aduan_publik.services.complaints import complaint_verify

    complaint_verify(complaint=photo.complaint, by=admin_user, opds=[opd_pu])
    for client in (liaison_pu_client, leader_client):
        page = client.get(LIST)
        assert page.status_code == 200 and "lubang.png" in page.content.decode()
        client.post(LIST, {"action": "make_public", "_selected_action": [photo.pk]})
    assert Attachment.objects.get(pk=photo.pk).public_reviewed is False
    assert not Event.objects.filter(verb="attachment_reviewed").exists()


def test_other_opd_does_not_see_the_file(liaison_dlh_client, photo):
    assert "lubang.png" not in liaison_dlh_client.get(LIST).content.decode()
    assert liaison_dlh_client.get(f"/files/{photo.pk}/").status_code == 404
