"""The web portal channel: the contract, plus what the portal relies on."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core import mail

from aduan_publik.channels.base import ContactRef, OutboundMessage, RawInbound, TemporaryChannelError
from aduan_publik.channels.registry import get_channel
from aduan_publik.testing.channel_contract import ChannelContractTests

FORM = {"text": "Lampu jalan mati sejak seminggu.", "email": "warga@example.org", "name": "Sari",
        "message_id": "web-form-1", "tracking_number": "ADU-2026-000007"}


def _posted(form: dict[str, str]) -> RawInbound:
    return RawInbound(method="POST", body=urlencode(form).encode(),
                      headers={"content-type": "application/x-www-form-urlencoded"}, form=form)


class TestWebChannelContract(ChannelContractTests):
    channel_name = "web"
    sample_items = 1

    def sample_inbound(self) -> RawInbound:
        return _posted(FORM)

    def another_inbound(self) -> RawInbound:
        return _posted({**FORM, "message_id": "web-form-2", "text": "Sampah belum diangkut."})

    def malformed_inbounds(self) -> list[RawInbound]:
        return [*super().malformed_inbounds(), _posted({**FORM, "text": "   "})]


def test_parse_keeps_the_reporter_and_tracking_number():
    [item] = get_channel("web").parse_inbound(_posted(FORM))
    assert item.external_id == "web-form-1"
    assert item.sender.email == "warga@example.org" and item.sender.name == "Sari"
    assert item.tracking_number == "ADU-2026-000007"


def test_send_without_email_is_left_on_the_tracking_page():
    message = OutboundMessage(message_id=5, to=ContactRef(name="Anon"), text="Halo", tracking_number="ADU-1")
    result = get_channel("web").send(message)
    assert result.state == "sent" and "lacak" in result.note
    assert mail.outbox == []


def test_send_with_email_mails_the_reporter():
    message = OutboundMessage(message_id=5, to=ContactRef(email="a@example.org"), text="Isi balasan",
                              tracking_number="ADU-2026-000009")
    assert get_channel("web").send(message).note == "email"
    [sent] = mail.outbox
    assert sent.to == ["a@example.org"] and "ADU-2026-000009" in sent.subject and sent.body == "Isi balasan"


def test_smtp_outage_is_temporary(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("aduan_publik.channels.web.send_mail", down)
    message = OutboundMessage(message_id=5, to=ContactRef(email="a@example.org"), text="x", tracking_number="A")
    with pytest.raises(TemporaryChannelError, match="smtp down"):
        get_channel("web").send(message)
