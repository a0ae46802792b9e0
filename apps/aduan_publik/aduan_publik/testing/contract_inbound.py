"""The inbound half of the channel contract: verification, keys, ids, parsing, handshakes."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest

from ..channels.base import Channel, ContactRef, InboundMessage, PayloadError, RawInbound, SignatureError, StatusUpdate
from .contract_base import RECEIPT_STATES, ContractHooks


class InboundContractChecks(ContractHooks):
    """Checks of what a channel does with deliveries (each skipped without ``capabilities.inbound``)."""

    # ---- verification --------------------------------------------------------------------

    def test_contract_verify_accepts_valid_delivery(self) -> None:
        channel, sample, _forged = self._webhooks_or_skip()
        channel.verify_inbound(sample)  # raises SignatureError when it refuses
        channel.verify_inbound(self._another_or_fail())

    def test_contract_verify_refuses_forged_delivery(self) -> None:
        channel, sample, forged = self._webhooks_or_skip()
        with pytest.raises(SignatureError):
            channel.verify_inbound(forged)
        unsigned = dataclasses.replace(sample, headers={})
        with pytest.raises(SignatureError):
            channel.verify_inbound(unsigned)

    def test_contract_unconfigured_site_refuses_deliveries(self) -> None:
        """A site that has not set the channel up accepts nothing: not signed, not unsigned."""
        _channel, sample, _forged = self._webhooks_or_skip()
        with self.unconfigured() as channel:
            with pytest.raises(SignatureError):
                channel.verify_inbound(dataclasses.replace(sample, headers={}))
            if not channel.required_settings:
                return  # nothing to configure: its authentication cannot depend on the site
            assert not channel.is_configured(), "is_configured() is True on a site without the channel's settings"
            with pytest.raises(SignatureError):
                channel.verify_inbound(sample)
            handshake = self.sample_handshake()
            if handshake is not None:
                assert channel.handshake(handshake[0]) is None, "an unconfigured site answered the handshake"

    def test_contract_no_webhooks_means_refused(self) -> None:
        """A channel without webhooks must refuse the generic endpoint (and its handshake)."""
        channel = self.channel()
        if self.forged_inbound() is not None:
            pytest.skip(f"{self.channel_name} takes webhooks")
        probe = self.sample_inbound() or RawInbound(method="POST", body=b"{}", headers={})
        with pytest.raises(SignatureError):
            channel.verify_inbound(probe)
        assert channel.handshake(probe) is None

    def test_contract_handshake_checks_the_token(self) -> None:
        channel = self.channel()
        if type(channel).handshake is Channel.handshake:
            pytest.skip(f"{self.channel_name} answers no handshake")
        good, forged = self.sample_handshake(), self.forged_handshake()
        assert good is not None and forged is not None, (
            "handshake() is overridden: provide sample_handshake() and forged_handshake()")
        raw, expected = good
        assert channel.handshake(raw) == expected
        assert channel.handshake(forged) is None, "a handshake with a wrong token was answered"

    def test_contract_static_secret_headers_are_sensitive(self) -> None:
        """A header whose value alone authenticates (a token, not a signature of the body) is a
        secret: it must be listed in ``sensitive_headers`` so the hub never stores or shows it."""
        channel, sample, _forged = self._webhooks_or_skip()
        other_body = dataclasses.replace(sample, body=sample.body + b"\n ")
        try:
            channel.verify_inbound(other_body)
        except SignatureError:
            return  # the headers sign this very body: replaying them elsewhere is useless
        declared = {h.lower() for h in getattr(type(channel), "sensitive_headers", ())}
        needed = []
        for name in sample.headers:
            try:
                channel.verify_inbound(self.without_header(other_body, name))
            except SignatureError:
                needed.append(name.lower())
        undeclared = [name for name in needed if name not in declared]
        assert not undeclared, f"headers carrying a static secret must be in sensitive_headers: {undeclared}"

    # ---- keys and ids --------------------------------------------------------------------

    def test_contract_inbound_key_is_stable(self) -> None:
        channel, sample = self._inbound_or_skip()
        key = channel.inbound_key(sample)
        assert isinstance(key, str) and key.strip() and len(key) <= 255
        again = RawInbound(method=sample.method, body=bytes(sample.body), headers=dict(sample.headers),
                           query=dict(sample.query), form=dict(sample.form))
        assert channel.inbound_key(again) == key, "a redelivery must share the key"

    def test_contract_inbound_key_distinguishes_deliveries(self) -> None:
        """Two different deliveries get two keys; a shared key drops the second as a "duplicate"."""
        channel, sample = self._inbound_or_skip()
        other = self._another_or_fail()
        assert channel.inbound_key(sample) != channel.inbound_key(other), (
            "two different deliveries share an inbound key: every later one would be dropped as a duplicate")

    def test_contract_message_ids_are_unique_and_stable(self) -> None:
        """Messages are deduplicated on (channel, external_id): ids must be the provider's own."""
        channel, sample = self._inbound_or_skip()
        first = self.message_ids(channel.parse_inbound(sample))
        assert first == self.message_ids(channel.parse_inbound(sample)), (
            "parsing the same delivery twice gave other message ids: a redelivery would be stored twice")
        assert len(set(first)) == len(first), f"messages of one delivery share an external_id: {first}"
        other = self.message_ids(channel.parse_inbound(self._another_or_fail()))
        shared = set(first) & set(other)
        assert not shared, f"messages of two deliveries share external ids {sorted(shared)}: one would be lost"

    # ---- parsing -------------------------------------------------------------------------

    def test_contract_parse_returns_normalised_items(self) -> None:
        channel, sample = self._inbound_or_skip()
        items = channel.parse_inbound(sample)
        assert isinstance(items, list) and items, "a valid sample must carry at least one item"
        for item in items:
            assert isinstance(item, InboundMessage | StatusUpdate), type(item)
            assert item.channel == self.channel_name
            assert isinstance(item.external_id, str) and item.external_id.strip()
            if isinstance(item, InboundMessage):
                self._check_message(item)
            else:
                self._check_status(channel, item)

    def test_contract_parse_keeps_every_item(self) -> None:
        channel, sample = self._inbound_or_skip()
        if self.sample_items is None:
            pytest.skip("set sample_items (the number of items sample_inbound carries) to check batches")
        items = channel.parse_inbound(sample)
        assert len(items) == self.sample_items, (
            f"sample_inbound carries {self.sample_items} items, parse_inbound returned {len(items)}")

    def _check_message(self, item: InboundMessage) -> None:
        assert isinstance(item.sender, ContactRef)
        assert item.sender.address or item.sender.user_id, "a sender needs an address or a user_id"
        assert isinstance(item.sent_at, datetime) and item.sent_at.tzinfo is not None, "sent_at must be aware"
        assert item.text or item.attachments or item.kind != "text", "an empty text message"
        assert isinstance(item.attachments, tuple)

    def _check_status(self, channel: Channel, item: StatusUpdate) -> None:
        assert channel.capabilities.delivery_status, "StatusUpdate without capabilities.delivery_status"
        assert item.status in RECEIPT_STATES, item.status
        assert isinstance(item.at, datetime) and item.at.tzinfo is not None

    def test_contract_malformed_body_raises_payload_error(self) -> None:
        channel, _sample = self._inbound_or_skip()
        for raw in self.malformed_inbounds():
            try:
                channel.parse_inbound(raw)
            except PayloadError:
                continue
            except Exception as exc:  # the point of the test: nothing but PayloadError escapes
                pytest.fail(f"parse_inbound({raw.body[:40]!r}) raised {type(exc).__name__}: {exc}")
            pytest.fail(f"parse_inbound({raw.body[:40]!r}) accepted a malformed body")

    def test_contract_ordinary_messages_are_not_intercepted(self, db: Any) -> None:
        """``intercept`` answers keywords only: the sample's ordinary messages reach a complaint."""
        channel, sample = self._inbound_or_skip()
        for item in channel.parse_inbound(sample):
            if isinstance(item, InboundMessage):
                assert channel.intercept(item) is False, (
                    f"intercept() swallowed the ordinary message {item.external_id!r}: it would never be routed")
