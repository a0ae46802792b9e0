"""Issue 14 point 4 in a real browser: the Content-Security-Policy blocks nothing the hub itself uses.

Chromium reports every blocked script, style or eval on the console ("Refused to ...", naming
the Content Security Policy); the portal's charts (vendored Chart.js) and the desk's unfold /
Alpine.js menus must keep working under the policy.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from aduan_publik.demo import DEMO_PASSWORD
from aduan_publik.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    return refused


def test_portal_works_under_its_strict_policy(page, live_server):
    call_command("seed_demo", "--complaints", "30", stdout=StringIO(), stderr=StringIO())
    refused = watch_csp(page)
    for path in ("/", "/aduan/baru/", "/lacak/", "/publik/", "/statistik/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # The statistics charts are drawn: figures-charts.js ran and unhid the canvases.
    assert page.locator(".chart-canvas:not([hidden]) canvas").count() > 0
    assert refused == []


def test_desk_works_under_its_policy(page, live_server):
    call_command("seed_demo", "--complaints", "30", stdout=StringIO(), stderr=StringIO())
    refused = watch_csp(page)
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    complaint = Complaint.objects.order_by("pk").first()
    for url in (reverse("admin:index"), reverse("admin:aduan_publik_complaint_changelist"),
                reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(url), page.url
    # An Alpine.js-driven control still reacts: the user menu opens.
    assert page.evaluate("typeof window.Alpine") == "object"
    assert refused == []


def test_api_docs_render_under_their_policy(page, live_server):
    """Swagger UI and Redoc (served from the project) configure themselves inline: nothing may be refused."""
    refused = watch_csp(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=20000)  # the schema was fetched and drawn
    page.goto(f"{live_server.url}/api/docs/redoc/")
    page.wait_for_selector("redoc h1, [role=main] h1, .api-info h1", timeout=20000)
    # Redoc's template links Google's web fonts and Redoc shows its logo from its CDN: refusing those
    # is the point (nothing from other sites); what must never be refused is the project's own code.
    outside = ("https://fonts.googleapis.com/", "https://cdn.redoc.ly/")
    assert [m for m in refused if not any(host in m for host in outside)] == []
