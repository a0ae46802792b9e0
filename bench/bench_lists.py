"""Every list page at 10,000 complaints: desk (admin and OPD user), portal public list, API list.

    ADUAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/aduan_bench nice .venv/bin/python bench/run.py lists
    ADUAN_LISTS_ROWS=1000000 ...   # the scale run (issue 14): same pages, more rows

Rows are bulk-inserted once with varied words, reporters (names, phones) and dispositions to one of
twenty OPDs; a rerun on the same database finds them and skips the generation. Requests go through
the whole Django stack in-process, each page several times: the desk list as admin and as an OPD
liaison (page 1, a deep page, search by word, tracking number, phone and name, status and channel
filters, a work queue), the portal's public list (page 1, deep page, search) and the API list
(first page, search). Targets (issue 14): median <= 150 ms, p99 <= 400 ms per page. The URLs
are stable: the scale bench calls the same ones (:data:`DESK_PAGES`, :data:`PUBLIC_PAGES`,
:data:`API_PAGES`).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from datetime import timedelta
from typing import Any

ROWS = int(os.environ.get("ADUAN_LISTS_ROWS", "10000"))
BATCH = 5_000
REPEAT = int(os.environ.get("ADUAN_LISTS_REPEAT", "8"))
PREFIX = "LST-"
WORDS = ("jalan rusak berlubang", "sampah menumpuk di pasar", "lampu penerangan jalan padam",
         "saluran air tersumbat", "pohon tumbang menutup jalan", "pelayanan puskesmas lambat",
         "banjir setinggi lutut", "pungutan liar di kelurahan", "parkir liar di trotoar", "air PDAM mati")
NAMES = ("Budi Santoso", "Siti Aminah", "Agus Salim", "Dewi Lestari", "Rahmat Hidayat", "Sri Wahyuni")
DESK = "/desk/aduan_publik/complaint/"
# The OPD liaison's OPD holds 1/20 of the disposed complaints: its deep page is nearer (page 5 at 10,000).
DEEP_PAGE = {"lst-admin": "p=100", "lst-opd": "p=5"}
DESK_PAGES = {
    "page 1": "", "page deep": "", "search word": "q=pohon+tumbang", "search number": f"q={PREFIX}0004711",
    "search phone": "q=0812+0000+4711", "search name": "q=Dewi+Lestari", "status filter": "status__exact=received",
    "channel filter": "channel__exact=whatsapp", "queue overdue": "tampilan=terlambat",
}
PUBLIC_PAGES = {"public page 1": "/publik/", "public page 100": "/publik/?hal=100",
                "public search": "/publik/?q=lampu+padam"}
API_PAGES = {"api list": "/api/v1/complaints", "api search": "/api/v1/complaints?q=saluran+tersumbat"}


def _generate() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from aduan_publik.models import OPD, Category, Complaint, Contact, Disposition, OpdScope

    opds = [OPD.objects.get_or_create(code=f"LST{i}", defaults={"name": f"Dinas Daftar {i}"})[0] for i in range(20)]
    parent = Category.objects.get_or_create(code="lst-root", defaults={"name": "Daftar"})[0]
    category = Category.objects.get_or_create(code="lst", defaults={"name": "Daftar jalan", "parent": parent})[0]
    have = Complaint.objects.filter(tracking_number__startswith=PREFIX).count()
    started, now = time.perf_counter(), timezone.now()
    statuses = ["received", "disposed", "in_progress", "answered", "closed"]
    for start in range(have, ROWS, BATCH):
        ids = range(start, min(start + BATCH, ROWS))
        contacts = Contact.objects.bulk_create([Contact(
            channel="web", address=f"lst{i}@example.org", email=f"lst{i}@example.org",
            name=f"{NAMES[i % len(NAMES)]} {i}", phone=f"0812{i:08d}") for i in ids], batch_size=BATCH)
        rows = [Complaint(
            tracking_number=f"{PREFIX}{i:07d}", access_code_hash=hashlib.sha256(b"%d" % i).hexdigest(),
            title=WORDS[i % len(WORDS)].capitalize(), description=f"Warga melaporkan {WORDS[(i * 7) % len(WORDS)]}.",
            location_text=f"Gang {i % 500}", category=category, contact=contacts[i - start],
            channel=("web", "whatsapp", "lapor", "api")[i % 4], status=statuses[i % 5],
            verified_at=None if i % 5 == 0 else now, is_anonymous=i % 11 == 0, is_secret=i % 29 == 0,
            received_at=now - timedelta(minutes=i), due_at=now + timedelta(days=(i % 7) - 3),
        ) for i in ids]
        Complaint.objects.bulk_create(rows, batch_size=BATCH)
        Disposition.objects.bulk_create([Disposition(
            complaint=c, opd=opds[c.pk % 20], state="accepted", created_at=c.received_at,
            respond_due=c.received_at + timedelta(days=5), complete_due=c.received_at + timedelta(days=14),
        ) for c in rows if c.status != "received"], batch_size=BATCH)
        OpdScope.objects.bulk_create([OpdScope(complaint=c, opd=opds[c.pk % 20], received_at=c.received_at)
                                      for c in rows if c.status != "received"], batch_size=BATCH)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum keeps them on a live site
        cursor.execute("ANALYZE")
    return {"generated": ROWS - have, "seconds": time.perf_counter() - started, "opd": opds[3]}


def _clients(opd: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from aduan_publik.api.tokens import token_create
    from aduan_publik.models import Role, StaffProfile

    clients = {}
    for username, role, their_opd in (("lst-admin", Role.ADMIN, None), ("lst-opd", Role.LIAISON, opd)):
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            StaffProfile.objects.create(user=user, role=role, opd=their_opd)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients[username] = client
    _token, raw = token_create(user=get_user_model().objects.get(username="lst-admin"), name="bench",
                               scopes=["complaints:read", "reporters:read"], rate_per_minute=10_000_000)
    clients["api"] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    clients["public"] = Client(HTTP_HOST="127.0.0.1")
    return clients


def _time(client: Any, url: str) -> list[float]:
    client.get(url)  # warm up (templates, plans)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def _pages(clients: dict[str, Any]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for who in ("lst-admin", "lst-opd"):
        for name, query in DESK_PAGES.items():
            query = DEEP_PAGE[who] if name == "page deep" else query
            found[f"desk {who.removeprefix('lst-')} {name}"] = _time(clients[who], f"{DESK}?{query}")
    for name, url in PUBLIC_PAGES.items():
        found[name] = _time(clients["public"], url)
    for name, url in API_PAGES.items():
        found[name] = _time(clients["api"], url)
    return found


def run() -> list[dict[str, Any]]:
    from django.db import connection

    made = _generate()
    db = connection.vendor
    rows: list[dict[str, Any]] = [{"name": f"generate {made['generated']:,} rows ({db})", "value": made["seconds"],
                                   "unit": "s", "target": 600, "ok": made["seconds"] <= 600}]
    every: list[float] = []
    for name, times in _pages(_clients(made["opd"])).items():
        median = statistics.median(times)
        every += times
        rows.append({"name": f"{name} median at {ROWS:,} ({db})", "value": median, "unit": "ms", "target": 150,
                     "ok": median <= 150})
    every.sort()
    p99 = every[max(0, int(len(every) * 0.99) - 1)]
    rows.append({"name": f"all list pages p99 at {ROWS:,} ({db})", "value": p99, "unit": "ms", "target": 400,
                 "ok": p99 <= 400})
    return rows
