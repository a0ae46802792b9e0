"""Channels with one planted bug each: the contract mixin must fail every one of them.

Each class is :class:`FakeHttpChannel` (a correct, configured, HTTP-sending channel) with a
single plausible mistake a plugin author makes. ``test_contract_planted.py`` installs each
through a real entry point as ``fake`` and runs the mixin against it.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from typing import Any

import requests
from django.conf import settings

from aduan_publik.channels.base import (
    Capabilities,
    InboundMessage,
    OutboundMessage,
    PermanentChannelError,
    RawInbound,
    SendResult,
    StatusUpdate,
)
from aduan_publik.testing.fake_channel import FakeHttpChannel

TOKEN_HEADER = "x-fake-token"


class ConstantInboundKey(FakeHttpChannel):
    """Every delivery gets the same key: all but the first are dropped as duplicates."""

    def inbound_key(self, raw: RawInbound) -> str:
        return "delivery"


class UnstableInboundKey(FakeHttpChannel):
    """The key changes on every call: redeliveries are stored again."""

    def inbound_key(self, raw: RawInbound) -> str:
        return f"{super().inbound_key(raw)}-{time.perf_counter_ns()}"


class _ParsedIds(FakeHttpChannel):
    """Base of the id bugs: the message id comes from :meth:`message_id`."""

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        items = super().parse_inbound(raw)
        delivery_id = str(json.loads(raw.body)["delivery_id"])
        messages = [i for i in items if isinstance(i, InboundMessage)]
        renamed = [InboundMessage(**{**vars(m), "external_id": self.message_id(delivery_id, n)})
                   for n, m in enumerate(messages)]
        return [*renamed, *(i for i in items if isinstance(i, StatusUpdate))]

    def message_id(self, delivery_id: str, index: int) -> str:
        raise NotImplementedError


class DeliveryIdAsMessageId(_ParsedIds):
    """Every message of a batch is given the delivery's id: only the first is kept."""

    def message_id(self, delivery_id: str, index: int) -> str:
        return delivery_id


class IndexAsMessageId(_ParsedIds):
    """Messages are numbered per delivery: message 0 of the next delivery is a "duplicate"."""

    def message_id(self, delivery_id: str, index: int) -> str:
        return str(index)


class RandomMessageIds(_ParsedIds):
    """A fresh uuid per parse: a redelivered message is stored (and answered) twice."""

    def message_id(self, delivery_id: str, index: int) -> str:
        return uuid.uuid4().hex


class DropsBatchItems(FakeHttpChannel):
    """Reads only the first item of a batch."""

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        return super().parse_inbound(raw)[:1]


class UnconfiguredAcceptsAll(FakeHttpChannel):
    """"Not configured yet, so accept": a fresh install takes forged deliveries."""

    def verify_inbound(self, raw: RawInbound) -> None:
        if not self._secret():
            return
        super().verify_inbound(raw)


class AcceptsForgeries(FakeHttpChannel):
    """Never checks the signature."""

    def verify_inbound(self, raw: RawInbound) -> None:
        return None


class HandshakeAnyToken(FakeHttpChannel):
    """Answers every subscription check, whatever its token."""

    def handshake(self, raw: RawInbound) -> str | None:
        return raw.query.get("challenge", "")


class StaticTokenUndeclared(FakeHttpChannel):
    """Authenticates by a static secret header (like Telegram's) without declaring it sensitive."""

    def verify_inbound(self, raw: RawInbound) -> None:
        from aduan_publik.channels.base import SignatureError

        secret = self._secret().decode()
        if not secret or raw.headers.get(TOKEN_HEADER) != secret:
            raise SignatureError("token salah")


class StaticTokenDeclared(StaticTokenUndeclared):
    """The same, declared: a control that must pass."""

    sensitive_headers = (TOKEN_HEADER,)


class NaiveTimestamps(FakeHttpChannel):
    """Times without a time zone."""

    def _message(self, item: dict[str, Any]) -> InboundMessage:
        message = super()._message(item)
        return InboundMessage(**{**vars(message), "sent_at": datetime(2026, 1, 5, 8, 0)})


class GarbageRaisesValueError(FakeHttpChannel):
    """Lets json's ValueError escape instead of PayloadError."""

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        json.loads(raw.body)
        return super().parse_inbound(raw)


class ProviderStatusWords(FakeHttpChannel):
    """Passes the provider's receipt words through ("displayed" for read)."""

    def _status(self, item: dict[str, Any]) -> StatusUpdate:
        status = super()._status(item)
        return StatusUpdate(**{**vars(status), "status": "displayed" if status.status == "read" else status.status})


class WrongChannelOnItems(FakeHttpChannel):
    """Items carry another channel's name: they are routed to the wrong door."""

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        items = super().parse_inbound(raw)
        return [type(i)(**{**vars(i), "channel": "fake_v2"}) for i in items]


class InterceptsEverything(FakeHttpChannel):
    """A command handler that claims every message: no complaint is ever opened."""

    def intercept(self, message: InboundMessage) -> bool:
        return True


class ConfigNotACopy(FakeHttpChannel):
    """Hands out the settings' own dict: a caller's change leaks into the site's settings."""

    def config(self) -> dict[str, Any]:
        return settings.ADUAN.setdefault("channels", {}).setdefault(self.name, {})  # type: ignore[no-any-return]


class SendIgnoresHttpErrors(FakeHttpChannel):
    """Reports every send as sent, whatever the provider answered."""

    def send(self, message: OutboundMessage) -> SendResult:
        url = str(self.config()["url"]).rstrip("/")
        response = requests.post(f"{url}/messages", json={"to": message.to.address, "text": message.text},
                                 timeout=10)
        return SendResult(external_id=str(response.json().get("id", "")), state="sent")


class SendAllErrorsPermanent(FakeHttpChannel):
    """Treats a provider outage (5xx) as a permanent refusal: the message is never retried."""

    def send(self, message: OutboundMessage) -> SendResult:
        try:
            return super().send(message)
        except Exception as exc:
            raise PermanentChannelError(str(exc)) from exc


class SendWithoutProviderId(FakeHttpChannel):
    """Declares receipts but returns no provider id: no receipt can ever be matched."""

    def send(self, message: OutboundMessage) -> SendResult:
        super().send(message)
        return SendResult(state="sent")


class SendClaimsDelivered(FakeHttpChannel):
    """Reports "delivered" from send (only receipts may say so)."""

    def send(self, message: OutboundMessage) -> SendResult:
        result = super().send(message)
        return SendResult(external_id=result.external_id, state="delivered")


class ReceiptsWithoutCapability(FakeHttpChannel):
    """Emits receipts while declaring no delivery_status."""

    capabilities = Capabilities(inbound=True, outbound=True)

