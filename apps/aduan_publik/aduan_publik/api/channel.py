"""The doors of the integrator API: complaints filed over REST (``api``) or Open311 (``open311``).

Nothing arrives by webhook (the API views call the intake service); answers to the reporter go by
e-mail when the integrator gave one, else they wait on the tracking page and in the API.
"""

from __future__ import annotations

from django.core.mail import send_mail

from ..channels.base import Capabilities, Channel, OutboundMessage, SendResult, TemporaryChannelError


class ApiChannel(Channel):
    """Complaints an integrator filed over REST on a resident's behalf; answers by e-mail or tracking page."""

    name = "api"
    label = "API integrasi"
    capabilities = Capabilities(inbound=False, outbound=True)

    def send(self, message: OutboundMessage) -> SendResult:
        """E-mail the reporter when the integrator gave an address; otherwise it waits on the tracking page."""
        if not message.to.email:
            return SendResult(state="sent", note="tersedia di halaman lacak dan API")
        try:
            send_mail(f"[{message.tracking_number}] Aduan Anda", message.text, None, [message.to.email])
        except OSError as exc:  # SMTP down: worth a retry
            raise TemporaryChannelError(f"email gagal: {exc}") from exc
        return SendResult(state="sent", note="email")


class Open311Channel(ApiChannel):
    """Complaints filed by a 311 app through Open311 GeoReport v2 (``POST requests``)."""

    name = "open311"
    label = "Open311 (GeoReport v2)"
