"""Privacy: no public reply, on any social channel, ever carries the reporter's name, phone number
or access code — whatever the resident posted and whatever staff typed. Private answers do."""

from __future__ import annotations

import json
import re

import pytest
from social_helpers import ACCESS_CODE, fixture_json, mention

from aduan_publik.channels.base import PermanentChannelError
from aduan_publik.models import Complaint, Message
from aduan_publik.services.outbound import complaint_reply
from aduan_social import privacy
from aduan_social.x.poll import x_mentions_poll

pytestmark = pytest.mark.django_db(transaction=True)
NAME, PHONE = "Siti Aminah", "081234567890"
STAFF_TEXT = f"Bu {NAME}, petugas akan menelepon ke {PHONE} besok."


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _assert_public_clean(texts: list[str], code: str) -> None:
    assert texts, "nothing public was written: the test would prove nothing"
    for text in texts:
        assert NAME.split()[0].lower() not in text.lower() and NAME.split()[1].lower() not in text.lower()
        assert PHONE[1:] not in _digits(text) and code not in text


def _code_from(private_texts: list[str]) -> str:
    found = [m.group(1) for t in private_texts if (m := ACCESS_CODE.search(t))]
    assert found, "the acknowledgement with the access code went privately"
    return found[0]


def test_facebook_public_replies_never_identify_the_reporter(post_meta, facebook, admin_user, settings):
    data = fixture_json("fb_comment")
    value = data["entry"][0]["changes"][0]["value"]
    value["from"]["name"] = NAME
    value["message"] = f"Saya {NAME}, hubungi {PHONE}. Drainase tersumbat."
    post_meta("facebook", json.dumps(data).encode())
    complaint = Complaint.objects.get(channel="facebook")
    settings.ADUAN["channels"]["facebook"]["human_agent"] = True
    complaint_reply(complaint=complaint, by=admin_user, body=STAFF_TEXT)
    code = _code_from([s["message"]["text"] for s in facebook.sends()])
    _assert_public_clean([p["message"] for p in facebook.public_replies()], code)


def test_instagram_public_replies_never_identify_the_reporter(post_meta, instagram, admin_user):
    data = fixture_json("ig_comment")
    value = data["entry"][0]["changes"][0]["value"]
    value["from"]["username"] = "siti.aminah"
    value["text"] = f"Saya {NAME} {PHONE}, taman kotor."
    post_meta("instagram", json.dumps(data).encode())
    complaint_reply(complaint=Complaint.objects.get(channel="instagram"), by=admin_user, body=STAFF_TEXT)
    code = _code_from([s["message"]["text"] for s in instagram.sends()])
    _assert_public_clean([p["message"] for p in instagram.public_replies()], code)


def test_x_public_reply_posts_never_identify_the_reporter(x_site, admin_user, settings):
    settings.ADUAN["channels"]["x"]["dm_replies"] = True
    x_site.add_mentions(mention(1, text=f"@pemkotcontoh saya {NAME} {PHONE} lampu mati"),
                        users=({"id": "1600000000000000001", "username": "siti_aminah", "name": NAME},))
    x_mentions_poll()
    settings.ADUAN["channels"]["x"]["dm_replies"] = False  # now every answer must go as a public post
    complaint_reply(complaint=Complaint.objects.get(channel="x"), by=admin_user, body=STAFF_TEXT)
    code = _code_from([d["text"] for d in x_site.dms()])
    posts = [p["text"] for p in x_site.reply_posts()]
    assert len(posts) == 2
    _assert_public_clean(posts, code)
    assert Message.objects.filter(direction="out", state="sent").count() == 2


def test_the_guard_refuses_a_public_text_that_holds_a_phone_nik_or_name():
    with pytest.raises(PermanentChannelError):
        privacy.public_text_check(f"ADU-2026-000001 hubungi {PHONE}", tracking_number="ADU-2026-000001")
    with pytest.raises(PermanentChannelError):
        privacy.public_text_check("NIK 3273011234560001", tracking_number="ADU-2026-000001")
    with pytest.raises(PermanentChannelError):
        privacy.public_text_check(f"Halo {NAME}", tracking_number="", secrets=(NAME,))
    text = privacy.public_ack("ADU-2026-000123")
    assert privacy.public_text_check(text, tracking_number="ADU-2026-000123") == text
