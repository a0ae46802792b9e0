"""The desk's webhook pages: admins manage subscriptions and send dead letters again; nobody else."""

from __future__ import annotations

import pytest

from aduan_publik.models import Role, WebhookDelivery, WebhookSubscription
from aduan_publik.services.complaints import complaint_create
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.aduan_publik.webhooks_out.test_webhook_delivery import _exhaust
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
SUBS = "/desk/aduan_publik/webhooksubscription/"
LOG = "/desk/aduan_publik/webhookdelivery/"
DEAD = "/desk/aduan_publik/webhookdeadletter/"


def _dead_letter(contact, category, receiver, run) -> WebhookDelivery:
    receiver.script(*[500] * 40)
    with run(execute=True):
        complaint_create(channel="web", title="Sampah menumpuk", description="Sudah tiga hari tidak diangkut.",
                         contact=contact, category=category)
    head = WebhookDelivery.objects.get()
    _exhaust(head)
    receiver._script.clear()
    return head


def test_admin_adds_a_subscription_for_an_integrator(admin_user, integrator, opd_pu):
    client = client_for(admin_user)
    response = client.post(f"{SUBS}add/", {
        "name": "Dashboard command center", "owner": integrator.pk, "url": "https://cc.example.go.id/hook",
        "events": ["complaint.created", "complaint.closed"], "opd": opd_pu.pk, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    sub = WebhookSubscription.objects.get()
    assert (sub.owner, sub.opd, sub.events) == (integrator, opd_pu, ["complaint.created", "complaint.closed"])
    assert sub.secret.startswith("whsec_")
    page = client.get(f"{SUBS}{sub.pk}/change/").content.decode()
    assert sub.secret in page


def test_the_form_refuses_a_non_integrator_and_another_opd(admin_user, liaison_pu, opd_pu, opd_dlh):
    bound = make_user("integrator_dlh", Role.INTEGRATOR, opd_dlh)
    client = client_for(admin_user)
    base = {"name": "x", "url": "https://cc.example.go.id/hook", "active": "on"}
    response = client.post(f"{SUBS}add/", {**base, "owner": liaison_pu.pk})
    assert response.status_code == 200 and "owner" in response.context["adminform"].form.errors
    response = client.post(f"{SUBS}add/", {**base, "owner": bound.pk, "opd": opd_pu.pk})
    assert response.status_code == 200
    assert "hanya boleh menerima aduan OPD-nya sendiri" in str(response.context["adminform"].form.errors["opd"])
    response = client.post(f"{SUBS}add/", {**base, "owner": bound.pk, "url": "ftp://cc.example.go.id/"})
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()


def test_dead_letter_list_and_send_again(admin_user, subscription, receiver, contact, category_jalan,
                                         django_capture_on_commit_callbacks):
    head = _dead_letter(contact, category_jalan, receiver, django_capture_on_commit_callbacks)
    client = client_for(admin_user)
    page = client.get(DEAD).content.decode()
    assert head.complaint.tracking_number in page
    assert head.complaint.tracking_number in client.get(f"{LOG}{head.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DEAD, {"action": "resend", "_selected_action": [head.pk]})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.state == WebhookDelivery.State.DELIVERED
    assert head.complaint.tracking_number not in client.get(DEAD).content.decode()


@pytest.mark.parametrize("who", ["leader_user", "liaison_pu", "operator_pu"])
def test_only_admins_see_the_webhook_pages(who, request, subscription, receiver, contact, category_jalan,
                                           django_capture_on_commit_callbacks):
    head = _dead_letter(contact, category_jalan, receiver, django_capture_on_commit_callbacks)
    client = client_for(request.getfixturevalue(who))
    for url in (SUBS, LOG, DEAD, f"{LOG}{head.pk}/change/"):
        assert client.get(url).status_code in (302, 403)
    client.post(DEAD, {"action": "resend", "_selected_action": [head.pk]})
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DEAD
