"""The Facebook Page door end to end: webhook → stored delivery → complaints, and answers going privately."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from social_helpers import ACCESS_CODE, PAGE_ID, VERIFY_TOKEN, fixture_body, fixture_json

from aduan_publik.models import Complaint, Event, InboundEvent, Message
from aduan_social.models import PersonLink

pytestmark = pytest.mark.django_db(transaction=True)
COMMENT_ID = "830000000000001_1210000000000001"


def _body(data: dict) -> bytes:
    import json

    return json.dumps(data).encode()


def test_handshake_and_signature_over_http(client, facebook, post_meta):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "4242"}
    assert client.get("/channels/facebook/webhook", query).content == b"4242"
    assert client.get("/channels/facebook/webhook", {**query, "hub.verify_token": "x"}).status_code == 403
    assert post_meta("facebook", fixture_body("fb_comment"), signature="sha256=" + "0" * 64).status_code == 403
    assert InboundEvent.objects.count() == 0


def test_batch_gives_one_complaint_per_person_and_skips_our_echo(post_meta, facebook):
    assert post_meta("facebook", fixture_body("fb_batch")).json()["status"] == "accepted"
    assert post_meta("facebook", fixture_body("fb_batch")).json()["status"] == "duplicate"
    complaints = Complaint.objects.filter(channel="facebook").order_by("pk")
    assert [c.contact.address or c.contact.user_id for c in complaints] == [
        "2400000000000001", "2400000000000002", "2400000000000003", "7100000000000001"]
    kinds = list(Message.objects.filter(direction="in").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["text", "image", "quick_reply", "comment"]
    assert not Message.objects.filter(external_id="m_EchoOurs001").exists()
    comment = Complaint.objects.get(external_id=COMMENT_ID)
    assert comment.description.startswith("Sampah di Jl. Melati") and comment.contact.name == "Budi Santoso"
    assert InboundEvent.objects.get().state == "processed"


def test_messenger_image_is_downloaded_and_kept_on_the_complaint(post_meta, facebook):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
    facebook.files["lubang.jpg"] = (jpeg, "image/jpeg")
    data = fixture_json("fb_batch")
    attachment = data["entry"][0]["messaging"][1]["message"]["attachments"][0]
    attachment["payload"]["url"] = f"{facebook.base_url}/download/lubang.jpg"
    post_meta("facebook", _body(data))
    image = Message.objects.get(kind="image")
    assert image.attachments.count() == 1 and image.attachments.get().file.read() == jpeg
    [download] = [r for r in facebook.requests if r["path"] == "/download/lubang.jpg"]
    assert "authorization" not in download["headers"]  # the Page token never leaves for a CDN link


def test_comment_is_answered_by_one_private_reply_and_a_number_only_public_reply(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_comment"))
    complaint = Complaint.objects.get(channel="facebook")
    [private] = facebook.sends()
    assert private["recipient"] == {"comment_id": "830000000000001_1210000000000002"}
    assert complaint.tracking_number in private["message"]["text"] and ACCESS_CODE.search(private["message"]["text"])
    [public] = facebook.public_replies()
    assert public["path"].endswith("/830000000000001_1210000000000002/comments")
    assert public["message"] == (f"Terima kasih, aduan Anda tercatat dengan nomor {complaint.tracking_number}. "
                                 "Kami hubungi lewat pesan.")
    ack = Message.objects.get(complaint=complaint, direction="out")
    assert ack.state == "sent" and set(ack.meta["sent_parts"]) == {
        "private:830000000000001_1210000000000002", "public:830000000000001_1210000000000002"}
    # Meta told us the commenter's inbox id: their Messenger reply joins this complaint.
    link = PersonLink.objects.get(channel="facebook")
    assert link.person_id == "7100000000000002"


def test_reply_in_messenger_after_the_private_reply_joins_the_comments_complaint(post_meta, facebook):
    facebook.inbox_ids["830000000000001_1210000000000002"] = "2400000000000077"
    post_meta("facebook", fixture_body("fb_comment"))
    data = fixture_json("fb_batch")
    data["entry"] = [data["entry"][0]]
    data["entry"][0]["messaging"] = [data["entry"][0]["messaging"][0]]
    data["entry"][0]["messaging"][0]["sender"]["id"] = "2400000000000077"
    post_meta("facebook", _body(data))
    complaint = Complaint.objects.get(channel="facebook")
    assert Complaint.objects.count() == 1
    assert list(complaint.messages.filter(direction="in").order_by("pk").values_list("kind", flat=True)) == [
        "comment", "text"]
    assert complaint.contact.address == "2400000000000077"


def test_second_answer_goes_to_the_inbox_not_a_second_private_reply(post_meta, facebook, admin_user):
    from aduan_publik.services.outbound import complaint_reply

    facebook.inbox_ids["830000000000001_1210000000000002"] = "2400000000000077"
    post_meta("facebook", fixture_body("fb_comment"))
    complaint = Complaint.objects.get(channel="facebook")
    reply = complaint_reply(complaint=complaint, by=admin_user, body="Petugas DLH menuju lokasi besok pagi.")
    reply.refresh_from_db()
    # The Private Reply is used up and the person has not written in Messenger: refused, with the reason.
    assert reply.state == "failed" and "belum membalas lewat pesan" in reply.error
    assert len(facebook.sends()) == 1 and len(facebook.public_replies()) == 1


def test_inbox_answer_uses_response_inside_24h_and_human_agent_up_to_7_days(post_meta, facebook, settings,
                                                                             admin_user):
    from aduan_publik.services.outbound import complaint_reply

    post_meta("facebook", fixture_body("fb_batch"))
    complaint = Complaint.objects.get(contact__address="2400000000000001")
    assert facebook.sends()[0]["messaging_type"] == "RESPONSE"
    Message.objects.filter(contact=complaint.contact, direction="in").update(
        created_at=timezone.now() - timedelta(days=3))
    refused = complaint_reply(complaint=complaint, by=admin_user, body="Sedang kami cek.")
    refused.refresh_from_db()
    assert refused.state == "failed" and "HUMAN_AGENT" in refused.error
    settings.ADUAN["channels"]["facebook"]["human_agent"] = True
    tagged = complaint_reply(complaint=complaint, by=admin_user, body="Sudah kami cek, besok diperbaiki.")
    tagged.refresh_from_db()
    assert tagged.state == "sent" and "HUMAN_AGENT" in tagged.meta["note"]
    assert facebook.sends()[-1]["messaging_type"] == "MESSAGE_TAG" and facebook.sends()[-1]["tag"] == "HUMAN_AGENT"


def test_expired_token_190_fails_visibly_with_reconnect_advice(post_meta, facebook):
    from fakes.social_api import FakeMetaGraph

    facebook.script(FakeMetaGraph.error(190, status=401, message="Error validating access token"))
    post_meta("facebook", fixture_body("fb_comment"))
    ack = Message.objects.get(direction="out")
    assert ack.state == "failed" and "190" in ack.error and "sambungkan ulang" in ack.error
    assert Event.objects.filter(verb="message_failed").exists()


def test_comment_edit_and_removal_are_recorded_on_the_stored_comment(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_batch"))
    post_meta("facebook", fixture_body("fb_comment_edited"))
    comment = Message.objects.get(external_id=COMMENT_ID)
    assert comment.body.startswith("Sampah di Jl. Melati No. 5")
    assert comment.meta["edits"][0]["body"].startswith("Sampah di Jl. Melati belum")
    post_meta("facebook", fixture_body("fb_comment_removed"))
    comment.refresh_from_db()
    assert comment.meta["revoked"] and Complaint.objects.filter(external_id=COMMENT_ID).exists()
    assert Event.objects.filter(verb="reporter_revoked").count() == 1


def test_visitor_post_becomes_a_complaint_answered_by_private_reply_to_the_post(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_visitor_post"))
    complaint = Complaint.objects.get(channel="facebook")
    assert complaint.description.startswith("Pohon tumbang")
    assert facebook.sends()[0]["recipient"] == {"post_id": f"{PAGE_ID}_840000000000009"}


def test_postback_is_kept_but_opens_nothing(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_postback"))
    assert Complaint.objects.count() == 0
    assert Message.objects.get(external_id="m_Postback001").kind == "postback"
    assert facebook.sends() == []


def test_delivery_and_read_watermarks_move_our_messages_ticks(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_batch"))
    ack = Message.objects.get(direction="out", contact__address="2400000000000001")
    assert ack.state == "sent"
    Message.objects.filter(pk=ack.pk).update(sent_at=timezone.now() - timedelta(seconds=120))
    data = fixture_json("fb_read")
    data["entry"][0]["messaging"][0]["read"]["watermark"] = int(timezone.now().timestamp() * 1000)
    post_meta("facebook", _body(data))
    ack.refresh_from_db()
    assert ack.state == "read"


def test_delivery_for_another_page_is_rejected_and_visible(post_meta, facebook):
    assert post_meta("facebook", fixture_body("fb_other_page")).status_code == 200
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and "999999999999999" in event.reason
    assert Complaint.objects.count() == 0


def test_refused_public_reply_leaves_the_private_answer_sent_with_a_note(post_meta, facebook):
    from fakes.social_api import OK, FakeMetaGraph

    facebook.script(OK, FakeMetaGraph.error(100, message="(#100) Cannot comment on this post"))
    post_meta("facebook", fixture_body("fb_comment"))
    ack = Message.objects.get(direction="out")
    assert ack.state == "sent" and "balasan publik gagal" in ack.meta["note"] and "#100" in ack.meta["note"]
    assert len(facebook.sends()) == 1


def test_message_on_standby_while_another_app_holds_the_thread_is_not_lost(post_meta, facebook):
    data = fixture_json("fb_batch")
    entry = data["entry"][0]
    entry["standby"] = [entry.pop("messaging")[0]]
    data["entry"] = [entry]
    post_meta("facebook", _body(data))
    assert Message.objects.get(direction="in").external_id == "m_AbCdEf001"


def test_a_comment_hidden_by_the_page_is_not_taken_for_a_removal(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_batch"))
    data = fixture_json("fb_comment_removed")
    data["entry"][0]["changes"][0]["value"]["verb"] = "hide"
    post_meta("facebook", _body(data))
    assert "revoked" not in Message.objects.get(external_id=COMMENT_ID).meta
