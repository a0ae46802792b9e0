"""The token bucket every broadcast worker shares, in Redis, one atomic Lua call per message.

One call decides, on Redis's own clock (so workers on several machines agree), whether this
message may go now:

1. the number's rate: a GCRA bucket, one message every ``1 / (0.98 × rate)`` seconds across all
   workers (times in µs), with a burst of :data:`BURST_SECONDS` so that a worker that woke late
   can catch up; and a hard cap over a sliding log of the grants of the last second: never more
   than ``0.98 × rate`` in any 1-second window, burst or not;
2. the resident: at most one message per 6 s to the same number (WhatsApp's pair limit);
3. the tier: the residents reached in the last 24 hours (a sorted set, phone → time) may not
   exceed the portfolio's tier; a resident already reached in the window costs nothing more.

Only when all three allow it is anything written. The answer is ``(verdict, wait_ms)``:
``ok``, ``rate`` (wait that long and ask again), ``pair`` (this resident later), ``quota``
(the tier is spent until the oldest entry leaves the window) or ``stop``: the broadcast's state
mirrored in Redis (:func:`state_key`, written on commit of every transition) is no longer
*sending* — a pause or cancel stops the very next message without a database query per message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .config import PAIR_INTERVAL_SECONDS, WINDOW_SECONDS


def redis() -> Any:
    """The Redis connection the pacing scripts run on (the default queue's)."""
    import django_rq

    return django_rq.get_connection("default")


PACE_FACTOR = 0.98
BURST_SECONDS = 0.25

_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tier = tonumber(ARGV[2])
local phone = ARGV[3]
local window = tonumber(ARGV[4])
local pair_ms = tonumber(ARGV[5])
local burst = tonumber(ARGV[6])
local cap = tonumber(ARGV[7])
local state = redis.call('GET', KEYS[4])
if state and state ~= 'sending' then
  return {'stop', 0}
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat - now > burst then
  return {'rate', tat - burst - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 1000000)
if redis.call('ZCARD', KEYS[5]) >= cap then
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {'rate', tonumber(first[2]) + 1000000 - now}
end
local pair = redis.call('PTTL', KEYS[2])
if pair > 0 then
  return {'pair', pair * 1000}
end
if tier > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
  if not redis.call('ZSCORE', KEYS[3], phone) then
    if redis.call('ZCARD', KEYS[3]) >= tier then
      local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
      return {'quota', tonumber(oldest[2]) + window - now}
    end
  end
end
redis.call('SET', KEYS[1], math.max(tat, now) + interval, 'PX', math.max(math.floor((interval + burst) / 250), 1000))
redis.call('ZADD', KEYS[5], now, now .. ':' .. phone)
redis.call('PEXPIRE', KEYS[5], 2000)
redis.call('SET', KEYS[2], '1', 'PX', math.floor(pair_ms / 1000))
redis.call('ZADD', KEYS[3], now, phone)
redis.call('PEXPIRE', KEYS[3], math.floor(window / 1000))
return {'ok', 0, now}
"""


@dataclass(frozen=True)
class Verdict:
    kind: str  # ok, rate, pair, quota, stop
    wait: float  # seconds
    at: float = 0.0  # Redis time of the grant (seconds), for "ok"

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def _prefix() -> str:
    return f"aduan:{settings.SITE_NAME}:bcast"


def state_key(broadcast_id: int) -> str:
    return f"{_prefix()}:state:{broadcast_id}"


def state_mirror(conn: Any, broadcast_id: int, state: str) -> None:
    conn.set(state_key(broadcast_id), state, ex=7 * 24 * 3600)


def tier_key() -> str:
    return f"{_prefix()}:tier"


class Bucket:
    """The shared bucket of one site's number; ``take(phone)`` asks for one message."""

    def __init__(self, conn: Any, *, rate: float, tier: int):
        self.conn = conn
        # Microseconds, and a hair under the cap: the gap between the grant here and the
        # request's arrival at the provider varies a little, and no window may exceed the cap.
        self.interval_us = max(1, round(1_000_000 / (rate * PACE_FACTOR)))
        self.cap = max(1, int(rate * PACE_FACTOR))
        self.tier = tier
        self._script = conn.register_script(_SCRIPT)

    def take(self, phone: str, broadcast_id: int = 0) -> Verdict:
        kind, wait, *granted = self._script(
            keys=[f"{_prefix()}:tat", f"{_prefix()}:pair:{phone}", tier_key(), state_key(broadcast_id),
                  f"{_prefix()}:window"],
            args=[self.interval_us, self.tier, phone, WINDOW_SECONDS * 1_000_000, PAIR_INTERVAL_SECONDS * 1_000_000,
                  int(BURST_SECONDS * 1_000_000), self.cap],
        )
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        at = int(granted[0]) / 1_000_000 if granted else 0.0
        return Verdict(kind=kind, wait=max(int(wait), 0) / 1_000_000, at=at)


def tier_used(conn: Any) -> int:
    """Residents reached in the last 24 hours (the tier's spent part)."""
    now = conn.time()
    now_us = int(now[0]) * 1_000_000 + int(now[1])
    return int(conn.zcount(tier_key(), now_us - WINDOW_SECONDS * 1_000_000, "+inf"))
