"""Message kinds that are not a new complaint: reactions, edits, revokes, number changes, stickers."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from wa_helpers import fixture_body, fixture_json

from aduan_publik.channels.base import CONTACT_CHANGE, EDIT, REVOKE, InboundMessage
from aduan_publik.channels.whatsapp import payloads
from aduan_publik.models import Complaint, Contact, Event, Message

pytestmark = pytest.mark.django_db(transaction=True)
FIRST_ID = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMEE4QjZBMUMxRTI5RDNGAA=="
OLD_TEXT = "Jalan di depan SDN 3 Sukamaju berlubang besar, sudah dua minggu belum diperbaiki."
NEW_TEXT = "Jalan di depan SDN 3 Sukamaju berlubang besar, sudah tiga minggu belum diperbaiki."


@pytest.fixture
def opened(post_webhook, whatsapp) -> Complaint:
    """Budi's complaint, opened by the recorded text; its acknowledgement went out as wamid.FAKE1."""
    post_webhook(fixture_body("text"))
    assert len(whatsapp.sends()) == 1
    return Complaint.objects.get(channel="whatsapp")


def _body(name: str, **message_changes) -> bytes:
    data = fixture_json(name)
    data["entry"][0]["changes"][0]["value"]["messages"][0].update(message_changes)
    return json.dumps(data).encode()


def _nothing_opened_or_sent(whatsapp, complaints: int = 1) -> None:
    assert Complaint.objects.count() == complaints
    assert len(whatsapp.sends()) == complaints  # the acknowledgements only


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_reaction_attaches_to_the_message_it_reacts_to(opened, post_webhook, whatsapp, closed):
    if closed:
        Complaint.objects.update(status=Complaint.Status.CLOSED)
    post_webhook(_body("reaction", reaction={"message_id": "wamid.FAKE1", "emoji": "👍"}))
    _nothing_opened_or_sent(whatsapp)
    ack = Message.objects.get(external_id="wamid.FAKE1")
    assert ack.meta["reaction"] == "👍"
    reaction = Message.objects.get(kind="reaction")
    assert reaction.complaint == opened and reaction.body == "👍" and reaction.meta["reacts_to"] == ack.pk
    opened.refresh_from_db()
    assert opened.status == (Complaint.Status.CLOSED if closed else Complaint.Status.RECEIVED)


def test_edit_updates_the_text_and_keeps_the_history(opened, post_webhook, whatsapp):
    post_webhook(fixture_body("edit"))
    post_webhook(fixture_body("edit"))  # a redelivery changes nothing more
    _nothing_opened_or_sent(whatsapp)
    first = Message.objects.get(external_id=FIRST_ID)
    assert first.body == NEW_TEXT
    assert [e["body"] for e in first.meta["edits"]] == [OLD_TEXT]
    opened.refresh_from_db()
    assert opened.description == NEW_TEXT  # not yet verified: the description follows the reporter
    event = Event.objects.get(complaint=opened, verb="reporter_edited")
    assert (event.data["old"], event.data["new"]) == (OLD_TEXT, NEW_TEXT)


def test_revoke_marks_the_message_deleted_and_keeps_it(opened, post_webhook, whatsapp):
    post_webhook(fixture_body("revoke"))
    _nothing_opened_or_sent(whatsapp)
    first = Message.objects.get(external_id=FIRST_ID)
    assert first.body == OLD_TEXT and first.meta["revoked"]["external_id"] == "wamid.RVK0001"
    assert Event.objects.filter(complaint=opened, verb="reporter_revoked").count() == 1


@pytest.mark.parametrize("fixture", ["system_customer_changed_number", "system_user_changed_number"])
def test_number_change_relinks_the_contact(opened, post_webhook, whatsapp, fixture):
    post_webhook(fixture_body(fixture))
    _nothing_opened_or_sent(whatsapp)
    contact = Contact.objects.get(channel="whatsapp")
    assert (contact.address, contact.phone) == ("6289876543210", "+6289876543210")
    assert Event.objects.filter(complaint=opened, verb="contact_address_changed").exists()
    # the resident writes from the new number: the same complaint's thread, not a new complaint
    post_webhook(_body("button", **{"from": "6289876543210"}))
    _nothing_opened_or_sent(whatsapp)
    assert opened.messages.filter(direction="in", kind="button").exists()


def test_number_change_onto_a_known_number_merges_the_contacts(opened, post_webhook, whatsapp):
    other = Contact.objects.create(channel="whatsapp", address="6289876543210", name="Budi (baru)")
    post_webhook(fixture_body("system_customer_changed_number"))
    [contact] = Contact.objects.filter(channel="whatsapp")
    assert contact.pk == opened.contact_id and contact.address == "6289876543210"
    assert not Contact.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("name", ["sticker", "unsupported"])
@pytest.mark.parametrize("state", ["stranger", "closed"])
def test_sticker_or_unsupported_opens_nothing_and_sends_nothing(post_webhook, whatsapp, name, state):
    if state == "closed":
        post_webhook(fixture_body("text"))
        Complaint.objects.update(status=Complaint.Status.CLOSED)
    post_webhook(fixture_body(name))
    _nothing_opened_or_sent(whatsapp, complaints=0 if state == "stranger" else 1)
    message = Message.objects.get(kind=name)
    assert message.body == f"[{name}]" and message.meta["raw"]["type"] == name


def test_message_level_errors_are_recorded(post_webhook):
    post_webhook(fixture_body("unsupported"))
    message = Message.objects.get(kind="unsupported")
    assert message.meta["provider_errors"].startswith("131051: Message type unknown")


@pytest.mark.parametrize("word", ["status", "STATUS", "cek status", "Lacak!"])
def test_bare_status_from_a_stranger_gets_the_help_text(post_webhook, whatsapp, word):
    post_webhook(_body("text", text={"body": word}))
    assert Complaint.objects.count() == 0
    [send] = whatsapp.sends()
    assert "STATUS ADU-" in send["json"]["text"]["body"]


def test_bare_status_from_a_reporter_answers_their_complaint(opened, post_webhook, whatsapp):
    post_webhook(_body("text", id="wamid.ST0002", text={"body": "status"}))
    assert Complaint.objects.count() == 1
    assert opened.tracking_number in whatsapp.sends()[-1]["json"]["text"]["body"]
    assert len(whatsapp.sends()) == 2


def test_parser_kinds_for_edits_revokes_and_number_changes():
    [edit] = payloads.parse(fixture_body("edit"))
    [revoke] = payloads.parse(fixture_body("revoke"))
    [change] = payloads.parse(fixture_body("system_customer_changed_number"))
    assert isinstance(edit, InboundMessage) and (edit.kind, edit.refers_to, edit.text) == (EDIT, FIRST_ID, NEW_TEXT)
    assert isinstance(revoke, InboundMessage) and (revoke.kind, revoke.refers_to) == (REVOKE, FIRST_ID)
    assert isinstance(change, InboundMessage) and change.kind == CONTACT_CHANGE
    assert change.changed_to is not None and change.changed_to.address == "6289876543210"
    assert change.sender.address == "6281234567890" and not change.substantive


@pytest.mark.parametrize(("name", "lines"), [
    ("contacts", ["[Kartu kontak]", "Pak RT 05 — +62 812-1111-2222 — rt05@example.org — RT 05 Sukamaju"]),
    ("order", ["[Pesanan katalog]", "kantong-sampah × 2 @ 15000 IDR", "Mohon diantar ke kantor kelurahan"]),
    ("interactive_nfm_reply", ["[Formulir: Sent]", "lokasi: Jl. Kenanga 4", "kategori: Sampah",
                               "uraian: Sampah tidak diangkut seminggu"]),
])
def test_cards_orders_and_form_replies_become_readable_text(name, lines):
    [item] = payloads.parse(fixture_body(name))
    assert isinstance(item, InboundMessage) and item.substantive
    assert item.text.splitlines() == lines


def test_a_strangers_sticker_is_shown_to_the_admin(post_webhook, admin_user):
    post_webhook(fixture_body("sticker"))
    desk = Client()
    desk.force_login(admin_user)
    page = desk.get("/desk/aduan_publik/message/", {"direction__exact": "in"})
    assert page.status_code == 200 and "[sticker]" in page.content.decode()


def test_an_edit_of_someone_elses_message_changes_nothing(opened, post_webhook, whatsapp):
    post_webhook(_body("edit", **{"from": "6285600001111"}))
    assert Message.objects.get(external_id=FIRST_ID).body == OLD_TEXT
    kept = Message.objects.get(kind="edit")
    assert kept.complaint is None and kept.meta["target_missing"] == FIRST_ID
    _nothing_opened_or_sent(whatsapp)
