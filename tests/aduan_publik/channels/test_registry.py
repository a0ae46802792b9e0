"""The channel registry: entry points only, broken plugins skipped, and the generic webhook."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import pytest

from aduan_publik.channels import registry
from aduan_publik.channels.registry import UnknownChannel, get_channel
from aduan_publik.models import Complaint, InboundEvent, Message
from aduan_publik.testing import fake_channel as fake
from aduan_publik.testing.entry_points import installed_channels, lookalike_channels_installed, unused_channel_name

GOOD_TEMPLATE = '''
"""A plugin that exists only in this test."""
from aduan_publik.channels.base import Channel


class SmsChannel(Channel):
    """SMS gateway (test)."""
    name = "%s"
    label = "SMS"
'''
GOOD_PLUGIN = GOOD_TEMPLATE % "sms"
BROKEN_PLUGINS = {
    "plugin_import_error": "import this_module_does_not_exist_anywhere\n",
    "plugin_not_a_channel": "class NotAChannel:\n    name = 'notachannel'\n",
    "plugin_wrong_name": GOOD_PLUGIN,
}


@pytest.fixture(autouse=True)
def _fresh_registry():
    registry.reset_cache()
    yield
    registry.reset_cache()


@pytest.fixture(params=["bare", "lookalikes"])
def bench_plugins(request, tmp_path):
    """Run a test on a bare bench and on one with plausible plugins (telegram, sms, …) installed."""
    if request.param == "bare":
        yield
    else:
        with lookalike_channels_installed(tmp_path / "lookalikes"):
            yield


def test_builtins_come_from_entry_points(monkeypatch):
    declared = {ep.name: ep.value for ep in entry_points(group=registry.ENTRY_POINT_GROUP)}
    assert declared["web"] == "aduan_publik.channels.web:WebChannel"
    assert declared["manual"] == "aduan_publik.channels.manual:ManualChannel"
    assert {"web", "manual"} <= set(registry.all_channels())
    # Without the entry points the registry knows nothing, although the modules are importable.
    monkeypatch.setattr(registry, "entry_points", lambda group: [])
    registry.reset_cache()
    with pytest.raises(UnknownChannel):
        get_channel("web")


def test_plugin_from_a_real_distribution_appears(tmp_path, bench_plugins):
    name = unused_channel_name("sms_uji")
    with pytest.raises(UnknownChannel):
        get_channel(name)
    with installed_channels(tmp_path, {name: "plugin_sms:SmsChannel"}, modules={"plugin_sms": GOOD_TEMPLATE % name}):
        channel = get_channel(name)
        assert type(channel).__name__ == "SmsChannel" and channel.label == "SMS"
        assert (name, "SMS") in registry.channel_choices()
        assert {"manual", name, "web"} <= set(registry.all_channels())
    with pytest.raises(UnknownChannel):  # gone again once the distribution is
        get_channel(name)


def test_broken_plugins_are_skipped_with_a_logged_error(tmp_path, caplog):
    points = {"importerror": "plugin_import_error:Channel", "notachannel": "plugin_not_a_channel:NotAChannel",
              "wrongname": "plugin_wrong_name:SmsChannel"}
    with caplog.at_level(logging.ERROR, logger="aduan_publik.channels.registry"), \
            installed_channels(tmp_path, points, modules=BROKEN_PLUGINS):
        loaded = set(registry.all_channels())
        for name in points:
            with pytest.raises(UnknownChannel):
                get_channel(name)
    assert {"web", "manual"} <= loaded and not loaded & set(points)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "plugin_import_error:Channel failed to load" in logged
    assert "plugin_not_a_channel:NotAChannel is not a Channel subclass" in logged
    assert "declares name 'sms', registered as 'wrongname'" in logged


def test_unknown_channel_names_what_is_installed(bench_plugins):
    name = unused_channel_name()
    with pytest.raises(UnknownChannel) as info:
        get_channel(name)
    message = str(info.value)
    assert f"'{name}'" in message and "manual" in message and "web" in message


def test_unused_channel_name_avoids_installed_plugins(tmp_path):
    with lookalike_channels_installed(tmp_path, ("telegram", "kanal_tak_terpasang")):
        assert get_channel("telegram").name == "telegram"
        assert unused_channel_name("telegram") == "telegram_2"
        assert unused_channel_name() == "kanal_tak_terpasang_2"


# ---- the generic webhook endpoint ------------------------------------------------------------


def _post(client, raw, name="fake"):
    return client.post(f"/channels/{name}/webhook", data=raw.body, content_type="application/json",
                       headers={k: v for k, v in raw.headers.items() if k != "content-type"})


def test_webhook_for_unknown_channel_is_404(client, db, bench_plugins):
    name = unused_channel_name()
    response = client.post(f"/channels/{name}/webhook", data=b"{}", content_type="application/json")
    assert response.status_code == 404 and name in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_forged_delivery_is_403_and_nothing_stored(client, db, fake_channel):
    raw = fake.delivery(messages=[{"id": "m1", "from": "0812", "text": "Sampah menumpuk"}], forged=True)
    assert _post(client, raw).status_code == 403
    unsigned = fake.delivery(messages=[{"id": "m1", "from": "0812", "text": "x"}])
    response = client.post("/channels/fake/webhook", data=unsigned.body, content_type="application/json")
    assert response.status_code == 403
    assert not InboundEvent.objects.exists() and not Message.objects.exists()


def test_builtin_without_webhooks_refuses_the_endpoint(client, db):
    response = client.post("/channels/web/webhook", data=b'{"text": "x"}', content_type="application/json")
    assert response.status_code == 403 and not InboundEvent.objects.exists()


def test_valid_delivery_and_its_redelivery_store_one_event(client, db, fake_channel,
                                                           django_capture_on_commit_callbacks):
    raw = fake.delivery(delivery_id="dlv-7", messages=[{"id": "m7", "from": "0812", "text": "Sampah menumpuk"}])
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, raw)
    with django_capture_on_commit_callbacks(execute=True) as second_jobs:
        second = _post(client, raw)
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert second_jobs == []  # a redelivery enqueues nothing
    event = InboundEvent.objects.get()
    assert event.dedupe_key == "dlv-7" and second.json()["id"] == event.pk
    assert event.state == InboundEvent.State.PROCESSED  # processed by the (inline) job
    assert Message.objects.filter(channel="fake", direction="in", external_id="m7").count() == 1
    assert Complaint.objects.get().channel == "fake"


def test_handshake_answers_only_the_right_token(client, db, fake_channel):
    ok = client.get("/channels/fake/webhook", {"token": "fake-verify-token", "challenge": "12345"})
    assert ok.status_code == 200 and ok.content == b"12345"
    assert client.get("/channels/fake/webhook", {"token": "wrong", "challenge": "1"}).status_code == 403
