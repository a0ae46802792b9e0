"""The X mentions poll: read new mentions from the ``since_id`` cursor and hand them to the hub.

Each page X returns is stored as a delivery of the ``x`` channel through the hub's own
``inbound_event_store`` (deduplicated on the posts' ids, processed by the normal inbound job),
so a polled mention travels exactly the way a webhook would. The cursor moves to the newest id
only after every page down to it is stored, in the same transaction as the last page: a crash
or an error leaves the cursor where it was and the next poll reads the same posts again (they
are deduplicated), so nothing is lost.

Pacing: at most one poll per ``poll_interval_seconds`` (default 900 s — inside every tier's
rate limit), and none when the month's spend plus the cost of a full page would pass the
budget; the reason is kept on the poll state for the desk.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik.channels.base import ChannelError, RawInbound
from aduan_publik.channels.registry import UnknownChannel, get_channel
from aduan_publik.services.inbound import inbound_event_store

from ..models import XPollState
from ..services import x_poll_record, x_spend_add
from . import costs

DEFAULT_INTERVAL = 900
DEFAULT_MAX_RESULTS = 100
MAX_PAGES = 5
POLL_HEADER = "x-aduan-source"


def x_mentions_poll(*, now: datetime | None = None, force: bool = False) -> int:
    """Poll once if due and affordable; the number of mentions stored. A provider error is recorded
    on the poll state (visible in the desk), never raised: the next tick tries again."""
    try:
        channel = get_channel("x")
    except UnknownChannel:
        return 0
    if not channel.is_configured():
        return 0
    cfg = channel.config()
    now = now or timezone.now()
    account = str(cfg["user_id"])
    state = XPollState.objects.filter(account_id=account).first()
    if not force and not _due(state, cfg, now):
        return 0
    max_results = int(cfg.get("max_results") or DEFAULT_MAX_RESULTS)
    page_cost = costs.read_price(cfg) * max_results + costs.price(cfg, "user_read") * max_results
    if not costs.affordable(cfg, page_cost):
        x_poll_record(account_id=account, at=now, error=_("Anggaran X bulan ini habis; sebutan tidak ditarik."))
        return 0
    return _poll(channel, cfg, account, state.since_id if state else "", max_results, now)


def _due(state: XPollState | None, cfg: dict[str, Any], now: datetime) -> bool:
    interval = timedelta(seconds=int(cfg.get("poll_interval_seconds") or DEFAULT_INTERVAL))
    return state is None or state.last_polled_at is None or now >= state.last_polled_at + interval


def _poll(channel: Any, cfg: dict[str, Any], account: str, since_id: str, max_results: int, now: datetime) -> int:
    client = channel.client()
    token, newest, stored = "", "", 0
    for _page in range(MAX_PAGES):
        try:
            page = client.mentions(since_id=since_id, max_results=max_results, pagination_token=token)
        except ChannelError as exc:  # the pages stored so far stay; the cursor does not move
            x_poll_record(account_id=account, at=now, count=stored, error=str(exc))
            return stored
        meta = page.get("meta") or {}
        newest = newest or str(meta.get("newest_id") or "")
        token = str(meta.get("next_token") or "")
        stored += _store_page(channel, cfg, page, now)
        if not token:
            break
    # Only a complete read (no page left) moves the cursor; else the next poll reads again.
    x_poll_record(account_id=account, at=now, since_id=newest if not token else "", count=stored)
    return stored


@transaction.atomic
def _store_page(channel: Any, cfg: dict[str, Any], page: dict[str, Any], now: datetime) -> int:
    posts = [p for p in page.get("data") or [] if isinstance(p, dict)]
    users = (page.get("includes") or {}).get("users") or []
    cost = costs.read_price(cfg) * len(posts) + costs.price(cfg, "user_read") * len(users)
    x_spend_add(at=now, cost=Decimal(cost), post_reads=len(posts), user_reads=len(users))
    if not posts:
        return 0
    body = json.dumps({"source": "mentions_poll", **page}, ensure_ascii=False).encode()
    raw = RawInbound(method="POST", body=body, headers={POLL_HEADER: "mentions-poll"})
    inbound_event_store(channel=channel.name, raw=raw, dedupe_key=channel.inbound_key(raw))
    return len(posts)
