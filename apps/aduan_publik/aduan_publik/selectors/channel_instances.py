"""Reads of the Channel documents: which instance serves a request, its settings, its health.

The documents are read through a small in-process snapshot (one query for all of them, kept
:data:`CACHE_SECONDS`): a webhook or job pays no query per ``Channel.config()`` call, saving
a document in this process drops the snapshot at once (``forget``), and every other worker
sees the change within :data:`CACHE_SECONDS` — no restart.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max
from django.utils import timezone

from ..channels import secrets
from ..models import ChannelInstance, InboundEvent, Message

logger = logging.getLogger(__name__)
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Resolved:
    """A Channel document as the runtime uses it: settings and secrets together, decrypted."""

    channel: str
    key: str
    name: str
    enabled: bool
    is_default: bool
    config: dict[str, Any] = field(default_factory=dict)
    problem: str = ""  # the secrets could not be decrypted


@dataclass(frozen=True)
class _Snapshot:
    by_key: dict[tuple[str, str], Resolved]
    defaults: dict[str, Resolved]
    loaded: float


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def forget() -> None:
    """Drop the snapshot: the next read loads the documents again (called after every save)."""
    global _snapshot
    with _lock:
        _snapshot = None


def _resolve(row: ChannelInstance) -> Resolved:
    problem = ""
    try:
        hidden = secrets.decrypt(row.secrets)
    except secrets.SecretsUnreadable as exc:
        logger.error("channel instance %s/%s: %s", row.channel, row.key, exc)
        hidden, problem = {}, str(exc)
    return Resolved(channel=row.channel, key=row.key, name=row.name, enabled=row.enabled,
                    is_default=row.is_default, config={**(row.settings or {}), **hidden}, problem=problem)


def _load() -> _Snapshot:
    global _snapshot
    current = _snapshot
    if current is not None and time.monotonic() - current.loaded < CACHE_SECONDS:
        return current
    try:
        rows = [_resolve(row) for row in ChannelInstance.objects.all()]
    except (DatabaseError, RuntimeError) as exc:
        # No table yet (system checks before the first migrate) or no database at all (a plugin's
        # declaration tests): the site config is then the only source, as before documents.
        logger.debug("channel documents not readable, site config used: %s", exc)
        return _Snapshot(by_key={}, defaults={}, loaded=0.0)
    fresh = _Snapshot(by_key={(r.channel, r.key): r for r in rows},
                      defaults={r.channel: r for r in rows if r.is_default}, loaded=time.monotonic())
    with _lock:
        _snapshot = fresh
    return fresh


def instance_get(channel: str, key: str = "") -> Resolved | None:
    """The document of ``channel``'s instance ``key`` ("" = the default one), or None."""
    snap = _load()
    if key:
        return snap.by_key.get((channel, key))
    return snap.defaults.get(channel)


def instances_enabled() -> list[Resolved]:
    """Every enabled Channel document, by type and key."""
    snap = _load()
    return [snap.by_key[k] for k in sorted(snap.by_key) if snap.by_key[k].enabled]


def instance_config(channel: str, key: str = "") -> dict[str, Any]:
    """The settings ``Channel.config()`` returns for ``channel``'s instance ``key``, a copy.

    The document's settings and decrypted secrets; without a document, the site config's
    ``channels.<channel>`` for the default instance (``site_config.json`` stays the fallback
    of a site that has not imported it) and nothing for a named instance the site lacks.
    """
    found = instance_get(channel, key)
    if found is not None:
        return dict(found.config)
    if key:
        return {}
    return dict(settings.ADUAN.get("channels", {}).get(channel, {}))


@dataclass(frozen=True)
class Health:
    """What the desk shows of an instance: traffic, recent errors, the token's state."""

    last_inbound: datetime | None
    last_outbound: datetime | None
    errors_24h: int
    token_expires_at: datetime | None
    token_invalid_at: datetime | None
    last_error: str


def _keys_for(row: ChannelInstance) -> list[str]:
    """The ``channel_instance`` values that mean ``row``: its key, and "" for the default one."""
    return [row.key, ""] if row.is_default else [row.key]


def instance_health(row: ChannelInstance) -> Health:
    """Last inbound delivery, last message sent, errors in the last 24 hours (rejected or failed
    deliveries and failed messages), and the token's expiry or refusal (Graph API error 190)."""
    keys = _keys_for(row)
    since = timezone.now() - timedelta(hours=24)
    events = InboundEvent.objects.filter(channel=row.channel, channel_instance__in=keys)
    out = Message.objects.filter(channel=row.channel, channel_instance__in=keys, direction=Message.Direction.OUT)
    bad_events = events.filter(received_at__gte=since,
                               state__in=[InboundEvent.State.REJECTED, InboundEvent.State.FAILED]).count()
    bad_messages = out.filter(state=Message.State.FAILED, state_changed_at__gte=since).count()
    return Health(
        last_inbound=events.aggregate(at=Max("received_at"))["at"],
        last_outbound=out.aggregate(at=Max("sent_at"))["at"],
        errors_24h=bad_events + bad_messages,
        token_expires_at=row.token_expires_at,
        token_invalid_at=row.token_invalid_at,
        last_error=row.last_error,
    )
