"""The channel contract, as tests every channel runs (like django-allauth's provider tests).

A channel's test module subclasses :class:`ChannelContractTests`, names the channel and
provides samples; every ``test_contract_*`` method then checks one promise of
:mod:`aduan_publik.channels.base`::

    from aduan_publik.testing.channel_contract import ChannelContractTests

    class TestSmsChannel(ChannelContractTests):
        channel_name = "sms"

        def sample_inbound(self):
            return RawInbound(method="POST", body=b'{"id": "1", ...}', headers={"x-sig": "..."})

        def forged_inbound(self):
            return RawInbound(method="POST", body=b'{"id": "1", ...}', headers={"x-sig": "bad"})

        def sample_outbound(self):
            return OutboundMessage(message_id=1, to=ContactRef(address="0812..."), text="Halo",
                                   tracking_number="ADU-2026-000001")

A channel that needs a fake provider server or the database for :meth:`Channel.send` adds an
autouse fixture (or ``pytestmark = pytest.mark.django_db``) to its own test class. Checks for
a capability the channel does not declare are skipped, never silently passed.
"""

from __future__ import annotations

import dataclasses
import inspect
from datetime import datetime
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any, ClassVar

import pytest

from ..channels import registry
from ..channels.base import (
    BroadcastMessage,
    Capabilities,
    Channel,
    ContactRef,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    PermanentChannelError,
    RawInbound,
    SendResult,
    SignatureError,
    StatusUpdate,
)

#: The contract methods a channel may override; their signatures must stay those of the base.
CONTRACT_METHODS = ("config", "is_configured", "handshake", "verify_inbound", "inbound_key",
                    "parse_inbound", "intercept", "send", "on_event", "fetch_media", "send_broadcast",
                    "broadcast_templates", "broadcast_upload")
SEND_STATES = ("sent", "manual")
RECEIPT_STATES = ("sent", "delivered", "read", "failed")


def _shape(func: Any) -> list[tuple[str, Any]]:
    """Parameter names and kinds (annotations may be spelled differently)."""
    return [(p.name, p.kind) for p in inspect.signature(func).parameters.values()]


class ChannelContractTests:
    """Mixin of contract tests; the subclass sets ``channel_name`` and overrides the sample hooks."""

    #: The entry-point name the channel is registered under.
    channel_name: ClassVar[str] = ""

    # ---- hooks a channel's test class overrides ----------------------------------------

    def sample_inbound(self) -> RawInbound | None:
        """A valid, authentic delivery carrying at least one item (None: no inbound at all)."""
        return None

    def forged_inbound(self) -> RawInbound | None:
        """The same kind of delivery with a wrong or missing signature; None if there are no webhooks."""
        return None

    def malformed_inbounds(self) -> list[RawInbound]:
        """Authentic-looking deliveries whose body cannot be understood (each must give PayloadError)."""
        sample = self.sample_inbound()
        headers = dict(sample.headers) if sample else {}
        query = dict(sample.query) if sample else {}
        return [
            RawInbound(method="POST", body=body, headers=headers, query=query, form={})
            for body in (b"", b"\x00\xff not a payload", b'{"unterminated": ', b"[1, 2, 3]")
        ]

    def sample_outbound(self) -> OutboundMessage:
        """A message the channel can send in the test environment (override to add an address)."""
        return OutboundMessage(
            message_id=1, text="Aduan Anda sedang diproses.", tracking_number="ADU-2026-000001",
            to=ContactRef(address="warga@example.org", email="warga@example.org", phone="081234567890",
                          name="Warga Uji"),
        )

    def sample_broadcast(self) -> BroadcastMessage:
        """One broadcast message the channel can send in the test environment (``capabilities.broadcast``)."""
        return BroadcastMessage(recipient_id=1, to=ContactRef(phone="6281234567890", name="Warga Uji"),
                                template="info_kota", language="id", params=("Car Free Day", "Minggu"),
                                callback_data="bcast:1")

    # ---- helpers ------------------------------------------------------------------------

    def channel(self) -> Channel:
        assert self.channel_name, f"{type(self).__name__} must set channel_name"
        return registry.get_channel(self.channel_name)

    def _inbound_or_skip(self) -> tuple[Channel, RawInbound]:
        channel = self.channel()
        if not channel.capabilities.inbound:
            pytest.skip(f"{self.channel_name} declares no inbound capability")
        sample = self.sample_inbound()
        assert sample is not None, "capabilities.inbound is set: provide sample_inbound()"
        return channel, sample

    def _webhooks_or_skip(self) -> tuple[Channel, RawInbound, RawInbound]:
        channel, sample = self._inbound_or_skip()
        forged = self.forged_inbound()
        if forged is None:
            pytest.skip(f"{self.channel_name} takes no webhooks")
        return channel, sample, forged

    # ---- registration and declarations -------------------------------------------------

    def test_contract_registered_through_entry_point(self) -> None:
        points = [ep for ep in entry_points(group=registry.ENTRY_POINT_GROUP) if ep.name == self.channel_name]
        assert len(points) == 1, (
            f"{self.channel_name!r} must be declared once in [project.entry-points.\"{registry.ENTRY_POINT_GROUP}\"]"
        )
        cls = points[0].load()
        assert isinstance(cls, type) and issubclass(cls, Channel)
        assert cls.name == self.channel_name
        assert type(self.channel()) is cls
        assert self.channel_name in registry.all_channels()

    def test_contract_declarations_are_well_typed(self) -> None:
        channel = self.channel()
        assert isinstance(channel.name, str) and channel.name.isidentifier() and channel.name.islower()
        assert len(channel.name) <= 32, "Complaint.channel holds at most 32 characters"
        assert isinstance(channel.label, str) and channel.label.strip()
        assert isinstance(channel.capabilities, Capabilities)
        for item in dataclasses.fields(Capabilities):
            assert isinstance(getattr(channel.capabilities, item.name), bool), item.name
        assert isinstance(channel.required_settings, tuple)
        assert all(isinstance(key, str) and key for key in channel.required_settings)
        assert isinstance(channel.urls, str)
        if channel.urls:
            assert hasattr(import_module(channel.urls), "urlpatterns")
        assert isinstance(channel.config(), dict)
        assert isinstance(channel.is_configured(), bool)

    def test_contract_documented(self) -> None:
        """The class says what it is, and overrides keep the contract's signatures."""
        cls = type(self.channel())
        assert (cls.__doc__ or "").strip(), f"{cls.__name__} needs a docstring"
        assert (inspect.getmodule(cls).__doc__ or "").strip(), f"{cls.__module__} needs a docstring"
        for name in CONTRACT_METHODS:
            mine, base = getattr(cls, name), getattr(Channel, name)
            assert _shape(mine) == _shape(base), f"{cls.__name__}.{name} changes the contract's parameters"
            assert inspect.getdoc(mine), f"{cls.__name__}.{name} is undocumented"

    def test_contract_status_sync_has_on_event(self) -> None:
        cls = type(self.channel())
        if not cls.capabilities.status_sync:
            pytest.skip("no status_sync")
        assert cls.on_event is not Channel.on_event, "status_sync channels must implement on_event()"

    # ---- inbound -------------------------------------------------------------------------

    def test_contract_verify_accepts_valid_delivery(self) -> None:
        channel, sample, _forged = self._webhooks_or_skip()
        channel.verify_inbound(sample)  # raises SignatureError when it refuses

    def test_contract_verify_refuses_forged_delivery(self) -> None:
        channel, sample, forged = self._webhooks_or_skip()
        with pytest.raises(SignatureError):
            channel.verify_inbound(forged)
        unsigned = dataclasses.replace(sample, headers={})
        with pytest.raises(SignatureError):
            channel.verify_inbound(unsigned)

    def test_contract_no_webhooks_means_refused(self) -> None:
        """A channel without webhooks must refuse the generic endpoint (and its handshake)."""
        channel = self.channel()
        if self.forged_inbound() is not None:
            pytest.skip(f"{self.channel_name} takes webhooks")
        probe = self.sample_inbound() or RawInbound(method="POST", body=b"{}", headers={})
        with pytest.raises(SignatureError):
            channel.verify_inbound(probe)
        assert channel.handshake(probe) is None

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

    def test_contract_inbound_key_is_stable(self) -> None:
        channel, sample = self._inbound_or_skip()
        key = channel.inbound_key(sample)
        assert isinstance(key, str) and key.strip() and len(key) <= 255
        again = RawInbound(method=sample.method, body=bytes(sample.body), headers=dict(sample.headers),
                           query=dict(sample.query), form=dict(sample.form))
        assert channel.inbound_key(again) == key, "a redelivery must share the key"

    # ---- outbound ------------------------------------------------------------------------

    def test_contract_send_returns_send_result(self) -> None:
        channel = self.channel()
        if not channel.capabilities.outbound:
            pytest.skip(f"{self.channel_name} declares no outbound capability")
        result = channel.send(self.sample_outbound())
        self.check_send_result(channel, result)

    def check_send_result(self, channel: Channel, result: Any) -> None:
        assert isinstance(result, SendResult), type(result)
        assert result.state in SEND_STATES, result.state
        assert isinstance(result.external_id, str) and isinstance(result.note, str)
        if result.state == "manual":
            assert channel.capabilities.manual_delivery, "state 'manual' needs capabilities.manual_delivery"

    # ---- broadcasts ----------------------------------------------------------------------

    def test_contract_broadcast_capability(self) -> None:
        """A channel declaring ``broadcast`` sends a template message and lists its templates;
        one that does not refuses broadcasts permanently (the engine then marks rows failed)."""
        channel = self.channel()
        if not channel.capabilities.broadcast:
            with pytest.raises(PermanentChannelError):
                channel.send_broadcast(self.sample_broadcast())
            return
        assert type(channel).send_broadcast is not Channel.send_broadcast, "broadcast needs send_broadcast()"
        result = channel.send_broadcast(self.sample_broadcast())
        self.check_send_result(channel, result)
        assert result.state == "sent" and result.external_id, "a broadcast send needs the provider's id"
        templates = channel.broadcast_templates()
        assert isinstance(templates, list)
        for item in templates:
            assert {"name", "language", "category", "status"} <= set(item), item
