"""SP4N-LAPOR! pull: a first sync of 10,000 remote reports, then re-syncs with nothing changed.

The fake SP4N-LAPOR! (tests/fakes/lapor_server.py) serves the reports over real HTTP on
127.0.0.1, 100 per page, in the shapes public working code shows for the live API (answers
wrapped as ``{"results": {"data": …}}``, paging by ``next_page_url``, follow-up times written
``d-m-Y H:i:s``). Figures: wall time and database queries per report of the first
sync (each report becomes a complaint, a contact, a link and an audit event; one report in 50
has a reporter's reply on LAPOR!, read once into the thread), then of a full re-sync (every
page listed again, nothing changed: one link query per page, a hash comparison per report and
no follow-up read) and of the incremental re-sync the scheduler runs (cursor: only what
changed since). Last, the ``detail`` strategy (for sites where only detail calls work)
re-reads every open report by id once, nothing changed: one request and about one query each.

    .venv/bin/python bench/bench_lapor.py            # standalone
    .venv/bin/python bench/run.py lapor              # with the other benches
    LAPOR_BENCH_REPORTS=2000 …                       # a smaller run
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORTS = int(os.environ.get("LAPOR_BENCH_REPORTS", "10000"))
PER_PAGE = 100
REPLY_EVERY = 50  # one report in 50 has a reporter's reply on LAPOR!


class QueryCounter:
    """Counts every statement the connection executes (no 9,000-entry log cap, no DEBUG needed)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


CPU: dict[str, float] = {}


def timed(step: Callable[[], dict[str, Any]], label: str) -> tuple[float, int, dict[str, Any]]:
    """Wall time, queries and result of ``step``; its process CPU time goes to ``CPU[label]``.

    The CPU figure includes the fake server's thread (same process); on a busy machine it is
    the steadier of the two.
    """
    with counting() as counter:
        started, cpu = time.perf_counter(), time.process_time()
        result = step()
        elapsed = time.perf_counter() - started
        CPU[label] = time.process_time() - cpu
    return elapsed, counter.count, result


def row(name: str, value: float, unit: str, target: float) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": value <= target,
            "lower_is_better": True}


def _configure(fake: Any, **extra: Any) -> None:
    from django.conf import settings

    lapor = fake.site_config(per_page=PER_PAGE, timeout=30.0, **extra)
    settings.ADUAN = {**settings.ADUAN, "channels": {**settings.ADUAN.get("channels", {}), "lapor": lapor}}


def run() -> list[dict[str, Any]]:
    sys.path.append(str(ROOT / "tests"))  # appended: tests/aduan_publik must not shadow the package
    from fakes.lapor_server import FakeLapor

    from aduan_publik.channels.lapor.sync import lapor_pull
    from aduan_publik.models import Complaint

    with FakeLapor() as fake:
        _configure(fake)
        for i in range(REPORTS):
            report = fake.add_report(is_anonymous=i % 10 == 0,
                                     status_name="Selesai" if i % 20 == 0 else "Terverifikasi")
            if i % REPLY_EVERY == 1:  # a conversation with a reporter reply to read
                fake.reply(report["id"], "Mohon segera ditindaklanjuti, kondisinya makin parah.")
        first_s, first_q, first = timed(lambda: lapor_pull(), "first")
        first_fu = fake.count("GET", "/followups")
        full_s, full_q, full = timed(lambda: lapor_pull(full=True), "full")
        incr_s, incr_q, incr = timed(lambda: lapor_pull(), "incremental")
        resync_fu = fake.count("GET", "/followups") - first_fu
        _configure(fake, pull_strategy="detail", detail_batch=REPORTS, detail_pace=0)
        detail_s, detail_q, detail = timed(lambda: lapor_pull(), "detail")
    talks = len(range(1, REPORTS, REPLY_EVERY))
    assert first.get("replies") == talks, first
    assert first.get("created") == REPORTS, first
    assert full.get("unchanged") == REPORTS and "updated" not in full, full
    assert "created" not in incr and "updated" not in incr, incr
    assert detail.get("checked") and detail.get("unchanged") == detail["checked"] and not detail["errors"], detail
    checked = detail["checked"]
    assert Complaint.objects.filter(channel="lapor").count() >= REPORTS
    n = REPORTS
    return [
        row(f"first sync of {n} reports", first_s, "s", 300.0),
        row("first sync: time per report", first_s / n * 1000, "ms", 30.0),
        row("first sync: CPU time per report", CPU["first"] / n * 1000, "ms", 15.0),
        row("first sync: queries per report", first_q / n, "queries", 20.0),
        row("first sync: list requests per report", (first["requests"] - first_fu) / n, "requests", 0.02),
        row(f"first sync: follow-up reads per conversation ({talks})", first_fu / max(talks, 1), "requests", 1.0),
        row(f"full re-sync, nothing changed ({n})", full_s, "s", 15.0),
        row("full re-sync: CPU time per report", CPU["full"] / n * 1000, "ms", 1.0),
        row("full re-sync: queries per report", full_q / n, "queries", 0.05),
        row("re-syncs: follow-up reads (nothing changed)", resync_fu, "requests", 0),
        row("incremental re-sync (cursor), nothing changed", incr_s, "s", 1.0),
        row("incremental re-sync: queries", incr_q, "queries", 20),
        row(f"detail strategy: re-read of {checked} open reports", detail_s, "s", 60.0),
        row("detail strategy: requests per report", detail["requests"] / checked, "requests", 1.0),
        row("detail strategy: queries per unchanged report", detail_q / checked, "queries", 2.0),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    from run import setup_django  # type: ignore[import-not-found]

    setup_django()
    for figure in run():
        print(f"{figure['name']:<50} {figure['value']:>12} {figure['unit']:<9} target {figure['target']:<8} "
              f"{'ok' if figure['ok'] else 'MISSED'}")
