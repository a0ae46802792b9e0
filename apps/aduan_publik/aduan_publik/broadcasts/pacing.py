"""The limiter every broadcast worker shares, in Redis, one atomic Lua call per message.

One call decides, on Redis's own clock (so workers on several machines agree), whether this
message may go now:

1. the number's rate, in two parts (times in µs):

   * a **grant log**: the grants of the last ``1 + JITTER_SECONDS`` seconds; never more than
     the cap in any such window. This is the guarantee, stated on *arrivals*: a message
     reaches the provider some time after its grant, and if that delay varies by at most
     ``JITTER_SECONDS`` between messages, the arrivals in any 1-second window come from
     grants inside one window of ``1 + JITTER_SECONDS`` seconds — at most the cap, however
     the grants are bunched (window edges, several workers, a burst after a stall). A worker
     that stalled between its grant and its request (:data:`STALE_SECONDS`) hands the grant
     back (:meth:`Bucket.give_back`) instead of sending late, so the delay's spread stays
     inside the allowance;
   * a **GCRA** spacing of ``(1 + JITTER_SECONDS) / cap`` seconds with a burst of
     :data:`BURST` messages: the grants come evenly (less bunching, less contention) at the
     log's own long-run maximum, ``cap / (1 + JITTER_SECONDS)`` — 77.7/s at a cap of 80,
     2.9 % under the cap, inside the ±5 % target — and a worker that fell behind may catch up
     by a few messages.
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

# The spread of (arrival at the provider − grant) the cap allows for: the grant log spans 1 s
# plus this. Larger means more tolerance and a lower steady rate, cap / (1 + JITTER_SECONDS).
JITTER_SECONDS = 0.03
# A grant older than this when its request is about to leave is given back and asked again:
# the part of the jitter the worker controls (a descheduled process), the rest is the network.
STALE_SECONDS = 0.01
BURST = 4  # messages a worker that fell behind may take at once (the log still caps every window)
_KEYS_TTL_MS = 60_000  # idle keys vanish; entries leave the log by their time, not by expiry

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
local cap = tonumber(ARGV[7])
local span = tonumber(ARGV[9])
local state = redis.call('GET', KEYS[4])
if state and state ~= 'sending' then
  return {'stop', 0}
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat - now > burst then
  return {'rate', tat - burst - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', string.format('(%.0f', now - span))
if redis.call('ZCARD', KEYS[5]) >= cap then
  local first = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
  return {'rate', tonumber(first[2]) + span - now + 1}
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
local member = now .. ':' .. phone .. ':' .. redis.call('INCR', KEYS[6])
redis.call('PEXPIRE', KEYS[6], ARGV[10])
redis.call('SET', KEYS[1], math.max(tat, now) + interval, 'PX', ARGV[10])
redis.call('ZADD', KEYS[5], now, member)
redis.call('PEXPIRE', KEYS[5], ARGV[10])
redis.call('SET', KEYS[2], member, 'PX', math.floor(pair_ms / 1000))
redis.call('ZADD', KEYS[3], now, phone)
redis.call('PEXPIRE', KEYS[3], math.floor(window / 1000))
return {'ok', 0, now, member}
"""

# Undo a grant that was not used: its place in the log, its GCRA step and the resident's
# 6-second mark (only if the mark is still this grant's). The tier entry stays: the resident is
# asked for again at once.
_GIVE_BACK = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('DECRBY', KEYS[3], ARGV[2])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return redis.call('INCR', KEYS[4])
"""


@dataclass(frozen=True)
class Verdict:
    kind: str  # ok, rate, pair, quota, stop
    wait: float  # seconds
    at: float = 0.0  # Redis time of the grant (seconds), for "ok"
    member: str = ""  # the grant's entry in the log, for :meth:`Bucket.give_back`

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


def given_back_key() -> str:
    """How many grants stalled workers have given back (for the benchmark and for operators)."""
    return f"{_prefix()}:given_back"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Bucket:
    """The shared limiter of one site's number; ``take(phone)`` asks for one message.

    ``rate`` is the cap (messages in any 1-second window of arrivals). ``clock`` (seconds) replaces
    Redis's clock for the rate parts — only for tests that replay a schedule deterministically.
    """

    def __init__(self, conn: Any, *, rate: float, tier: int, clock: Callable[[], float] | None = None):
        self.conn = conn
        self.cap = max(1, int(rate))
        self.span_us = round((1 + JITTER_SECONDS) * 1_000_000)
        self.interval_us = max(1, round(self.span_us / max(rate, 1e-6)))
        self.tier = tier
        self.clock = clock
        self._take = conn.register_script(_TAKE)
        self._give_back = conn.register_script(_GIVE_BACK)

    def _keys(self, phone: str, broadcast_id: int) -> list[str]:
        p = _prefix()
        return [f"{p}:tat", f"{p}:pair:{phone}", tier_key(), state_key(broadcast_id), f"{p}:window", f"{p}:seq"]

    def take(self, phone: str, broadcast_id: int = 0) -> Verdict:
        now = round(self.clock() * 1_000_000) if self.clock else -1
        kind, wait, *granted = self._take(
            keys=self._keys(phone, broadcast_id),
            args=[self.interval_us, self.tier, phone, WINDOW_SECONDS * 1_000_000, PAIR_INTERVAL_SECONDS * 1_000_000,
                  BURST * self.interval_us, self.cap, now, self.span_us, _KEYS_TTL_MS],
        )
        at = int(granted[0]) / 1_000_000 if granted else 0.0
        member = _text(granted[1]) if len(granted) > 1 else ""
        return Verdict(kind=_text(kind), wait=max(int(wait), 0) / 1_000_000, at=at, member=member)

    def give_back(self, phone: str, verdict: Verdict) -> None:
        """Return an unused grant (the worker stalled before sending): it frees its place in the log."""
        p = _prefix()
        self._give_back(keys=[f"{p}:window", f"{p}:pair:{phone}", f"{p}:tat", given_back_key()],
                        args=[verdict.member, self.interval_us])


def tier_used(conn: Any) -> int:
    """Residents reached in the last 24 hours (the tier's spent part)."""
    now = conn.time()
    now_us = int(now[0]) * 1_000_000 + int(now[1])
    return int(conn.zcount(tier_key(), now_us - WINDOW_SECONDS * 1_000_000, "+inf"))
