"""The WhatsApp channel keeps the channel contract, and its configuration is checked."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.checks import run_checks
from django.utils import timezone
from fakes.graph_api import FakeGraphAPI
from wa_helpers import VERIFY_TOKEN, fixture_body, sign, signed_raw

from aduan_publik.channels.base import ContactRef, OutboundMessage, RawInbound, SignatureError
from aduan_publik.channels.registry import get_channel
from aduan_publik.testing.channel_contract import ChannelContractTests


class TestWhatsAppContract(ChannelContractTests):
    channel_name = "whatsapp"
    sample_items = 5  # batched.json: three messages in two entries, two receipts

    @pytest.fixture(autouse=True)
    def _configured(self, whatsapp):
        self.graph = whatsapp

    def sample_inbound(self) -> RawInbound:
        return signed_raw(fixture_body("batched"))

    def forged_inbound(self) -> RawInbound:
        body = fixture_body("batched")
        return RawInbound(method="POST", body=body.replace(b"Sampah", b"Sampai"),
                          headers={"x-hub-signature-256": sign(body)})

    def sample_outbound(self) -> OutboundMessage:
        return OutboundMessage(message_id=1, to=ContactRef(address="6281234567890"), text="Halo",
                               tracking_number="ADU-2026-000001", last_inbound_at=timezone.now())

    def another_inbound(self) -> RawInbound:
        return signed_raw(fixture_body("text"))

    def sample_handshake(self) -> tuple[RawInbound, str]:
        return _raw(**{"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "77"}), "77"

    def forged_handshake(self) -> RawInbound:
        return _raw(**{"hub.mode": "subscribe", "hub.verify_token": "tebakan", "hub.challenge": "77"})

    def make_next_send_fail(self, kind: str) -> bool:
        self.graph.script_send(FakeGraphAPI.error(131000, status=500) if kind == "temporary"
                               else FakeGraphAPI.error(131026, status=400))
        return True


def _raw(**query: str) -> RawInbound:
    return RawInbound(method="GET", body=b"", headers={}, query=query)


def test_handshake_answers_only_the_right_verify_token(whatsapp):
    channel = get_channel("whatsapp")
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert channel.handshake(_raw(**good)) == "1158201444"
    assert channel.handshake(_raw(**{**good, "hub.verify_token": "tebakan"})) is None
    assert channel.handshake(_raw(**{**good, "hub.mode": "unsubscribe"})) is None
    assert channel.handshake(_raw(**{k: v for k, v in good.items() if k != "hub.verify_token"})) is None


def test_signature_over_other_bytes_or_with_another_secret_is_refused(whatsapp):
    channel = get_channel("whatsapp")
    raw = signed_raw(fixture_body("text"))
    channel.verify_inbound(raw)
    with pytest.raises(SignatureError):
        channel.verify_inbound(dataclasses.replace(raw, body=raw.body + b" "))
    with pytest.raises(SignatureError):
        channel.verify_inbound(dataclasses.replace(raw, headers={"x-hub-signature-256": sign(raw.body, "x")}))


def test_unconfigured_channel_refuses_handshake_and_deliveries(settings):
    settings.ADUAN = {**settings.ADUAN, "channels": {}}
    channel = get_channel("whatsapp")
    assert not channel.is_configured()
    assert channel.handshake(_raw(**{"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})) is None
    with pytest.raises(SignatureError, match="app_secret"):
        channel.verify_inbound(signed_raw(b"{}"))


def test_system_check_reports_a_half_configured_channel(settings):
    settings.ADUAN = {**settings.ADUAN, "channels": {"whatsapp": {"phone_number_id": "1", "access_token": "t"}}}
    messages = [m.msg for m in run_checks() if m.id == "aduan_publik.W001"]
    assert any("whatsapp" in m and "app_secret" in m and "verify_token" in m for m in messages)
