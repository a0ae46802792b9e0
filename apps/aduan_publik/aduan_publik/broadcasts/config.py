"""The site's broadcast settings (``site_config.json`` → ``broadcast``) with their defaults.

* ``messages_per_second`` (20): the cap for broadcasts on the number; never above
  :data:`META_MAX_PER_SECOND` minus ``reply_reserve`` (5), the room kept for complaint replies.
* ``tier`` (250): the portfolio's 24-hour unique-recipient tier: 250, 1000, 10000, 100000 or
  "unlimited".
* ``prices`` ({"MARKETING": 0, "UTILITY": 0}): price per delivered message per category,
  in rupiah, for the cost estimate.
* ``marketing_retry_hours`` (24) and ``marketing_attempts`` (2): after 131049 try again not
  before that many hours, at most that many times.
* ``reconcile_seconds`` (120): how long a send whose answer was lost (crashed worker) waits
  for its status webhook before it is sent again.
* ``optin_template`` / ``optin_template_language``: the template that asks a resident who
  subscribed on the portal to confirm with YA.
* ``allow_above_meta_limit`` (false): lets ``messages_per_second`` exceed Meta's 80 — only
  for benchmarks against the local fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

META_MAX_PER_SECOND = 80
PAIR_INTERVAL_SECONDS = 6
TIERS = (250, 1000, 10000, 100000, 0)  # 0: unlimited
WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True)
class BroadcastConfig:
    rate: float
    tier: int
    prices: dict[str, Decimal]
    marketing_retry_hours: float
    marketing_attempts: int
    reconcile_seconds: float
    optin_template: str
    optin_language: str


def _tier(value: Any) -> int:
    if str(value).lower() in ("unlimited", "0", "none", "tanpa batas"):
        return 0
    tier = int(value)
    return tier if tier in TIERS else max(t for t in TIERS if t and t <= max(tier, 250))


def load() -> BroadcastConfig:
    raw: dict[str, Any] = dict(settings.ADUAN.get("broadcast") or {})
    reserve = float(raw.get("reply_reserve", 5))
    rate = float(raw.get("messages_per_second", 20))
    if not raw.get("allow_above_meta_limit"):
        rate = min(rate, META_MAX_PER_SECOND - reserve)
    prices = {k.upper(): Decimal(str(v)) for k, v in (raw.get("prices") or {}).items()}
    return BroadcastConfig(
        rate=max(rate, 0.1),
        tier=_tier(raw.get("tier", 250)),
        prices=prices,
        marketing_retry_hours=float(raw.get("marketing_retry_hours", 24)),
        marketing_attempts=int(raw.get("marketing_attempts", 2)),
        reconcile_seconds=float(raw.get("reconcile_seconds", 120)),
        optin_template=str(raw.get("optin_template") or ""),
        optin_language=str(raw.get("optin_template_language") or "id"),
    )
