"""The texts the hub sends to reporters, in the site's language.

Kept in one module so a city can review every word residents receive.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Complaint, FollowUp


def _in_site_language(func):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper


@_in_site_language
def acknowledgement(complaint: Complaint, access_code: str) -> str:
    return _(
        "Terima kasih, aduan Anda telah kami terima dengan nomor %(number)s. "
        "Kode akses rahasia Anda: %(code)s (simpan, jangan dibagikan). "
        "Pantau perkembangannya di %(url)s atau balas pesan ini."
    ) % {"number": complaint.tracking_number, "code": access_code, "url": track_url()}


@_in_site_language
def acknowledgement_template_text(complaint: Complaint, access_code: str) -> str:
    """The acknowledgement's variable part when it must go as a template (outside the 24-hour window)."""
    return _(
        "Kode akses rahasia Anda: %(code)s (simpan, jangan dibagikan). Pantau perkembangannya di %(url)s."
    ) % {"code": access_code, "url": track_url()}


@_in_site_language
def keyword_help() -> str:
    """The answer to a bare "STATUS" from someone with no complaint."""
    return _(
        "Untuk menanyakan status aduan, kirim STATUS diikuti nomor aduan, misalnya STATUS ADU-2026-000123. "
        "Untuk menyampaikan aduan baru, tuliskan aduan Anda beserta lokasinya dalam pesan. "
        "Anda juga dapat melacak aduan dengan kode akses di %(url)s."
    ) % {"url": track_url()}


@_in_site_language
def postponed(complaint: Complaint, request_text: str) -> str:
    return _(
        "Aduan %(number)s memerlukan keterangan tambahan sebelum dapat kami teruskan: %(text)s "
        "Silakan balas dengan informasi tersebut."
    ) % {"number": complaint.tracking_number, "text": request_text}


@_in_site_language
def followup(complaint: Complaint, item: FollowUp) -> str:
    return _(
        "Tindak lanjut aduan %(number)s dari %(opd)s:\n\n%(body)s\n\n"
        "Balas pesan ini bila belum selesai, atau beri penilaian 1-5 di %(url)s."
    ) % {
        "number": complaint.tracking_number,
        "opd": item.disposition.opd.name,
        "body": item.body,
        "url": track_url(),
    }


@_in_site_language
def status_changed(complaint: Complaint, note: str = "") -> str:
    text = _("Status aduan %(number)s kini: %(status)s.") % {
        "number": complaint.tracking_number,
        "status": complaint.get_status_display(),
    }
    return f"{text} {note}".strip()


def _merged_state(original: Complaint) -> str:
    """Where the original stands, in words the reporter of the duplicate can trust."""
    S = Complaint.Status
    if original.status in (S.RECEIVED, S.POSTPONED, S.RETURNED):
        return _("sedang kami periksa sebelum diteruskan ke OPD")
    if original.status in (S.DISPOSED, S.IN_PROGRESS):
        return _("sedang ditangani OPD terkait")
    if original.status == S.ANSWERED:
        return _("sudah ditindaklanjuti OPD")
    if original.status == S.NOT_AUTHORITY:
        return _("sudah diteruskan ke %(t)s yang berwenang") % {"t": original.forwarded_to}
    return _("sudah selesai ditangani")


@_in_site_language
def merged(complaint: Complaint, original: Complaint) -> str:
    return _(
        "Aduan %(number)s sama dengan aduan %(original)s, yang %(state)s; keduanya kami gabungkan. "
        "Pantau perkembangannya di %(url)s dengan nomor dan kode akses aduan Anda."
    ) % {"number": complaint.tracking_number, "original": original.tracking_number,
         "state": _merged_state(original), "url": track_url()}


def track_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}/lacak/"
