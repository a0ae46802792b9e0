"""The WhatsApp channel: the WhatsApp Business Platform (Cloud API) as a door into the hub.

Inbound: Meta posts webhooks to the generic endpoint ``/channels/whatsapp/webhook``; the
subscription handshake (GET) needs the site's verify token, every POST an
``X-Hub-Signature-256`` HMAC of the raw body with the app secret. Deliveries are stored raw
with a key made of the message and status ids, answered 200 at once and parsed in a job
(:mod:`.payloads`). A ``STATUS <number>`` message is answered before routing (:mod:`.keywords`).

Outbound: free text inside the 24-hour window, the site's approved template outside it
(:mod:`.outbound`), through a small Graph API client (:mod:`.client`); a follow-up's evidence
goes after the text as media messages (:mod:`.media`). Inbound media is downloaded from the
Graph API in a retrying job.

Settings live on the desk's Channel documents, one per number (see :attr:`WhatsAppChannel.settings_schema`;
``site_config.json`` → ``channels.whatsapp`` is imported once and stays the fallback):
``phone_number_id``, ``access_token``, ``app_secret``, ``verify_token`` (required, the last three
secret); ``graph_base_url``, ``graph_version``, ``waba_id`` (broadcast templates), ``reply_template``, ``ack_template``,
``reply_template_language``, ``timeout`` (optional).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    BroadcastMessage,
    Capabilities,
    Channel,
    ChannelError,
    ConnectionCheck,
    InboundMessage,
    InboundProblem,
    OutboundMessage,
    PermanentChannelError,
    RawInbound,
    SendResult,
    Setting,
    SignatureError,
    StatusUpdate,
)
from . import media, outbound, payloads
from .client import GraphClient, GraphConfig, OutsideWindow

SIGNATURE_HEADER = "x-hub-signature-256"
TEXT_PART = "text"


def _unsent_note(sent: str, files: int) -> str:
    """What staff read on the message when the evidence did not go as WhatsApp media."""
    return _("%(sent)s; %(n)d lampiran bukti tidak dikirim lewat WhatsApp (di luar jendela 24 jam) — "
             "pelapor dapat melihatnya di halaman pelacakan aduan") % {"sent": sent, "n": files}


class WhatsAppChannel(Channel):
    """WhatsApp Business Platform (Cloud API): webhooks in, Graph API out, media by id."""

    name = "whatsapp"
    label = "WhatsApp"
    capabilities = Capabilities(inbound=True, outbound=True, media=True, delivery_status=True, templates=True,
                                broadcast=True)
    required_settings = ("phone_number_id", "access_token", "app_secret", "verify_token")
    settings_schema = (
        Setting("phone_number_id", gettext_lazy("ID nomor telepon (Phone number ID)")),
        Setting("access_token", gettext_lazy("Token akses"), secret=True,
                help=gettext_lazy("Token pengguna sistem (System User) dengan izin whatsapp_business_messaging.")),
        Setting("app_secret", gettext_lazy("App secret"), secret=True,
                help=gettext_lazy("Untuk memeriksa tanda tangan X-Hub-Signature-256 setiap kiriman.")),
        Setting("verify_token", gettext_lazy("Verify token webhook"), secret=True),
        Setting("reply_template", gettext_lazy("Templat balasan (di luar 24 jam)"), required=False),
        Setting("ack_template", gettext_lazy("Templat tanda terima"), required=False),
        Setting("reply_template_language", gettext_lazy("Bahasa templat"), required=False,
                help=gettext_lazy("Bawaan: id")),
        Setting("graph_base_url", gettext_lazy("Alamat Graph API"), required=False,
                help=gettext_lazy("Bawaan: https://graph.facebook.com")),
        Setting("graph_version", gettext_lazy("Versi Graph API"), required=False),
        Setting("waba_id", gettext_lazy("ID WhatsApp Business Account (templat siaran)"), required=False,
                help=gettext_lazy("Untuk menyelaraskan templat siaran yang disetujui Meta.")),
        Setting("timeout", gettext_lazy("Batas waktu (detik)"), required=False),
    )

    def client(self) -> GraphClient:
        """A Graph API client; one channel object keeps its connection (a broadcast sends thousands)."""
        config = GraphConfig.from_settings(self.config())
        kept = self.__dict__.get("_client")
        if kept is None or kept.config != config:
            kept = self.__dict__["_client"] = GraphClient(config)
        return kept

    def check_connection(self) -> ConnectionCheck:
        """Read the number's own record (``GET /{phone-number-id}``): nothing is sent to anyone.

        Error 190 means the access token expired or was revoked.
        """
        if not self.is_configured():
            return super().check_connection()
        try:
            info = self.client().phone_info()
        except ChannelError as exc:
            return ConnectionCheck(ok=False, detail=str(exc), token_invalid=getattr(exc, "code", "") == "190")
        return ConnectionCheck(ok=True, detail=_("Terhubung: %(number)s (%(name)s), kualitas %(quality)s") % {
            "number": info.get("display_phone_number") or "?", "name": info.get("verified_name") or "?",
            "quality": info.get("quality_rating") or "?"})

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
        """Check ``X-Hub-Signature-256: sha256=<HMAC-SHA256(app secret, raw body)>``."""
        secret = str(self.config().get("app_secret") or "")
        if not secret:
            raise SignatureError("WhatsApp app_secret belum diatur; kiriman tidak dapat diverifikasi")
        header = str(raw.headers.get(SIGNATURE_HEADER) or "")
        if not header.startswith("sha256="):
            raise SignatureError("tanda tangan X-Hub-Signature-256 tidak ada")
        expected = hmac.new(secret.encode(), raw.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(header[len("sha256="):].strip().lower(), expected):
            raise SignatureError("tanda tangan X-Hub-Signature-256 tidak cocok")

    def inbound_key(self, raw: RawInbound) -> str:
        """The ids of the messages and statuses in the delivery (body hash when it has none)."""
        return payloads.delivery_key(raw.body)

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate | InboundProblem]:
        """Every message and status of every entry and change, item by item.

        Values addressed to another business number than the site's ``phone_number_id`` (one
        Meta app may serve several numbers) become problems, never complaints.
        """
        return payloads.parse(raw.body, phone_number_id=str(self.config().get("phone_number_id") or ""))

    def intercept(self, message: InboundMessage) -> bool:
        """Answer a ``STATUS ADU-…`` keyword, or a subscription keyword (``DAFTAR``, ``YA``, ``BERHENTI``)."""
        from .keywords import broadcast_keyword_answer, status_keyword_answer

        return broadcast_keyword_answer(inbound=message) or status_keyword_answer(inbound=message)

    def send_broadcast(self, message: BroadcastMessage) -> SendResult:
        """One approved template with its variables (and header file), tagged with ``callback_data``."""
        return SendResult(external_id=self.client().send(outbound.broadcast_payload(message)))

    def broadcast_templates(self) -> list[dict[str, Any]]:
        """The WhatsApp Business Account's templates (site setting ``waba_id``)."""
        waba_id = str(self.config().get("waba_id") or "")
        if not waba_id:
            raise PermanentChannelError(_("ID WhatsApp Business Account (waba_id) belum diatur"))
        return self.client().templates(waba_id)

    def broadcast_upload(self, content: bytes, filename: str, content_type: str) -> str:
        return self.client().upload_media(content, filename, content_type)

    def send(self, message: OutboundMessage) -> SendResult:
        """Free text inside the 24-hour window, the reply template outside (or when Meta says 131047).

        With attachments (a follow-up's evidence): inside the window the text, then each file as
        its own media message, every part recorded as it goes so a retry sends only what is
        missing; outside it the template alone (it cannot carry arbitrary media), with a note.
        """
        client = self.client()
        if not message.attachments:
            if outbound.inside_window(message.last_inbound_at):
                try:
                    return SendResult(external_id=client.send(outbound.text_payload(message)))
                except OutsideWindow:
                    pass  # Meta's clock disagrees with ours: the template is always allowed
            return self._send_template(client, message, 0)
        return self._send_with_media(client, message)

    def _send_template(self, client: GraphClient, message: OutboundMessage, files: int) -> SendResult:
        cfg = self.config()
        wamid = client.send(outbound.template_payload(message, cfg))
        sent = _("dikirim sebagai templat %(name)s (di luar jendela 24 jam)") % {
            "name": outbound.template_name(message, cfg)}
        if not files:
            return SendResult(external_id=wamid, note=sent)
        return SendResult(external_id=wamid, note=_unsent_note(sent, files))

    def _send_with_media(self, client: GraphClient, message: OutboundMessage) -> SendResult:
        from ...services.sending import message_part_record, message_sent_parts

        files = media.outbound_files(message.attachments)  # refuses oversized files before any send
        done = message_sent_parts(message_id=message.message_id)
        text_id = done.get(TEXT_PART)
        if not text_id:
            if not outbound.inside_window(message.last_inbound_at):
                return self._send_template(client, message, len(files))
            try:
                text_id = client.send(outbound.text_payload(message))
            except OutsideWindow:
                return self._send_template(client, message, len(files))
            message_part_record(message_id=message.message_id, part=TEXT_PART, external_id=text_id)
        for index, item in enumerate(files, 1):
            if item.part in done:
                continue
            try:
                wamid = self._send_file(client, message, item, index, len(files))
            except OutsideWindow:  # the window closed between retries: the rest stays on the portal
                missing = sum(1 for f in files if f.part not in done)
                return SendResult(external_id=text_id, note=_unsent_note("teks", missing))
            message_part_record(message_id=message.message_id, part=item.part, external_id=wamid)
            done[item.part] = wamid
        return SendResult(external_id=text_id)

    def _send_file(self, client: GraphClient, message: OutboundMessage, item: media.OutboundFile,
                   index: int, total: int) -> str:
        try:
            media_id = client.upload_media(media.read(item), item.filename, item.content_type)
            caption = media.caption(message, item, index, total)
            return client.send(media.media_payload(message, item, media_id, caption))
        except OutsideWindow:
            raise
        except PermanentChannelError as exc:
            raise PermanentChannelError(f"{item.filename}: {exc}", code=exc.code) from exc

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Resolve the media id to its short-lived URL, check the size, download with the token."""
        client = self.client()
        info = client.media_info(media_id)
        url = str(info.get("url") or "")
        if not url:
            raise PermanentChannelError(f"media {media_id} tidak punya URL unduhan (kedaluwarsa?)")
        size = int(info.get("file_size") or 0)
        if size > settings.ADUAN["max_upload_bytes"]:
            raise PermanentChannelError(f"media {media_id} terlalu besar ({size} byte)")
        return client.download(url), str(info.get("mime_type") or "")
