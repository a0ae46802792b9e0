"""A channel for tests: JSON webhooks signed with HMAC-SHA256, outbound messages kept in memory.

It behaves like a real provider adapter (verify, dedupe key, batched items, receipts) without
a network. Register it with :func:`aduan_publik.testing.entry_points.installed_channels`
under the name ``fake``. :class:`FakeHttpChannel` is the same channel configured per site and
sending over real HTTP to a :class:`~aduan_publik.testing.fake_provider.FakeProvider`: the
smallest complete example of a provider adapter. Payload::

    {"delivery_id": "d1",
     "messages": [{"id": "m1", "from": "0812", "name": "Budi", "text": "...", "tracking_number": ""}],
     "statuses": [{"id": "out-1", "status": "delivered", "error": ""}]}
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from ..channels.base import (
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
    TemporaryChannelError,
)

SECRET = b"fake-channel-secret"
SIGNATURE_HEADER = "x-fake-signature"
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def sign(body: bytes, secret: bytes = SECRET) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def delivery(*, delivery_id: str = "d1", messages: list[dict[str, Any]] | None = None,
             statuses: list[dict[str, Any]] | None = None, forged: bool = False,
             secret: bytes = SECRET) -> RawInbound:
    """A signed (or, with ``forged``, wrongly signed) webhook delivery."""
    body = json.dumps({"delivery_id": delivery_id, "messages": messages or [],
                       "statuses": statuses or []}).encode()
    signature = "sha256=" + "0" * 64 if forged else sign(body, secret)
    return RawInbound(method="POST", body=body,
                      headers={SIGNATURE_HEADER: signature, "content-type": "application/json"})


class FakeChannel(Channel):
    """Test double of a provider channel.

    Set ``FakeChannel.fail_with`` to an exception to make :meth:`send` raise it; sent messages
    are appended to ``FakeChannel.sent``. Call :meth:`reset` between tests.
    """

    name = "fake"
    label = "Kanal uji"
    capabilities = Capabilities(inbound=True, outbound=True, delivery_status=True)
    sent: ClassVar[list[OutboundMessage]] = []
    fail_with: ClassVar[BaseException | None] = None

    @classmethod
    def reset(cls) -> None:
        cls.sent = []
        cls.fail_with = None

    def handshake(self, raw: RawInbound) -> str | None:
        if raw.query.get("token") == "fake-verify-token":
            return raw.query.get("challenge", "")
        return None

    def verify_inbound(self, raw: RawInbound) -> None:
        given = raw.headers.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given, sign(raw.body)):
            raise SignatureError("tanda tangan kiriman tidak cocok")

    def inbound_key(self, raw: RawInbound) -> str:
        try:
            return str(json.loads(raw.body)["delivery_id"])
        except (ValueError, KeyError, TypeError):
            return super().inbound_key(raw)

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        try:
            data = json.loads(raw.body)
            items: list[InboundMessage | StatusUpdate] = [self._message(m) for m in data["messages"]]
            items += [self._status(s) for s in data["statuses"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PayloadError(f"isi kiriman tidak dikenali: {exc}") from exc
        return items

    def _message(self, item: dict[str, Any]) -> InboundMessage:
        return InboundMessage(
            channel=self.name, external_id=str(item["id"]),
            sender=ContactRef(address=str(item["from"]), name=str(item.get("name", "")),
                              phone=str(item["from"])),
            sent_at=EPOCH, text=str(item.get("text", "")),
            tracking_number=str(item.get("tracking_number", "")), raw=item,
        )

    def _status(self, item: dict[str, Any]) -> StatusUpdate:
        return StatusUpdate(channel=self.name, external_id=str(item["id"]), status=str(item["status"]),
                            at=EPOCH, error=str(item.get("error", "")))

    def send(self, message: OutboundMessage) -> SendResult:
        failure = type(self).fail_with
        if failure is not None:
            raise failure
        type(self).sent.append(message)
        return SendResult(external_id=f"fake-out-{message.message_id}", state="sent")


class FakeHttpChannel(FakeChannel):
    """:class:`FakeChannel` with a per-site secret that sends over HTTP, as a real adapter does.

    Site config ``channels.fake``: ``url`` (the provider's API, e.g. ``FakeProvider.url``) and
    ``secret`` (the webhook signing key, text). Unconfigured, it refuses every delivery.
    """

    required_settings = ("url", "secret")

    def _secret(self) -> bytes:
        return str(self.config().get("secret") or "").encode()

    def handshake(self, raw: RawInbound) -> str | None:
        """Answer the challenge only to the configured secret (never when unconfigured)."""
        secret = self._secret()
        if secret and hmac.compare_digest(raw.query.get("token", "").encode(), secret):
            return raw.query.get("challenge", "")
        return None

    def verify_inbound(self, raw: RawInbound) -> None:
        """HMAC-SHA256 of the raw body with the site's secret; an unconfigured site refuses all."""
        secret = self._secret()
        if not secret:
            raise SignatureError("kanal belum dikonfigurasi: secret kosong")
        given = raw.headers.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given, sign(raw.body, secret)):
            raise SignatureError("tanda tangan kiriman tidak cocok")

    def send(self, message: OutboundMessage) -> SendResult:
        """POST the text to ``<url>/messages``; 429/5xx/unreachable are temporary, other 4xx permanent."""
        import requests

        url = str(self.config().get("url") or "").rstrip("/")
        payload: dict[str, Any] = {"to": message.to.address, "text": message.text, "ref": message.message_id}
        try:
            response = requests.post(f"{url}/messages", json=payload, timeout=(3.05, 10))
        except requests.ConnectionError as exc:  # nothing reached the provider: safe to retry
            raise TemporaryChannelError(f"penyedia tidak terjangkau: {exc}") from exc
        except requests.Timeout as exc:  # it may have been delivered: a person checks
            raise PermanentChannelError("penyedia tidak menjawab; periksa sebelum mengirim ulang") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryChannelError(f"penyedia sibuk (HTTP {response.status_code})",
                                        code=str(response.status_code))
        if response.status_code >= 400:
            raise PermanentChannelError(f"penyedia menolak (HTTP {response.status_code})",
                                        code=str(response.status_code))
        try:
            return SendResult(external_id=str(response.json()["id"]), state="sent")
        except (ValueError, KeyError, TypeError):
            raise PermanentChannelError("jawaban penyedia tanpa id pesan") from None


ENTRY_POINT = {"fake": "aduan_publik.testing.fake_channel:FakeChannel"}


@contextmanager
def fake_channel_installed(root: Path) -> Iterator[type[FakeChannel]]:
    """Register :class:`FakeChannel` as ``fake`` through a real entry point, with an empty outbox."""
    from .entry_points import installed_channels

    FakeChannel.reset()
    try:
        with installed_channels(root, ENTRY_POINT, dist_name="aduan_fake_channel"):
            yield FakeChannel
    finally:
        FakeChannel.reset()
