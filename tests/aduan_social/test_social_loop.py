"""No loops: what the city itself posts or sends, coming back through the webhooks or the poll,
never becomes a complaint, a message on a thread, or a reason to answer again."""

from __future__ import annotations

import json

import pytest
from social_helpers import IG_ID, PAGE_ID, X_ID, fixture_body, fixture_json, mention

from aduan_publik.models import Complaint, Message
from aduan_social.x.poll import x_mentions_poll

pytestmark = pytest.mark.django_db(transaction=True)


def _state() -> tuple[int, int, int]:
    return (Complaint.objects.count(), Message.objects.filter(direction="in").count(),
            Message.objects.filter(direction="out").count())


def test_facebook_our_public_reply_and_messenger_echo_come_back_and_nothing_happens(post_meta, facebook):
    post_meta("facebook", fixture_body("fb_comment"))
    before, writes = _state(), len(facebook.writes())
    [public] = facebook.public_replies()
    ours = fixture_json("fb_page_own_comment")
    value = ours["entry"][0]["changes"][0]["value"]
    value.update(message=public["message"], comment_id=public["path"].split("/")[-2] + "_9")
    private = facebook.sends()[0]
    echo = fixture_json("fb_echo")
    echo["entry"][0]["messaging"][0]["message"]["text"] = private["message"]["text"]
    for body in (ours, echo):
        assert post_meta("facebook", json.dumps(body).encode()).json()["status"] == "accepted"
    assert _state() == before and len(facebook.writes()) == writes
    assert value["from"]["id"] == PAGE_ID


def test_instagram_our_reply_under_a_post_and_our_dm_echo_are_ignored(post_meta, instagram):
    post_meta("instagram", fixture_body("ig_comment"))
    before, writes = _state(), len(instagram.writes())
    post_meta("instagram", fixture_body("ig_own_comment"))
    echo = fixture_json("ig_batch")
    echo["entry"] = [echo["entry"][0]]
    echo["entry"][0]["messaging"] = [echo["entry"][0]["messaging"][2]]  # is_echo, sender = our account
    post_meta("instagram", json.dumps(echo).encode())
    assert _state() == before and len(instagram.writes()) == writes
    assert echo["entry"][0]["messaging"][0]["sender"]["id"] == IG_ID


def test_x_our_reply_post_through_the_webhook_and_the_poll_is_ignored(post_x, x_site):
    x_site.add_mentions(mention(1), users=({"id": "1600000000000000001", "username": "warga"},))
    x_mentions_poll()
    before, writes = _state(), len(x_site.writes())
    [ours] = x_site.reply_posts()
    own = fixture_json("x_own_reply")
    own["data"]["payload"]["text"] = ours["text"]
    assert post_x(json.dumps(own).encode()).json()["status"] == "accepted"
    # X lists our own reply among the mentions (it starts with @warga): the poll skips it too.
    x_site.add_mentions({**mention(2, author=X_ID), "text": ours["text"]})
    x_mentions_poll(force=True)
    assert _state() == before and len(x_site.writes()) == writes
