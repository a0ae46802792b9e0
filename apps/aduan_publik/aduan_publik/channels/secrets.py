"""Channel secrets at rest: Fernet tokens under the site's key ring (``cryptography``).

The site config's ``channel_keys`` is a list of Fernet keys, newest first. Everything is
encrypted with the first key and decrypted with any of them (:class:`~cryptography.fernet.MultiFernet`),
so a key can be rotated without downtime: ``aduan --site NAME rotate_channel_key`` puts a new
key in front, re-encrypts every stored secret with it and drops the old keys.

A site created before channel keys existed has none: its key is then derived from the site's
``secret_key`` (HKDF-SHA256), so nothing breaks; ``rotate_channel_key`` replaces it with a real
key ring. Kept free of model imports: the migration that imports ``site_config.json``'s
channels uses it too.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _


class SecretsUnreadable(ValueError):
    """Stored secrets were encrypted with a key the site no longer has (or were tampered with)."""


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64), as ``aduan new-site`` writes it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _derived_key() -> str:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"aduan-channel-secrets", info=b"fernet")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode())).decode()


def site_keys() -> list[str]:
    """The site's key ring, newest first (``ADUAN["channel_keys"]``, else one derived key)."""
    keys = [str(k) for k in settings.ADUAN.get("channel_keys") or [] if k]
    return keys or [_derived_key()]


def _ring(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in (keys or site_keys())])


def encrypt(values: dict[str, Any], keys: list[str] | None = None) -> str:
    """``values`` as one Fernet token ("" for no secrets at all)."""
    if not values:
        return ""
    return _ring(keys).encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str, keys: list[str] | None = None) -> dict[str, Any]:
    """The secrets in ``token``; raises :class:`SecretsUnreadable` when no key of the ring fits."""
    if not token:
        return {}
    try:
        data = json.loads(_ring(keys).decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise SecretsUnreadable(_("Rahasia kanal tidak dapat dibuka dengan kunci situs (channel_keys).")) from exc
    return data if isinstance(data, dict) else {}


def rotate(token: str, keys: list[str]) -> str:
    """``token`` re-encrypted with the first of ``keys`` (any of them may have encrypted it)."""
    if not token:
        return ""
    try:
        return _ring(keys).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretsUnreadable(_("Rahasia kanal tidak dapat dibuka dengan kunci situs (channel_keys).")) from exc
