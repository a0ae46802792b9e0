"""The part of the Facebook Page and Instagram channels that is the same: Meta's webhook handshake
and signature, parsing, and the reply rules.

Answers go privately (:meth:`MetaChannel.send`):

1. a complaint made in public (a comment, a visitor post) is answered by a **Private Reply** —
   once per comment, within 7 days of it; the acknowledgement also leaves a **public reply**
   under the comment that holds only the tracking number and "we contact you by message"
   (:mod:`aduan_social.privacy`), never the reporter's name, number, code or anything typed;
2. otherwise in the **inbox thread**, inside the 24-hour window (``RESPONSE``), then with the
   ``HUMAN_AGENT`` tag up to 7 days when the site's app has that permission (``human_agent``);
3. otherwise it fails visibly with the reason, for staff to reach the reporter another way.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik.channels.base import (
    Channel,
    InboundMessage,
    InboundProblem,
    OutboundMessage,
    PermanentChannelError,
    RawInbound,
    SendResult,
    SignatureError,
    StatusUpdate,
)

from .. import privacy
from . import parse
from .graph import GraphClient, GraphConfig

SIGNATURE_HEADER = "x-hub-signature-256"
WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
# Clocks and queues are not exact: near a window's end, do not try what Meta would refuse.
MARGIN = timedelta(minutes=5)
TRUNCATED = " … (selengkapnya di portal aduan)"


class MetaChannel(Channel):
    """Webhooks signed with the app secret, the Graph API out; subclasses name the platform."""

    object_type: ClassVar[str] = ""
    account_setting: ClassVar[str] = ""
    token_setting: ClassVar[str] = ""
    store_media: ClassVar[bool] = False
    max_text: ClassVar[int] = 2000

    # ---- inbound ------------------------------------------------------------------------

    def handshake(self, raw: RawInbound) -> str | None:
        """Echo ``hub.challenge`` only for ``hub.mode=subscribe`` with the site's verify token."""
        expected = str(self.config().get("verify_token") or "")
        given = str(raw.query.get("hub.verify_token") or "")
        if not expected or raw.query.get("hub.mode") != "subscribe":
            return None
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return None
        return str(raw.query.get("hub.challenge") or "")

    def verify_inbound(self, raw: RawInbound) -> None:
        """``X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>``, compared in constant time."""
        secret = str(self.config().get("app_secret") or "")
        if not secret or not self.is_configured():
            raise SignatureError(f"{self.label}: app_secret belum diatur; kiriman tidak dapat diverifikasi")
        header = str(raw.headers.get(SIGNATURE_HEADER) or "")
        if not header.startswith("sha256="):
            raise SignatureError("tanda tangan X-Hub-Signature-256 tidak ada")
        expected = hmac.new(secret.encode(), raw.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(header[len("sha256="):].strip().lower(), expected):
            raise SignatureError("tanda tangan X-Hub-Signature-256 tidak cocok")

    def inbound_key(self, raw: RawInbound) -> str:
        """The ids of the events in the delivery (the body's hash when it has none)."""
        return parse.delivery_key(raw.body, self.object_type)

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate | InboundProblem]:
        """Every inbox event and public item; entries for another account become problems."""
        return parse.parse(raw.body, self.account())

    def account(self) -> parse.Account:
        from .. import selectors

        name = self.name
        return parse.Account(
            channel=name, object_type=self.object_type, store_media=self.store_media,
            account_id=str(self.config().get(self.account_setting) or ""),
            linked_person=lambda inbox_id: selectors.linked_person(channel=name, inbox_id=inbox_id),
            watermark_ids=lambda inbox_id, at, receipt: selectors.watermark_ids(
                channel=name, inbox_id=inbox_id, at=at, receipt=receipt),
            mention_lookup=self.mention_lookup,
        )

    mention_lookup: Any = None

    # ---- outbound -----------------------------------------------------------------------

    def client(self) -> GraphClient:
        return GraphClient(GraphConfig.from_settings(self.config(), self.token_setting))

    def messages_node(self) -> str:
        """The node whose ``/messages`` edge sends as the account."""
        return str(self.config().get(self.account_setting) or "me")

    def send(self, message: OutboundMessage) -> SendResult:
        """A Private Reply for a complaint made in public, else the inbox thread (see the module)."""
        from .. import selectors

        target = selectors.public_target(channel=self.name, message_id=message.message_id)
        if target is not None and self._private_reply_open(target):
            return self._send_private_reply(message, target)
        return self._send_inbox(message, target)

    def _private_reply_open(self, target: Any) -> bool:
        if target.private_used or target.kind == "mention":
            return False
        return timezone.now() < target.created_at + PRIVATE_REPLY_WINDOW - MARGIN

    def _send_private_reply(self, message: OutboundMessage, target: Any) -> SendResult:
        from aduan_publik.services.sending import message_part_record, message_sent_parts

        from .. import selectors, services

        done = message_sent_parts(message_id=message.message_id)
        part = selectors.private_part(target.item_id)
        private_id = done.get(part, "")
        if not private_id:
            sent = self.client().send_message(self.messages_node(), {
                "recipient": self.private_recipient(target), "message": {"text": self.fit(message.text)}})
            private_id = sent.message_id
            message_part_record(message_id=message.message_id, part=part, external_id=private_id)
            services.person_link_record(channel=self.name, inbox_id=sent.recipient_id,
                                        person_id=message.to.user_id)
        note = _("balasan pribadi (Private Reply) atas komentar publik pelapor")
        if message.purpose == "ack" and selectors.public_part(target.item_id) not in done:
            try:
                self._public_reply(message, target)
            except PermanentChannelError as exc:  # the resident has the private answer: keep it "sent"
                note = _("%(note)s; balasan publik gagal: %(e)s") % {"note": note, "e": exc}
        return SendResult(external_id=private_id, note=note)

    def _public_reply(self, message: OutboundMessage, target: Any) -> str:
        """The only public words: the tracking number and "we contact you by message"."""
        from aduan_publik.services.sending import message_part_record

        from .. import selectors

        text = privacy.public_text_check(privacy.public_ack(message.tracking_number),
                                         tracking_number=message.tracking_number,
                                         secrets=(message.to.name, message.to.phone))
        reply_id = self.client().post_reply(*self.public_reply_call(target, text))
        message_part_record(message_id=message.message_id, part=selectors.public_part(target.item_id),
                            external_id=reply_id)
        return reply_id

    def _send_inbox(self, message: OutboundMessage, target: Any) -> SendResult:
        from aduan_publik.models import Message

        from .. import selectors

        inbox_id = message.to.address or selectors.inbox_for_person(channel=self.name, person_id=message.to.user_id)
        if not inbox_id:
            return self._no_private_path(message, target)
        payload: dict[str, Any] = {"recipient": {"id": inbox_id}, "message": {"text": self.fit(message.text)}}
        known = Message.objects.filter(pk=message.message_id).exists()
        # Only an inbox message opens the window (a comment does not); unknown rows: the hub's time.
        last = selectors.last_inbox_at(channel=self.name, message_id=message.message_id) if known \
            else message.last_inbound_at
        now = timezone.now()
        note = ""
        if last is not None and now < last + WINDOW - MARGIN:
            payload["messaging_type"] = "RESPONSE"
        elif last is not None and now < last + HUMAN_AGENT_WINDOW - MARGIN and self.config().get("human_agent"):
            payload.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
            note = _("dikirim dengan tag HUMAN_AGENT (di luar jendela 24 jam)")
        else:
            raise PermanentChannelError(self._closed_reason(last))
        sent = self.client().send_message(self.messages_node(), payload)
        return SendResult(external_id=sent.message_id, note=note)

    def _no_private_path(self, message: OutboundMessage, target: Any) -> SendResult:
        """No inbox thread and no Private Reply left: only a mention's public acknowledgement may go."""
        if target is not None and target.kind == "mention" and message.purpose == "ack":
            reply_id = self._public_reply(message, target)
            return SendResult(external_id=reply_id, note=_("hanya balasan publik berisi nomor aduan"))
        raise PermanentChannelError(_(
            "Tidak ada jalur pesan pribadi ke pelapor: balasan pribadi atas komentarnya sudah dipakai atau lewat "
            "7 hari, dan pelapor belum mengirim pesan. Hubungi pelapor lewat kanal lain."))

    def _closed_reason(self, last: datetime | None) -> str:
        if last is None:
            return _("Pelapor belum membalas lewat pesan %(c)s dan balasan pribadi atas komentarnya sudah dipakai; "
                     "pesan tidak dikirim (pelapor tetap dapat membacanya di portal).") % {"c": self.label}
        if timezone.now() < last + HUMAN_AGENT_WINDOW - MARGIN and not self.config().get("human_agent"):
            return _("Di luar jendela 24 jam %(c)s dan aplikasi tidak memakai tag HUMAN_AGENT; "
                     "pesan tidak dikirim.") % {"c": self.label}
        return _("Di luar jendela balasan %(c)s (lebih dari 7 hari sejak pesan terakhir pelapor); "
                 "pesan tidak dikirim.") % {"c": self.label}

    def fit(self, text: str) -> str:
        return text if len(text) <= self.max_text else text[: self.max_text - len(TRUNCATED)] + TRUNCATED

    def private_recipient(self, target: Any) -> dict[str, str]:
        return {"comment_id": target.item_id}

    def public_reply_call(self, target: Any, text: str) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Messenger files: ``media_id`` is Meta's attachment URL, downloaded with the Page token."""
        if not media_id.startswith(("http://", "https://")):
            raise PermanentChannelError(f"lampiran {media_id[:80]} tanpa URL unduhan")
        return self.client().download(media_id)
