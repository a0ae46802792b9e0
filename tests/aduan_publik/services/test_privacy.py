"""Personal data (issue 14 point 7, UU 27/2022 PDP): export, erasure and the retention policy."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from aduan_publik import jobs
from aduan_publik.models import Complaint, Contact, Event, InboundEvent, Message
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.privacy import contact_erase, contact_export, retention_due

pytestmark = pytest.mark.django_db


def _message(complaint, contact, body="Masih berlubang", meta=None):
    return Message.objects.create(complaint=complaint, contact=contact, channel="whatsapp", direction="in",
                                  body=body, state="received", created_at=timezone.now(),
                                  meta=meta if meta is not None else {"profile_name": "Budi", "wa_id": "6281234"})


def _closed(complaint, *, years_ago: float):
    # Test setup: a complaint closed long ago (the lifecycle services always stamp "now").
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.CLOSED, closed_at=timezone.now() - timedelta(days=365.25 * years_ago))


def test_export_holds_identity_complaints_and_messages(complaint, contact, admin_user):
    _message(complaint, contact)
    internal = _message(complaint, None, body="catatan petugas", meta={})
    Message.objects.filter(pk=internal.pk).update(is_internal=True)
    out = io.StringIO()

    call_command("pdp-export", str(contact.pk), stdout=out)

    data = json.loads(out.getvalue())
    assert data["contact"]["name"] == "Budi Santoso" and data["contact"]["phone"] == "081234567890"
    assert [c["tracking_number"] for c in data["complaints"]] == [complaint.tracking_number]
    bodies = [m["body"] for m in data["messages"]]  # internal notes are not the resident's data
    assert len(bodies) == 2 and bodies[1] == "Masih berlubang"
    assert "Kode akses rahasia Anda: ••••" in bodies[0]  # the acknowledgement, opened and its code masked
    assert Event.objects.filter(verb="pdp_exported", actor_label="cli", data__contact=contact.pk).count() == 1


def test_erasure_removes_the_identity_and_keeps_the_records(complaint, contact, admin_user):
    message = _message(complaint, contact)
    out = io.StringIO()

    call_command("pdp-erase", str(contact.pk), "--reason", "Surat 12/PDP/2026", stdout=out)

    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.email, contact.address, contact.user_id) == ("", "", "", "", "")
    assert contact.erased_at is not None
    message.refresh_from_db()
    assert message.meta == {} and message.body == "Masih berlubang"
    ack = Message.objects.get(complaint=complaint, meta__purpose="ack")  # the hub's own record stays
    assert ack.direction == "out"
    complaint.refresh_from_db()
    assert complaint.contact_id == contact.pk and complaint.title.startswith("Jalan berlubang")
    assert complaint.events.filter(verb="pdp_erased").count() == 1
    assert "Budi" not in json.dumps(contact_export(contact=contact))
    # A second erasure changes nothing and writes nothing.
    events = Event.objects.count()
    contact_erase(contact=contact, by=admin_user, reason="lagi")
    assert Event.objects.count() == events


def test_erasure_of_an_unknown_contact_or_without_reason_is_a_clear_error(contact):
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("pdp-erase", "999999", "--reason", "x")
    with pytest.raises(CommandError, match="alasan"):
        call_command("pdp-erase", str(contact.pk), "--reason", "  ")
    contact.refresh_from_db()
    assert contact.name == "Budi Santoso" and contact.erased_at is None


def test_retention_erases_only_contacts_closed_long_enough_with_nothing_open(settings, complaint, contact,
                                                                            category_jalan):
    settings.ADUAN = {**settings.ADUAN, "privacy": {"contact_retention_years": 2}}
    _closed(complaint, years_ago=3)
    recent = Contact.objects.create(channel="web", address="baru@example.org", name="Siti")
    recent_complaint, _code = complaint_create(channel="web", title="Sampah menumpuk", description="Sudah 3 hari.",
                                               contact=recent, category=category_jalan)
    _closed(recent_complaint, years_ago=1)
    still_open = Contact.objects.create(channel="web", address="lama@example.org", name="Agus")
    old, _code = complaint_create(channel="web", title="Drainase", description="Tersumbat.", contact=still_open,
                                  category=category_jalan)
    _closed(old, years_ago=5)
    complaint_create(channel="web", title="Drainase lagi", description="Tersumbat lagi.", contact=still_open,
                     category=category_jalan)

    assert retention_due() == [contact.pk]
    assert jobs.run_retention() == 1

    names = dict(Contact.objects.values_list("pk", "name"))
    assert names == {contact.pk: "", recent.pk: "Siti", still_open.pk: "Agus"}
    assert Complaint.objects.get(pk=complaint.pk).events.filter(verb="pdp_erased", actor_label="retensi").exists()
    assert jobs.run_retention() == 0  # idempotent


def test_retention_is_off_unless_the_site_sets_it(settings, complaint, contact):
    settings.ADUAN = {**settings.ADUAN, "privacy": {"contact_retention_years": None}}
    _closed(complaint, years_ago=30)
    assert jobs.run_retention() == 0
    contact.refresh_from_db()
    assert contact.name == "Budi Santoso"


# ---- raw webhook deliveries (InboundEvent) -----------------------------------------------------------

WA_ID, OTHER_WA_ID = "6281234567890", "6289876543210"


def _delivery(*people: tuple[str, str], text: str = "Jalan berlubang") -> bytes:
    """A WhatsApp webhook body with one message from each ``(wa_id, profile name)``."""
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "106540352242922"},
             "contacts": [{"profile": {"name": name}, "wa_id": wa_id} for wa_id, name in people],
             "messages": [{"from": wa_id, "id": f"wamid.{wa_id}", "type": "text", "text": {"body": text}}
                          for wa_id, _name in people]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()


def _event(key: str, body: bytes, state: str) -> InboundEvent:
    return InboundEvent.objects.create(channel="whatsapp", dedupe_key=key, body=body, state=state,
                                       headers={"content-type": "application/json"}, form={"f": "x"})


@pytest.fixture
def wa_contact(db):
    return Contact.objects.create(channel="whatsapp", address=WA_ID, phone=WA_ID, name="Budi Santoso",
                                  user_id="ID.1234567890123456")


def test_erasure_clears_the_raw_deliveries_that_carry_the_person(wa_contact, admin_user):
    done = _event("done", _delivery((WA_ID, "Budi Santoso")), "processed")
    mixed = _event("mixed", _delivery((WA_ID, "Budi Santoso"), (OTHER_WA_ID, "Siti Aminah")), "failed")
    other = _event("other", _delivery((OTHER_WA_ID, "Siti Aminah")), "processed")

    contact_erase(contact=wa_contact, by=admin_user, reason="Surat 13/PDP/2026")

    done.refresh_from_db()
    assert (bytes(done.body), done.headers, done.form, done.state) == (b"", {}, {}, "processed")
    # A failed batch still holds Siti's item to route again: only Budi is masked in it.
    mixed.refresh_from_db()
    body = bytes(mixed.body)
    assert WA_ID.encode() not in body and b"Budi" not in body
    assert OTHER_WA_ID.encode() in body and b"Siti Aminah" in body
    assert len(json.loads(body)["entry"][0]["changes"][0]["value"]["messages"]) == 2  # still a readable delivery
    other.refresh_from_db()
    assert bytes(other.body) == _delivery((OTHER_WA_ID, "Siti Aminah")) and other.form == {"f": "x"}
    assert Event.objects.get(verb="pdp_erased", complaint=None).data["inbound_events"] == 2


def test_retention_clears_the_raw_deliveries_too(settings, wa_contact, category_jalan):
    settings.ADUAN = {**settings.ADUAN, "privacy": {"contact_retention_years": 2}}
    old, _code = complaint_create(channel="whatsapp", title="Lampu padam", description="Sudah seminggu.",
                                  contact=wa_contact, category=category_jalan)
    _closed(old, years_ago=3)
    event = _event("old", _delivery((WA_ID, "Budi Santoso")), "processed")

    assert jobs.run_retention() == 1

    event.refresh_from_db()
    assert bytes(event.body) == b"" and event.headers == {}
