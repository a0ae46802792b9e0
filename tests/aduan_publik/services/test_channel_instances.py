"""Channel documents: schema-validated settings, secrets encrypted at rest, audit, key rotation, import."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from aduan_publik import sites
from aduan_publik.channels import secrets, site_import
from aduan_publik.channels.base import Setting
from aduan_publik.channels.registry import get_channel
from aduan_publik.models import ChannelInstance, Event
from aduan_publik.services.channel_instances import channel_instance_save, channel_keys_rotate
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db
TOKEN = "EAAG-very-secret-access-token-0001"
WA = {"phone_number_id": "106540352242922", "access_token": TOKEN, "app_secret": "app-secret-0001",
      "verify_token": "verify-0001"}


def save(instance=None, *, key="utama", enabled=True, default=True, values=None, by=None):
    return channel_instance_save(instance=instance, by=by, channel="whatsapp", key=key, name="WhatsApp Pemkot",
                                 enabled=enabled, is_default=default, values=WA if values is None else values)


def _raw_secrets(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets, settings FROM aduan_publik_channelinstance WHERE id = %s", [pk])
        return " ".join(str(v) for v in cursor.fetchone())


def test_secrets_are_encrypted_at_rest_and_config_returns_them_decrypted(admin_user):
    row = save(by=admin_user)
    stored = _raw_secrets(row.pk)
    assert TOKEN not in stored and "app-secret-0001" not in stored and "106540352242922" in stored
    assert get_channel("whatsapp").config() == WA  # the default instance
    assert get_channel("whatsapp", instance="utama").config()["access_token"] == TOKEN
    event = Event.objects.get(verb="channel_created")
    assert event.actor == admin_user and "access_token" in event.data["changed"]
    assert TOKEN not in json.dumps(event.data) + event.summary  # names what changed, never a value


def test_an_empty_secret_keeps_the_stored_one(settings):
    row = save()
    save(row, values={**WA, "access_token": "", "phone_number_id": "999"})
    config = get_channel("whatsapp").config()
    assert config["access_token"] == TOKEN and config["phone_number_id"] == "999"
    assert Event.objects.filter(verb="channel_changed").get().data["changed"] == ["phone_number_id"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"values": {**WA, "app_secret": ""}}, "wajib belum diisi: App secret"),
    ({"key": "Utama!"}, "huruf kecil"),
])
def test_bad_input_is_refused_and_nothing_is_saved(kwargs, message):
    with pytest.raises(WorkflowError, match=message):
        save(**kwargs)
    assert not ChannelInstance.objects.exists() and not Event.objects.exists()


def test_a_disabled_draft_may_lack_required_settings_and_is_not_configured():
    save(enabled=False, values={"phone_number_id": "1"})
    channel = get_channel("whatsapp")
    assert channel.config() == {"phone_number_id": "1"} and channel.is_configured() is False


def test_one_default_per_type_and_keys_unique_per_type():
    save()
    with pytest.raises(WorkflowError, match="bawaan"):
        save(key="kedua")
    with pytest.raises(WorkflowError, match="sudah dipakai"):
        save(default=False)
    assert ChannelInstance.objects.count() == 1


def test_an_uninstalled_type_is_refused():
    from aduan_publik.testing.entry_points import unused_channel_name

    with pytest.raises(WorkflowError, match="tidak terpasang"):
        channel_instance_save(instance=None, by=None, channel=unused_channel_name(), key="a", name="x",
                              enabled=False, is_default=False, values={})


def test_site_config_is_the_fallback_until_a_document_exists(settings):
    settings.ADUAN = {**settings.ADUAN, "channels": {"whatsapp": {"phone_number_id": "from-site-config"}}}
    assert get_channel("whatsapp").config() == {"phone_number_id": "from-site-config"}
    assert get_channel("whatsapp", instance="lain").config() == {}  # a named instance the site lacks
    save()
    assert get_channel("whatsapp").config()["phone_number_id"] == "106540352242922"


def test_schema_is_derived_from_required_settings_for_older_plugins():
    from aduan_publik.channels.base import Channel

    class Old(Channel):
        name = "old"
        required_settings = ("gateway_url", "api_key")

    assert Old.setting_schema() == (Setting("gateway_url", "gateway_url"), Setting("api_key", "api_key", secret=True))


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_no_longer_opens_it(settings):
    old = secrets.site_keys()
    row = save()
    new = secrets.new_key()
    assert channel_keys_rotate(keys=[new, *old]) == 1
    token = ChannelInstance.objects.get(pk=row.pk).secrets
    assert secrets.decrypt(token, [new])["access_token"] == TOKEN
    with pytest.raises(secrets.SecretsUnreadable):
        secrets.decrypt(token, old)


def test_rotate_command_writes_the_site_config_and_keeps_secrets_readable(settings, tmp_path):
    first = secrets.new_key()
    (tmp_path / "site_config.json").write_text(json.dumps({"secret_key": "x", "channel_keys": [first]}))
    settings.SITE_DIR = tmp_path
    settings.ADUAN = {**settings.ADUAN, "channel_keys": [first]}
    row = save()
    call_command("rotate_channel_key")
    keys = json.loads((tmp_path / "site_config.json").read_text())["channel_keys"]
    assert len(keys) == 1 and keys[0] != first
    assert secrets.decrypt(ChannelInstance.objects.get(pk=row.pk).secrets, keys)["access_token"] == TOKEN
    assert get_channel("whatsapp").config()["access_token"] == TOKEN  # this process uses the new ring


def test_secrets_under_a_lost_key_are_reported_not_guessed(settings):
    row = save()
    settings.ADUAN = {**settings.ADUAN, "channel_keys": [secrets.new_key()]}
    from aduan_publik.selectors.channel_instances import forget, instance_get

    forget()
    found = instance_get("whatsapp", "utama")
    assert found is not None and "channel_keys" in found.problem and "access_token" not in found.config
    with pytest.raises(WorkflowError, match="channel_keys"):
        save(row)


def test_new_sites_get_a_valid_fernet_key(tmp_path):
    config = json.loads((sites.create_site(tmp_path, "kota") / "site_config.json").read_text())
    [key] = config["channel_keys"]
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"ok")) == b"ok"


def test_site_config_channels_become_default_documents_on_import(settings):
    settings.ADUAN = {**settings.ADUAN, "channels": {"whatsapp": {**WA, "graph_version": "v23.0"}, "web": {}}}
    [row] = site_import.site_config_documents()
    assert row["channel"] == "whatsapp" and row["key"] == "utama" and row["is_default"]
    assert row["settings"] == {"phone_number_id": WA["phone_number_id"], "graph_version": "v23.0"}
    assert secrets.decrypt(row["secrets"]) == {k: WA[k] for k in ("access_token", "app_secret", "verify_token")}


def test_the_migration_imports_site_config_channels_once(settings):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("aduan_publik.migrations.0007_chandoc_channel_instances")
    settings.ADUAN = {**settings.ADUAN, "channels": {"whatsapp": WA}}
    migration.import_site_channels(apps, None)
    migration.import_site_channels(apps, None)  # migrating again adds nothing
    row = ChannelInstance.objects.get()
    assert (row.channel, row.key, row.is_default, row.enabled) == ("whatsapp", "utama", True, True)
    assert TOKEN not in _raw_secrets(row.pk)
    assert get_channel("whatsapp", instance="utama").config() == WA


def test_system_check_reports_secrets_the_site_cannot_open(settings):
    from aduan_publik.checks import channel_documents_usable
    from aduan_publik.selectors.channel_instances import forget

    save()
    assert channel_documents_usable(None) == []
    settings.ADUAN = {**settings.ADUAN, "channel_keys": [secrets.new_key()]}
    forget()
    [warning] = channel_documents_usable(None)
    assert warning.id == "aduan_publik.W002" and "whatsapp/utama" in warning.msg
