"""Parsing recorded WhatsApp payloads: every message type, batches, statuses, bad bodies, keys."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from wa_helpers import fixture_body, fixture_json, signed_raw

from aduan_publik.channels.base import InboundMessage, PayloadError, RawInbound, StatusUpdate
from aduan_publik.channels.whatsapp import payloads
from aduan_publik.channels.whatsapp.keywords import status_query


def _one(name: str) -> InboundMessage:
    [item] = payloads.parse(fixture_body(name))
    assert isinstance(item, InboundMessage)
    return item


def test_text_message_keeps_sender_both_ids_and_time():
    item = _one("text")
    assert item.kind == "text" and item.text.startswith("Jalan di depan SDN 3")
    assert item.sender.address == "6281234567890" and item.sender.user_id == "ID.1234567890123456"
    assert item.sender.name == "Budi Santoso" and item.sender.phone == "+6281234567890"
    assert payloads.parse(fixture_body("text", fresh=False))[0].sent_at.isoformat() == "2026-01-01T00:00:00+00:00"


@pytest.mark.parametrize(("name", "kind", "filename", "mime", "caption"), [
    ("image", "image", "wa-image-1481298385764823.jpg", "image/jpeg", "Foto lubang di Jl. Merdeka"),
    ("document", "document", "surat-rt.pdf", "application/pdf", "Surat keterangan RT"),
    ("audio", "audio", "wa-audio-735602715432198.oga", "audio/ogg", ""),
    ("video", "video", "wa-video-1098765432101234.mp4", "video/mp4", "Banjir di gang"),
])
def test_media_messages_carry_the_media_id_to_fetch(name, kind, filename, mime, caption):
    item = _one(name)
    assert item.kind == kind and item.text == caption
    [attachment] = item.attachments
    assert attachment.content is None and attachment.media_id
    assert attachment.filename == filename and attachment.content_type == mime


def test_location_fills_coordinates():
    item = _one("location")
    assert item.latitude == Decimal("-6.208763") and item.longitude == Decimal("106.845599")
    assert item.text == "Pasar Sukamaju — Jl. Merdeka No. 10"


@pytest.mark.parametrize(("name", "text"), [
    ("interactive_button_reply", "Sudah selesai"),
    ("interactive_list_reply", "Jalan rusak — Pekerjaan Umum"),
    ("button", "Belum selesai"),
])
def test_replies_to_buttons_and_lists_become_text(name, text):
    assert _one(name).text == text


@pytest.mark.parametrize(("name", "kind", "text"), [
    ("sticker", "sticker", "[sticker]"), ("unsupported", "unsupported", "[unsupported]"),
])
def test_unsupported_types_are_kept_with_their_kind_and_raw_payload(name, kind, text):
    item = _one(name)
    assert item.kind == kind and item.text == text and item.substantive is False
    assert item.raw["id"] == item.external_id


def test_username_only_resident_has_user_id_and_no_phone():
    item = _one("username_only")
    assert item.sender.address == "" and item.sender.phone == ""
    assert item.sender.user_id == "ID.9876543210987654" and item.sender.name == "sari_warga"


def test_batch_yields_every_item_of_every_entry_and_change():
    items = payloads.parse(fixture_body("batched"))
    messages = [i.external_id for i in items if isinstance(i, InboundMessage)]
    statuses = [(i.external_id, i.status) for i in items if isinstance(i, StatusUpdate)]
    assert messages == ["wamid.BAT0001", "wamid.BAT0002", "wamid.BAT0003"]
    assert statuses == [("wamid.FAKE1", "delivered"), ("wamid.FAKE1", "read")]
    assert [i.sender.name for i in items if isinstance(i, InboundMessage)] == ["Budi Santoso"] * 2 + ["Rina"]


def test_failed_status_carries_the_providers_reason():
    [item] = payloads.parse(fixture_body("status_failed"))
    assert item.status == "failed"
    assert item.error == "131026: Message undeliverable (Message Undeliverable.)"


@pytest.mark.parametrize("body", [
    b"", b"not json", b'{"object": "whatsapp_business_account", "entry": ', b"[1, 2]", b"\xff\xfe",
    b'{"object": "page", "entry": []}', b'{"object": "whatsapp_business_account"}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": "x"}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", '
    b'"value": {"messages": [{"type": "text", "text": {"body": "no id"}, "timestamp": "1"}]}}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", '
    b'"value": {"messages": [{"id": "x", "from": "1", "type": "text", "timestamp": "soon"}]}}]}]}',
    b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", '
    b'"value": {"messages": [{"id": "x", "type": "text", "timestamp": "1"}]}}]}]}',
])
def test_malformed_bodies_raise_payload_error_with_a_reason(body):
    with pytest.raises(PayloadError) as err:
        payloads.parse(body)
    assert str(err.value)


def test_unknown_field_is_rejected_not_dropped_silently():
    with pytest.raises(PayloadError, match="tidak ada pesan atau status"):
        payloads.parse(fixture_body("template_status_update"))


def test_delivery_key_is_made_of_ids_and_survives_reformatting():
    body = fixture_body("batched")
    reformatted = json.dumps(fixture_json("batched"), separators=(",", ":")).encode()
    assert body != reformatted
    assert payloads.delivery_key(body) == payloads.delivery_key(reformatted)
    assert payloads.delivery_key(body).startswith("ids:")
    assert payloads.delivery_key(fixture_body("text")) != payloads.delivery_key(fixture_body("image"))
    assert payloads.delivery_key(b"garbage").startswith("body:")


def test_status_keyword_is_recognised_only_as_a_whole_message():
    assert status_query("STATUS ADU-2026-000123") == "ADU-2026-000123"
    assert status_query("  status adu-2026-000123 ") == "ADU-2026-000123"
    assert status_query("cek ADU-2026-000123?") == "ADU-2026-000123"
    assert status_query("Status jalan ADU-2026-000123 masih rusak") is None
    assert status_query("STATUS") is None


def test_signed_raw_helper_matches_the_channel(settings):
    raw = signed_raw(b"{}")
    assert isinstance(raw, RawInbound) and raw.headers["x-hub-signature-256"].startswith("sha256=")
