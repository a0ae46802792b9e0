"""What may be said in public: fixed texts built from the tracking number alone.

A public reply (a comment under the city's post, a reply post on X) is read by everyone, so it
never carries what staff typed, the reporter's name, phone number, the complaint's access code
or anything the resident wrote. It says one thing: the complaint is on record under this
number, and the rest goes by private message. :func:`public_text_check` refuses, as a second
line of defence, any public text holding a phone or NIK-like number or an access code.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from aduan_publik.channels.base import PermanentChannelError

# Phone numbers (08…, +62…, 62…), 16-digit NIKs, and any other run of 8+ digits.
_NUMBERISH = re.compile(r"(?:\+?62|0)8[\d\s-]{6,}|\d{8,}")
_TRACKING = re.compile(r"[A-Z]{2,6}-\d{4}-\d{3,8}")


def public_ack(tracking_number: str) -> str:
    """The public answer to a complaint made in public: its number, and that we write privately."""
    return _("Terima kasih, aduan Anda tercatat dengan nomor %(n)s. Kami hubungi lewat pesan.") % {
        "n": tracking_number or "-"}


def public_update(tracking_number: str) -> str:
    """The public note that there is news, when a private message cannot carry it."""
    return _("Ada kabar terbaru untuk aduan %(n)s. Silakan kirim pesan langsung kepada kami untuk rinciannya.") % {
        "n": tracking_number or "-"}


def public_text_check(text: str, *, tracking_number: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` when it is safe to publish; PermanentChannelError when it could identify someone."""
    without_number = _TRACKING.sub("", text.replace(tracking_number, "")) if tracking_number else text
    leaked = [s for s in secrets if s and s.lower() in text.lower()]
    if _NUMBERISH.search(without_number) or leaked:
        raise PermanentChannelError(_("Balasan publik ditolak: teksnya memuat data yang dapat mengenali pelapor."))
    return text
