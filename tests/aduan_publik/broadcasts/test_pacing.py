"""The shared limiter: no 1-second window of arrivals above the cap, the pair limit, the tier, the stop flag.

The cap is stated on arrivals at the provider, whatever the delay between a grant and its
arrival. The replay tests drive the real Lua script on a fake clock (deterministic): workers
whose requests take anything from a millisecond to two seconds, with each arrival anywhere
between the grant and the answer. The concurrent test runs many callers on Redis's own clock.
"""

from __future__ import annotations

import heapq
import random
import threading
import time

import pytest

from aduan_publik.broadcasts.engine import redis
from aduan_publik.broadcasts.pacing import Bucket, in_flight_limit, state_mirror

pytestmark = pytest.mark.django_db


def max_in_window(times: list[float], window: float = 1.0) -> int:
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


def _steady(rnd: random.Random) -> float:
    return rnd.uniform(0.001, 0.015)


def _hostile(rnd: random.Random) -> float:
    """Request times of a loaded machine: mostly quick, some slow, a few stalls of up to 2 s."""
    roll = rnd.random()
    return rnd.uniform(0.001, 0.015) if roll < 0.9 else rnd.uniform(0.015, 0.15) if roll < 0.99 \
        else rnd.uniform(0.15, 2.0)


def _replay(*, cap: int, workers: int, seconds: float, seed: int, request=_steady) -> list[float]:
    """Workers sending as fast as the limiter lets them, on a fake clock; returns the arrival times.

    A granted request is answered ``request(rnd)`` seconds later and arrives at the provider at
    any moment in between; the worker reports ``done`` at the answer and asks again 0.5–10 ms later.
    """
    rnd, clock = random.Random(seed), Clock()
    buckets = [Bucket(redis(), rate=cap, tier=0, runner=f"w{w}", clock=clock) for w in range(workers)]
    start, arrivals, phone = clock.now, [], 0
    events = [(start + rnd.random() * 0.01, "ask", w) for w in range(workers)]
    heapq.heapify(events)
    while events:
        clock.now, kind, w = heapq.heappop(events)
        if kind == "done":
            buckets[w].done()
            heapq.heappush(events, (clock.now + rnd.uniform(0.0005, 0.01), "ask", w))
            continue
        if clock.now - start > seconds:
            continue
        verdict = buckets[w].take(f"628{phone:09d}")
        if verdict.ok:
            phone += 1
            took = request(rnd)
            arrivals.append(clock.now + rnd.random() * took)
            heapq.heappush(events, (clock.now + took, "done", w))
        else:
            heapq.heappush(events, (clock.now + verdict.wait + rnd.random() * 0.002, "ask", w))
    return arrivals


def test_the_steady_rate_is_within_five_percent_of_the_cap_and_never_above_it():
    arrivals = _replay(cap=80, workers=3, seconds=15, seed=1)
    assert max_in_window(arrivals) <= 80
    assert 0.95 * 80 <= len(arrivals) / 15 <= 80


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_no_second_of_arrivals_exceeds_the_cap_however_late_requests_arrive(seed):
    # More workers than may be in flight, requests stalling up to 2 s: grants bunch at window
    # edges and late arrivals land on top of fresh ones.
    arrivals = _replay(cap=80, workers=7, seconds=15, seed=seed, request=_hostile)
    assert max_in_window(arrivals) <= 80
    assert len(arrivals) / 15 >= 0.8 * 80  # still sending at close to the cap


def test_at_most_k_requests_are_in_flight_and_at_most_cap_minus_k_granted_per_second():
    clock = Clock()
    k = in_flight_limit(80)
    runners = [Bucket(redis(), rate=80, tier=0, runner=f"w{i}", clock=clock) for i in range(k + 1)]
    assert k == 3 and all(r.take(f"62811{i}").ok for i, r in enumerate(runners[:k]))
    clock.now += 0.5
    assert runners[k].take("628119").kind == "rate"  # k unanswered: nobody else may go
    runners[0].done()
    assert runners[k].take("628119").ok


def test_many_concurrent_callers_on_redis_clock_never_exceed_the_cap_on_arrival():
    cap, per_thread = 50, 25
    grants: list[float] = []
    arrivals: list[float] = []
    lock = threading.Lock()

    def caller(index: int) -> None:
        bucket, rnd, mine = Bucket(redis(), rate=cap, tier=0, runner=f"t{index}"), random.Random(index), 0
        while mine < per_thread:
            verdict = bucket.take(f"6289{index:02d}{mine:06d}")
            if not verdict.ok:
                time.sleep(min(verdict.wait, 0.05))
                continue
            time.sleep(rnd.uniform(0, 0.004))  # the request on its way
            with lock:
                grants.append(verdict.at)
                arrivals.append(time.time())
            time.sleep(rnd.uniform(0, 0.004))
            bucket.done()
            mine += 1

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(arrivals) == 8 * per_thread
    assert max_in_window(grants) <= cap - in_flight_limit(cap)
    assert max_in_window(arrivals) <= cap


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
