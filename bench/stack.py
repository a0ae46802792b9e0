"""The local production stack the load benches start (bench_whatsapp, bench_social, bench_broadcast, bench_hooks).

A fresh PostgreSQL database, a flushed Redis database, a temporary sites folder with one site, the
environment of the production settings, ``migrate``, real ``rqworker`` processes and their stop;
plus the benches' result row. Everything on 127.0.0.1. Imported as ``stack`` (the benches run
with ``bench/`` first on ``sys.path``: standalone, through ``bench/run.py`` or loaded by another bench).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def fresh_database(name: str) -> None:
    """Drop (forcing out any connection) and create the database ``name``."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def site_folder(prefix: str, site: str, config: dict[str, Any]) -> Path:
    """A new temporary sites folder holding ``site`` with ``config`` (a fresh secret key added)."""
    sites = Path(tempfile.mkdtemp(prefix=prefix))
    folder = sites / site
    (folder / "private" / "files").mkdir(parents=True)
    config = {"secret_key": hashlib.sha256(os.urandom(32)).hexdigest(), **config}
    (folder / "site_config.json").write_text(json.dumps(config))
    return sites


def django_env(sites: Path, site: str, db_url: str, redis_url: str) -> dict[str, str]:
    """This process's environment without its ``ADUAN_``/``DJANGO_`` settings, on the production settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "ADUAN_SITES_DIR": str(sites),
                "ADUAN_SITE": site, "ADUAN_DATABASE_URL": db_url, "ADUAN_REDIS_URL": redis_url,
                "PYTHONPATH": str(ROOT)})
    return env


def prepare(env: dict[str, str]) -> None:
    """Flush the bench's Redis database and migrate its (fresh) database."""
    import redis

    redis.Redis.from_url(env["ADUAN_REDIS_URL"]).flushdb()
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603 (fixed argv)


def rq_workers(env: dict[str, str], count: int, *options: str) -> list[subprocess.Popen]:
    """``count`` real rq workers; SimpleWorker runs jobs without a fork per job, as a busy site should."""
    return [subprocess.Popen(  # noqa: S603 (fixed argv)
        [PY, "manage.py", "rqworker", *options, "--worker-class", "rq.SimpleWorker", "default"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]


def stop(procs: list[subprocess.Popen], sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
    """Send ``sig`` to every process still running, then wait for each (killed after ``timeout`` s)."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(sig)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def use_test_fakes() -> None:
    """Make ``tests/fakes`` importable as ``fakes`` (appended: tests/aduan_publik must not shadow the package)."""
    # The fakes import aduan_publik (testing.local_server): bind the installed package first, or the
    # namespace folder tests/aduan_publik would be taken for it.
    import aduan_publik  # noqa: F401

    path = str(ROOT / "tests")
    if path not in sys.path:
        sys.path.append(path)


def row(name: str, value: float, unit: str, target: float, *, lower: bool = True) -> dict[str, Any]:
    """One figure for ``bench/run.py``: met when at most ``target`` (at least, with ``lower=False``)."""
    ok = value <= target if lower else value >= target
    return {"name": name, "value": round(float(value), 3), "unit": unit, "target": target, "ok": ok,
            "lower_is_better": lower}
