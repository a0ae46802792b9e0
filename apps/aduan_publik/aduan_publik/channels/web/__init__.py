"""The web portal channel.

Inbound: the portal's complaint form and tracking page call the services directly (the form is
the "webhook"); :meth:`WebChannel.parse_inbound` turns a posted reply into a normalised message
so the portal and tests use the same contract as every other channel.

Outbound: the answer is always on the tracking page; when the reporter left an email address
it is also sent there. Without one the message is marked delivered to the portal.
"""

from __future__ import annotations

import uuid

from django.core.mail import send_mail
from django.utils import timezone

from ..base import (
    Capabilities,
    Channel,
    ContactRef,
    InboundMessage,
    OutboundMessage,
    PayloadError,
    RawInbound,
    SendResult,
    StatusUpdate,
    TemporaryChannelError,
)


class WebChannel(Channel):
    """The residents' portal: a posted form is the inbound request, email (or the page) the answer."""

    name = "web"
    label = "Portal web"
    capabilities = Capabilities(inbound=True, outbound=True, media=True)

    def parse_inbound(self, raw: RawInbound) -> list[InboundMessage | StatusUpdate]:
        form = raw.form
        text = str(form.get("text", "")).strip()
        if not text:
            raise PayloadError("pesan kosong")
        return [
            InboundMessage(
                channel=self.name,
                external_id=str(form.get("message_id") or uuid.uuid4().hex),
                # "address"/"user_id" let the portal name the reporter's existing contact exactly
                # (a phone-only or contactless reporter has no email to be found by).
                sender=ContactRef(address=str(form.get("address") or form.get("email", "")),
                                  user_id=str(form.get("user_id", "")), name=str(form.get("name", "")),
                                  email=str(form.get("email", "")), phone=str(form.get("phone", ""))),
                sent_at=timezone.now(),
                text=text,
                tracking_number=str(form.get("tracking_number", "")),
            )
        ]

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.to.email:
            return SendResult(state="sent", note="tersedia di halaman lacak")
        subject = f"[{message.tracking_number}] Aduan Anda"
        try:
            send_mail(subject, message.text, None, [message.to.email])
        except OSError as exc:  # SMTP down: worth a retry
            raise TemporaryChannelError(f"email gagal: {exc}") from exc
        return SendResult(state="sent", note="email")
