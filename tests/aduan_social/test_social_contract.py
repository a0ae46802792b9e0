"""Every social channel keeps the hub's channel contract (the shipped mixin), on recorded payloads."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.utils import timezone
from fakes.social_api import FakeMetaGraph, Reply
from social_helpers import VERIFY_TOKEN, X_SECRET, fixture_body, meta_raw, x_raw

from aduan_publik.channels.base import ContactRef, OutboundMessage, RawInbound
from aduan_publik.testing.channel_contract import ChannelContractTests
from aduan_social.x import crc_response


def _get(**query: str) -> RawInbound:
    return RawInbound(method="GET", body=b"", headers={}, query=query)


class _MetaHooks:
    fixture_sample = ""
    fixture_other = ""

    def sample_inbound(self) -> RawInbound:
        return meta_raw(fixture_body(self.fixture_sample))

    def another_inbound(self) -> RawInbound:
        return meta_raw(fixture_body(self.fixture_other))

    def forged_inbound(self) -> RawInbound:
        raw = self.sample_inbound()
        return dataclasses.replace(raw, body=raw.body.replace(b"Lampu", b"Lampa").replace(b"Halo", b"Hallo"))

    def sample_handshake(self) -> tuple[RawInbound, str]:
        return _get(**{"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}), \
            "1158201444"

    def forged_handshake(self) -> RawInbound:
        return _get(**{"hub.mode": "subscribe", "hub.verify_token": "tebakan", "hub.challenge": "1158201444"})

    def sample_outbound(self) -> OutboundMessage:
        return OutboundMessage(message_id=1, to=ContactRef(address="2400000000000001"), text="Aduan Anda diproses.",
                               tracking_number="ADU-2026-000001", last_inbound_at=timezone.now())

    def make_next_send_fail(self, kind: str) -> bool:
        self.graph.script(FakeMetaGraph.error(2, status=503) if kind == "temporary"
                          else FakeMetaGraph.error(551, message="This person isn't available right now."))
        return True


class TestFacebookContract(_MetaHooks, ChannelContractTests):
    channel_name = "facebook"
    sample_items = 5  # fb_batch: three messages (echo skipped), one receipt, one Page comment
    fixture_sample, fixture_other = "fb_batch", "fb_comment"

    @pytest.fixture(autouse=True)
    def _configured(self, db, facebook):
        self.graph = facebook


class TestInstagramContract(_MetaHooks, ChannelContractTests):
    channel_name = "instagram"
    sample_items = 3  # ig_batch: a DM, a story mention (echo skipped), a comment
    fixture_sample, fixture_other = "ig_batch", "ig_comment"

    @pytest.fixture(autouse=True)
    def _configured(self, db, instagram):
        self.graph = instagram


class TestXContract(ChannelContractTests):
    channel_name = "x"
    sample_items = 2  # x_activity_batch: a mention and a DM received (our own dm.sent skipped)

    @pytest.fixture(autouse=True)
    def _configured(self, db, x_site, settings):
        self.xapi = x_site
        settings.ADUAN["channels"]["x"]["dm_replies"] = True

    def sample_inbound(self) -> RawInbound:
        return x_raw(fixture_body("x_activity_batch"))

    def another_inbound(self) -> RawInbound:
        return x_raw(fixture_body("x_activity_mention"))

    def forged_inbound(self) -> RawInbound:
        raw = self.sample_inbound()
        return dataclasses.replace(raw, body=raw.body.replace(b"berlubang", b"bolong"))

    def sample_handshake(self) -> tuple[RawInbound, str]:
        token = crc_response(X_SECRET, "challenge-123")
        return _get(crc_token="challenge-123"), json.dumps({"response_token": token})

    def forged_handshake(self) -> RawInbound:
        return _get(crc_token="")

    def sample_outbound(self) -> OutboundMessage:
        return OutboundMessage(message_id=1, to=ContactRef(user_id="1600000000000000002"), text="Aduan Anda diproses.",
                               tracking_number="ADU-2026-000001", last_inbound_at=timezone.now())

    def make_next_send_fail(self, kind: str) -> bool:
        self.xapi.script(Reply(status=503, body={"title": "Service Unavailable"}) if kind == "temporary"
                         else Reply(status=403, body={"title": "Forbidden", "detail": "You cannot send DMs"}))
        return True
