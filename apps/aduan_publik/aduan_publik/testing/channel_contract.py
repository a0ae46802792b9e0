"""The channel contract, as tests every channel runs (like django-allauth's provider tests).

A channel's test module subclasses :class:`ChannelContractTests`, names the channel and
provides samples; every ``test_contract_*`` method then checks one promise of
:mod:`aduan_publik.channels.base`::

    from aduan_publik.testing.channel_contract import ChannelContractTests

    class TestSmsChannel(ChannelContractTests):
        channel_name = "sms"
        sample_items = 2                      # what sample_inbound carries

        @pytest.fixture(autouse=True)
        def _site(self, fake_provider, channel_settings):   # fixtures of aduan_publik.testing.pytest_plugin
            self.provider = fake_provider
            channel_settings("sms", url=fake_provider.url, secret="rahasia")

        def sample_inbound(self):             # two messages, signed
            ...
        def another_inbound(self):            # other messages, signed
            ...
        def forged_inbound(self):             # wrong signature
            ...
        def make_next_send_fail(self, kind):  # "temporary" or "permanent"
            self.provider.reply_next(503 if kind == "temporary" else 400)
            return True

The hooks are documented on :class:`~aduan_publik.testing.contract_base.ContractHooks`.
Checks for a capability the channel does not declare, or a hook it does not provide where
providing it is optional, are skipped with the reason, never silently passed. Outside the
hub's own repository run them with the pytest plugin :mod:`aduan_publik.testing.pytest_plugin`
(settings: :mod:`aduan_publik.testing.settings`).
"""

from __future__ import annotations

import dataclasses
import inspect
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

import pytest

from ..channels import registry
from ..channels.base import (
    Capabilities,
    Channel,
    ConnectionCheck,
    PermanentChannelError,
    SendResult,
    Setting,
    TemporaryChannelError,
)
from .contract_base import CONTRACT_METHODS, RECEIPT_STATES, SEND_FAILURES, SEND_STATES, ContractHooks, _shape
from .contract_inbound import InboundContractChecks

__all__ = ["CONTRACT_METHODS", "RECEIPT_STATES", "SEND_STATES", "ChannelContractTests", "ContractHooks"]


class ChannelContractTests(InboundContractChecks):
    """Mixin of contract tests; the subclass sets ``channel_name`` and overrides the sample hooks."""

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

    def test_contract_settings_schema(self) -> None:
        """The desk's Channel document can ask for every setting: named once, required keys included."""
        schema = type(self.channel()).setting_schema()
        assert isinstance(schema, tuple) and all(isinstance(s, Setting) for s in schema)
        names = [s.name for s in schema]
        assert all(isinstance(n, str) and n.strip() for n in names), "every Setting needs a name"
        assert len(names) == len(set(names)), f"a setting is declared twice: {names}"
        assert set(self.channel().required_settings) <= set(names)
        assert all(isinstance(s.secret, bool) and isinstance(s.required, bool) for s in schema)

    def test_contract_check_connection_reports(self) -> None:
        """check_connection() answers with a ConnectionCheck, and refuses an unconfigured instance."""
        result = self.channel().check_connection()
        assert isinstance(result, ConnectionCheck), type(result)
        assert isinstance(result.ok, bool) and isinstance(result.detail, str)
        with self.unconfigured() as channel:
            if not any(s.required for s in type(channel).setting_schema()):
                return
            bare = channel.check_connection()
            assert isinstance(bare, ConnectionCheck) and bare.ok is False, (
                "an instance without its required settings cannot be connected")

    def test_contract_status_sync_has_on_event(self) -> None:
        cls = type(self.channel())
        if not cls.capabilities.status_sync:
            pytest.skip("no status_sync")
        assert cls.on_event is not Channel.on_event, "status_sync channels must implement on_event()"

    def test_contract_config_is_a_copy(self) -> None:
        """Changing what config() returns must not change the site's settings."""
        channel = self.channel()
        handed_out = channel.config()
        handed_out["__contract_probe__"] = "x"
        leaked = "__contract_probe__" in channel.config()
        handed_out.pop("__contract_probe__")
        assert not leaked, "config() returns the settings' own dict"

    # ---- outbound ------------------------------------------------------------------------

    def _outbound_or_skip(self) -> Channel:
        channel = self.channel()
        if not channel.capabilities.outbound:
            pytest.skip(f"{self.channel_name} declares no outbound capability")
        return channel

    def test_contract_send_returns_send_result(self) -> None:
        channel = self._outbound_or_skip()
        result = channel.send(self.sample_outbound())
        self.check_send_result(channel, result)

    def check_send_result(self, channel: Channel, result: Any) -> None:
        assert isinstance(result, SendResult), type(result)
        assert result.state in SEND_STATES, result.state
        assert isinstance(result.external_id, str) and isinstance(result.note, str)
        if result.state == "manual":
            assert channel.capabilities.manual_delivery, "state 'manual' needs capabilities.manual_delivery"
        if result.state == "sent" and channel.capabilities.delivery_status:
            assert result.external_id.strip(), (
                "capabilities.delivery_status: send() must return the provider's message id, "
                "receipts are matched on it")

    @pytest.mark.parametrize("kind", SEND_FAILURES)
    def test_contract_send_maps_provider_errors(self, kind: str) -> None:
        """A provider failure is an exception the core understands, never a "sent" result."""
        channel = self._outbound_or_skip()
        if not self.make_next_send_fail(kind):
            pytest.skip("implement make_next_send_fail() to check how send() maps provider errors")
        expected = TemporaryChannelError if kind == "temporary" else PermanentChannelError
        try:
            result = channel.send(self.sample_outbound())
        except expected:
            return
        except Exception as exc:
            pytest.fail(f"a {kind} provider failure raised {type(exc).__name__}: {exc}, "
                        f"expected {expected.__name__}")
        pytest.fail(f"a {kind} provider failure was reported as {result!r}")

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
