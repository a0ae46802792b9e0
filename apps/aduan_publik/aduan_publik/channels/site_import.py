"""The channels of ``site_config.json`` as Channel documents: the import source of issue 11.

Above the registry (it reads each channel's declared settings schema) and beside
:mod:`.secrets`, which stays free of channel imports: the document selectors decrypt through it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .base import _looks_secret
from .registry import UnknownChannel, channel_choices, get_channel
from .secrets import encrypt

IMPORTED_KEY = "utama"  # the key of an instance imported from site_config.json


def split_config(channel: str, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``cfg`` split into (plain settings, secrets) by the channel's declared schema.

    A key the schema does not declare is a secret when its name says so (token, secret, key,
    password): better encrypted once too often than shown once.
    """
    try:
        declared = {s.name: s.secret for s in type(get_channel(channel)).setting_schema()}
    except UnknownChannel:
        declared = {}
    plain: dict[str, Any] = {}
    hidden: dict[str, Any] = {}
    for name, value in cfg.items():
        secret = declared.get(name, _looks_secret(name))
        (hidden if secret else plain)[name] = value
    return plain, hidden


def site_config_documents() -> list[dict[str, Any]]:
    """One Channel document (as field values) per channel configured in ``site_config.json``.

    Used by the migration that imports them: each becomes the default instance ``utama`` of
    its type, its secrets encrypted with the site's key.
    """
    labels = dict(channel_choices())
    rows = []
    for channel, cfg in sorted((settings.ADUAN.get("channels") or {}).items()):
        if not isinstance(cfg, dict) or not cfg:
            continue
        plain, hidden = split_config(channel, cfg)
        rows.append({"channel": channel, "key": IMPORTED_KEY, "name": str(labels.get(channel) or channel),
                     "enabled": True, "is_default": True, "settings": plain, "secrets": encrypt(hidden)})
    return rows
