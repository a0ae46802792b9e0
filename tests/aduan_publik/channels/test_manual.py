"""The manual channel (walk-in desk, phone, letter): the contract and its two ways of answering."""

from __future__ import annotations

import pytest
from django.core import mail

from aduan_publik.channels.base import ContactRef, OutboundMessage, TemporaryChannelError
from aduan_publik.channels.registry import get_channel
from aduan_publik.testing.channel_contract import ChannelContractTests


class TestManualChannelContract(ChannelContractTests):
    channel_name = "manual"


def test_answer_without_email_is_left_for_a_person():
    message = OutboundMessage(message_id=3, to=ContactRef(phone="0812"), text="Jawaban", tracking_number="A")
    result = get_channel("manual").send(message)
    assert result.state == "manual" and result.note
    assert mail.outbox == []


def test_answer_with_email_is_mailed():
    message = OutboundMessage(message_id=3, to=ContactRef(email="b@example.org"), text="Jawaban",
                              tracking_number="ADU-2026-000002")
    assert get_channel("manual").send(message).state == "sent"
    assert [m.to for m in mail.outbox] == [["b@example.org"]]


def test_smtp_outage_is_temporary(monkeypatch):
    def down(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("aduan_publik.channels.manual.send_mail", down)
    message = OutboundMessage(message_id=3, to=ContactRef(email="b@example.org"), text="x", tracking_number="A")
    with pytest.raises(TemporaryChannelError):
        get_channel("manual").send(message)
