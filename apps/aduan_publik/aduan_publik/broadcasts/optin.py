"""Double opt-in and withdrawal on WhatsApp: ``DAFTAR <topik>`` → consent text → ``YA``; ``BERHENTI``.

A subscription made on the portal (consent text, version, time, IP) counts for broadcasts only
once the resident answered YA to the confirmation template on WhatsApp; one made on WhatsApp
itself keeps the consent text the hub sent and the id of the resident's YA message as
evidence. ``BERHENTI`` / ``STOP`` (any letter case) ends it at once, also in the middle of a
broadcast: the resident's rows still queued are marked "opted out" and never sent.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels.base import BroadcastMessage, ChannelError, ContactRef, InboundMessage
from ..channels.registry import get_channel
from ..models import Message
from ..portal.models import Subscription
from ..portal.services import normalize_phone, subscription_cancel, subscription_create
from ..services.audit import event_record
from . import config
from .models import Recipient

CONSENT_VERSION_WA = "wa-2026-1"
DAFTAR_RE = re.compile(r"^\s*(?:DAFTAR|LANGGANAN)\b\s*(.*?)\s*[.!]*\s*$", re.IGNORECASE)
YES_RE = re.compile(r"^\s*(?:YA|YES|Y|SETUJU)\s*[.!]*\s*$", re.IGNORECASE)
STOP_RE = re.compile(r"^\s*(?:BERHENTI|STOP|UNSUBSCRIBE)\b.*$", re.IGNORECASE | re.DOTALL)
TOPIC_WORDS = {
    "agenda": "agenda", "kegiatan": "agenda", "himbauan": "himbauan", "imbauan": "himbauan",
    "pengumuman": "himbauan", "program": "program", "layanan": "program", "darurat": "darurat",
    "bencana": "darurat", "aduan": "aduan",
}


def consent_text(topics: list[str]) -> str:
    labels = ", ".join(str(Subscription.Topic(t).label) for t in topics)
    return _("Pemerintah kota akan mengirim informasi resmi (%(topics)s) ke nomor WhatsApp ini. Data nomor "
             "Anda hanya dipakai untuk siaran ini sesuai UU 27/2022 tentang Pelindungan Data Pribadi dan dapat "
             "Anda tarik kapan saja dengan membalas BERHENTI. Balas YA untuk setuju.") % {"topics": labels}


def _topics(words: str) -> list[str]:
    return sorted({TOPIC_WORDS[w] for w in re.findall(r"[a-z]+", words.lower()) if w in TOPIC_WORDS})


def _phone(inbound: InboundMessage) -> str:
    return normalize_phone(inbound.sender.phone or inbound.sender.address)


@transaction.atomic
def keyword_answer(*, inbound: InboundMessage, reply: object) -> bool:
    """Handle DAFTAR / YA / BERHENTI; False when ``inbound`` is none of them (route it normally).

    ``reply(contact_ref, text)`` answers the resident (the channel's free-text path: the
    resident just wrote, so the 24-hour window is open). Idempotent on the message id.
    """
    text = inbound.text if inbound.kind in ("text", "button", "interactive") else ""
    phone = _phone(inbound)
    if not text or not phone:
        return False
    daftar, yes, stop = DAFTAR_RE.match(text), YES_RE.match(text), STOP_RE.match(text)
    active = Subscription.objects.select_for_update().filter(phone=phone, unsubscribed_at__isnull=True).first()
    if yes and (active is None or active.is_confirmed):
        return False  # an ordinary "ya" in a complaint conversation
    if not (daftar or yes or stop):
        return False
    if Message.objects.filter(channel=inbound.channel, direction=Message.Direction.IN,
                              external_id=inbound.external_id).exists():
        return True
    _keep(inbound, text)
    if daftar:
        answer = _daftar(phone, daftar.group(1), active, inbound)
    elif yes:
        assert active is not None
        answer = _confirm(active, inbound)
    else:
        answer = _stop(phone)
    reply(inbound.sender, answer)  # type: ignore[operator]
    return True


def _keep(inbound: InboundMessage, text: str) -> None:
    from ..services.contacts import contact_get_or_create

    contact = contact_get_or_create(channel=inbound.channel, ref=inbound.sender)
    Message.objects.create(complaint=None, contact=contact, channel=inbound.channel,
                           direction=Message.Direction.IN, kind="keyword", body=text,
                           external_id=inbound.external_id, state=Message.State.RECEIVED,
                           created_at=inbound.sent_at, meta={"keyword": "subscription"})


def _daftar(phone: str, words: str, active: Subscription | None, inbound: InboundMessage) -> str:
    topics = _topics(words)
    if not topics:
        choices = ", ".join(sorted(set(TOPIC_WORDS.values())))
        return _("Topik tidak dikenal. Kirim DAFTAR diikuti topik: %(choices)s. Contoh: DAFTAR DARURAT") % {
            "choices": choices.upper()}
    if active is not None:
        topics = sorted(set(topics) | set(active.topics))
    text = consent_text(topics)
    subscription_create(phone=phone, topics=topics, consent_text=text, consent_version=CONSENT_VERSION_WA,
                        ip=None, name=inbound.sender.name, request_confirmation=False)
    return text


def _confirm(sub: Subscription, inbound: InboundMessage) -> str:
    subscription_confirm(subscription=sub, ref=f"{inbound.channel}:{inbound.external_id}")
    return _("Terima kasih, langganan informasi Anda aktif. Balas BERHENTI kapan saja untuk berhenti.")


def _stop(phone: str) -> str:
    if not subscription_cancel(via="whatsapp", phone=phone):
        return _("Nomor ini tidak sedang berlangganan informasi.")
    optout_queued(phone=phone)
    return _("Anda telah berhenti berlangganan informasi. Kirim DAFTAR <topik> untuk berlangganan lagi.")


def subscription_confirm(*, subscription: Subscription, ref: str) -> None:
    """The second opt-in: the resident's YA, with the message that carried it as evidence."""
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now(), confirm_ref=ref[:200])
    event_record(complaint=None, by=f"warga {subscription.phone[:4]}••••{subscription.phone[-3:]}",
                 verb="subscription_confirmed", summary=_("Warga mengonfirmasi langganan informasi (YA)."),
                 data={"subscription": subscription.pk, "ref": ref})


def optout_queued(*, phone: str) -> int:
    """Mark the resident's rows still queued in any broadcast as opted out (never sent)."""
    return Recipient.objects.filter(phone=phone, state=Recipient.State.QUEUED).update(
        state=Recipient.State.OPTED_OUT, reason=_("berhenti berlangganan"))


def optin_request_send(*, subscription_id: int) -> bool:
    """Send the confirmation template to a portal subscriber (site setting ``optin_template``)."""
    sub = Subscription.objects.filter(pk=subscription_id, unsubscribed_at__isnull=True,
                                      confirmed_at__isnull=True).first()
    cfg = config.load()
    if sub is None or not cfg.optin_template:
        return False
    message = BroadcastMessage(recipient_id=0, to=ContactRef(phone=sub.phone), template=cfg.optin_template,
                               language=cfg.optin_language, callback_data=f"optin:{sub.pk}")
    try:
        get_channel("whatsapp").send_broadcast(message)
    except ChannelError as exc:
        event_record(complaint=None, by=None, verb="subscription_optin_failed",
                     summary=_("Permintaan konfirmasi langganan gagal dikirim: %(reason)s") % {"reason": exc},
                     data={"subscription": sub.pk})
        return False
    return True
