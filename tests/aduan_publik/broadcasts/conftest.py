"""Fixtures of the broadcast tests: WhatsApp against the fake Graph API, templates, subscribers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from bc_helpers import PHONE_ID, WEBHOOK, sign, subscriber, wa_config
from django.utils import timezone
from fakes.graph_api import FakeGraphAPI

from aduan_publik.broadcasts import services
from aduan_publik.broadcasts.catalogue import templates_sync
from aduan_publik.broadcasts.models import Broadcast, Template


@pytest.fixture
def graph():
    with FakeGraphAPI() as fake:
        fake.add_template("agenda_kota", "Agenda {{1}}: {{2}}. Salam, {{3}}", category="MARKETING")
        fake.add_template("gangguan_layanan", "Gangguan {{1}} di {{2}}", category="UTILITY")
        fake.add_template("poster_agenda", "Poster {{1}}", category="MARKETING", header="IMAGE")
        fake.add_template("draf_ditolak", "Ditolak {{1}}", category="MARKETING", status="REJECTED")
        fake.add_template("konfirmasi_langganan", "Balas YA untuk berlangganan.", category="UTILITY")
        yield fake


@pytest.fixture
def wa(settings, graph):
    """WhatsApp and broadcast settings of the site, against the fake."""
    settings.ADUAN = {**settings.ADUAN, "channels": {**settings.ADUAN["channels"], "whatsapp": wa_config(graph)},
                      "broadcast": {"messages_per_second": 200, "allow_above_meta_limit": True, "tier": 1000,
                                    "prices": {"MARKETING": "586.33", "UTILITY": "356.65"},
                                    "optin_template": "konfirmasi_langganan"}}
    return graph


@pytest.fixture
def templates(wa, admin_user):
    templates_sync(by=admin_user)
    return {t.name: t for t in Template.objects.all()}


@pytest.fixture
def residents(db):
    return [subscriber(f"62812000000{i}", name=f"Warga {i}") for i in range(1, 6)]


@pytest.fixture
def subscriber_extra(residents):
    return subscriber("6281200000009", name="Warga 9")


@pytest.fixture
def draft(templates, admin_user, residents):
    return services.broadcast_save(by=admin_user, values={
        "title": "Agenda Car Free Day", "topic": "agenda", "template": templates["agenda_kota"],
        "variables": ["Car Free Day", "Minggu pagi di Jl. Sudirman", "{nama}"],
        "send_at": timezone.now() + timedelta(hours=1)})


@pytest.fixture
def approved(draft, admin_user, leader_user) -> Broadcast:
    """Approved for "send at" one hour from now; tests bring the hour forward (:func:`due`)."""
    services.broadcast_submit(broadcast=draft, by=admin_user)
    approved = services.broadcast_approve(broadcast=draft, by=leader_user)
    Broadcast.objects.filter(pk=approved.pk).update(send_at=timezone.now())  # the hour has come
    return approved


@pytest.fixture
def post_status(client, wa):
    def post(body: bytes):
        return client.post(WEBHOOK, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(body))
    return post


@pytest.fixture
def post_text(post_status):
    from bc_helpers import text_message

    def post(phone: str, text: str, msg_id: str):
        return post_status(json.dumps(text_message(phone, text, msg_id)).encode())
    return post


__all__ = ["PHONE_ID"]
