"""The scale bench's measurements on one generated database (a subprocess per size).

    ADUAN_DATABASE_URL=postgres://…/aduan_scale_10000 .venv/bin/python bench/scale/measure.py --size 10000

Server time in-process through Django's test Client (middleware, session, templates; no network),
3 warm-ups then ``ADUAN_SCALE_REPEATS`` (20) timed requests per page; the query count of a page
is that of its last request. Prints one JSON line (``ROWS {...}``) for :mod:`bench_scale`.
``ADUAN_SCALE_ONLY="desk list,dashboard"`` measures only the pages whose names hold one of the parts
(add ``export``, ``create`` or ``sweep`` to run those too).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WARMUPS = 3
SLOW_S = 2.0  # a page slower than this in warm-up is timed 5 times, not 20 (the old pages at 1M)
PAGE_MS = (150, 400)  # median, p99
TARGETS = {"create": 50.0, "first_rows": 1.0, "rows_per_s": 20_000.0, "sweep": 60.0}


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]


def timed(request: Callable[[], Any], repeats: int) -> dict[str, Any]:
    """Median and p99 (ms) of ``request`` and the queries of its last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    warm = []
    for _ in range(WARMUPS):
        started = time.perf_counter()
        _ok(request())
        warm.append(time.perf_counter() - started)
        if warm[-1] > SLOW_S:  # a page of seconds: one warm-up and a few timed runs say enough
            repeats = int(os.environ.get("ADUAN_SCALE_SLOW_REPEATS", "5"))
            break
    times = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            _ok(request())
            times.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(times), "p99": p99(times), "queries": len(queries), "n": repeats}


def _ok(response: Any) -> None:
    if response.status_code != 200:
        raise AssertionError(f"{response.status_code} {response.get('Location', '')} {response.content[:300]!r}")


def _clients() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from aduan_publik.api.tokens import token_create
    from aduan_publik.models import Role, StaffProfile

    users = get_user_model().objects
    admin, liaison = users.get(username="admin"), users.get(username="penghubung.pupr")
    api_user, created = users.get_or_create(username="scale-api")
    if created:
        StaffProfile.objects.create(user=api_user, role=Role.ADMIN)
    _token, raw = token_create(user=api_user, name="scale", scopes=["complaints:read"], rate_per_minute=10_000_000)
    clients = {"admin": Client(HTTP_HOST="127.0.0.1"), "opd": Client(HTTP_HOST="127.0.0.1"),
               "public": Client(HTTP_HOST="127.0.0.1"),
               "api": Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")}
    clients["admin"].force_login(admin)
    clients["opd"].force_login(liaison)
    return clients


def pages(clients: dict[str, Any], generated: int) -> list[tuple[str, Callable[[], Any]]]:
    """Every page of the issue's list, as (name, request); ``generated`` is the last generated complaint."""
    from django.urls import reverse
    from generate import ACCESS_CODE

    from aduan_publik.models import Category, Complaint, Contact, Disposition, StaffProfile

    changelist = reverse("admin:aduan_publik_complaint_changelist")
    change = "admin:aduan_publik_complaint_change"
    opd_id = StaffProfile.objects.get(user__username="penghubung.pupr").opd_id
    theirs = Disposition.objects.filter(opd_id=opd_id).order_by("-pk").values_list("complaint_id", flat=True)[0]
    # The newest generated complaint in progress: the same shape of case (a running deadline, an OPD at
    # work) at every size, so its pages cost the same queries at 10k as at 1M.
    latest = (Complaint.objects.filter(pk__lte=generated, status=Complaint.Status.IN_PROGRESS).order_by("-pk")
              .values_list("pk", "tracking_number")[0])
    middle = Complaint.objects.order_by("pk").values_list("tracking_number", flat=True)[generated // 2]
    name = Contact.objects.exclude(name="").order_by("pk").values_list("name", flat=True)[0]
    category = Category.objects.filter(parent__isnull=False).order_by("pk").values_list("pk", flat=True)[0]
    # The deep pages: 500 (admin) and 200 (an OPD), or the last page of a smaller city.
    admin_deep = min(500, math.ceil(generated / 50))
    opd_deep = min(200, math.ceil(Disposition.objects.filter(opd_id=opd_id).count() / 50))
    admin, opd, public, api = clients["admin"], clients["opd"], clients["public"], clients["api"]
    portal = "aduan_publik:portal:"
    _ok(public.post(reverse(portal + "track"), {"tracking_number": latest[1], "code": ACCESS_CODE}, follow=True))
    get = {"admin": admin.get, "opd": opd.get, "public": public.get, "api": api.get}
    plan: list[tuple[str, str, str]] = [
        ("desk list admin p1", "admin", changelist),
        ("desk list admin deep page", "admin", changelist + f"?p={admin_deep}"),
        ("desk list admin search 'jalan rusak'", "admin", changelist + "?q=jalan+rusak"),
        ("desk list admin search number", "admin", changelist + f"?q={middle}"),
        # A street (3% of complaints), a reporter's name (some thousand complaints), a word in none.
        ("desk list admin search street", "admin", changelist + "?q=Diponegoro"),
        ("desk list admin search name", "admin", changelist + "?" + urlencode({"q": name})),
        ("desk list admin search rare word", "admin", changelist + "?q=jembatan+ambruk"),
        ("desk list admin status filter", "admin", changelist + "?status__exact=in_progress"),
        ("desk list admin channel filter", "admin", changelist + "?channel__exact=whatsapp"),
        ("desk list admin category filter", "admin", changelist + f"?category__id__exact={category}"),
        ("desk list OPD p1", "opd", changelist),
        ("desk list OPD deep page", "opd", changelist + f"?p={opd_deep}"),
        ("desk list OPD search 'jalan rusak'", "opd", changelist + "?q=jalan+rusak"),
        # Where OPD staff land (their open work, most urgent first) and the sidebar's work queues.
        ("desk queue OPD landing", "opd", changelist + f"?antrean={opd_id}"),
        ("desk queue OPD in progress", "opd", changelist + "?tampilan=sedang-dikerjakan"),
        ("desk queue OPD late", "opd", changelist + "?tampilan=terlambat"),
        ("desk queue admin to verify", "admin", changelist + "?tampilan=perlu-verifikasi"),
        ("desk queue admin late", "admin", changelist + "?tampilan=terlambat"),
        ("desk detail admin", "admin", reverse(change, args=[latest[0]])),
        ("desk detail OPD", "opd", reverse(change, args=[theirs])),
        ("dashboard 30", "admin", reverse("admin:index") + "?periode=30"),
        ("dashboard 365", "admin", reverse("admin:index") + "?periode=365"),
        ("dashboard semua", "admin", reverse("admin:index") + "?periode=semua"),
        ("portal home", "public", reverse(portal + "home")),
        ("portal statistics", "public", reverse(portal + "statistics")),
        ("portal public list", "public", reverse(portal + "public_list")),
        ("portal public search", "public", reverse(portal + "public_list") + "?q=jalan+rusak"),
        ("portal tracking page", "public", reverse(portal + "track_detail", args=[latest[1]])),
        ("API complaint list", "api", reverse("aduan_publik:api:complaints")),
        ("API complaint search 'jalan rusak'", "api", reverse("aduan_publik:api:complaints") + "?q=jalan+rusak"),
    ]
    only = wanted()
    return [(name, (lambda g=get[who], u=url: g(u))) for name, who, url in plan
            if only is None or any(part in name for part in only)]


def wanted() -> list[str] | None:
    """``ADUAN_SCALE_ONLY=desk list,export``: only the figures whose names hold one of these parts."""
    raw = os.environ.get("ADUAN_SCALE_ONLY", "").strip()
    return [part.strip() for part in raw.split(",") if part.strip()] or None


def _temp_bytes() -> int:
    from django.db import connection

    time.sleep(1.1)  # statistics reach pg_stat_database at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def export(client: Any) -> dict[str, float]:
    """The CSV export of every complaint through the real view, as a browser downloads it."""
    from django.urls import reverse

    _ok(client.get(reverse("admin:index"), follow=True))  # the first request loads the URLconf: not the export
    temp_before, rss_before = _temp_bytes(), rss_bytes()
    peak, lines, first_rows = rss_before, 0, 0.0
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(reverse("aduan_publik:export_complaints"))
    _ok(response)
    for piece in response.streaming_content:
        lines += piece.count(b"\n")
        if not first_rows and lines > 1:
            first_rows = time.perf_counter() - started  # the header and the first chunk of rows
        peak = max(peak, rss_bytes())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    response.close()
    rows = lines - 1
    return {"rows": rows, "seconds": seconds, "first_rows": first_rows, "rows_per_s": rows / seconds,
            "rows_per_cpu_s": rows / cpu,
            "rss_growth_mb": (peak - rss_before) / 2**20, "temp_mb": (_temp_bytes() - temp_before) / 2**20}


def create(times: int = 50) -> float:
    """Median ms of ``complaint_create`` through the service, jobs enqueued on Redis as in production."""
    import django_rq
    from django.conf import settings

    from aduan_publik.models import Category, Contact
    from aduan_publik.services.complaints import complaint_create

    contact = Contact.objects.filter(channel="web").order_by("pk").first()
    name = Contact.objects.exclude(name="").order_by("pk").values_list("name", flat=True)[0]
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    queues = settings.RQ_QUEUES
    for queue in queues.values():
        queue["ASYNC"] = True  # production enqueues the triage and send jobs; tests run them inline
    took = []
    try:
        for i in range(times):
            started = time.perf_counter()
            complaint_create(channel="web", title=f"Jalan rusak di Jl. Gajah Mada {i}", contact=contact,
                             description="Lubang besar di depan pasar, membahayakan pengendara motor.",
                             category=category)
            took.append((time.perf_counter() - started) * 1000)
    finally:
        for name, queue in queues.items():
            django_rq.get_queue(name).empty()
            queue["ASYNC"] = False
    return statistics.median(took)


def sweep() -> dict[str, float]:
    """The deadline sweep: with the generated new lateness, then again with nothing new."""
    from aduan_publik.services.lifecycle import deadlines_sweep

    started = time.perf_counter()
    first = deadlines_sweep()
    middle = time.perf_counter()
    deadlines_sweep()
    return {"first": middle - started, "again": time.perf_counter() - middle, **first}


def _row(key: str, value: float, unit: str, target: float, *, name: str = "", higher: bool = False) -> dict[str, Any]:
    ok = value >= target if higher else value <= target
    return {"key": key, "name": name or key, "value": value, "unit": unit, "target": target, "ok": ok,
            "lower_is_better": not higher}


def page_rows(size: int, clients: dict[str, Any], generated: int, repeats: int) -> list[dict[str, Any]]:
    """Median and p99 rows of every page (those of ``ADUAN_SCALE_ONLY`` when set)."""
    rows: list[dict[str, Any]] = []
    for name, request in pages(clients, generated):
        got = timed(request, repeats)
        label = name if got["n"] == repeats else f"{name} (n={got['n']})"
        for stat, target in zip(("median", "p99"), PAGE_MS, strict=True):
            rows.append({"name": f"{label} {stat}", "value": got[stat], "unit": "ms", "target": target,
                         "ok": got[stat] <= target, "page": name, "stat": stat, "queries": got["queries"]})
        print(f"  {size:>9,} {name}: median {got['median']:.0f} ms, p99 {got['p99']:.0f} ms, "
              f"{got['queries']} queries", file=sys.stderr, flush=True)
    return rows


def measure(size: int, repeats: int) -> list[dict[str, Any]]:
    """Every figure of one size as bench rows (plus ``page``/``queries`` for the side-by-side table)."""
    from generate import ACCESS_CODE

    from aduan_publik.access import hash_access_code
    from aduan_publik.models import Complaint

    clients = _clients()
    # The last *generated* complaint (its access code is the generator's): a second run on the same copy
    # must not pick one that an earlier run's create() added.
    generated = Complaint.objects.filter(access_code_hash=hash_access_code(ACCESS_CODE)).order_by(
        "-pk").values_list("pk", flat=True)[0]
    rows: list[dict[str, Any]] = []
    # The export, create and sweep first: at 1M the old pages take minutes in all (a run may be cut short).
    only = wanted()
    if only is not None and not {"export", "create", "sweep"} & set(only):
        rows += page_rows(size, clients, generated, repeats)
        return rows
    made = export(clients["admin"])
    ms = create()
    swept = sweep()
    print(f"  {size:>9,} export {made['rows_per_s']:,.0f} rows/s, create {ms:.0f} ms, sweep {swept['first']:.1f} s",
          file=sys.stderr, flush=True)
    rows += page_rows(size, clients, generated, repeats)
    first = f"CSV export first rows ({made['rows']:,} rows)"
    swept_name = (f"deadline sweep ({swept['complaints_flagged']} + {swept['dispositions_flagged']} flagged, "
                  f"{swept['closed']} closed)")
    rows += [
        _row("create complaint (service) median", ms, "ms", TARGETS["create"]),
        _row("CSV export first rows", made["first_rows"], "s", TARGETS["first_rows"], name=first),
        _row("CSV export rate", made["rows_per_s"], "rows/s", TARGETS["rows_per_s"], higher=True),
        # The web process's own CPU time: on a shared, loaded machine the wall-clock rate understates it.
        _row("CSV export rate per CPU second (web process)", made["rows_per_cpu_s"], "rows/s", TARGETS["rows_per_s"],
             higher=True),
        _row("CSV export RSS growth", made["rss_growth_mb"], "MB", 100),
        _row("CSV export PostgreSQL temp files", made["temp_mb"], "MB", 0),
        _row("deadline sweep", swept["first"], "s", TARGETS["sweep"], name=swept_name),
        _row("deadline sweep again", swept["again"], "s", TARGETS["sweep"], name="deadline sweep again (nothing new)"),
    ]
    return rows


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(HERE)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    rows = measure(args.size, int(os.environ.get("ADUAN_SCALE_REPEATS", "20")))
    print("ROWS " + json.dumps(rows), flush=True)


if __name__ == "__main__":
    _main()
