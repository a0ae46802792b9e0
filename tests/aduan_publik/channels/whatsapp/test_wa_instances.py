"""Two WhatsApp numbers as two Channel documents: each webhook URL, verification and answer is its own."""

from __future__ import annotations

import json

import pytest
from fakes.graph_api import TOKEN, FakeGraphAPI
from wa_helpers import APP_SECRET, VERIFY_TOKEN, fixture_json, sign

from aduan_publik.models import ChannelInstance, Complaint, InboundEvent, Message
from aduan_publik.selectors.channel_instances import instance_health
from aduan_publik.services.channel_instances import channel_instance_check, channel_instance_save
from aduan_publik.services.outbound import complaint_reply

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER_A, NUMBER_B = "106540352242922", "207650463353033"
SECRET_B = "app-secret-of-the-second-number"


def _document(graph: FakeGraphAPI, key: str, number: str, secret: str, *, default: bool = False,
              enabled: bool = True) -> ChannelInstance:
    values = {"phone_number_id": number, "access_token": TOKEN, "app_secret": secret, "verify_token": VERIFY_TOKEN,
              "graph_base_url": graph.base_url, "graph_version": graph.version, "reply_template": "aduan_balasan"}
    return channel_instance_save(instance=None, by=None, channel="whatsapp", key=key, name=f"WA {key}",
                                 enabled=enabled, is_default=default, values=values)


@pytest.fixture
def two_numbers(graph):
    """The site's main number (default) and the health office's number, as documents only."""
    _document(graph, "utama", NUMBER_A, APP_SECRET, default=True)
    _document(graph, "dinkes", NUMBER_B, SECRET_B)
    return graph


def _body(number: str, name: str = "text") -> bytes:
    data = fixture_json(name)
    data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = number
    return json.dumps(data).encode()


def _post(client, url: str, body: bytes, secret: str):
    return client.post(url, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=sign(body, secret))


def test_a_second_number_routes_in_and_out_through_its_own_instance(client, two_numbers, admin_user):
    url = "/channels/whatsapp/dinkes/webhook"
    assert _post(client, url, _body(NUMBER_B), APP_SECRET).status_code == 403  # the other number's secret
    response = _post(client, url, _body(NUMBER_B), SECRET_B)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    complaint = Complaint.objects.get(channel="whatsapp")
    assert complaint.channel_instance == "dinkes"
    assert InboundEvent.objects.get(state="processed").channel_instance == "dinkes"
    assert complaint.messages.get(direction="in").channel_instance == "dinkes"
    complaint_reply(complaint=complaint, by=admin_user, body="Petugas puskesmas akan datang besok.")
    paths = [s["path"] for s in two_numbers.sends()]
    assert paths == [f"/v23.0/{NUMBER_B}/messages"] * 2  # the acknowledgement, then the reply
    assert set(Message.objects.filter(direction="out").values_list("channel_instance", flat=True)) == {"dinkes"}


def test_the_old_url_serves_the_default_document(client, two_numbers):
    response = _post(client, "/channels/whatsapp/webhook", _body(NUMBER_A), APP_SECRET)
    assert response.status_code == 200
    assert Complaint.objects.get().channel_instance == "utama"
    assert [s["path"] for s in two_numbers.sends()] == [f"/v23.0/{NUMBER_A}/messages"]


def test_a_delivery_for_another_number_on_this_url_is_a_visible_problem(client, two_numbers):
    _post(client, "/channels/whatsapp/dinkes/webhook", _body(NUMBER_A), SECRET_B)
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and NUMBER_A in event.reason
    assert not Complaint.objects.exists()


def test_an_unknown_instance_is_refused_and_kept_visible(client, two_numbers):
    response = _post(client, "/channels/whatsapp/kelurahan-x/webhook", _body(NUMBER_B), SECRET_B)
    assert response.status_code == 404 and response.json()["status"] == "rejected"
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and event.channel_instance == "kelurahan-x"
    assert "kelurahan-x" in event.reason and not Complaint.objects.exists()
    assert client.get("/channels/whatsapp/kelurahan-x/webhook", {"hub.mode": "subscribe"}).status_code == 404


def test_a_disabled_instance_is_refused_and_kept_visible(client, graph):
    _document(graph, "lama", NUMBER_B, SECRET_B, enabled=False)
    response = _post(client, "/channels/whatsapp/lama/webhook", _body(NUMBER_B), SECRET_B)
    assert response.status_code == 403
    assert InboundEvent.objects.get().state == "rejected" and not Complaint.objects.exists()
    assert instance_health(ChannelInstance.objects.get(key="lama")).errors_24h == 1


def test_a_changed_secret_takes_effect_without_a_restart(client, two_numbers):
    url = "/channels/whatsapp/dinkes/webhook"
    row = ChannelInstance.objects.get(key="dinkes")
    assert _post(client, url, _body(NUMBER_B), SECRET_B).status_code == 200
    channel_instance_save(instance=row, by=None, channel="whatsapp", key="dinkes", name=row.name, enabled=True,
                          is_default=False, values={**row.settings, "app_secret": "rotated-secret"})
    assert _post(client, url, _body(NUMBER_B, "button"), SECRET_B).status_code == 403
    assert _post(client, url, _body(NUMBER_B, "button"), "rotated-secret").status_code == 200


def test_handshake_per_instance(client, two_numbers):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
    assert client.get("/channels/whatsapp/dinkes/webhook", query).content == b"42"


def test_a_keyword_answer_goes_out_through_the_number_it_came_to(client, two_numbers):
    _post(client, "/channels/whatsapp/dinkes/webhook", _body(NUMBER_B, "status_keyword"), SECRET_B)
    direct = Message.objects.get(direction="out", complaint=None)
    assert direct.channel_instance == "dinkes"
    assert [s["path"] for s in two_numbers.sends()] == [f"/v23.0/{NUMBER_B}/messages"]


def test_check_connection_reads_the_number_and_sends_nothing(two_numbers):
    two_numbers.add_phone_number(NUMBER_B, "+62 811-0000-002", "Dinkes Kota Uji")
    row = channel_instance_check(instance=ChannelInstance.objects.get(key="dinkes"), by=None)
    assert row.check_ok is True and "+62 811-0000-002" in row.check_detail
    assert two_numbers.sends() == []
    [request] = [r for r in two_numbers.requests if r["method"] == "GET"]
    assert request["path"].startswith(f"/v23.0/{NUMBER_B}?fields=")


def test_check_connection_with_a_revoked_token_marks_error_190(graph):
    with FakeGraphAPI(token="another-token") as other:
        row = _document(other, "utama", NUMBER_A, APP_SECRET, default=True)
        row = channel_instance_check(instance=row, by=None)
    assert row.check_ok is False and row.token_invalid_at is not None and "190" in row.check_detail


def test_a_send_refused_with_error_190_shows_in_the_health(client, two_numbers):
    two_numbers.script_send(FakeGraphAPI.error(190, status=401, message="Error validating access token"))
    _post(client, "/channels/whatsapp/dinkes/webhook", _body(NUMBER_B), SECRET_B)
    ack = Message.objects.get(direction="out")
    assert ack.state == "failed"
    row = ChannelInstance.objects.get(key="dinkes")
    health = instance_health(row)
    assert row.token_invalid_at is not None and "190" in health.last_error
    assert health.errors_24h == 1 and health.last_inbound is not None
    assert instance_health(ChannelInstance.objects.get(key="utama")).errors_24h == 0
