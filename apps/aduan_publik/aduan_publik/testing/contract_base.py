"""The hooks a channel's contract-test class overrides, and the helpers the checks share.

See :mod:`aduan_publik.testing.channel_contract` for how to use the mixin.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from django.conf import settings
from django.test import override_settings

from ..channels import registry
from ..channels.base import BroadcastMessage, Channel, ContactRef, InboundMessage, OutboundMessage, RawInbound

#: The contract methods a channel may override; their signatures must stay those of the base.
CONTRACT_METHODS = ("config", "is_configured", "handshake", "verify_inbound", "inbound_key",
                    "parse_inbound", "intercept", "send", "on_event", "fetch_media", "check_connection",
                    "send_broadcast", "broadcast_templates", "broadcast_upload")
SEND_STATES = ("sent", "manual")
RECEIPT_STATES = ("sent", "delivered", "read", "failed")
#: Kinds of provider failure :meth:`ContractHooks.make_next_send_fail` is asked to arrange.
SEND_FAILURES = ("temporary", "permanent")


def _shape(func: Any) -> list[tuple[str, Any]]:
    """Parameter names and kinds (annotations may be spelled differently)."""
    return [(p.name, p.kind) for p in inspect.signature(func).parameters.values()]


class ContractHooks:
    """What a channel's test class tells the mixin: its name and samples."""

    #: The entry-point name the channel is registered under.
    channel_name: ClassVar[str] = ""
    #: How many items (messages + statuses) :meth:`sample_inbound` carries. Set it: it is how
    #: the mixin notices a parser that drops part of a batch (skipped, visibly, while None).
    sample_items: ClassVar[int | None] = None

    # ---- inbound samples ----------------------------------------------------------------

    def sample_inbound(self) -> RawInbound | None:
        """A valid, authentic delivery carrying at least one item (None: no inbound at all).

        Its messages must be ordinary ones (no keyword a channel answers itself); a batch of
        two or more messages (and receipts, with ``delivery_status``) tests the most.
        """
        return None

    def another_inbound(self) -> RawInbound | None:
        """A second valid, authentic delivery with *other* items (other message ids).

        Required with ``capabilities.inbound``: two different deliveries must get different
        :meth:`Channel.inbound_key` values and different message ids.
        """
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

    def sample_handshake(self) -> tuple[RawInbound, str] | None:
        """A valid subscription check (GET) and the answer expected; required when handshake is overridden."""
        return None

    def forged_handshake(self) -> RawInbound | None:
        """The same check with a wrong token (must be refused); required when handshake is overridden."""
        return None

    # ---- outbound -----------------------------------------------------------------------

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

    def make_next_send_fail(self, kind: str) -> bool:
        """Make the provider fail the next send: ``"temporary"`` (HTTP 503, rate limit) or
        ``"permanent"`` (HTTP 400, bad recipient). Return False when you cannot (the check is
        then skipped, visibly). With the ``fake_provider`` fixture::

            def make_next_send_fail(self, kind):
                self.provider.reply_next(503 if kind == "temporary" else 400, {"error": kind})
                return True
        """
        return False

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

    def _another_or_fail(self) -> RawInbound:
        other = self.another_inbound()
        assert other is not None, "capabilities.inbound is set: provide another_inbound() (other items)"
        return other

    def _webhooks_or_skip(self) -> tuple[Channel, RawInbound, RawInbound]:
        channel, sample = self._inbound_or_skip()
        forged = self.forged_inbound()
        if forged is None:
            pytest.skip(f"{self.channel_name} takes no webhooks")
        return channel, sample, forged

    @contextmanager
    def unconfigured(self) -> Iterator[Channel]:
        """The channel on a site whose config has no entry for it (a fresh install)."""
        channels = {k: v for k, v in settings.ADUAN.get("channels", {}).items() if k != self.channel_name}
        with override_settings(ADUAN={**settings.ADUAN, "channels": channels}):
            yield self.channel()

    @staticmethod
    def message_ids(items: Sequence[object]) -> list[str]:
        return [item.external_id for item in items if isinstance(item, InboundMessage)]

    @staticmethod
    def without_header(raw: RawInbound, name: str) -> RawInbound:
        return dataclasses.replace(raw, headers={k: v for k, v in raw.headers.items() if k != name})
