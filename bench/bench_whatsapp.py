"""WhatsApp webhook under load, on the production set-up: gunicorn, PostgreSQL, Redis, rq workers.

1. Answer latency (8 concurrent clients) and throughput (at saturation, 32 clients) of signed
   webhook POSTs, side by side with ``/healthz`` (a trivial view: one ``SELECT 1``) on the same
   gunicorn, same client, same concurrency.
2. 10,000 deliveries with 10% duplicates (redeliveries of the same body, some concurrent),
   processed by real rq workers: every unique message must give exactly one complaint, one
   inbound message and one acknowledgement sent to the (fake) Graph API — zero lost, zero
   duplicated.
3. Time from the POST until the complaint is visible to the desk's list query, on an idle system.

Everything runs on 127.0.0.1: gunicorn (config/gunicorn.conf.py), PostgreSQL database
``aduan_wa`` (dropped and created), Redis db 5 (flushed), the fake Graph API of
tests/fakes/graph_api.py in this process. Sizes: ``WA_BENCH_LATENCY_REQUESTS`` (default 2000
per endpoint and phase), ``WA_BENCH_DELIVERIES`` (10000), ``WA_BENCH_CLIENTS`` (8 concurrent
clients for latency), ``WA_BENCH_SATURATION_CLIENTS`` (32, for throughput), ``WA_BENCH_WORKERS`` (3).

    .venv/bin/python bench/bench_whatsapp.py       # standalone
    .venv/bin/python bench/run.py whatsapp         # with the other benches
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import stack

ROOT, PY = stack.ROOT, stack.PY
DB_NAME = os.environ.get("WA_BENCH_DB", "aduan_wa")
DB_URL = stack.database_url(DB_NAME)
_row = stack.row  # bench_social reads it here
REDIS_URL = os.environ.get("WA_BENCH_REDIS", "redis://127.0.0.1:6379/5")
LATENCY_REQUESTS = int(os.environ.get("WA_BENCH_LATENCY_REQUESTS", "2000"))
DELIVERIES = int(os.environ.get("WA_BENCH_DELIVERIES", "10000"))
CLIENTS = int(os.environ.get("WA_BENCH_CLIENTS", "8"))
SATURATION_CLIENTS = int(os.environ.get("WA_BENCH_SATURATION_CLIENTS", "32"))
WORKERS = int(os.environ.get("WA_BENCH_WORKERS", "3"))
ROUNDS = int(os.environ.get("WA_BENCH_ROUNDS", "5"))
DRAIN_TIMEOUT = 360.0
APP_SECRET = "bench-app-secret"  # noqa: S105 (a local bench)
PHONE_ID = "106540352242922"


# ---- payloads ---------------------------------------------------------------------------


def delivery(n: int) -> bytes:
    """One resident's text message; resident ``n`` is new, so it opens complaint ``n``."""
    wa_id = f"62899{n:08d}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "628110000000", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": f"Warga {n}"}, "wa_id": wa_id, "user_id": f"ID.{n:016d}"}],
        "messages": [{"from": wa_id, "id": f"wamid.BENCH{n:08d}", "timestamp": str(int(time.time())),
                      "type": "text", "text": {"body": f"Lampu jalan mati di gang {n}, mohon diperbaiki."}}],
    }
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body).encode()


def receipt(n: int) -> bytes:
    """A delivery receipt for a message we never sent: the same answer path as a message
    (verify, key, insert, enqueue), and cheap for the workers to process afterwards."""
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "628110000000", "phone_number_id": PHONE_ID},
             "statuses": [{"id": f"wamid.LATENCY{n:08d}", "status": "delivered",
                           "timestamp": str(int(time.time())), "recipient_id": f"62899{n:08d}"}]}
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body).encode()


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


# ---- the load generator -----------------------------------------------------------------


def hammer(port: int, requests: list[tuple[str, bytes | None]], clients: int) -> tuple[list[float], float, int]:
    """Send ``requests`` from ``clients`` keep-alive connections; (latencies s, wall s, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    chunks = [requests[i::clients] for i in range(clients)]

    def client(chunk: list[tuple[str, bytes | None]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for path, body in chunk:
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body)} if body else {}
            started = time.perf_counter()
            try:
                conn.request("POST" if body else "GET", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, errors[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- the production set-up --------------------------------------------------------------


def _site(graph_url: str) -> Path:
    return stack.site_folder("aduan-bench-wa-", "benchwa", {
        "time_zone": "Asia/Jakarta", "language": "id",
        "channels": {"whatsapp": {
            "phone_number_id": PHONE_ID, "access_token": "test-access-token", "app_secret": APP_SECRET,
            "verify_token": "bench", "graph_base_url": graph_url, "graph_version": "v23.0",
            "reply_template": "aduan_balasan"}},
    })


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(port: int, path: str = "/healthz", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {path} on port {port}")


@contextmanager
def production(graph_url: str) -> Iterator[tuple[int, dict[str, str], list[subprocess.Popen]]]:
    """Gunicorn on a free port over a fresh PostgreSQL database; yields (port, env, workers)."""
    sites = _site(graph_url)
    env = stack.django_env(sites, "benchwa", DB_URL, REDIS_URL)
    stack.fresh_database(DB_NAME)
    stack.prepare(env)
    port = _free_port()
    web = subprocess.Popen(  # noqa: S603 (fixed argv)
        [PY, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--control-socket", str(sites / "gunicorn.ctl")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[subprocess.Popen] = []
    try:
        _wait_http(port)
        yield port, env, workers
    finally:
        stack.stop([*workers, web])


def start_workers(env: dict[str, str], workers: list[subprocess.Popen]) -> None:
    """Real rq workers (:func:`stack.rq_workers`), added to ``workers``."""
    workers.extend(stack.rq_workers(env, WORKERS))


# ---- measuring --------------------------------------------------------------------------


def _scalar(sql: str, params: tuple[Any, ...] = ()) -> int:
    import psycopg

    with psycopg.connect(DB_URL) as conn:
        row = conn.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def latency_rows(port: int) -> tuple[list[dict[str, Any]], int]:
    """Webhook and trivial view, same load; returns the rows and how many deliveries were sent.

    Latency is measured with CLIENTS concurrent clients; throughput at saturation with
    SATURATION_CLIENTS. The two endpoints are measured in alternating rounds (trivial,
    webhook, trivial, webhook, ...) and each figure is the median over the rounds: on a
    two-core machine shared with the database, Redis and this load generator, one long run
    of each would mostly measure whatever else the machine was doing at the time.
    """
    hooks: list[tuple[str, bytes | None]] = [
        ("/channels/whatsapp/webhook", receipt(n)) for n in range(2 * LATENCY_REQUESTS)]
    trivial: list[tuple[str, bytes | None]] = [("/healthz", None)] * LATENCY_REQUESTS
    hammer(port, trivial[:200], CLIENTS)  # warm-up: connections, imports, plans
    t_lat, w_lat, rates, errors = [], [], {"t8": [], "w8": [], "t32": [], "w32": []}, 0
    rounds = ROUNDS
    size = LATENCY_REQUESTS // rounds
    for r in range(rounds):
        for key, load, clients in (("t8", trivial[:size], CLIENTS),
                                   ("w8", hooks[r * size:(r + 1) * size], CLIENTS),
                                   ("t32", trivial[:size], SATURATION_CLIENTS),
                                   ("w32", hooks[LATENCY_REQUESTS + r * size:LATENCY_REQUESTS + (r + 1) * size],
                                    SATURATION_CLIENTS)):
            lat, wall, err = hammer(port, load, clients)
            rates[key].append(len(lat) / wall)
            errors += err
            if key == "t8":
                t_lat += lat
            elif key == "w8":
                w_lat += lat
    med = {key: percentile(values, 0.5) for key, values in rates.items()}
    rows = [
        _row("webhook answer median", percentile(w_lat, 0.5) * 1000, "ms", 25),
        _row("webhook answer p99", percentile(w_lat, 0.99) * 1000, "ms", 100),
        _row("trivial view median", percentile(t_lat, 0.5) * 1000, "ms", 25),
        _row("trivial view p99", percentile(t_lat, 0.99) * 1000, "ms", 100),
        *_throughput_rows(f"{CLIENTS} clients", med["w8"], med["t8"]),
        *_throughput_rows(f"{SATURATION_CLIENTS} clients", med["w32"], med["t32"]),
        _row("answer errors (webhook + trivial)", errors, "count", 0),
    ]
    return rows, 2 * size * rounds


def _throughput_rows(label: str, webhook_rps: float, trivial_rps: float) -> list[dict[str, Any]]:
    half = round(trivial_rps / 2, 1)
    return [_row(f"webhook throughput, {label}", webhook_rps, "req/s", half, lower=False),
            _row(f"trivial view throughput, {label}", trivial_rps, "req/s", half, lower=False),
            _row(f"webhook/trivial throughput, {label}", webhook_rps / trivial_rps, "ratio", 0.5, lower=False)]


def deliveries_plan(first: int) -> tuple[list[tuple[str, bytes | None]], int]:
    """DELIVERIES posts, 10% of them redeliveries of bodies already in the plan (shuffled)."""
    unique = DELIVERIES - DELIVERIES // 10
    bodies = [delivery(first + n) for n in range(unique)]
    rng = random.Random(2026)  # a reproducible shuffle
    plan = bodies + [rng.choice(bodies) for _ in range(DELIVERIES - unique)]
    rng.shuffle(plan)
    return [("/channels/whatsapp/webhook", body) for body in plan], unique


def drain(expected_events: int) -> float:
    """Wait until every stored delivery is processed and every acknowledgement left; seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < DRAIN_TIMEOUT:
        events = _scalar("SELECT count(*) FROM aduan_publik_inboundevent WHERE state <> 'pending'")
        queued = _scalar("SELECT count(*) FROM aduan_publik_message WHERE direction='out' "
                         "AND state IN ('queued', 'sending')")
        if events >= expected_events and queued == 0:
            break
        time.sleep(0.25)
    return time.perf_counter() - started


def integrity_rows(expected: int, graph: Any, drain_s: float, answered: float) -> list[dict[str, Any]]:
    complaints = _scalar("SELECT count(*) FROM aduan_publik_complaint WHERE channel='whatsapp'")
    inbound = _scalar("SELECT count(*) FROM aduan_publik_message WHERE direction='in'")
    acks = _scalar("SELECT count(*) FROM aduan_publik_message WHERE direction='out' AND state='sent'")
    distinct_sends = len({json.dumps(s["json"], sort_keys=True) for s in graph.sends()})
    rejected = _scalar("SELECT count(*) FROM aduan_publik_inboundevent WHERE state IN ('rejected', 'failed')")
    lost = max(0, expected - complaints) + max(0, expected - inbound) + max(0, expected - acks) + rejected
    duplicated = (max(0, complaints - expected) + max(0, inbound - expected) + max(0, acks - expected)
                  + (len(graph.sends()) - distinct_sends))
    pending = _scalar("SELECT count(*) FROM aduan_publik_inboundevent WHERE state = 'pending'")
    return [
        _row("deliveries answered per second (with workers)", answered, "req/s", 0, lower=False),
        _row("deliveries still unprocessed at the drain timeout", pending, "count", 0),
        _row(f"{expected:,} unique of {DELIVERIES:,}: drain to all processed", drain_s, "s", DRAIN_TIMEOUT),
        _row("lost (complaints, messages, acks missing)", lost, "count", 0),
        _row("duplicated (complaints, messages, acks)", duplicated, "count", 0),
    ]


def visibility_rows(port: int, first: int, probes: int = 40) -> list[dict[str, Any]]:
    """POST one delivery, then poll the desk's list query until the complaint is in it."""
    import psycopg

    times = []
    with psycopg.connect(DB_URL, autocommit=True) as db:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(first, first + probes):
            body = delivery(n)
            started = time.perf_counter()
            conn.request("POST", "/channels/whatsapp/webhook", body=body,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(body)})
            conn.getresponse().read()
            while time.perf_counter() - started < 30:
                # The desk's complaint list: newest first, the admin sees every complaint.
                hit = db.execute("SELECT tracking_number FROM aduan_publik_complaint WHERE external_id = %s "
                                 "ORDER BY received_at DESC LIMIT 1", (f"wamid.BENCH{n:08d}",)).fetchone()
                if hit:
                    break
                time.sleep(0.002)
            times.append(time.perf_counter() - started)
        conn.close()
    return [_row("visible in the desk, median", percentile(times, 0.5) * 1000, "ms", 1000),
            _row("visible in the desk, p99", percentile(times, 0.99) * 1000, "ms", 5000)]


def run() -> list[dict[str, Any]]:
    stack.use_test_fakes()
    from fakes.graph_api import FakeGraphAPI

    with FakeGraphAPI() as graph, production(graph.base_url) as (port, env, workers):
        rows, sent = latency_rows(port)
        plan, unique = deliveries_plan(first=0)
        start_workers(env, workers)
        answered_s = hammer(port, plan, CLIENTS)[1]
        drain_s = drain(expected_events=sent + unique)
        rows += integrity_rows(unique, graph, drain_s, len(plan) / answered_s)
        rows += visibility_rows(port, first=unique)
    return rows


if __name__ == "__main__":
    for item in run():
        mark = "ok" if item["ok"] else "MISSED"
        print(f"{item['name']:<52} {item['value']:>12,.3f} {item['unit']:<6} target {item['target']:<8} {mark}")
