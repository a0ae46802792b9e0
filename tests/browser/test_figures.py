"""Figures in a real browser (issue 12 #6, #7, #1's cards) on the demo city: the leader reads the
dashboard, follows a card to its list, sorts the OPD league table and downloads the monthly report;
an OPD liaison gets only their own OPD's report; a resident reads the statistics on a phone."""

from __future__ import annotations

import re
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from aduan_publik import figures
from aduan_publik.demo import DEMO_PASSWORD
from aduan_publik.models import Role, StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(db):
    call_command("seed_demo", "--complaints", "60", stdout=StringIO(), stderr=StringIO())


def log_in(page, base: str, role: str) -> StaffProfile:
    profile = StaffProfile.objects.filter(role=role).select_related("user", "opd").order_by("pk").first()
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", profile.user.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return profile


def number(text: str) -> int:
    return int(re.match(r"[\d.]+", text.strip()).group(0).replace(".", ""))


def test_leader_dashboard_cards_league_and_report(page, live_server, screenshot, demo_city):
    base = live_server.url
    log_in(page, base, Role.LEADER)
    page.goto(f"{base}/desk/?periode=semua")
    totals = figures.totals()
    assert page.locator("[data-headline]").first.inner_text() == figures.headline(totals)
    page.wait_for_selector("figure[data-drawn] canvas")  # the vendored Chart.js drew the charts
    screenshot(page, "figures-01-leader-dashboard")

    card = page.locator('#desk-cards [data-figure="selesai"]')
    shown = number(card.locator("[data-value]").inner_text())
    assert shown == totals["selesai"]
    card.click()
    page.wait_for_load_state()
    assert "status__exact=closed" in page.url
    assert shown < 50 and page.locator("#result_list tbody tr").count() == shown  # the list holds the same
    screenshot(page, "figures-02-card-to-filtered-list")

    page.goto(f"{base}/desk/?periode=semua")
    page.click('#desk-per-opd th a:has-text("Terlambat")')
    page.wait_for_load_state()
    assert "urut=overdue" in page.url
    late = [number(t) for t in page.locator("#desk-per-opd tbody tr td:nth-child(7)").all_inner_texts()]
    assert late == sorted(late, reverse=True)
    screenshot(page, "figures-03-league-sorted-by-overdue")

    page.goto(f"{base}/desk/laporan/")
    screenshot(page, "figures-04-reports-page")
    with page.expect_download() as download:
        page.click("text=Unduh XLSX")
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert book.worksheets[0]["A2"].value.endswith("%")  # the month's headline
    assert any(ws._charts for ws in book.worksheets)


def test_liaison_downloads_only_their_own_opd(page, live_server, screenshot, demo_city):
    base = live_server.url
    profile = log_in(page, base, Role.LIAISON)
    page.goto(f"{base}/desk/laporan/")
    options = page.locator("select[name=opd] option").all_inner_texts()
    assert options == [profile.opd.name]
    screenshot(page, "figures-05-liaison-reports-page")
    with page.expect_download() as download:
        page.click("text=Unduh PDF")
    assert download.value.suggested_filename.endswith(f"-{profile.opd.code.lower()}.pdf")
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    other = StaffProfile.objects.exclude(opd=profile.opd).filter(opd__isnull=False).first().opd
    response = page.goto(f"{base}/desk/laporan/unduh.pdf?bulan=2026-01&opd={other.pk}")
    assert response.status == 403


def test_resident_reads_the_same_figures_on_a_phone(phone_page, live_server, screenshot, demo_city):
    base = live_server.url
    phone_page.goto(f"{base}/")
    home = {el.get_attribute("data-figure"): el.locator("[data-value]").inner_text()
            for el in phone_page.locator("[data-figure]").all()}
    screenshot(phone_page, "figures-06-resident-home")
    phone_page.click("text=Lihat statistik lengkap per OPD dan kanal")
    phone_page.wait_for_selector("figure[data-drawn] canvas")
    stats = {el.get_attribute("data-figure"): el.locator("[data-value]").inner_text()
             for el in phone_page.locator("[data-figure]").all()}
    assert home and all(stats[key] == value for key, value in home.items())
    # The text alternative stays; the table is one tap away once the chart is drawn.
    trend = phone_page.locator("#grafik-trend")
    assert trend.locator("canvas").get_attribute("aria-label") == trend.locator("[data-chart-summary]").inner_text()
    trend.locator("summary").click()
    assert trend.locator("table").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    screenshot(phone_page, "figures-07-resident-statistics")
