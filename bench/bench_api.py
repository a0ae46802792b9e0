"""The integrator API: list latency at 100,000 complaints and create throughput.

    ADUAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/aduan_bench nice .venv/bin/python bench/run.py api

Rows are bulk-inserted once (complaints, half of them disposed to one of ten OPDs); a rerun on
the same database finds them and skips the generation. Requests go through the whole Django
stack in-process (middleware, token lookup, Redis rate limit, serializer, cursor page of 50),
as an integrator's dashboard polls: the first page, filtered by status, by OPD, by overdue,
by update time, and the next pages through the cursor. Targets: median <= 100 ms, p99 <= 300
ms (issue 13), create >= 20 complaints/s with an ``Idempotency-Key``.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

ROWS = 100_000
BATCH = 5_000
LIST_REQUESTS = 300
CREATES = 150
PREFIX = "BEN-"


def _generate() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from aduan_publik.models import OPD, Category, Complaint, Disposition, OpdScope

    opds = [OPD.objects.get_or_create(code=f"BEN{i}", defaults={"name": f"Dinas Bench {i}"})[0] for i in range(10)]
    category = Category.objects.get_or_create(code="bench", defaults={"name": "Bench"})[0]
    have = Complaint.objects.filter(tracking_number__startswith=PREFIX).count()
    started, now = time.perf_counter(), timezone.now()
    statuses = ["received", "disposed", "in_progress", "answered", "closed"]
    for start in range(have, ROWS, BATCH):
        rows = [Complaint(
            tracking_number=f"{PREFIX}{i:08d}", access_code_hash="0" * 64, title=f"Aduan bench {i}",
            description="Jalan berlubang di depan pasar, membahayakan pengendara.", category=category,
            channel=("web", "whatsapp", "lapor", "api")[i % 4], status=statuses[i % 5],
            received_at=now - timedelta(minutes=i), due_at=now + timedelta(days=(i % 7) - 3),
        ) for i in range(start, min(start + BATCH, ROWS))]
        Complaint.objects.bulk_create(rows, batch_size=BATCH)  # PostgreSQL and SQLite return the ids
        disposed = [c for c in rows if c.status != "received"]
        Disposition.objects.bulk_create([Disposition(
            complaint=c, opd=opds[c.pk % 10], state="accepted", created_at=c.received_at,
            respond_due=c.received_at + timedelta(days=5), complete_due=c.received_at + timedelta(days=14),
        ) for c in disposed], batch_size=BATCH)
        OpdScope.objects.bulk_create([OpdScope(complaint=c, opd=opds[c.pk % 10], received_at=c.received_at)
                                      for c in disposed], batch_size=BATCH)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them on a live site
        cursor.execute("ANALYZE")
    return {"generated": ROWS - have, "seconds": time.perf_counter() - started, "opd": opds[3].pk}


def _client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from aduan_publik.api.tokens import token_create
    from aduan_publik.models import Role, StaffProfile

    user, created = get_user_model().objects.get_or_create(username="bench-api")
    if created:
        StaffProfile.objects.create(user=user, role=Role.ADMIN)
    _token, raw = token_create(user=user, name="bench", scopes=["complaints:read", "complaints:write"],
                               rate_per_minute=10_000_000)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")  # a host the site serves


def _list_times(client: Any, opd: int) -> list[float]:
    since = "2020-01-01T00:00:00Z"
    urls = ["/api/v1/complaints", "/api/v1/complaints?status=disposed,in_progress", f"/api/v1/complaints?opd={opd}",
            "/api/v1/complaints?overdue=true", f"/api/v1/complaints?updated_after={since}&ordering=-updated_at"]
    times: list[float] = []
    next_url = ""
    for i in range(LIST_REQUESTS):
        url = next_url if (i % 6 == 5 and next_url) else urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        next_url = response.json()["next"] or ""
    return times


def _creates_per_second(client: Any) -> float:
    body = {"title": "Lampu jalan mati", "description": "Lampu jalan mati sejak seminggu di Jl. Sudirman.",
            "reporter": {"name": "Bench", "email": "bench@example.org"}}
    started = time.perf_counter()
    for _ in range(CREATES):
        response = client.post("/api/v1/complaints", body, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert response.status_code == 201, response.content[:300]
    return CREATES / (time.perf_counter() - started)


def run() -> list[dict[str, Any]]:
    from django.db import connection

    made = _generate()
    client = _client()
    client.get("/api/v1/complaints")  # warm up
    times = sorted(_list_times(client, made["opd"]))
    median, p99 = statistics.median(times), times[int(len(times) * 0.99) - 1]
    rate = _creates_per_second(client)
    db = connection.vendor
    return [
        {"name": f"generate {made['generated']:,} rows ({db})", "value": made["seconds"], "unit": "s",
         "target": 300, "ok": made["seconds"] <= 300},
        {"name": f"list median at {ROWS:,} ({db})", "value": median, "unit": "ms", "target": 100, "ok": median <= 100},
        {"name": f"list p99 at {ROWS:,} ({db})", "value": p99, "unit": "ms", "target": 300, "ok": p99 <= 300},
        {"name": "create with Idempotency-Key", "value": rate, "unit": "complaints/s", "target": 20,
         "ok": rate >= 20, "lower_is_better": False},
    ]
