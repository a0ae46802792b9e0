"""Message text sealed at rest: Fernet under the site's key ring (the channel secrets' ``channel_keys``).

The acknowledgement carries the reporter's access code in clear text, which is as good as a
password for the tracking page; its body (and its WhatsApp template text) is stored as
``enc1:<Fernet token>`` and opened only where it is needed: the send path (``services.sending``)
and the masked timelines (desk and portal selectors). ``rotate_channel_key`` re-seals these rows
with the new key before the old ones are dropped. Kept free of model imports: the migration that
seals existing rows uses it.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.utils.translation import gettext as _

from .channels.secrets import site_keys

PREFIX = "enc1:"


def _ring(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in (keys or site_keys())])


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def seal(text: str, keys: list[str] | None = None) -> str:
    """``text`` sealed (already sealed or empty text is returned as it is)."""
    if not text or is_sealed(text):
        return text
    return PREFIX + _ring(keys).encrypt(text.encode()).decode()


def unseal(text: str, keys: list[str] | None = None) -> str:
    """The clear text of a sealed value; plain text is returned unchanged.

    A value no key of the ring opens (a key dropped too early) reads as a notice, never as the
    token: the timeline stays readable and nothing leaks.
    """
    if not is_sealed(text):
        return text
    try:
        return _ring(keys).decrypt(text[len(PREFIX):].encode()).decode()
    except (InvalidToken, ValueError):
        return _("[isi terenkripsi tidak dapat dibuka dengan kunci situs]")


def reseal(text: str, keys: list[str]) -> str:
    """A sealed value re-encrypted with the first of ``keys`` (any of them may have sealed it)."""
    if not is_sealed(text):
        return text
    return PREFIX + _ring(keys).rotate(text[len(PREFIX):].encode()).decode()
