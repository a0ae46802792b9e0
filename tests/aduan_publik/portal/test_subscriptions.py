"""WhatsApp information subscriptions: consent evidence, unsubscribe by form and link, resubscribe."""

from __future__ import annotations

import re

import pytest
from portal_helpers import solve

from aduan_publik.models import Event
from aduan_publik.portal.models import Subscription
from aduan_publik.portal.views.subscribe import unsubscribe_url

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(client, **overrides):
    html = client.get("/langganan/").content.decode()
    data = {"phone": "0812-1111-2222", "topics": ["agenda", "darurat"], "consent": "on", **solve(html)}
    data.update(overrides)
    return client.post("/langganan/", data, REMOTE_ADDR="10.1.2.3")


def test_subscribe_records_consent_evidence(client, areas):
    response = subscribe(client, area=areas["kec"].pk, name="Pak Joko")
    assert response.status_code == 200
    sub = Subscription.objects.get()
    assert sub.phone == "6281211112222" and sub.topics == ["agenda", "darurat"] and sub.area == areas["kec"]
    assert "WhatsApp" in sub.consent_text and sub.consent_version.startswith("2026-11")
    assert sub.consent_ip == "10.1.2.3" and sub.consented_at is not None and sub.is_active
    assert Event.objects.filter(verb="subscribed").count() == 1
    assert "berhenti berlangganan" in response.content.decode()


def test_no_consent_no_subscription(client):
    response = subscribe(client, consent="")
    assert response.status_code == 400 and "Centang persetujuan" in response.content.decode()
    assert not Subscription.objects.exists()


def test_invalid_phone_refused(client):
    response = subscribe(client, phone="12345")
    assert response.status_code == 400 and "tidak valid" in response.content.decode()


def test_unsubscribe_by_form_then_resubscribe_keeps_history(client):
    subscribe(client)
    response = client.post("/langganan/berhenti/", {"phone": "+62 812 1111 2222"})
    assert response.status_code == 200
    old = Subscription.objects.get()
    assert old.unsubscribed_at is not None and old.unsubscribe_via == "form"
    subscribe(client, topics=["program"])
    assert Subscription.objects.count() == 2
    active = Subscription.objects.get(unsubscribed_at__isnull=True)
    assert active.topics == ["program"] and active.pk != old.pk


def test_unsubscribe_answer_does_not_reveal_membership(client):
    response = client.post("/langganan/berhenti/", {"phone": "081299998888"})
    assert response.status_code == 200 and "Bila nomor tersebut berlangganan" in response.content.decode()


def test_unsubscribe_link_confirms_then_ends_only_its_subscription(client):
    subscribe(client)
    first = Subscription.objects.get()
    link = unsubscribe_url(first.pk)
    assert client.get(link).status_code == 200
    first.refresh_from_db()
    assert first.is_active  # a GET (link preview, scanner) changes nothing
    client.post(link)
    first.refresh_from_db()
    assert first.unsubscribe_via == "link" and not first.is_active
    subscribe(client)
    client.post(link)  # the old link must not end the new subscription
    assert Subscription.objects.filter(unsubscribed_at__isnull=True).count() == 1


def test_tampered_link_refused(client):
    subscribe(client)
    link = unsubscribe_url(Subscription.objects.get().pk)
    bad = re.sub(r"/([^/]+)/$", lambda m: "/" + m.group(1)[:-2] + "xx/", link)
    assert client.post(bad).status_code == 400
    assert Subscription.objects.get().is_active


def test_subscribe_rate_limited_per_phone(client, settings):
    settings.ADUAN_PORTAL_RATES = {"subscribe_phone": "1/h"}
    subscribe(client)
    response = subscribe(client)
    assert response.status_code == 429 and "Terlalu banyak" in response.content.decode()


def test_desk_lists_subscriptions_for_admins_only(client, admin_user, liaison_pu):
    subscribe(client)
    sub = Subscription.objects.get()
    client.force_login(admin_user)
    listing = client.get("/desk/aduan_portal/subscription/")
    assert listing.status_code == 200 and sub.phone in listing.content.decode()
    detail = client.get(f"/desk/aduan_portal/subscription/{sub.pk}/change/")
    assert detail.status_code == 200 and "WhatsApp" in detail.content.decode()
    assert client.post(f"/desk/aduan_portal/subscription/{sub.pk}/change/", {"phone": "62800"}).status_code == 403
    client.force_login(liaison_pu)
    assert client.get("/desk/aduan_portal/subscription/").status_code == 403
