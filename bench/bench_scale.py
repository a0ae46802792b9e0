"""The scale bench (issue 14 point 1): every page, the CSV export and the sweep at 10,000 and 1,000,000.

    make bench ARGS=scale                                # both sizes (the 1M template takes minutes once)
    ADUAN_SCALE_SIZES=10000 make bench ARGS=scale        # a quick try

PostgreSQL only, on a server of its own database family: ``ADUAN_BENCH_PG_URL`` (default
``postgres://postgres@127.0.0.1:5432/aduan_scale``) names it; each size gets a fresh clone
``aduan_scale_<N>`` of a cached template (``scale/generate.py``), dropped afterwards. Each size
is measured in a subprocess of its own (``scale/measure.py``: Django on that database, the test
Client in-process, so server time). Targets: every page ≤ 150 ms median and ≤ 400 ms p99 with
the same number of queries at both sizes, ``complaint_create`` ≤ 50 ms, the CSV export's first
rows ≤ 1 s at ≥ 20,000 rows/s with flat memory and no PostgreSQL temp file, the deadline sweep
≤ 60 s. The side-by-side table is printed and written to ``bench/results/scale.md``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR / "scale"))

import generate  # noqa: E402  (bench/scale is not a package: bench modules are loaded by path)

RESULTS = BENCH_DIR / "results" / "scale.md"


def sizes() -> list[int]:
    return [int(s) for s in os.environ.get("ADUAN_SCALE_SIZES", "10000,1000000").split(",") if s.strip()]


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else str(size)


def measure(size: int, url: str) -> list[dict[str, Any]]:
    """The rows of ``measure.py`` run on the database at ``url``."""
    env = {**os.environ, "ADUAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    done = subprocess.run([sys.executable, str(BENCH_DIR / "scale" / "measure.py"), "--size", str(size)],  # noqa: S603
                          env=env, cwd=BENCH_DIR.parent, stdout=subprocess.PIPE, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("ROWS "))
    return json.loads(line.removeprefix("ROWS "))


def one_size(size: int, url: str) -> list[dict[str, Any]]:
    started = time.perf_counter()
    made = generate.ensure_database(size, url)
    rows = [{"name": f"{label(size)} generate {size:,} complaints" + (" (template cached)" if made["built_seconds"]
                                                                       is None else ""),
             "value": made["built_seconds"] or made["clone_seconds"], "unit": "s", "target": 600,
             "ok": (made["built_seconds"] or made["clone_seconds"]) <= 600, "size": size,
             "key": "generate (or clone the cached template)"}]
    try:
        rows += [{**row, "size": size, "name": f"{label(size)} {row['name']}"} for row in measure(size, made["url"])]
    finally:
        with generate._admin(url) as conn:
            generate._drop(conn, made["url"].rsplit("/", 1)[1])
    print(f"  scale {label(size)}: {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def constant_queries(rows: list[dict[str, Any]], measured: list[int]) -> dict[str, Any] | None:
    """One row: does every page run the same number of queries at every size?"""
    if len(measured) < 2:
        return None
    counts: dict[str, set[int]] = {}
    for row in rows:
        if row.get("stat") == "median":
            counts.setdefault(row["page"], set()).add(row["queries"])
    varying = sorted(page for page, found in counts.items() if len(found) > 1)
    return {"name": "constant queries across sizes" + (f" (varies: {', '.join(varying)})" if varying else ""),
            "value": len(varying), "unit": "pages", "target": 0, "ok": not varying, "lower_is_better": True}


def side_by_side(rows: list[dict[str, Any]], measured: list[int]) -> str:
    """A markdown table: one line per figure, one column per size (queries beside page times)."""
    table: dict[str, dict[int, str]] = {}
    targets: dict[str, str] = {}
    for row in rows:
        key = row.get("key") or (f"{row['page']} {row['stat']}" if "page" in row else row["name"])
        value = f"{row['value']:,.1f}" if isinstance(row["value"], float) else f"{row['value']:,}"
        cell = value + (f" ({row['queries']} q)" if "queries" in row else "") + ("" if row["ok"] else " ✗")
        table.setdefault(key, {})[row.get("size", 0)] = cell
        targets[key] = f"{row['target']:,} {row.get('unit', '')}".strip()
    head = "| figure | target | " + " | ".join(label(s) for s in measured) + " |"
    lines = [head, "|" + " --- |" * (2 + len(measured))]
    for key, cells in table.items():
        lines.append(f"| {key} | {targets[key]} | " + " | ".join(cells.get(s, cells.get(0, "")) for s in measured)
                     + " |")
    return "\n".join(lines)


def run() -> list[dict[str, Any]]:
    url = os.environ.get("ADUAN_BENCH_PG_URL", generate.DEFAULT_URL)
    why = generate.available(url)
    if why is not None:
        return [{"name": f"skipped: PostgreSQL unavailable at {url} ({why})", "value": 0, "unit": "", "target": 0,
                 "ok": True}]
    rows: list[dict[str, Any]] = []
    measured = sizes()
    for done, size in enumerate(measured, start=1):
        rows += one_size(size, url)
        write(rows, measured[:done])  # a long run leaves its figures so far
    check = constant_queries(rows, measured)
    if check is not None:
        rows.append(check)
    print("\n" + write(rows, measured), flush=True)
    return rows


def write(rows: list[dict[str, Any]], measured: list[int]) -> str:
    """The side-by-side table, also written to ``bench/results/scale.md``."""
    table = side_by_side(rows, measured)
    RESULTS.parent.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.write_text(f"# Scale bench ({stamp})\n\n`make bench ARGS=scale`, sizes {', '.join(map(label, measured))};"
                       f" ✗ marks a missed target, (N q) the queries of a page.\n\n{table}\n")
    return table
