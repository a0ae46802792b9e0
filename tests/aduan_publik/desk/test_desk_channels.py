"""The Channel documents in the desk: admins only, schema fields, secrets never shown back, check button."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from aduan_publik.channels.registry import get_channel
from aduan_publik.models import ChannelInstance, Event
from aduan_publik.services.channel_instances import channel_instance_save

pytestmark = pytest.mark.django_db
URL = "/desk/aduan_publik/channelinstance/"
TOKEN = "EAAG-access-token-that-must-never-show-1234"
FORM = {"channel": "whatsapp", "key": "dinkes", "name": "WA Dinkes", "enabled": "on",
        "setting__phone_number_id": "207650463353033", "setting__access_token": TOKEN,
        "setting__app_secret": "app-secret-5678", "setting__verify_token": "verify-9999"}


def _document() -> ChannelInstance:
    values = {k.removeprefix("setting__"): v for k, v in FORM.items() if k.startswith("setting__")}
    return channel_instance_save(instance=None, by=None, channel="whatsapp", key="dinkes", name="WA Dinkes",
                                 enabled=True, is_default=False, values=values)


def test_only_admins_see_the_channel_documents(admin_client_, leader_client, liaison_pu_client):
    _document()
    assert admin_client_.get(URL).status_code == 200
    assert leader_client.get(URL).status_code == 403
    assert liaison_pu_client.get(URL).status_code == 403
    assert leader_client.post(f"{URL}add/?channel=whatsapp", FORM).status_code == 403
    assert ChannelInstance.objects.count() == 1


def test_admin_adds_an_instance_with_the_plugins_schema_fields(admin_client_, admin_user):
    page = admin_client_.get(f"{URL}add/", {"channel": "whatsapp"}).content.decode()
    assert 'name="setting__access_token"' in page and 'type="password"' in page
    response = admin_client_.post(f"{URL}add/?channel=whatsapp", FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    config = get_channel("whatsapp", instance="dinkes").config()
    assert config["access_token"] == TOKEN and config["phone_number_id"] == "207650463353033"
    assert Event.objects.get(verb="channel_created").actor == admin_user


def test_a_missing_required_setting_is_a_form_error_and_nothing_is_saved(admin_client_):
    response = admin_client_.post(f"{URL}add/?channel=whatsapp", {**FORM, "setting__app_secret": ""})
    assert response.status_code == 200
    assert "Pengaturan wajib belum diisi" in response.content.decode()
    assert not ChannelInstance.objects.exists()


def test_secrets_are_masked_and_kept_when_left_empty(admin_client_):
    row = _document()
    page = admin_client_.get(f"{URL}{row.pk}/change/").content.decode()
    assert TOKEN not in page and "app-secret-5678" not in page
    assert "••••1234" in page  # the last four characters, no more
    assert "/channels/whatsapp/dinkes/webhook" in page
    changed = {**FORM, "setting__access_token": "", "setting__app_secret": "", "setting__verify_token": "",
               "name": "WA Dinas Kesehatan"}
    changed.pop("channel")  # disabled on change: the type of an instance is fixed
    response = admin_client_.post(f"{URL}{row.pk}/change/", changed)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.name == "WA Dinas Kesehatan"
    assert get_channel("whatsapp", instance="dinkes").config()["access_token"] == TOKEN


def test_check_connection_action_reports_the_failure(admin_client_):
    row = _document()  # points at the real Graph API address but no site has this number: it must not pass
    row.settings = {**row.settings, "graph_base_url": "http://127.0.0.1:9"}  # nothing listens there
    row.save(update_fields=["settings"])
    response = admin_client_.post(URL, {"action": "check_connection", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.check_ok is False and "tidak terjangkau" in row.check_detail
    assert any("dilewati" in str(m) for m in get_messages(response.wsgi_request))
    assert Event.objects.filter(verb="channel_checked").exists()


def test_instances_cannot_be_deleted_only_disabled(admin_client_):
    row = _document()
    assert admin_client_.get(f"{URL}{row.pk}/delete/").status_code == 403
