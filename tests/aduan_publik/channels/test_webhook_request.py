"""What the generic webhook keeps of a request: query string and form fields reach the processing
job, and secrets carried in headers or parameters never reach the database or the desk."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from aduan_publik.channels.redaction import REDACTED
from aduan_publik.models import Complaint, InboundEvent, Message
from aduan_publik.testing.entry_points import installed_channels
from tests.aduan_publik.desk.desk_helpers import client_for

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "gw-shared-secret-123"

# An SMS gateway as an outside plugin would write it: form-encoded POSTs, the receiving number in
# the query string, authenticated by a shared secret header (like Telegram's secret token).
GATEWAY_SOURCE = f'''
"""SMS gateway channel (test plugin)."""
import hmac
from datetime import UTC, datetime

from aduan_publik.channels.base import (Capabilities, Channel, ContactRef, InboundMessage, PayloadError,
                                        SignatureError)


class GatewayChannel(Channel):
    """Form-encoded deliveries with a shared secret header."""

    name = "smsgw"
    label = "SMS gateway"
    capabilities = Capabilities(inbound=True, outbound=False)
    sensitive_headers = ("X-Gateway-Secret",)
    sensitive_params = ("sig",)

    def verify_inbound(self, raw):
        if not hmac.compare_digest(raw.headers.get("x-gateway-secret", ""), "{SECRET}"):
            raise SignatureError("secret salah")

    def inbound_key(self, raw):
        return str(raw.form.get("id") or super().inbound_key(raw))

    def parse_inbound(self, raw):
        form, query = raw.form, raw.query
        if not form.get("id") or not form.get("from") or not query.get("gateway"):
            raise PayloadError(f"form/query kosong: form={{dict(form)}} query={{dict(query)}}")
        return [InboundMessage(channel=self.name, external_id=form["id"],
                               sender=ContactRef(address=form["from"], phone=form["from"]),
                               sent_at=datetime(2026, 1, 5, tzinfo=UTC), kind="sms", text=form["text"],
                               raw={{"gateway": query["gateway"], "tags": form.get("tag")}})]
'''


@pytest.fixture
def gateway(tmp_path):
    with installed_channels(tmp_path / "plugins", {"smsgw": "sms_gateway_plugin:GatewayChannel"},
                            modules={"sms_gateway_plugin": GATEWAY_SOURCE}, dist_name="sms_gateway_plugin"):
        yield


def _post(client, *, secret: str = SECRET, **extra):
    return client.post("/channels/smsgw/webhook?gateway=1708&sig=query-signature",
                       data="id=s1&from=081234567890&text=Lampu+jalan+mati&tag=a&tag=b",
                       content_type="application/x-www-form-urlencoded",
                       headers={"X-Gateway-Secret": secret, "Authorization": "Bearer live-token", **extra})


def test_query_string_and_form_fields_reach_the_processing_job(client, gateway):
    response = _post(client)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    event = InboundEvent.objects.get(channel="smsgw")
    assert event.state == "processed", event.reason
    assert event.query["gateway"] == "1708" and event.form["tag"] == ["a", "b"]
    message = Message.objects.get(channel="smsgw", external_id="s1")
    assert message.body == "Lampu jalan mati"
    assert message.meta["raw"] == {"gateway": "1708", "tags": ["a", "b"]}
    assert Complaint.objects.get(channel="smsgw").description == "Lampu jalan mati"


def test_declared_and_well_known_secrets_are_redacted_before_storage(client, gateway, admin_user):
    assert _post(client, secret="wrong").status_code == 403  # verification still sees the live header
    assert _post(client).status_code == 200
    event = InboundEvent.objects.get(channel="smsgw")
    assert event.headers["x-gateway-secret"] == REDACTED
    assert event.headers["authorization"] == REDACTED
    assert event.query == {"gateway": "1708", "sig": REDACTED}
    assert event.headers["content-type"] == "application/x-www-form-urlencoded"  # the rest is kept
    page = client_for(admin_user).get(f"/desk/aduan_publik/inboundevent/{event.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SECRET not in html and "live-token" not in html and "query-signature" not in html
    assert REDACTED in html and "1708" in html  # the query string is shown, its secret is not


def test_the_migration_scrubs_headers_stored_before(gateway):
    migration = importlib.import_module("aduan_publik.migrations.0004_pipe_inbound_request")
    common = {"body": b"{}", "state": "processed"}
    leaked = InboundEvent.objects.create(channel="smsgw", dedupe_key="old-1", **common,
                                         headers={"X-Gateway-Secret": SECRET, "user-agent": "gw/1"})
    bearer = InboundEvent.objects.create(channel="whatsapp", dedupe_key="old-2", **common,
                                         headers={"authorization": "Bearer x", "x-hub-signature-256": "sha256=ab"})
    clean = InboundEvent.objects.create(channel="smsgw", dedupe_key="old-3", **common, headers={"user-agent": "gw/1"})
    migration.scrub_headers(apps, None)
    leaked.refresh_from_db()
    bearer.refresh_from_db()
    clean.refresh_from_db()
    assert leaked.headers == {"X-Gateway-Secret": REDACTED, "user-agent": "gw/1"}
    assert bearer.headers == {"authorization": REDACTED, "x-hub-signature-256": "sha256=ab"}
    assert clean.headers == {"user-agent": "gw/1"}
