"""The desk dashboard's figures at 10,000 complaints: read from the aggregates vs the full recount.

The complaints are bulk-loaded (the services would take minutes), then ``figures_rebuild`` builds the
aggregates, as the 1M scale bench does. Each period is timed both ways: the aggregates (what the
pages use) and the live recount (window functions over the table, what they used before issue 14).
Targets: 150 ms median per dashboard at any size (issue 14); the aggregates must not grow with the
number of complaints, so at 10k they sit far below it.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

COMPLAINTS = 10_000
RUNS = 7
TARGET_MS = 150.0


def _load(n: int) -> None:
    from django.utils import timezone

    from aduan_publik.models import OPD, Area, Category, Complaint, Disposition

    rng = random.Random(14)
    opds = [OPD.objects.create(code=f"B{i}", name=f"Dinas Bench {i}", kind="dinas") for i in range(12)]
    cats = [Category.objects.create(name=f"Bench {i}", code=f"bench-{i}") for i in range(15)]
    kels = [Area.objects.create(code=f"bench-{i}", name=f"Kelurahan {i}", level="kelurahan") for i in range(30)]
    now = timezone.now()
    statuses = ["received", "disposed", "in_progress", "answered", "closed", "closed", "closed", "not_authority",
                "archived"]
    rows = []
    for i in range(n):
        received = now - timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
        status = rng.choice(statuses)
        verified = received + timedelta(minutes=rng.randrange(5, 3 * 24 * 60)) if status != "received" else None
        answered = verified + timedelta(hours=rng.randrange(1, 200)) if verified and status in (
            "answered", "closed") else None
        rows.append(Complaint(
            tracking_number=f"BENCH-{i:07d}", access_code_hash="x", title="Bench", description="Bench",
            channel=rng.choice(["web", "whatsapp", "manual", "lapor"]), status=status, received_at=received,
            verified_at=verified, first_response_at=answered, answered_at=answered,
            closed_at=answered + timedelta(days=3) if answered and status == "closed" else None,
            rating=rng.choice([None, 3, 4, 5]) if status == "closed" else None, is_secret=rng.random() < 0.05,
            category=rng.choice(cats), kelurahan=rng.choice(kels)))
    made = Complaint.objects.bulk_create(rows, batch_size=2000)
    parts = [Disposition(complaint=c, opd=rng.choice(opds), created_at=c.verified_at,
                         state="answered" if c.answered_at else "pending", answered_at=c.answered_at,
                         complete_due=c.verified_at + timedelta(days=10))
             for c in made if c.verified_at and c.status != "not_authority"]
    Disposition.objects.bulk_create(parts, batch_size=2000)


def median_ms(fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> list[dict[str, Any]]:
    from django.core.management import call_command
    from django.test import override_settings

    from aduan_publik import figures
    from aduan_publik.selectors.dashboard import dashboard_figures
    from aduan_publik.selectors.trends import charts

    _load(COMPLAINTS)
    started = time.perf_counter()
    call_command("figures_rebuild", stdout=StringIO())
    rebuild_s = time.perf_counter() - started
    found = [{"name": f"figures_rebuild ({COMPLAINTS} complaints)", "value": rebuild_s, "unit": "s",
              "target": 10.0, "ok": rebuild_s <= 10.0}]
    periods = {"30 hari": figures.last_days(30).start, "12 bulan": figures.last_days(365).start, "semua": None}
    with override_settings(ADUAN_FIGURES_SETTLE=False):
        for label, since in periods.items():
            def page(since: Any = since) -> None:  # what desk/dashboard.py asks for
                found = dashboard_figures(since=since)
                charts(figures.Period(start=since), opd_rows=found["per_opd"], channel_rows=found["per_channel"])
            aggregated = median_ms(page)
            with mock.patch.object(figures, "day_aligned", return_value=False):
                live = median_ms(page)
            found += [
                {"name": f"dashboard {label}: aggregates", "value": aggregated, "unit": "ms", "target": TARGET_MS,
                 "ok": aggregated <= TARGET_MS},
                {"name": f"dashboard {label}: full recount (before)", "value": live, "unit": "ms",
                 "target": TARGET_MS, "ok": live <= TARGET_MS},
            ]
    return found
