"""Broadcast engine under load, on the production set-up: PostgreSQL, Redis, real rq workers, the fake Graph API.

1. Plan: 100,000 confirmed subscribers; the approval materialises one recipient row each
   (target ≤ 10 s).
2. Send through ``BCAST_BENCH_WORKERS`` (3) real ``rqworker`` processes to the fake over HTTP at
   the configured cap ``BCAST_BENCH_RATE`` (80 messages/s, Meta's maximum per number; the
   default site cap is 20): achieved rate within ±5 % of the cap, and never above the cap in any
   1-second window of the fake's arrival times.
3. At about 40 % every worker is killed with SIGKILL and new ones started; the status webhooks
   Meta would send for the messages around the crash are delivered (through the real inbound
   path); everything must then arrive exactly once: 0 duplicates, 0 lost.
4. Worker peak RSS (VmHWM) and its growth from 10 % to the end (target: flat, ≤ 15 %).

Everything runs on 127.0.0.1: PostgreSQL database ``aduan_bcast_bench`` (dropped and created),
Redis db ``BCAST_BENCH_REDIS`` (default db 8, flushed), the fake in this process. The Django
side (seeding, approval, the scheduler's tick, status webhooks, counts) runs in driver
subprocesses of this same file (``--driver``), on the production settings.

    .venv/bin/python bench/bench_broadcast.py      # standalone
    .venv/bin/python bench/run.py broadcast        # with the other benches
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import stack

ROOT, PY = stack.ROOT, stack.PY
DB_NAME = os.environ.get("BCAST_BENCH_DB", "aduan_bcast_bench")
DB_URL = stack.database_url(DB_NAME)
REDIS_URL = os.environ.get("BCAST_BENCH_REDIS", "redis://127.0.0.1:6379/8")
RECIPIENTS = int(os.environ.get("BCAST_BENCH_RECIPIENTS", "100000"))
RATE = float(os.environ.get("BCAST_BENCH_RATE", "80"))
WORKERS = int(os.environ.get("BCAST_BENCH_WORKERS", "3"))
KILL_AT = float(os.environ.get("BCAST_BENCH_KILL_AT", "0.4"))
TIMEOUT = float(os.environ.get("BCAST_BENCH_TIMEOUT", str(RECIPIENTS / RATE * 2 + 300)))
PHONE_ID = "106540352242922"
APP_SECRET = "bench-app-secret"  # noqa: S105 (a local bench)


# ---- the production set-up ----------------------------------------------------------------


def _site(graph_url: str) -> Path:
    return stack.site_folder("aduan-bench-bcast-", "benchbc", {
        "time_zone": "Asia/Jakarta", "language": "id",
        "channels": {"whatsapp": {
            "phone_number_id": PHONE_ID, "access_token": "test-access-token", "app_secret": APP_SECRET,
            "verify_token": "bench", "graph_base_url": graph_url, "graph_version": "v23.0",
            "waba_id": "102290129340398", "reply_template": "aduan_balasan"}},
        "broadcast": {"messages_per_second": RATE, "allow_above_meta_limit": True, "tier": "unlimited",
                      "reconcile_seconds": 20, "prices": {"MARKETING": "586.33"}},
    })


def _env(sites: Path) -> dict[str, str]:
    return stack.django_env(sites, "benchbc", DB_URL, REDIS_URL)


def _driver(env: dict[str, str], step: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([PY, __file__, "--driver", step, *args], cwd=ROOT, env=env,  # noqa: S603 (fixed argv)
                         check=False, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"driver {step} failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _workers(env: dict[str, str]) -> list[subprocess.Popen]:
    return stack.rq_workers(env, WORKERS)


def _kill(procs: list[subprocess.Popen], sig: int = signal.SIGKILL) -> None:
    stack.stop(procs, sig, timeout=30)


class RssWatch(threading.Thread):
    """Samples the workers' resident memory (VmRSS) once a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.procs: list[subprocess.Popen] = []
        self.samples: list[tuple[float, float]] = []  # (progress 0..1, max RSS MB over workers)
        self.progress = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            sizes = [_rss_mb(p.pid) for p in list(self.procs) if p.poll() is None]
            if sizes:
                self.samples.append((self.progress, max(sizes)))


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# ---- measuring ----------------------------------------------------------------------------


def _template_sends(graph: Any) -> list[dict[str, Any]]:
    return [r for r in list(graph.requests) if r["method"] == "POST" and r["path"].endswith("/messages")
            and "messages" in (r.get("reply") or {}) and (r["json"] or {}).get("type") == "template"]


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most arrivals in any window of ``window`` seconds (half-open, sliding over every arrival)."""
    best, j = 0, 0
    for i in range(len(times)):
        while times[i] - times[j] >= window:
            j += 1
        best = max(best, i - j + 1)
    return best


def steady_rate(times: list[float]) -> float:
    """Mean messages per full second while sending, leaving out each run's first and last second."""
    if not times:
        return 0.0
    start = times[0]
    buckets: dict[int, int] = {}
    for t in times:
        buckets[int(t - start)] = buckets.get(int(t - start), 0) + 1
    seconds = sorted(buckets)
    inner = [buckets[s] for s in seconds if s - 1 in buckets and s + 1 in buckets]
    return sum(inner) / len(inner) if inner else 0.0


_row = stack.row


def _wait_progress(graph: Any, count: int, deadline: float, watch: RssWatch) -> None:
    # Every request counts here (a few template list calls too): cheap, and only a trigger.
    while len(graph.requests) < count and time.monotonic() < deadline:
        watch.progress = len(graph.requests) / RECIPIENTS
        time.sleep(0.2)


def run() -> list[dict[str, Any]]:
    stack.use_test_fakes()
    from fakes.graph_api import FakeGraphAPI

    with FakeGraphAPI(keep_headers=False) as graph:
        graph.add_template("agenda_kota", "Agenda {{1}}: {{2}}. Salam, {{3}}", category="MARKETING")
        env = _env(_site(graph.base_url))
        stack.fresh_database(DB_NAME)
        stack.prepare(env)
        plan = _driver(env, "seed", str(RECIPIENTS))
        return _send_and_measure(graph, env, plan)


def _send_and_measure(graph: Any, env: dict[str, str], plan: dict[str, Any]) -> list[dict[str, Any]]:
    ticker = subprocess.Popen([PY, __file__, "--driver", "tick"], cwd=ROOT, env=env)  # noqa: S603 (fixed argv)
    watch = RssWatch()
    watch.start()
    deadline = time.monotonic() + TIMEOUT
    try:
        workers = _workers(env)
        watch.procs = workers
        _wait_progress(graph, int(RECIPIENTS * KILL_AT), deadline, watch)
        killed_at = time.time()
        _kill(workers)  # kill -9 of every worker, mid-send
        graph.wait_answered()
        around = [{**r["json"], "wamid": r["reply"]["messages"][0]["id"]} for r in _template_sends(graph)
                  if r["at"] >= killed_at - 5]
        body = Path(tempfile.mkstemp(suffix=".json")[1])
        body.write_bytes(graph.status_body("sent", sends=around, phone_number_id=PHONE_ID))
        statuses = _driver(env, "status", str(body))
        workers = _workers(env)  # the restart
        watch.procs = workers
        summary = _wait_completed(env, deadline)
    finally:
        watch.stop.set()
        _kill([*workers, ticker], signal.SIGTERM)
    return _rows(graph, plan, summary, killed_at, watch, statuses)


def _wait_completed(env: dict[str, str], deadline: float) -> dict[str, Any]:
    while True:
        summary = _driver(env, "summary")
        if summary["state"] in ("completed", "cancelled") or time.monotonic() > deadline:
            return summary
        time.sleep(2)


def _rows(graph: Any, plan: dict[str, Any], summary: dict[str, Any], killed_at: float, watch: RssWatch,
          statuses: dict[str, Any]) -> list[dict[str, Any]]:
    sends = _template_sends(graph)
    times = sorted(r["at"] for r in sends)
    before = [t for t in times if t < killed_at]
    after = [t for t in times if t >= killed_at]
    phones = [r["json"]["to"] for r in sends]
    duplicates = len(phones) - len(set(phones))
    lost = RECIPIENTS - len(set(phones))
    rows = [
        _row("plan: materialise recipients at approval", plan["approve_s"], "s", 10.0),
        _row("plan: audience count before submission", plan["count_s"], "s", 10.0),
        _row(f"rate before the crash (cap {RATE:g}/s)", steady_rate(before), "msg/s", RATE * 0.95, lower=False),
        _row(f"rate after the restart (cap {RATE:g}/s)", steady_rate(after), "msg/s", RATE * 0.95, lower=False),
        _row("rate never above cap: max in any 1-s window", max_in_window(times), "msg", RATE),
        _row(f"duplicates (kill -9 at {round(KILL_AT * 100)}% and restart)", duplicates, "msg", 0),
        _row("lost", lost, "msg", 0),
        _row("rows not sent at the end", RECIPIENTS - summary["counts"].get("sent", 0), "rows", 0),
        _row("status webhooks delivered after the crash", statuses["items"], "items", 0, lower=False),
        _row("load average (1 min) at the end (context for the rates)", os.getloadavg()[0], "", 1000.0),
    ]
    if watch.samples:
        peak = max(mb for _p, mb in watch.samples)
        early = [mb for p, mb in watch.samples if 0.1 <= p < 0.2] or [watch.samples[0][1]]
        late = [mb for p, mb in watch.samples if p >= 0.9] or [watch.samples[-1][1]]
        rows.append(_row("worker peak RSS", peak, "MB", 250.0))
        rows.append(_row("worker RSS growth 10% → 90%+", (max(late) - max(early)) / max(early) * 100, "%", 15.0))
    return rows


# ---- the Django side (driver subprocesses on the production settings) -------------------------


def _django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def driver_seed(n: int) -> dict[str, Any]:
    """N confirmed subscribers over 6 kecamatan; a broadcast drafted, submitted and approved."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from aduan_publik.broadcasts import audience, catalogue, services
    from aduan_publik.models import Area, Role, StaffProfile
    from aduan_publik.portal.models import Subscription

    areas = [Area.objects.create(code=f"K{i}", name=f"Kecamatan {i}", level="kecamatan") for i in range(6)]
    now = timezone.now()
    batch = [Subscription(phone=f"62877{i:08d}", name=f"Warga {i}", area=areas[i % 6], topics=["agenda"],
                          consent_text="Saya setuju.", consent_version="bench", consented_at=now,
                          confirmed_at=now) for i in range(n)]
    Subscription.objects.bulk_create(batch, batch_size=5000)
    users = []
    for name, role in (("admin", Role.ADMIN), ("pimpinan", Role.LEADER)):
        user = get_user_model().objects.create_user(username=name, password="x", is_staff=True)  # noqa: S106
        StaffProfile.objects.create(user=user, role=role)
        users.append(user)
    catalogue.templates_sync(by=users[0])
    from aduan_publik.broadcasts.models import Template

    b = services.broadcast_save(by=users[0], values={
        "title": "Agenda Car Free Day", "topic": "agenda", "template": Template.objects.get(name="agenda_kota"),
        "variables": ["Car Free Day", "Minggu pagi di Jl. Sudirman", "{nama}"]})
    started = time.perf_counter()
    count = audience.audience_count(b)
    count_s = time.perf_counter() - started
    services.broadcast_submit(broadcast=b, by=users[0])
    started = time.perf_counter()
    services.broadcast_approve(broadcast=b, by=users[1])
    return {"count": count, "count_s": count_s, "approve_s": time.perf_counter() - started}


def driver_tick() -> None:
    """The scheduler's part (``rqcron`` runs ``broadcast_tick``): here every 2 seconds, until stopped."""
    from aduan_publik.broadcasts.jobs import broadcast_tick

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(2.0):
        broadcast_tick()


def driver_status(path: str) -> dict[str, Any]:
    """Deliver a status webhook body through the real inbound path (store, then process)."""
    from aduan_publik.channels.base import RawInbound
    from aduan_publik.channels.registry import get_channel
    from aduan_publik.services.inbound import inbound_event_process, inbound_event_store

    body = Path(path).read_bytes()
    import hmac

    raw = RawInbound(method="POST", body=body, headers={
        "x-hub-signature-256": "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()})
    channel = get_channel("whatsapp")
    channel.verify_inbound(raw)
    event, _created = inbound_event_store(channel="whatsapp", raw=raw, dedupe_key=channel.inbound_key(raw))
    inbound_event_process(event_id=event.pk)
    return {"items": len(json.loads(body)["entry"][0]["changes"][0]["value"]["statuses"])}


def driver_summary() -> dict[str, Any]:
    from django.db.models import Count

    from aduan_publik.broadcasts.models import Broadcast, Recipient

    b = Broadcast.objects.get()
    counts = {r["state"]: r["n"] for r in Recipient.objects.values("state").annotate(n=Count("id"))}
    return {"state": b.state, "counts": counts}


def _main_driver(step: str, args: list[str]) -> None:
    _django()
    if step == "seed":
        result: Any = driver_seed(int(args[0]))
    elif step == "tick":
        driver_tick()
        return
    elif step == "status":
        result = driver_status(args[0])
    else:
        result = driver_summary()
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--driver":
        _main_driver(sys.argv[2], sys.argv[3:])
    else:
        for item in run():
            mark = "ok" if item["ok"] else "MISSED"
            print(f"{item['name']:<52} {item['value']:>12,.3f} {item['unit']:<6} target {item['target']:<8} {mark}")
