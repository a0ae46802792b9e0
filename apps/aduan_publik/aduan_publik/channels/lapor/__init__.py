"""SP4N-LAPOR!, the national complaint system: reports disposed to the city are pulled in, and
the hub's follow-ups and status changes are pushed back.

* :mod:`.api` — the one module with LAPOR!'s paths, headers, field and status mapping
  (:mod:`.wire` reads the answers through it);
* :mod:`.sync` — the scheduled pull, by list or by detail (:mod:`.reports` holds the idempotent
  upsert, :mod:`.followups` the reporter's replies, :mod:`.skipped` what could not be read);
* :mod:`.masters` — institutions and templates; :mod:`.check` — "check connection";
* :mod:`.push` — the outbox fed by the core's status-sync hook (:meth:`LaporChannel.on_event`);
* :mod:`.importer` — the fallback: the admin panel's XLSX/CSV export, previewed then imported;
* :mod:`.admin` — the desk pages (outbox, sync status, import).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..base import Capabilities, Channel, OutboundMessage, SendResult


class LaporChannel(Channel):
    """SP4N-LAPOR!: pulled on a schedule (no webhooks), mirrored back through the status-sync hook."""

    name = "lapor"
    label = "SP4N-LAPOR!"
    # inbound=False: reports are pulled on a schedule, never posted to us by webhook.
    capabilities = Capabilities(inbound=False, outbound=True, media=True, status_sync=True)
    # The base URL defaults to SPLP's production address (``environment``: "sandbox" for the other).
    required_settings = ("authorization", "token")

    def send(self, message: OutboundMessage) -> SendResult:
        """Replies reach a LAPOR! reporter as follow-ups posted through the LAPOR! outbox.

        The audit event of the same action (``followup_published``, ``replied``, ``postponed``)
        queues that post, with retries and a desk view; posting here too would post it twice.
        Other notices (status changes) are shown by LAPOR! itself from the status it holds.
        """
        from aduan_publik.models import Message

        row = Message.objects.filter(pk=message.message_id).values_list("followup_id", "author_id").first()
        if row is not None and any(row):
            return SendResult(state="sent", note=_("Dikirim sebagai tindak lanjut di SP4N-LAPOR! "
                                                   "(lihat antrean kirim SP4N-LAPOR!)."))
        return SendResult(state="sent", note=_("Tidak dikirim terpisah: pelapor melihat status di SP4N-LAPOR!."))

    def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """A file on a reporter's follow-up (``media_id`` encodes its LAPOR! URL or path)."""
        from .api import current_config
        from .client import LaporClient
        from .followups import media_url

        return LaporClient(current_config()).download(media_url(media_id)), ""

    def on_event(self, event_id: int) -> None:
        """Turn the event into outbox rows and try them at once; retries belong to the outbox."""
        from .push import outbox_from_event, outbox_send

        for row in outbox_from_event(event_id=event_id):
            if row.state == row.State.PENDING:
                outbox_send(row_id=row.pk)
