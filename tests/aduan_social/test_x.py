"""The X door: the CRC check, signed Activity API events, the paced mentions poll and its spend, replies."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from fakes.social_api import Reply
from social_helpers import X_ID, X_SECRET, fixture_body, mention

from aduan_publik.models import Complaint, InboundEvent, Message
from aduan_social.models import XPollState, XSpend
from aduan_social.x import crc_response
from aduan_social.x.poll import x_mentions_poll

pytestmark = pytest.mark.django_db(transaction=True)
USERS = ({"id": "1600000000000000001", "username": "warga_anggrek", "name": "Warga Anggrek"},)


def test_crc_challenge_is_answered_as_json_with_the_hmac(client, x_site):
    response = client.get("/channels/x/activity", {"crc_token": "abc123"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"response_token": crc_response(X_SECRET, "abc123")}
    assert client.get("/channels/x/activity").status_code == 403


def test_signed_activity_events_become_complaints_and_forged_ones_are_refused(post_x, x_site):
    assert post_x(fixture_body("x_activity_batch"), signature="sha256=AAAA").status_code == 403
    assert post_x(fixture_body("x_activity_batch")).json()["status"] == "accepted"
    kinds = sorted(Message.objects.filter(direction="in").values_list("kind", flat=True))
    assert kinds == ["dm", "mention"]
    assert Complaint.objects.filter(channel="x").count() == 2


def test_poll_reads_from_the_cursor_pages_through_and_counts_the_spend(x_site):
    x_site.add_mentions(*(mention(n) for n in range(1, 13)), users=USERS)
    assert x_mentions_poll() == 12
    assert Complaint.objects.filter(channel="x").count() == 1  # one author: one open complaint, 12 messages
    assert Message.objects.filter(channel="x", direction="in", kind="mention").count() == 12
    state = XPollState.objects.get(account_id=X_ID)
    assert state.since_id == mention(12)["id"] and state.last_count == 12
    spend = XSpend.objects.get()
    assert spend.post_reads == 12 and spend.user_reads == 2
    reads = x_site.reads()
    assert [r["query"].get("pagination_token") for r in reads] == [None, "10"]
    # Not due yet: nothing is read; when due, the cursor is sent and nothing old comes back.
    assert x_mentions_poll() == 0 and len(x_site.reads()) == 2
    x_site.add_mentions(mention(20), users=USERS)
    assert x_mentions_poll(now=timezone.now() + timedelta(seconds=901)) == 1
    assert x_site.reads()[-1]["query"]["since_id"] == mention(12)["id"]


def test_poll_stops_at_the_budget_and_says_why(x_site, settings):
    settings.ADUAN["channels"]["x"]["monthly_budget_usd"] = "0.05"
    x_site.add_mentions(mention(1), users=USERS)
    assert x_mentions_poll() == 0
    assert x_site.reads() == [] and "Anggaran X" in XPollState.objects.get().last_error


def test_poll_error_keeps_the_cursor_and_nothing_is_lost(x_site):
    x_site.add_mentions(*(mention(n) for n in range(1, 13)), users=USERS)
    original = x_site.route

    def second_page_fails(method, path, query, payload):
        if query.get("pagination_token"):
            return Reply(status=503, body={"title": "Service Unavailable"})
        return original(method, path, query, payload)

    x_site.route = second_page_fails
    assert x_mentions_poll() == 10
    state = XPollState.objects.get()
    assert state.since_id == "" and "503" in state.last_error
    x_site.route = original
    assert x_mentions_poll(force=True) == 12  # re-read from the old cursor; the 10 are deduplicated
    assert Message.objects.filter(channel="x", direction="in").count() == 12


def test_mention_gets_a_number_only_reply_post_and_the_text_by_dm_when_allowed(x_site, settings):
    settings.ADUAN["channels"]["x"]["dm_replies"] = True
    x_site.add_mentions(mention(1, text="@pemkotcontoh saya Budi 081298765432, jalan rusak"), users=USERS)
    x_mentions_poll()
    complaint = Complaint.objects.get(channel="x")
    [post] = x_site.reply_posts()
    assert post["reply"] == {"in_reply_to_tweet_id": mention(1)["id"]}
    assert post["text"] == (f"Terima kasih, aduan Anda tercatat dengan nomor {complaint.tracking_number}. "
                            "Kami hubungi lewat pesan.")
    [dm] = x_site.dms()
    assert dm["to"] == "1600000000000000001" and "Kode akses rahasia" in dm["text"]
    spend = XSpend.objects.get()
    assert spend.posts_created == 1 and spend.dms_created == 1
    assert spend.cost_usd == Decimal("0.005") + Decimal("0.010") + Decimal("0.015") * 2  # read, author, post, DM


def test_reply_refused_beyond_the_budget(x_site, settings):
    x_site.add_mentions(mention(1), users=USERS)
    settings.ADUAN["channels"]["x"]["prices"] = {"post_create": 100}
    x_mentions_poll()
    ack = Message.objects.get(direction="out")
    assert ack.state == "failed" and "Anggaran X" in ack.error and x_site.reply_posts() == []


def test_poll_page_is_stored_as_a_delivery_of_the_channel(x_site):
    x_site.add_mentions(mention(1), users=USERS)
    x_mentions_poll()
    event = InboundEvent.objects.get(channel="x")
    assert event.state == "processed" and json.loads(bytes(event.body))["source"] == "mentions_poll"
