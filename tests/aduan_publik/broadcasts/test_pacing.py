"""The shared bucket: the cap holds in every 1-second window, the pair limit, the tier, the stop flag."""

from __future__ import annotations

import pytest

from aduan_publik.broadcasts.engine import redis
from aduan_publik.broadcasts.pacing import Bucket, state_mirror

pytestmark = pytest.mark.django_db


def _grants(bucket: Bucket, n: int) -> list[float]:
    """Ask as fast as possible for ``n`` different residents; the Redis times of the grants."""
    times = []
    phone = 0
    while len(times) < n:
        verdict = bucket.take(f"62800{phone:07d}")
        if verdict.ok:
            times.append(verdict.at)
            phone += 1
    return times


def test_no_one_second_window_exceeds_the_cap_even_after_a_burst():
    bucket = Bucket(redis(), rate=50, tier=0)
    times = _grants(bucket, 120)
    for i, start in enumerate(times):
        inside = [t for t in times[i:] if t - start < 1.0]
        assert len(inside) <= 49  # 0.98 × 50


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
