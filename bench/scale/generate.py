"""The scale generator: N complaints of the demo city in PostgreSQL, cached as a template database.

    .venv/bin/python bench/scale/generate.py --size 10000 [--url postgres://postgres@127.0.0.1:5432/aduan_scale]

:func:`ensure_database` returns a fresh database with N complaints. The first time it builds a
template ``<db>_tpl_<N>_<hash>``: a subprocess migrates an empty database, seeds the demo city's
reference data (its OPDs plus eight UPTs, kecamatan/kelurahan, categories, logins), then loads
contacts, complaints, dispositions, events and messages with one ``INSERT ... SELECT ...
generate_series`` per table (:mod:`sql`), runs ``ANALYZE`` and, where the command exists,
``figures_rebuild``. The hash covers every migration file and this generator, so a changed
schema builds a new template. Later runs clone it (``CREATE DATABASE ... TEMPLATE``, a file
copy): seconds, whatever N.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/aduan_scale"
#: the access code of every generated complaint (the bench proves it on the tracking page)
ACCESS_CODE = "SKALA23456"
EXTRA_OPDS = [("UPT-PJU", "UPT Penerangan Jalan Umum"), ("UPT-SAMPAH", "UPT Pengelolaan Sampah"),
              ("UPT-PKM-KOTA", "UPT Puskesmas Kota"), ("UPT-PKM-UTARA", "UPT Puskesmas Utara"),
              ("UPT-PARKIR", "UPT Perparkiran"), ("UPT-PASAR", "UPT Pasar Flamboyan"),
              ("UPT-TAMAN", "UPT Pertamanan"), ("UPT-AIR", "UPT Air Limbah Domestik")]
TITLES = ["Jalan rusak dan berlubang di", "Drainase tersumbat di", "Lampu jalan mati di", "Parkir liar di",
          "Sampah menumpuk di", "Air PDAM mati di", "Pelayanan puskesmas lambat di", "Pungutan liar di",
          "Pedagang kaki lima menutup trotoar di", "Pohon tumbang di", "Banjir setelah hujan di",
          "Pipa bocor di", "Kebisingan malam hari di", "KTP elektronik belum jadi, kantor di"]
SQL_TABLES = (("CONTACTS", "aduan_publik_contact"), ("COMPLAINTS", "aduan_publik_complaint"),
              ("DISPOSITIONS", "aduan_publik_disposition"), ("OPD_SCOPES", "aduan_publik_opdscope"),
              ("EVENTS", "aduan_publik_event"),
              ("MESSAGES", "aduan_publik_message"))


# ---- the template cache (parent process, plain psycopg) ------------------------------------------

def schema_hash() -> str:
    """A digest of every migration file and of the generator: a changed schema gets a new template."""
    digest = hashlib.sha256()
    files = [*sorted(ROOT.glob("apps/*/*/**/migrations/*.py")), HERE / "generate.py", HERE / "sql.py"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(with_db(url, "postgres"), autocommit=True)


def available(url: str) -> str | None:
    """``None`` when the PostgreSQL server of ``url`` answers, else why not."""
    try:
        with _admin(url) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure: the bench reports it as a row
        return f"{type(exc).__name__}: {exc}".strip()[:200]
    return None


def _exists(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop(conn: Any, name: str) -> None:
    from psycopg import sql

    if _exists(conn, name):
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name)))
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _clone(conn: Any, target: str, template: str) -> None:
    from psycopg import sql

    _drop(conn, target)
    # FILE_COPY: a checkpoint and a file copy, instead of WAL-logging every block of gigabytes.
    conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
        sql.Identifier(target), sql.Identifier(template)))


def ensure_database(size: int, url: str = DEFAULT_URL) -> dict[str, Any]:
    """A fresh database ``<db>_<size>`` holding ``size`` generated complaints; builds the template once.

    Returns ``url`` (of the fresh database), ``built_seconds`` (``None`` when the template was
    cached), ``clone_seconds`` and the template's name.
    """
    from psycopg import sql

    base = urlsplit(url).path.lstrip("/") or "aduan_scale"
    template, target = f"{base}_tpl_{size}_{schema_hash()}", f"{base}_{size}"
    built = None
    with _admin(url) as conn:
        if not _exists(conn, template):
            started = time.perf_counter()
            building = f"{base}_building_{size}"
            _drop(conn, building)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
            _run_loader(size, with_db(url, building))
            for (old,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                       [f"{base}_tpl_{size}_%"]).fetchall():
                _drop(conn, old)  # templates of an older schema
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building),
                                                                          sql.Identifier(template)))
            conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true").format(sql.Identifier(template)))
            built = time.perf_counter() - started
        started = time.perf_counter()
        _clone(conn, target, template)
        cloned = time.perf_counter() - started
    return {"url": with_db(url, target), "built_seconds": built, "clone_seconds": cloned, "template": template}


def _run_loader(size: int, url: str) -> None:
    env = {**os.environ, "ADUAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    subprocess.run([sys.executable, str(Path(__file__)), "--size", str(size), "--load"],  # noqa: S603
                   check=True, env=env, cwd=ROOT)


# ---- the loader (subprocess, Django on the database being built) ------------------------------------

def _extras(cursor: Any, table: str, sql_text: str) -> tuple[str, str]:
    """Columns of ``table`` the SQL does not name that need a value (added by a later migration)."""
    cursor.execute("""SELECT column_name, data_type FROM information_schema.columns
                      WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
                        AND is_generated = 'NEVER' AND column_name <> 'id'""", [table])
    head = sql_text.split("SELECT", 1)[0].replace("%(extra_columns)s", "")
    named = {column.strip() for column in head[head.index("(") + 1:head.rindex(")")].split(",")}
    zero = {"boolean": "false", "jsonb": "'{}'::jsonb", "integer": "0", "smallint": "0", "bigint": "0",
            "timestamp with time zone": "now()", "date": "current_date"}
    missing = [(col, zero.get(kind, "''")) for col, kind in cursor.fetchall() if col not in named]
    return "".join(f", {col}" for col, _ in missing), "".join(f", {value}" for _, value in missing)


def _reference() -> dict[str, Any]:
    from aduan_publik.access import hash_access_code
    from aduan_publik.demo.city import AREAS
    from aduan_publik.demo.reference import seed_reference
    from aduan_publik.demo.stories import FIRST_NAMES, LAST_NAMES
    from aduan_publik.models import OPD, Area, Category

    seed_reference()
    for code, name in EXTRA_OPDS:
        OPD.objects.get_or_create(code=code, defaults={"name": name, "kind": OPD.Kind.LAINNYA})
    kels = list(Area.objects.filter(level=Area.Level.KELURAHAN).order_by("pk").values_list("pk", "parent_id"))
    return {
        "opds": list(OPD.objects.order_by("pk").values_list("pk", flat=True)),
        "cats": list(Category.objects.filter(parent__isnull=False).order_by("pk").values_list("pk", flat=True)),
        "kels": [pk for pk, _ in kels], "kecs": [parent for _, parent in kels],
        "streets": [street for info in AREAS.values() for street in info["streets"]],
        "titles": TITLES, "first": list(FIRST_NAMES), "last": list(LAST_NAMES),
        "code_hash": hash_access_code(ACCESS_CODE),
    }


def _fk_checks(cursor: Any, *, enable: bool) -> None:
    """Switch the foreign-key check triggers of the loaded tables off (or back on) in this transaction.

    Django's foreign keys are deferred: millions of rows would be checked one by one at COMMIT
    (minutes at 1M). The generated rows are consistent by construction, and the generator's test
    looks for orphans. Only the RI triggers: any other trigger (a search column...) still fires.
    """
    cursor.execute("""SELECT format('ALTER TABLE %%I %%s TRIGGER %%I', c.relname, %s::text, t.tgname)
                      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
                      WHERE t.tgisinternal AND p.proname IN ('RI_FKey_check_ins', 'RI_FKey_check_upd')
                        AND c.relname = ANY(%s)""", ["ENABLE" if enable else "DISABLE", [t for _, t in SQL_TABLES]])
    for (statement,) in cursor.fetchall():
        cursor.execute(statement)


def load(size: int, *, fk_checks: bool = False) -> dict[str, float]:
    """Fill the (migrated) database Django is connected to with ``size`` complaints; seconds per step.

    ``fk_checks=True`` keeps the foreign-key checks on.
    """
    import sql as statements
    from django.db import connection, transaction

    seconds: dict[str, float] = {}
    params = {**_reference(), "n": size, "contacts": max(1, size // 2)}
    with transaction.atomic(), connection.cursor() as cursor:
        for line in statements.SESSION:
            cursor.execute(line)
        for step in ("DRAWS", "TIMES"):
            cursor.execute(getattr(statements, step), params)
        if not fk_checks:
            _fk_checks(cursor, enable=False)
        for step, table in SQL_TABLES:
            started = time.perf_counter()
            text = getattr(statements, step).replace("%(verbs)s", statements.EVENT_VERBS)
            columns, values = _extras(cursor, table, text)
            text = text.replace("%(extra_columns)s", columns).replace("%(extra_values)s", values)
            cursor.execute(text, params)
            seconds[table] = time.perf_counter() - started
        started = time.perf_counter()
        for line in statements.FINISH:
            cursor.execute(line)
        if not fk_checks:
            _fk_checks(cursor, enable=True)
    seconds["commit"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM as well: a production server's autovacuum would have set the visibility map, without
        # which no index-only scan is used (a server with autovacuum off, as here, never does). Not
        # possible inside a transaction (the generator's own test).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    seconds["analyze"] = time.perf_counter() - started
    return seconds


def figures_rebuild() -> bool:
    """The ``figures_rebuild`` command of the aggregates (branch ``aggr``), where it exists."""
    from django.core.management import call_command, get_commands

    # ADUAN_SCALE_FIGURES=0: a raw database for work that does not read the figures (faster to build).
    if os.environ.get("ADUAN_SCALE_FIGURES") == "0" or "figures_rebuild" not in get_commands():
        return False
    call_command("figures_rebuild")
    return True


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--url", default=os.environ.get("ADUAN_BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--load", action="store_true", help="(internal) fill the database Django points at")
    args = parser.parse_args()
    if not args.load:
        print(ensure_database(args.size, args.url))
        return
    sys.path[:0] = [str(ROOT), str(HERE)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - started
    steps = load(args.size)
    started = time.perf_counter()
    rebuilt = figures_rebuild()
    print(f"generated {args.size:,} complaints: migrate {migrated:.1f} s, "
          + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())
          + (f", figures_rebuild {time.perf_counter() - started:.1f} s" if rebuilt else ""), flush=True)


if __name__ == "__main__":
    _main()
