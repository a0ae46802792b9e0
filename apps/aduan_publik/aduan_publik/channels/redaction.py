"""Secrets carried by an inbound request are never stored: they are redacted before the row is written.

A provider may authenticate its webhooks with a shared secret in a header (Telegram's
``X-Telegram-Bot-Api-Secret-Token``) or in the URL. :meth:`Channel.verify_inbound` checks it on
the live request; the stored copy (``InboundEvent``), which admins read in the desk, keeps only
the marker :data:`REDACTED`. A channel adds its own names with ``Channel.sensitive_headers`` and
``Channel.sensitive_params``; the names below are always redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[disembunyikan]"
#: Headers that carry credentials whatever the channel.
ALWAYS_SENSITIVE_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token",
    "x-telegram-bot-api-secret-token",
})
#: Query-string and form fields that carry credentials whatever the channel.
ALWAYS_SENSITIVE_PARAMS = frozenset({
    "access_token", "api_key", "apikey", "token", "secret", "password", "hub.verify_token",
})


def redact(values: Mapping[str, Any], sensitive: Iterable[str] = (), *,
           always: frozenset[str] = ALWAYS_SENSITIVE_HEADERS) -> dict[str, Any]:
    """A copy of ``values`` with every sensitive name's value replaced (names compared case-insensitively)."""
    names = always | {name.lower() for name in sensitive}
    return {key: (REDACTED if key.lower() in names else value) for key, value in values.items()}


def redact_params(values: Mapping[str, Any], sensitive: Iterable[str] = ()) -> dict[str, Any]:
    """:func:`redact` for query-string and form fields."""
    return redact(values, sensitive, always=ALWAYS_SENSITIVE_PARAMS)
