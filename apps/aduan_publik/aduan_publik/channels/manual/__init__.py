"""The manual channel: walk-in desk, phone calls and letters, typed in by an admin.

Inbound complaints are created by an admin in the desk (:func:`complaint_create` with
``channel="manual"``). Outbound answers go by email when the reporter gave one; otherwise they
are marked *manual* and listed in the desk for a person to deliver by phone or letter.
"""

from __future__ import annotations

from django.core.mail import send_mail

from ..base import Capabilities, Channel, OutboundMessage, SendResult, TemporaryChannelError


class ManualChannel(Channel):
    """Complaints typed in by staff; answers by email, or marked *manual* for a person to deliver."""

    name = "manual"
    label = "Loket / telepon / surat"
    capabilities = Capabilities(inbound=False, outbound=True, manual_delivery=True)

    def send(self, message: OutboundMessage) -> SendResult:
        if message.to.email:
            try:
                send_mail(f"[{message.tracking_number}] Aduan Anda", message.text, None, [message.to.email])
            except OSError as exc:
                raise TemporaryChannelError(f"email gagal: {exc}") from exc
            return SendResult(state="sent", note="email")
        return SendResult(state="manual", note="sampaikan lewat telepon/surat")
