"""Double opt-in: only a subscription confirmed with YA on WhatsApp counts; DAFTAR and BERHENTI on WhatsApp."""

from __future__ import annotations

import pytest

from aduan_publik.broadcasts.audience import audience_count
from aduan_publik.broadcasts.models import Broadcast
from aduan_publik.models import Complaint, Event
from aduan_publik.portal.models import Subscription
from aduan_publik.portal.services import subscription_create

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "6281255500001"


def test_portal_subscription_asks_for_confirmation_and_counts_only_after_ya(wa, post_text, templates):
    sub = subscription_create(phone="081255500001", topics=["agenda"], consent_text="Saya setuju.",
                              consent_version="portal-1", ip="10.0.0.1")
    assert sub.confirmed_at is None
    ask = wa.accepted()[0]
    assert ask["to"] == PHONE and ask["template"]["name"] == "konfirmasi_langganan"
    assert audience_count(Broadcast(topic="agenda")) == 0

    post_text(PHONE, "Ya", "wamid.IN-YA-1")
    sub.refresh_from_db()
    assert sub.confirmed_at is not None and sub.confirm_ref == "whatsapp:wamid.IN-YA-1"
    assert sub.consent_ip == "10.0.0.1"  # the portal's evidence stays
    assert audience_count(Broadcast(topic="agenda")) == 1
    assert Event.objects.filter(verb="subscription_confirmed").count() == 1
    assert not Complaint.objects.exists()  # the YA opened no complaint


def test_daftar_on_whatsapp_sends_the_consent_text_and_ya_confirms(wa, post_text):
    post_text(PHONE, "daftar darurat", "wamid.IN-D-1")
    sub = Subscription.objects.get(phone=PHONE, unsubscribed_at__isnull=True)
    assert sub.topics == ["darurat"] and sub.confirmed_at is None and sub.consent_version == "wa-2026-1"
    answer = wa.sends()[-1]["json"]["text"]["body"]
    assert "Balas YA" in answer and "UU 27/2022" in answer and answer == sub.consent_text
    post_text(PHONE, "YA", "wamid.IN-D-2")
    sub.refresh_from_db()
    assert sub.confirmed_at is not None
    post_text(PHONE, "YA", "wamid.IN-D-2")  # a redelivery changes nothing more
    assert Event.objects.filter(verb="subscription_confirmed").count() == 1
    assert not Complaint.objects.exists()


def test_daftar_with_an_unknown_topic_lists_the_topics_and_subscribes_nothing(wa, post_text):
    post_text(PHONE, "DAFTAR kuliner", "wamid.IN-K-1")
    assert not Subscription.objects.exists()
    assert "Topik tidak dikenal" in wa.sends()[-1]["json"]["text"]["body"]


@pytest.mark.parametrize("word", ["BERHENTI", "berhenti", "Stop", "STOP"])
def test_berhenti_or_stop_in_any_case_ends_the_subscription(wa, post_text, word):
    from bc_helpers import subscriber

    subscriber(PHONE)
    post_text(PHONE, word, f"wamid.IN-{word}")
    sub = Subscription.objects.get(phone=PHONE)
    assert sub.unsubscribed_at is not None and sub.unsubscribe_via == "whatsapp"
    assert not Complaint.objects.exists()


def test_an_ordinary_ya_without_a_pending_subscription_is_a_normal_message(wa, post_text):
    post_text(PHONE, "ya", "wamid.IN-Y-9")
    assert Complaint.objects.count() == 1  # routed as usual


def test_tapping_the_ya_button_of_the_confirmation_template_confirms(wa, post_status, templates):
    import json

    from bc_helpers import text_message

    sub = subscription_create(phone="081255500001", topics=["darurat"], consent_text="Saya setuju.",
                              consent_version="portal-1", ip="10.0.0.1")
    payload = text_message(PHONE, "", "wamid.IN-BTN-1")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update({"type": "button", "button": {"text": "YA", "payload": "KONFIRMASI_YA"}})
    post_status(json.dumps(payload).encode())
    sub.refresh_from_db()
    assert sub.confirmed_at is not None and sub.confirm_ref == "whatsapp:wamid.IN-BTN-1"
