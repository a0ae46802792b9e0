"""Replies, follow-ups, the 24-hour window, provider errors, delivery statuses and STATUS keywords."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fakes.graph_api import FakeGraphAPI
from wa_helpers import fixture_body, fixture_json

from aduan_publik.models import Complaint, Contact, Event, Message
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft, followup_publish
from aduan_publik.services.outbound import complaint_reply
from aduan_publik.services.sending import message_send

pytestmark = pytest.mark.django_db(transaction=True)
REPLY = "Terima kasih, laporan Anda sudah kami teruskan ke Dinas PUPR.\nMohon ditunggu."


@pytest.fixture
def wa_complaint(post_webhook):
    """A complaint opened by a WhatsApp text; its acknowledgement went out as wamid.FAKE1."""
    assert post_webhook(fixture_body("text")).status_code == 200
    return Complaint.objects.get(channel="whatsapp")


def _reply(complaint: Complaint, by) -> Message:
    message = complaint_reply(complaint=complaint, by=by, body=REPLY)
    message.refresh_from_db()
    return message


def test_desk_reply_inside_the_window_goes_as_free_text(wa_complaint, admin_user, whatsapp):
    message = _reply(wa_complaint, admin_user)
    assert message.state == "sent", message.error
    assert message.external_id == "wamid.FAKE2"
    send = whatsapp.sends()[-1]["json"]
    assert send["type"] == "text" and send["text"]["body"] == REPLY and send["to"] == "6281234567890"


def test_reply_outside_the_window_uses_the_approved_template(wa_complaint, admin_user, whatsapp):
    Contact.objects.update(last_inbound_at=timezone.now() - timedelta(hours=25))
    message = _reply(wa_complaint, admin_user)
    # a successful template send is no error: the remark is a note for staff
    assert message.state == "sent" and message.error == ""
    assert message.meta["note"] == "dikirim sebagai templat aduan_balasan (di luar jendela 24 jam)"
    template = whatsapp.sends()[-1]["json"]["template"]
    assert template["name"] == "aduan_balasan" and template["language"] == {"code": "id"}
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == [wa_complaint.tracking_number, REPLY.replace("\n", " ")]


def test_outside_the_window_without_a_template_fails_visibly(wa_complaint, admin_user, settings, whatsapp):
    settings.ADUAN["channels"]["whatsapp"]["reply_template"] = ""
    Contact.objects.update(last_inbound_at=timezone.now() - timedelta(days=3))
    message = _reply(wa_complaint, admin_user)
    assert message.state == "failed" and "reply_template" in message.error
    assert Event.objects.filter(complaint=wa_complaint, verb="message_failed").exists()
    assert len(whatsapp.sends()) == 1  # only the acknowledgement


def test_meta_refusing_free_text_with_131047_falls_back_to_the_template(wa_complaint, admin_user, whatsapp):
    whatsapp.script_send(FakeGraphAPI.error(131047, message="Re-engagement message"))
    message = _reply(wa_complaint, admin_user)
    assert message.state == "sent"
    assert [s["json"]["type"] for s in whatsapp.sends()[1:]] == ["text", "template"]


@pytest.mark.parametrize(("code", "status"), [(130429, 400), (131056, 400), (80007, 400), (4, 400), (2, 503)])
def test_rate_limits_and_server_errors_are_retried(wa_complaint, admin_user, whatsapp, code, status):
    whatsapp.script_send(FakeGraphAPI.error(code, status=status, message="slow down"))
    message = _reply(wa_complaint, admin_user)
    assert message.state == "queued" and str(code) in message.error  # back in line for RQ's retry
    message_send(message_id=message.pk)  # what the retry does
    message.refresh_from_db()
    assert message.state == "sent" and len(whatsapp.sends()) == 3


@pytest.mark.parametrize("code", [131026, 131050, 100])
def test_permanent_errors_fail_the_message_with_the_providers_reason(wa_complaint, admin_user, whatsapp, code):
    whatsapp.script_send(FakeGraphAPI.error(code, message="Message undeliverable", details="Receiver is incapable"))
    message = _reply(wa_complaint, admin_user)
    assert message.state == "failed" and message.error.startswith(f"{code}: Message undeliverable")
    event = Event.objects.get(complaint=wa_complaint, verb="message_failed")
    assert "Receiver is incapable" in event.summary
    message_send(message_id=message.pk)  # a stray retry sends nothing
    assert len(whatsapp.sends()) == 2


def test_followup_reaches_the_resident_on_whatsapp(wa_complaint, admin_user, opd_pu, liaison_pu, operator_pu, whatsapp):
    [disposition] = complaint_verify(complaint=wa_complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=operator_pu)
    item = followup_draft(disposition=disposition, by=operator_pu, body="Lubang sudah ditambal tim UPT Jalan.")
    followup_publish(followup=item, by=liaison_pu)
    bodies = [s["json"].get("text", {}).get("body", "") for s in whatsapp.sends()]
    assert any("Lubang sudah ditambal" in body for body in bodies)
    assert Message.objects.get(followup=item).state == "sent"


def _statuses(post_webhook, *names: str) -> None:
    for name in names:
        assert post_webhook(fixture_body(name)).status_code == 200


def _ack(complaint: Complaint) -> Message:
    return Message.objects.get(complaint=complaint, direction="out", external_id="wamid.FAKE1")


def test_delivery_statuses_move_forward_only(wa_complaint, post_webhook):
    _statuses(post_webhook, "status_delivered")
    assert _ack(wa_complaint).state == "delivered"
    _statuses(post_webhook, "status_sent")  # late "sent": ignored
    assert _ack(wa_complaint).state == "delivered"
    _statuses(post_webhook, "status_read", "status_failed")  # "failed" never follows "read"
    assert _ack(wa_complaint).state == "read"


def test_failed_status_marks_the_message_failed_with_the_reason(wa_complaint, post_webhook):
    _statuses(post_webhook, "status_sent", "status_failed")
    ack = _ack(wa_complaint)
    assert ack.state == "failed" and ack.error.startswith("131026: Message undeliverable")
    assert Event.objects.filter(complaint=wa_complaint, verb="message_failed").count() == 1


def test_batched_statuses_out_of_order_end_at_the_latest(wa_complaint, post_webhook):
    body = fixture_json("batched")
    value = body["entry"][0]["changes"][1]["value"]
    value["statuses"].reverse()  # read first, then delivered
    post_webhook(json.dumps(body).encode())
    assert _ack(wa_complaint).state == "read"


def _keyword(post_webhook, text: str, msg_id: str = "wamid.KEY0001", sender: str = "6281234567890"):
    body = fixture_json("status_keyword")
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"][0].update({"id": msg_id, "from": sender, "text": {"body": text}})
    value["contacts"][0].update({"wa_id": sender, "user_id": f"ID.{sender}"})
    return post_webhook(json.dumps(body).encode())


def test_status_keyword_answers_the_senders_own_complaint(wa_complaint, post_webhook, whatsapp):
    _keyword(post_webhook, f"status {wa_complaint.tracking_number}")
    answer = whatsapp.sends()[-1]["json"]["text"]["body"]
    assert wa_complaint.tracking_number in answer and "Belum terverifikasi" in answer
    assert Complaint.objects.count() == 1
    assert not Event.objects.filter(complaint=wa_complaint, verb="reporter_message").exists()
    assert Event.objects.filter(complaint=wa_complaint, verb="status_query").count() == 1
    _keyword(post_webhook, f"status {wa_complaint.tracking_number}")  # redelivered: not answered twice
    assert len(whatsapp.sends()) == 2


def test_status_keyword_for_someone_elses_complaint_leaks_nothing(wa_complaint, post_webhook, whatsapp):
    _keyword(post_webhook, f"STATUS {wa_complaint.tracking_number}", msg_id="wamid.KEY0002", sender="6289999999999")
    _keyword(post_webhook, "STATUS ADU-2026-999999", msg_id="wamid.KEY0003", sender="6289999999999")
    answers = [s["json"]["text"]["body"] for s in whatsapp.sends()[1:]]
    assert len(answers) == 2 and all("tidak ditemukan" in a for a in answers)
    assert "Belum terverifikasi" not in answers[0]
    assert answers[0] == answers[1].replace("ADU-2026-999999", wa_complaint.tracking_number)
    assert Complaint.objects.count() == 1
    assert Message.objects.filter(direction="out", complaint=None, state="sent").count() == 2
