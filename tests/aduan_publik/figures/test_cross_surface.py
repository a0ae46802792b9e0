"""The same label shows the same number on every page, on the demo city (``seed_demo``).

Surfaces: desk dashboard (admin), portal home, statistics page, the public list's status filters,
the CSV export; every dashboard card's link lists exactly the complaints it counts.
"""

from __future__ import annotations

import csv
import html
import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from aduan_publik import figures
from aduan_publik.models import Complaint, Role, StaffProfile
from aduan_publik.services.figure_aggregates import figures_rebuild
from tests.aduan_publik.desk.desk_helpers import client_for

FIGURE = re.compile(r'data-figure="(\w+)"[^>]*>\s*<dt[^>]*data-label>(.*?)</dt>\s*<dd[^>]*data-value>(.*?)</dd>', re.S)
CARD = re.compile(r'<a href="([^"]+)"[^>]*data-figure="(\w+)" data-card-link>')


def shown(body: str) -> dict[str, tuple[str, str]]:
    """``{key: (label, value)}`` of every labelled figure on a page."""
    return {key: (html.unescape(label).strip(), html.unescape(value).strip())
            for key, label, value in FIGURE.findall(body)}


def first_int(text: str) -> int:
    return int(re.match(r"[\d.]+", text).group(0).replace(".", ""))


@pytest.fixture
def demo_city(db):
    call_command("seed_demo", "--complaints", "120", stdout=StringIO(), stderr=StringIO())
    return StaffProfile.objects.filter(role=Role.ADMIN).first().user


def test_same_label_same_number_on_every_surface(demo_city):
    public = Client()
    pages = {
        "desk": client_for(demo_city).get("/desk/", {"periode": "semua"}).content.decode(),
        "home": public.get("/").content.decode(),
        "statistik": public.get("/statistik/").content.decode(),
        "publik-selesai": public.get("/publik/", {"status": "closed"}).content.decode(),
        "publik-bukan-wewenang": public.get("/publik/", {"status": "not_authority"}).content.decode(),
    }
    by_label: dict[str, dict[str, str]] = {}
    for page, body in pages.items():
        found = shown(body)
        assert found, f"no figures on {page}"
        for key, (label, value) in found.items():
            assert label == str(figures.LABELS[key])  # a label means one figure
            by_label.setdefault(label, {})[page] = value
    disagreements = {label: values for label, values in by_label.items() if len(set(values.values())) > 1}
    assert disagreements == {}
    # The figures the issue named are on several pages, and the demo has them all.
    for label in ("Aduan masuk", "Selesai", "Bukan wewenang", "Median respons pertama"):
        assert len(by_label[label]) >= 2, label
    totals = figures.totals()
    assert totals["not_authority"] > 0 and totals["selesai"] > 0
    assert by_label["Bukan wewenang"]["publik-bukan-wewenang"] == figures.fmt_int(totals["not_authority"])
    assert by_label["Aduan masuk"]["home"] == figures.fmt_int(figures.counted().count())
    headlines = {re.search(r"data-headline>(.*?)<", pages[p]).group(1) for p in ("desk", "home", "statistik")}
    assert len(headlines) == 1


@pytest.mark.parametrize("period", ["semua", "30"])
def test_dashboard_cards_link_to_exactly_what_they_count(demo_city, period):
    client = client_for(demo_city)
    body = client.get("/desk/", {"periode": period}).content.decode()
    values = {key: value for key, (_label, value) in shown(body).items()}
    cards = CARD.findall(body)
    assert {key for _url, key in cards} >= {"total", "selesai", "in_process", "waiting", "not_authority"}
    for url, key in cards:
        listing = client.get(html.unescape(url))
        assert listing.status_code == 200, key
        assert listing.context_data["cl"].result_count == first_int(values[key]), key
    if period == "30":  # the period narrows the figures and the lists alike
        assert first_int(values["total"]) < figures.totals()["total"]


def test_csv_export_marks_the_counted_complaints(demo_city):
    Complaint.objects.filter(pk=Complaint.objects.first().pk).update(status=Complaint.Status.ARCHIVED)
    figures_rebuild()  # changed behind the services' back (no audit event)
    rows = list(csv.DictReader(io.StringIO(
        b"".join(client_for(demo_city).get("/export/aduan.csv").streaming_content).decode())))
    counted = [row for row in rows if row["Dihitung dalam statistik"] == "Ya"]
    assert len(counted) == figures.totals()["total"] and len(counted) < len(rows)
