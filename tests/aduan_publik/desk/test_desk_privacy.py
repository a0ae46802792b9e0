"""The desk's personal-data page (issue 14 point 7): admins export and erase, nobody else sees it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from aduan_publik.models import Contact, Event

pytestmark = pytest.mark.django_db

LIST = "/desk/aduan_publik/contact/"


def _erase_url(contact) -> str:
    return reverse("admin:aduan_publik_contact_erase_identity", args=[contact.pk])


def test_only_admins_reach_the_contacts(complaint, contact, leader_client, liaison_pu_client, admin_client_):
    for client in (leader_client, liaison_pu_client):
        assert client.get(LIST).status_code == 403
        assert client.get(_erase_url(contact)).status_code in (302, 403)
        client.post(_erase_url(contact), {"reason": "coba"})
    contact.refresh_from_db()
    assert contact.erased_at is None and contact.name == "Budi Santoso"
    page = admin_client_.get(LIST, {"q": "Budi"})
    assert page.status_code == 200 and "Budi Santoso" in page.content.decode()


def test_admin_downloads_one_contact_as_json_and_several_as_zip(complaint, contact, admin_client_, admin_user):
    one = admin_client_.post(LIST, {"action": "download_personal_data", "_selected_action": [contact.pk]})
    assert one["Content-Type"].startswith("application/json")
    assert json.loads(one.content)["complaints"][0]["tracking_number"] == complaint.tracking_number
    other = Contact.objects.create(channel="web", address="siti@example.org", name="Siti")
    many = admin_client_.post(LIST, {"action": "download_personal_data", "_selected_action": [contact.pk, other.pk]})
    with zipfile.ZipFile(io.BytesIO(many.content)) as archive:
        assert sorted(archive.namelist()) == [f"kontak-{contact.pk}.json", f"kontak-{other.pk}.json"]
        assert json.loads(archive.read(f"kontak-{other.pk}.json"))["contact"]["name"] == "Siti"
    assert Event.objects.filter(verb="pdp_exported", actor=admin_user).count() == 3


def test_admin_erases_with_a_reason_and_without_one_nothing_changes(complaint, contact, admin_client_):
    form = admin_client_.get(_erase_url(contact))
    assert form.status_code == 200 and "Alasan" in form.content.decode()
    refused = admin_client_.post(_erase_url(contact), {"reason": ""})
    assert refused.status_code == 200
    contact.refresh_from_db()
    assert contact.erased_at is None

    done = admin_client_.post(_erase_url(contact), {"reason": "Surat 7/PDP"})

    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.name == "" and contact.phone == ""
    assert complaint.events.filter(verb="pdp_erased", data__reason="Surat 7/PDP").count() == 1
