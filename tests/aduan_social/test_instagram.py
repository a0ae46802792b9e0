"""The Instagram door: DMs, comments, mentions and story mentions; media stays a link; answers go privately."""

from __future__ import annotations

import pytest
from social_helpers import IG_ID, fixture_body

from aduan_publik.models import Attachment, Complaint, InboundEvent, Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_dm_story_mention_and_comment_become_complaints_and_our_echo_does_not(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_batch"))
    kinds = list(Message.objects.filter(direction="in").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["text", "story_mention", "comment"]
    assert Complaint.objects.filter(channel="instagram").count() == 3
    assert not Message.objects.filter(external_id="aWdfZAG1faXRlbTpECHO01").exists()
    assert InboundEvent.objects.get().state == "processed"


def test_story_mention_media_is_never_stored_only_its_link(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_batch"))
    story = Message.objects.get(kind="story_mention")
    assert "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1790000" in story.body
    assert Attachment.objects.count() == 0
    assert not [r for r in instagram.requests if r["path"].startswith("/download/")]


def test_comment_gets_a_private_reply_and_a_number_only_public_reply(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_comment"))
    complaint = Complaint.objects.get(channel="instagram")
    [private] = instagram.sends()
    assert private["recipient"] == {"comment_id": "17900000000000002"}
    assert complaint.tracking_number in private["message"]["text"]
    [public] = instagram.public_replies()
    assert public["path"].endswith("/17900000000000002/replies")
    assert public["message"].endswith("Kami hubungi lewat pesan.") and "siti" not in public["message"].lower()
    sends_as = [r["path"] for r in instagram.writes() if r["path"].endswith("/messages")]
    assert sends_as == [f"/v23.0/{IG_ID}/messages"]


def test_dm_is_answered_in_the_dm_thread(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_batch"))
    complaint = Complaint.objects.get(contact__address="1100000000000001")
    [send] = [s for s in instagram.sends() if s["recipient"].get("id") == "1100000000000001"]
    assert send["messaging_type"] == "RESPONSE" and complaint.tracking_number in send["message"]["text"]


def test_mention_text_is_read_from_the_api_and_answered_publicly_with_the_number_only(post_meta, instagram):
    instagram.mentions["17900000000000077"] = {"text": "@pemkot.contoh lampu taman mati", "username": "warga77",
                                               "timestamp": "2026-01-01T00:00:40+0000", "id": "17900000000000077"}
    post_meta("instagram", fixture_body("ig_mention"))
    complaint = Complaint.objects.get(channel="instagram")
    assert complaint.description == "@pemkot.contoh lampu taman mati" and complaint.contact.name == "warga77"
    assert instagram.sends() == []  # no Private Reply to a mention on someone else's media
    [public] = instagram.public_replies()
    assert public["path"] == f"/v23.0/{IG_ID}/mentions"
    assert public["media_id"] == "18000000000000077" and public["comment_id"] == "17900000000000077"
    assert "warga77" not in public["message"] and complaint.tracking_number in public["message"]


def test_unreadable_mention_is_kept_as_rejected_with_the_reason(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_mention"))
    event = InboundEvent.objects.get()
    assert event.state == "rejected" and "sebutan tidak dapat dibaca" in event.reason
    assert Complaint.objects.count() == 0
