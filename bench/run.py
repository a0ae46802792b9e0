"""The bench runner (``make bench``): every ``bench/bench_*.py`` module's figures in one table.

    .venv/bin/python bench/run.py [NAME ...] [--strict]

A bench module exposes ``run() -> list[dict]``; each row has ``name``, ``value``, ``unit``,
``target`` and ``ok`` (whether the target is met), and may set ``lower_is_better`` (default:
true for time units such as ``ms``, false otherwise). The ratio column says how many times
the target the figure is, the right way round: 1.0 or more meets it.

Django is set up before the modules are imported, with the test settings (jobs inline, Redis
from ``ADUAN_REDIS_URL``, default db 9) and a fresh, migrated SQLite database in WAL mode in a
temporary folder, unless ``ADUAN_DATABASE_URL`` names another. Benches report figures; only
tests assert behaviour. The exit status is 1 when a module fails, and with ``--strict`` also
when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
TIME_UNITS = {"s", "ms", "us", "µs", "ns"}
COLUMNS = ("bench", "name", "value", "unit", "target", "ratio", "ok")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def discover(only: list[str]) -> list[Path]:
    paths = sorted(BENCH_DIR.glob("bench_*.py"))
    if only:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in only or p.stem in only]
    return paths


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ratio(row: dict[str, Any]) -> float | None:
    value, target = float(row["value"]), float(row["target"])
    lower = row.get("lower_is_better", str(row.get("unit", "")) in TIME_UNITS)
    if lower:
        if value == 0:
            return 1.0 if target == 0 else None  # nothing at all: as good as it gets, no ratio
        return target / value
    return value / target if target else None


def fmt(number: Any) -> str:
    if isinstance(number, (int, float)):
        return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"
    return str(number)


def row_cells(bench: str, row: dict[str, Any]) -> list[str]:
    r = ratio(row)
    return [bench, str(row["name"]), fmt(row["value"]), str(row.get("unit", "")), fmt(row["target"]),
            "-" if r is None else f"{r:.2f}x", "ok" if row["ok"] else "MISSED"]


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*COLUMNS))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))


def run_module(path: Path) -> tuple[list[list[str]], int, bool]:
    """Rows of one module, the number of missed targets, and whether it crashed."""
    name = path.stem.removeprefix("bench_")
    started = time.perf_counter()
    try:
        rows = load(path).run()
    except Exception:
        traceback.print_exc()
        return [[name, "(module failed)", "-", "", "-", "-", "ERROR"]], 0, True
    print(f"  {name}: {len(rows)} figures in {time.perf_counter() - started:.1f} s", flush=True)
    return [row_cells(name, row) for row in rows], sum(1 for row in rows if not row["ok"]), False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="bench names to run (e.g. calendar); default all")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    paths = discover(args.only)
    if not paths:
        print("no bench modules found", file=sys.stderr)
        return 1
    setup_django()
    table: list[list[str]] = []
    missed, crashed = 0, False
    for path in paths:
        rows, module_missed, module_crashed = run_module(path)
        table += rows
        missed += module_missed
        crashed = crashed or module_crashed
    print()
    print_table(table)
    print(f"\n{len(table)} figures, {missed} targets missed{', a module FAILED' if crashed else ''}")
    return 1 if crashed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
