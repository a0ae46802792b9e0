"""The shared limiter: no 1-second window of arrivals above the cap, the pair limit, the tier, the stop flag.

The cap is stated on arrivals at the provider: a message arrives some time after its grant, and
the limiter allows that delay to vary by up to ``JITTER_SECONDS``. The replay tests drive the
real Lua script on a fake clock (deterministic), the concurrent test many callers on Redis's
own clock.
"""

from __future__ import annotations

import heapq
import random
import threading

import pytest

from aduan_publik.broadcasts.engine import redis
from aduan_publik.broadcasts.pacing import JITTER_SECONDS, Bucket, state_mirror

pytestmark = pytest.mark.django_db


def max_in_window(times: list[float], window: float) -> int:
    """The most events in any half-open window of ``window`` seconds."""
    times, best, j = sorted(times), 0, 0
    for i in range(len(times)):
        while times[i] - times[j] >= window:
            j += 1
        best = max(best, i - j + 1)
    return best


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _replay(*, cap: int, workers: int, seconds: float, seed: int, stall_every: float = 0.0) -> list[float]:
    """Workers asking as fast as they may on a fake clock; returns the *arrival* times.

    Each send takes 2–40 ms of the worker's time; each message arrives 1 ms plus up to
    ``JITTER_SECONDS`` after its grant (the spread the limiter allows for). With
    ``stall_every``, every worker stops that often for a random 0.5–2 s and then all rush
    back together: grants bunch at window edges.
    """
    rnd, clock = random.Random(seed), Clock()
    bucket = Bucket(redis(), rate=cap, tier=0, clock=clock)
    start, arrivals, phone = clock.now, [], 0
    ready = [(start + rnd.random() * 0.01, w) for w in range(workers)]
    heapq.heapify(ready)
    next_stall = start + stall_every if stall_every else float("inf")
    while ready:
        clock.now, w = heapq.heappop(ready)
        if clock.now - start > seconds:
            continue
        if clock.now >= next_stall:  # everybody stops, then all come back within 5 ms
            next_stall += stall_every
            back = clock.now + rnd.uniform(0.5, 2.0)
            ready = [(back + rnd.random() * 0.005, x) for x in [w, *(x for _t, x in ready)]]
            heapq.heapify(ready)
            continue
        verdict = bucket.take(f"628{phone:09d}")
        if verdict.ok:
            phone += 1
            arrivals.append(clock.now + 0.001 + rnd.random() * JITTER_SECONDS)
            heapq.heappush(ready, (clock.now + rnd.uniform(0.002, 0.04), w))
        else:
            heapq.heappush(ready, (clock.now + verdict.wait + rnd.random() * 0.002, w))
    return arrivals


@pytest.mark.parametrize("seed", [1, 2])
def test_arrivals_never_exceed_the_cap_in_any_second_and_the_rate_stays_within_five_percent(seed):
    arrivals = _replay(cap=80, workers=4, seconds=15, seed=seed)
    assert max_in_window(arrivals, 1.0) <= 80
    assert 0.95 * 80 <= len(arrivals) / 15 <= 80  # the steady rate: within 5 % of the cap, never above


@pytest.mark.parametrize("seed", [4, 5])
def test_grants_bunched_at_window_edges_after_stalls_still_keep_every_second_under_the_cap(seed):
    arrivals = _replay(cap=80, workers=6, seconds=15, seed=seed, stall_every=3.3)
    assert max_in_window(arrivals, 1.0) <= 80


def test_many_concurrent_callers_on_redis_clock_never_get_more_than_the_cap_in_one_window():
    cap, per_thread = 50, 40
    bucket = Bucket(redis(), rate=cap, tier=0)
    grants: list[float] = []
    lock = threading.Lock()

    def caller(index: int) -> None:
        mine = 0
        while mine < per_thread:
            verdict = bucket.take(f"6289{index:02d}{mine:06d}")
            if verdict.ok:
                mine += 1
                with lock:
                    grants.append(verdict.at)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(grants) == 8 * per_thread
    assert max_in_window(grants, 1.0 + JITTER_SECONDS) <= cap  # hence ≤ cap arrivals per second


def test_a_stale_grant_given_back_frees_its_place_and_the_resident():
    clock = Clock()
    bucket = Bucket(redis(), rate=2, tier=0, clock=clock)
    first = bucket.take("6281200000001")
    clock.now += 0.6
    second = bucket.take("6281200000002")
    assert first.ok and second.ok
    clock.now += 0.1
    assert bucket.take("6281200000003").kind == "rate"  # two in the window: full
    bucket.give_back("6281200000002", second)
    clock.now += 0.6  # past the GCRA spacing of the one remaining grant
    again = bucket.take("6281200000002")  # its 6-second mark went with the grant
    assert again.ok


def test_one_message_per_six_seconds_to_the_same_resident():
    bucket = Bucket(redis(), rate=50, tier=0)
    assert bucket.take("6281200000001").ok
    again = bucket.take("6281200000001")
    while again.kind == "rate":
        again = bucket.take("6281200000001")
    assert again.kind == "pair" and 5.0 < again.wait <= 6.0


def test_a_paused_broadcast_stops_at_the_next_message():
    conn = redis()
    bucket = Bucket(conn, rate=50, tier=0)
    state_mirror(conn, 7, "paused")
    assert bucket.take("6281200000001", 7).kind == "stop"
    state_mirror(conn, 7, "sending")
    assert bucket.take("6281200000001", 7).ok
