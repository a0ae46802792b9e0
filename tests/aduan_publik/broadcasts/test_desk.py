"""The broadcast pages of the desk: roles, the draft → approve flow by two people, the report and exports."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from aduan_publik import access
from aduan_publik.broadcasts import jobs
from aduan_publik.broadcasts.models import Broadcast
from aduan_publik.portal.models import Subscription

pytestmark = pytest.mark.django_db(transaction=True)
LIST = "admin:aduan_broadcasts_broadcast_changelist"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_opd_staff_see_neither_subscribers_nor_broadcasts(approved, liaison_pu, operator_pu):
    for user in (liaison_pu, operator_pu):
        assert not access.broadcasts_visible_to(user).exists()
        assert not access.subscriptions_visible_to(user).exists()
        c = _client(user)
        assert c.get(reverse(LIST)).status_code == 403
        assert c.get(reverse("admin:aduan_portal_subscription_changelist")).status_code == 403
        change = reverse("admin:aduan_broadcasts_broadcast_change", args=[approved.pk])
        assert c.get(change).status_code in (403, 404)
        export = reverse("admin:aduan_broadcasts_export", args=[approved.pk, "csv"])
        assert c.get(export).status_code in (302, 403, 404)
        move = reverse("admin:aduan_broadcasts_move", args=[approved.pk, "batalkan"])
        c.post(move)
        assert Broadcast.objects.get().state == Broadcast.State.SCHEDULED


def test_admin_drafts_a_leader_approves_and_the_report_fills_up(templates, admin_user, leader_user, residents,
                                                                 wa, post_status):
    admin = _client(admin_user)
    response = admin.post(reverse("admin:aduan_broadcasts_broadcast_add"), {
        "title": "Agenda Car Free Day", "topic": "agenda", "template": templates["agenda_kota"].pk,
        "variables_text": "Car Free Day\nMinggu pagi\n{nama}", "language": "", "area": "",
        "send_at_0": "", "send_at_1": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    b = Broadcast.objects.get()
    page = admin.get(reverse("admin:aduan_broadcasts_broadcast_change", args=[b.pk])).content.decode()
    assert "Agenda Car Free Day: Minggu pagi. Salam, {nama}" in page and "5 penerima saat ini" in page
    admin.post(reverse("admin:aduan_broadcasts_move", args=[b.pk, "ajukan"]))
    admin.post(reverse("admin:aduan_broadcasts_move", args=[b.pk, "setujui"]))  # own broadcast: refused
    assert Broadcast.objects.get().state == Broadcast.State.SUBMITTED
    leader = _client(leader_user)
    leader.post(reverse("admin:aduan_broadcasts_move", args=[b.pk, "setujui"]))
    assert Broadcast.objects.get().state == Broadcast.State.COMPLETED  # no "send at": sent at once
    post_status(wa.status_body("delivered"))
    post_status(wa.status_body("read", sends=wa.accepted()[:2]))
    page = leader.get(reverse("admin:aduan_broadcasts_broadcast_change", args=[b.pk])).content.decode()
    assert 'data-state="delivered"><td>Diterima</td><td class="text-right">3</td>' in page
    assert 'data-state="read"><td>Dibaca</td><td class="text-right">2</td>' in page
    assert "width: 100%" in page and "Rp 2931,65 (Rp 586,33 per pesan" in page  # 5 × Rp 586,33 (marketing)

    csv_body = leader.get(reverse("admin:aduan_broadcasts_export", args=[b.pk, "csv"])).content.decode("utf-8-sig")
    lines = csv_body.strip().splitlines()
    assert lines[0].startswith("Nomor WhatsApp") and len(lines) == 6 and "Dibaca" in csv_body
    xlsx = leader.get(reverse("admin:aduan_broadcasts_export", args=[b.pk, "xlsx"]))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["Penerima"].max_row == 6


def test_leader_cannot_create_broadcasts_in_the_desk(leader_user):
    assert _client(leader_user).get(reverse("admin:aduan_broadcasts_broadcast_add")).status_code == 403


def test_subscription_list_shows_the_confirmation(residents, admin_user):
    page = _client(admin_user).get(reverse("admin:aduan_portal_subscription_changelist")).content.decode()
    assert residents[0].phone in page
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 5


def test_tick_is_idle_without_broadcasts(db):
    jobs.broadcast_tick()
