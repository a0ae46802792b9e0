"""The API's two doors (``api``, ``open311``) keep the channel contract."""

from __future__ import annotations

from django.core import mail

from aduan_publik.channels.base import ContactRef, OutboundMessage
from aduan_publik.channels.registry import get_channel
from aduan_publik.testing.channel_contract import ChannelContractTests


class TestApiChannelContract(ChannelContractTests):
    channel_name = "api"


class TestOpen311ChannelContract(ChannelContractTests):
    channel_name = "open311"


def test_answers_go_by_email_or_wait_on_the_tracking_page():
    to_mail = OutboundMessage(message_id=1, to=ContactRef(email="r@example.org"), text="Jawaban", tracking_number="A")
    assert get_channel("open311").send(to_mail).state == "sent" and [m.to for m in mail.outbox] == [["r@example.org"]]
    result = get_channel("api").send(OutboundMessage(message_id=2, to=ContactRef(), text="x", tracking_number="A"))
    assert result.state == "sent" and result.note and len(mail.outbox) == 1
