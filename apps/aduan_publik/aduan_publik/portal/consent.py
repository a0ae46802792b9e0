"""The consent residents give for WhatsApp information; the exact words are stored with each subscription.

Change the text only together with :data:`CONSENT_VERSION`, so every stored consent can be
matched to the words the resident saw.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

CONSENT_VERSION = "2026-11"


def consent_text() -> str:
    """The consent statement in the language the page is shown in."""
    return _(
        "Saya bersedia menerima pesan informasi resmi dari Pemerintah %(city)s melalui WhatsApp ke nomor "
        "di atas, sesuai topik yang saya pilih. Nomor, wilayah dan topik saya hanya dipakai untuk mengirim "
        "informasi tersebut dan tidak dibagikan kepada pihak lain. Saya dapat berhenti kapan saja melalui "
        "halaman ini atau tautan berhenti berlangganan di setiap pesan."
    ) % {"city": settings.ADUAN["city_name"]}
