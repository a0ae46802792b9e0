"""The X channel: mentions of the city's account and DMs in, reply posts and DMs out.

Inbound, two ways into the same pipeline:

* the **mentions poll** (:mod:`.poll`), a scheduled job that reads ``GET /2/users/:id/mentions``
  from the stored ``since_id`` cursor, paced by ``poll_interval_seconds`` and the month's
  budget, and stores each page as a delivery of this channel;
* the **X Activity API webhook** when the site has it (``consumer_secret`` set): the CRC
  challenge on ``GET /channels/x/activity?crc_token=…`` and signed events
  (``x-twitter-webhooks-signature``) on ``POST /channels/x/activity`` (or the generic
  ``/channels/x/webhook``).

Outbound: a complaint made by a public mention gets a public reply post holding only the
tracking number ("kami hubungi lewat pesan"), never what staff typed; the full text goes by DM
when the site allows DMs (``dm_replies``) or the resident wrote by DM. Every paid call is
counted in the month's spend (desk: *Biaya X per bulan*) and refused beyond the budget.

Site settings (``channels.x``): ``user_id``, ``access_token`` (required: the city account's
OAuth 2.0 user token); ``consumer_secret`` (webhook), ``dm_replies``, ``monthly_budget_usd``,
``owned_reads``, ``prices``, ``poll_interval_seconds``, ``max_results``, ``api_base_url``,
``timeout`` (optional).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik.channels.base import (
    Capabilities,
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
from . import costs, parse
from .client import XClient, XConfig

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
MAX_DM = 10000


def crc_response(secret: str, crc_token: str) -> str:
    """``sha256=`` + base64(HMAC-SHA256(consumer secret, crc_token)), as X's CRC check wants."""
    digest = hmac.new(secret.encode(), crc_token.encode(), hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


class XChannel(Channel):
    """X (Twitter): polled mentions and Activity API events in, reply posts and DMs out."""

    name = "x"
    label = "X (Twitter)"
    capabilities = Capabilities(inbound=True, outbound=True, media=False, delivery_status=False)
    required_settings = ("user_id", "access_token")
    urls = "aduan_social.x.urls"

    def client(self) -> XClient:
        return XClient(XConfig.from_settings(self.config()))

    # ---- inbound ------------------------------------------------------------------------

    def handshake(self, raw: RawInbound) -> str | None:
        """The CRC answer (JSON text) for ``crc_token``; refused without a consumer secret."""
        secret = str(self.config().get("consumer_secret") or "")
        token = str(raw.query.get("crc_token") or "")
        if not secret or not token or not self.is_configured():
            return None
        return json.dumps({"response_token": crc_response(secret, token)})

    def verify_inbound(self, raw: RawInbound) -> None:
        """``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>``."""
        secret = str(self.config().get("consumer_secret") or "")
        if not secret or not self.is_configured():
            raise SignatureError("X consumer_secret belum diatur; webhook Activity API tidak diterima")
        header = str(raw.headers.get(SIGNATURE_HEADER) or "")
        if not header.startswith("sha256="):
            raise SignatureError("tanda tangan x-twitter-webhooks-signature tidak ada")
        expected = base64.b64encode(hmac.new(secret.encode(), raw.body, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(header[len("sha256="):].strip(), expected):
            raise SignatureError("tanda tangan x-twitter-webhooks-signature tidak cocok")

    def inbound_key(self, raw: RawInbound) -> str:
        """Event uuids (webhook) or post ids (poll page); the body hash when there are none."""
        return parse.delivery_key(raw.body)

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate | InboundProblem]:
        return parse.parse(raw.body, account_id=str(self.config().get("user_id") or ""))

    # ---- outbound -----------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> SendResult:
        """DM when allowed or when the resident wrote by DM; a public mention gets a number-only reply post."""
        from .. import selectors

        cfg = self.config()
        origin = selectors.x_origin(message_id=message.message_id)
        by_dm = bool(message.to.user_id) and (cfg.get("dm_replies") or (origin is not None and origin.kind == "dm"))
        if origin is None or origin.kind == "dm":
            if not by_dm:
                raise PermanentChannelError(_("Tidak ada sebutan atau DM X untuk dibalas."))
            return SendResult(external_id=self._dm(message, cfg))
        return self._answer_mention(message, origin.item_id, cfg, by_dm)

    def _answer_mention(self, message: OutboundMessage, post_id: str, cfg: dict[str, Any], by_dm: bool) -> SendResult:
        from aduan_publik.services.sending import message_part_record, message_sent_parts

        done = message_sent_parts(message_id=message.message_id)
        public = privacy.public_ack if message.purpose == "ack" else privacy.public_update
        reply_id = done.get(f"public:{post_id}", "")
        if not reply_id and (message.purpose == "ack" or not by_dm):
            text = privacy.public_text_check(public(message.tracking_number), tracking_number=message.tracking_number,
                                             secrets=(message.to.name, message.to.phone))
            self._charge(cfg, costs.price(cfg, "post_create"), posts_created=1)
            reply_id = self.client().reply_post(text=text, in_reply_to=post_id)
            message_part_record(message_id=message.message_id, part=f"public:{post_id}", external_id=reply_id)
        if not by_dm:
            return SendResult(external_id=reply_id,
                              note=_("balasan publik hanya berisi nomor aduan; isi lengkap ada di portal"))
        dm_id = done.get("dm", "") or self._dm(message, cfg)
        message_part_record(message_id=message.message_id, part="dm", external_id=dm_id)
        return SendResult(external_id=dm_id)

    def _dm(self, message: OutboundMessage, cfg: dict[str, Any]) -> str:
        self._charge(cfg, costs.price(cfg, "dm_create"), dms_created=1)
        return self.client().send_dm(participant_id=message.to.user_id, text=message.text[:MAX_DM])

    def _charge(self, cfg: dict[str, Any], cost: Any, **counts: int) -> None:
        """Refuse a paid call beyond the month's budget; count it before it is made."""
        from ..services import x_spend_add

        if not costs.affordable(cfg, cost):
            raise PermanentChannelError(_("Anggaran X bulan ini (US$%(b)s) sudah habis; pesan tidak dikirim.") % {
                "b": costs.budget(cfg)})
        x_spend_add(at=timezone.now(), cost=cost, **counts)
