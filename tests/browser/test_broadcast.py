"""Broadcasts in a real browser: an admin drafts, a leader approves, the delivery report fills up."""

from __future__ import annotations

import pytest
from django.test import Client
from fakes.graph_api import FakeGraphAPI

from aduan_publik.broadcasts.catalogue import templates_sync
from aduan_publik.broadcasts.models import Broadcast
from tests.aduan_publik.broadcasts.bc_helpers import WEBHOOK, sign, subscriber, wa_config

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def graph(settings):
    with FakeGraphAPI() as fake:
        fake.add_template("agenda_kota", "Agenda {{1}}: {{2}}. Salam, {{3}}", category="MARKETING")
        settings.ADUAN = {**settings.ADUAN, "channels": {"whatsapp": wa_config(fake)},
                          "broadcast": {"messages_per_second": 80, "tier": 1000,
                                        "prices": {"MARKETING": "586.33"}}}
        yield fake


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_admin_drafts_leader_approves_and_the_report_fills_up(page, live_server, screenshot, graph, admin_user,
                                                              leader_user):
    for i in range(1, 4):
        subscriber(f"62812300000{i}", name=f"Warga {i}")
    templates_sync(by=admin_user)
    base = live_server.url

    log_in(page, base, "admin1")
    page.goto(f"{base}/desk/aduan_broadcasts/broadcast/add/")
    page.fill("input[name=title]", "Agenda Car Free Day")
    page.select_option("select[name=topic]", "agenda")
    page.select_option("select[name=template]", label="agenda_kota (id)")
    page.fill("textarea[name=variables_text]", "Car Free Day\nMinggu pagi di Jl. Sudirman\n{nama}")
    page.click("button[name=_continue]")
    page.wait_for_load_state()
    assert "Agenda Car Free Day: Minggu pagi di Jl. Sudirman. Salam, {nama}" in page.inner_text("#bcast-preview")
    assert "3 penerima" in page.inner_text("#bcast-audience")
    page.click("#bcast-ajukan")
    page.wait_for_load_state()
    assert "Diajukan" in page.inner_text("#bcast-state")
    assert page.locator("#bcast-setujui").count() == 0  # the author gets no approve button
    screenshot(page, "broadcast-submitted")
    b = Broadcast.objects.get()

    log_in(page, base, "pimpinan")
    page.goto(f"{base}/desk/aduan_broadcasts/broadcast/{b.pk}/change/")
    page.click("#bcast-setujui")
    page.wait_for_load_state()
    assert "Selesai" in page.inner_text("#bcast-state")
    assert len(graph.accepted()) == 3

    body = graph.status_body("delivered")  # Meta's status webhooks arrive
    Client().post(WEBHOOK, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(body))
    page.reload()
    counts = page.inner_text("#bcast-counts")
    assert "Diterima\t3" in counts or "Diterima 3" in counts.replace("\t", " ")
    assert page.get_attribute("#bcast-progress", "style") == "width: 100%"
    screenshot(page, "broadcast-report")
