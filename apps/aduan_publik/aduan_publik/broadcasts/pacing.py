"""The limiter every broadcast worker shares, in Redis, one atomic Lua call per message.

One call decides, on Redis's own clock (so workers on several machines agree), whether this
message may go now:

1. the number's rate. The cap ``C`` holds for *arrivals* at the provider, in every 1-second
   window, whatever the delay between a grant and its arrival (network, a descheduled process,
   a loaded machine). Two rules give that without any assumption on timing:

   * **grants**: at most ``C − k`` in any 1-second window (a log of the last second's grants);
   * **in flight**: at most ``k`` messages granted and not yet answered (:meth:`Bucket.done`
     after the provider's answer, which comes after the arrival).

   The arrivals in a window ``[t, t+1)`` were granted either inside it (at most ``C − k``) or
   before ``t`` and still in flight at ``t`` (at most ``k``): never more than ``C``. Bunched
   grants at window edges, several workers, a worker stalled between its grant and its request:
   none can push a second over. ``k`` (:func:`in_flight_limit`) is 3 at a cap of 80 (the
   engine's three slots, one request each), so the steady rate is 77/s, 3.75 % under the cap.
   A **GCRA** spacing of ``1 / (C − k)`` seconds with a burst of :data:`BURST` messages keeps
   the grants even (a worker that fell behind may catch up a little).
   A runner's in-flight entry is keyed by the runner (broadcast and slot), so the job that
   replaces a killed one takes its place; an entry nobody answers lapses after
   :data:`IN_FLIGHT_SECONDS` (longer than the channel's request timeout).
2. the resident: at most one message per 6 s to the same number (WhatsApp's pair limit);
   checked before anything is written, so a resident who must wait costs no rate;
3. the tier: the residents reached in the last 24 hours (a sorted set, phone → time) may not
   exceed the portfolio's tier; a resident already reached in the window costs nothing more.

Complaint replies on the same number do not pass through here: the site's cap for broadcasts
is at most 80 − ``reply_reserve`` (see :mod:`.config`), the room kept for them.

Only when all three allow it is anything written. The answer is ``(verdict, wait_ms)``:
``ok``, ``rate`` (wait that long and ask again), ``pair`` (this resident later), ``quota``
(the tier is spent until the oldest entry leaves the window) or ``stop``: the broadcast's state
mirrored in Redis (:func:`state_key`, written on commit of every transition) is no longer
*sending* — a pause or cancel stops the very next message without a database query per message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .config import PAIR_INTERVAL_SECONDS, WINDOW_SECONDS


def redis() -> Any:
    """The Redis connection the pacing scripts run on (the default queue's)."""
    import django_rq

    return django_rq.get_connection("default")


BURST = 4  # messages a worker that fell behind may take at once (the grant log still caps every second)
IN_FLIGHT_SECONDS = 15.0  # an unanswered grant stops counting after this (the channel times out at 13 s)
IN_FLIGHT_SHARE = 0.04  # k: this share of the cap, between 1 and 3 messages in flight
_KEYS_TTL_MS = 60_000  # idle keys vanish; entries leave the logs by their time, not by expiry

_TAKE = """
local now = tonumber(ARGV[8])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local interval = tonumber(ARGV[1])
local tier = tonumber(ARGV[2])
local phone = ARGV[3]
local window = tonumber(ARGV[4])
local pair_ms = tonumber(ARGV[5])
local burst = tonumber(ARGV[6])
local grants = tonumber(ARGV[7])
local runner = ARGV[9]
local flight_max = tonumber(ARGV[10])
local state = redis.call('GET', KEYS[4])
if state and state ~= 'sending' then
  return {'stop', 0}
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat - now > burst then
  return {'rate', tat - burst - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', string.format('(%.0f', now - 1000000))
if redis.call('ZCARD', KEYS[5]) >= grants then
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {'rate', tonumber(first[2]) + 1000000 - now + 1}
end
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
redis.call('ZREM', KEYS[6], runner)
if redis.call('ZCARD', KEYS[6]) >= flight_max then
  return {'rate', 2000}
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
redis.call('SET', KEYS[1], string.format('%.0f', math.max(tat, now) + interval), 'PX', ARGV[12])
redis.call('ZADD', KEYS[5], now, now .. ':' .. phone)
redis.call('PEXPIRE', KEYS[5], ARGV[12])
redis.call('ZADD', KEYS[6], now + tonumber(ARGV[11]), runner)
redis.call('PEXPIRE', KEYS[6], ARGV[12])
redis.call('SET', KEYS[2], '1', 'PX', math.floor(pair_ms / 1000))
redis.call('ZADD', KEYS[3], now, phone)
redis.call('PEXPIRE', KEYS[3], math.floor(window / 1000))
return {'ok', 0, now}
"""


def in_flight_limit(cap: float) -> int:
    """k: messages that may be granted and unanswered at once (3 at a cap of 80, 1 at 25 or less)."""
    return max(1, min(3, int(cap * IN_FLIGHT_SHARE)))


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


def in_flight_key() -> str:
    return f"{_prefix()}:in_flight"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Bucket:
    """The shared limiter of one site's number; ``take(phone)`` asks for one message, ``done()`` after the answer.

    ``rate`` is the cap ``C`` (messages in any 1-second window of arrivals). ``runner`` names the
    caller (one request at a time per runner). ``clock`` (seconds) replaces Redis's clock for the
    rate parts — only for tests that replay a schedule deterministically.
    """

    def __init__(self, conn: Any, *, rate: float, tier: int, runner: str = "",
                 clock: Callable[[], float] | None = None):
        self.conn = conn
        self.in_flight = in_flight_limit(rate)
        self.grants = max(1, int(rate) - self.in_flight)
        self.interval_us = max(1, round(1_000_000 / self.grants))
        self.tier = tier
        self.runner = runner or f"r{id(self)}"
        self.clock = clock
        self._take = conn.register_script(_TAKE)

    def take(self, phone: str, broadcast_id: int = 0) -> Verdict:
        now = round(self.clock() * 1_000_000) if self.clock else -1
        p = _prefix()
        kind, wait, *granted = self._take(
            keys=[f"{p}:tat", f"{p}:pair:{phone}", tier_key(), state_key(broadcast_id), f"{p}:grants",
                  in_flight_key()],
            args=[self.interval_us, self.tier, phone, WINDOW_SECONDS * 1_000_000, PAIR_INTERVAL_SECONDS * 1_000_000,
                  BURST * self.interval_us, self.grants, now, self.runner, self.in_flight,
                  round(IN_FLIGHT_SECONDS * 1_000_000), _KEYS_TTL_MS],
        )
        at = int(granted[0]) / 1_000_000 if granted else 0.0
        return Verdict(kind=_text(kind), wait=max(int(wait), 0) / 1_000_000, at=at)

    def done(self) -> None:
        """The provider answered this runner's request (or it failed): it is no longer in flight."""
        self.conn.zrem(in_flight_key(), self.runner)


def tier_used(conn: Any) -> int:
    """Residents reached in the last 24 hours (the tier's spent part)."""
    now = conn.time()
    now_us = int(now[0]) * 1_000_000 + int(now[1])
    return int(conn.zcount(tier_key(), now_us - WINDOW_SECONDS * 1_000_000, "+inf"))
