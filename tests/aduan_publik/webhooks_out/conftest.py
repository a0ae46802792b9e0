"""Webhook fixtures: a local receiver over real HTTP and integrators' subscriptions to it."""

from __future__ import annotations

import pytest

from aduan_publik.models import Role, WebhookSubscription
from tests.conftest import make_user
from tests.fakes.webhook_receiver import WebhookReceiver


@pytest.fixture
def integrator(db):
    return make_user("integrator_kota", Role.INTEGRATOR)


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


def subscribe(owner, rx: WebhookReceiver, **fields) -> WebhookSubscription:
    sub = WebhookSubscription.objects.create(name=fields.pop("name", "Command center"), owner=owner,
                                             url=rx.url, **fields)
    rx.secret = sub.secret
    return sub


@pytest.fixture
def subscription(integrator, receiver):
    return subscribe(integrator, receiver)
