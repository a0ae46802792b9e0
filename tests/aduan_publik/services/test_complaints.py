"""Admin-side complaint services: create, verify, postpone, archive, merge, not authority, update."""

from __future__ import annotations

import re
from contextlib import ExitStack

import pytest
from django.core.exceptions import PermissionDenied

from aduan_publik import access
from aduan_publik.channels.registry import UnknownChannel
from aduan_publik.models import OPD, Complaint, Disposition, Event, Message
from aduan_publik.sealed import unseal
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_create,
    complaint_mark_not_authority,
    complaint_merge,
    complaint_postpone,
    complaint_resume,
    complaint_update,
    complaint_verify,
)
from aduan_publik.services.outbound import complaint_reply
from aduan_publik.testing.entry_points import lookalike_channels_installed, unused_channel_name
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db
S = Complaint.Status


def _last_event(complaint: Complaint) -> Event:
    return Event.objects.filter(complaint=complaint).latest("id")


# ---- create ---------------------------------------------------------------------------------


def test_create_numbers_hashes_and_acknowledges(contact):
    first, code = complaint_create(channel="web", title="  Lampu mati ", description=" Gelap ", contact=contact)
    second, _code = complaint_create(channel="web", title="Lain", description="Lain", contact=contact)
    assert re.fullmatch(r"ADU-\d{4}-000001", first.tracking_number)
    assert second.tracking_number.endswith("000002")
    assert (first.title, first.description, first.status) == ("Lampu mati", "Gelap", S.RECEIVED)
    assert code not in first.access_code_hash and first.access_code_hash == access.hash_access_code(code)
    assert first.due_at is not None
    ack = Message.objects.get(complaint=first, direction="out")
    assert ack.state == "queued" and code in unseal(ack.body) and first.tracking_number in unseal(ack.body)
    assert code not in ack.body  # sealed at rest (docs/privacy.md)
    event = _last_event(first)
    assert (event.verb, event.actor_label, event.data["channel"]) == ("created", "web", "web")


@pytest.mark.parametrize(("fields", "error"), [
    ({"title": "  ", "description": "x"}, "wajib diisi"),
    ({"title": "x", "description": ""}, "wajib diisi"),
    ({"title": "x", "description": "y", "kind": "keluhan"}, "Jenis aduan tidak dikenal"),
])
def test_create_refuses_bad_input_and_writes_nothing(contact, fields, error):
    with pytest.raises(WorkflowError, match=error):
        complaint_create(channel="web", contact=contact, **fields)
    assert not Complaint.objects.exists() and not Event.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("lookalikes", [False, True], ids=["bare", "telegram-installed"])
def test_create_on_unknown_channel_writes_nothing(contact, lookalikes, tmp_path):
    with ExitStack() as stack:
        if lookalikes:  # a bench with a Telegram plugin must not break the core's tests
            stack.enter_context(lookalike_channels_installed(tmp_path))
        with pytest.raises(UnknownChannel):
            complaint_create(channel=unused_channel_name(), title="x", description="y", contact=contact)
    assert not Complaint.objects.exists()


def test_create_without_contact_sends_nothing():
    complaint, _code = complaint_create(channel="manual", title="Loket", description="Datang langsung")
    assert complaint.contact is None and not Message.objects.exists()


# ---- verify and dispose ---------------------------------------------------------------------


def test_verify_disposes_to_several_opds_and_audits(complaint, admin_user, opd_pu, opd_dlh):
    created = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh, opd_pu],
                               instruction="Segera", priority="high", is_anonymous=True)
    assert sorted(d.opd.code for d in created) == ["DLH", "PUPR"]
    assert all(d.respond_due and d.complete_due and d.disposed_by == admin_user for d in created)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.priority, complaint.is_anonymous) == (S.DISPOSED, "high", True)
    assert complaint.verified_by == admin_user and complaint.due_at is not None
    event = _last_event(complaint)
    assert event.verb == "verified" and event.actor == admin_user
    assert sorted(event.data["opds"]) == ["DLH", "PUPR"]
    assert event.data["changes"] == {"priority": ["normal", "high"], "is_anonymous": ["False", "True"]}


@pytest.mark.parametrize("problem", ["none", "inactive", "bad_priority"])
def test_verify_refusals_change_nothing(complaint, admin_user, opd_pu, problem):
    kwargs = {"opds": [opd_pu]}
    if problem == "none":
        kwargs = {"opds": []}
    elif problem == "inactive":
        kwargs = {"opds": [OPD.objects.create(code="OLD", name="Dinas Lama", active=False)]}
    else:
        kwargs["priority"] = "kilat"
    events = Event.objects.count()
    with pytest.raises(WorkflowError):
        complaint_verify(complaint=complaint, by=admin_user, **kwargs)
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.priority == "normal"
    assert not Disposition.objects.exists() and Event.objects.count() == events


def test_only_admins_verify(complaint, leader_user, liaison_pu, opd_pu):
    for user in (leader_user, liaison_pu, None):
        with pytest.raises(PermissionDenied):
            complaint_verify(complaint=complaint, by=user, opds=[opd_pu])
    assert not Disposition.objects.exists()


# ---- postpone, archive, not authority -------------------------------------------------------


def test_postpone_pauses_the_clock_and_asks_the_reporter(complaint, admin_user):
    with pytest.raises(WorkflowError, match="keterangan"):
        complaint_postpone(complaint=complaint, by=admin_user, request_text=" ")
    complaint_postpone(complaint=complaint, by=admin_user, request_text="Di RT berapa?")
    complaint.refresh_from_db()
    assert complaint.status == S.POSTPONED and complaint.due_at is None and complaint.paused_working_days >= 1
    assert Message.objects.filter(complaint=complaint, body__contains="Di RT berapa?").exists()
    assert _last_event(complaint).data["request"] == "Di RT berapa?"
    complaint_resume(complaint=complaint, by=admin_user)
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and complaint.due_at and complaint.paused_working_days is None


def test_archive_cancels_open_dispositions(complaint, admin_user, opd_pu, liaison_pu):
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    from aduan_publik.services.dispositions import disposition_return

    disposition_return(disposition=disposition, by=liaison_pu, reason="Bukan kewenangan kami sama sekali")
    for reason, error in (("duplicate", "gabungkan"), ("bosan", "tidak dikenal")):
        with pytest.raises(WorkflowError, match=error):
            complaint_archive(complaint=complaint, by=admin_user, reason=reason)
    complaint_archive(complaint=complaint, by=admin_user, reason="unclear", note="Tidak bisa dihubungi")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.archive_reason, complaint.status_note) == (
        S.ARCHIVED, "unclear", "Tidak bisa dihubungi")
    assert complaint.closed_at and complaint.due_at is None
    assert _last_event(complaint).data == {"reason": "unclear", "note": "Tidak bisa dihubungi"}


def test_not_authority_records_where_it_went(complaint, admin_user):
    with pytest.raises(WorkflowError, match="instansi"):
        complaint_mark_not_authority(complaint=complaint, by=admin_user, forwarded_to="  ")
    complaint_mark_not_authority(complaint=complaint, by=admin_user, forwarded_to=" Pemerintah Provinsi ")
    complaint.refresh_from_db()
    assert complaint.status == S.NOT_AUTHORITY and complaint.forwarded_to == "Pemerintah Provinsi"
    assert Message.objects.filter(complaint=complaint, body__contains="Pemerintah Provinsi").exists()
    assert _last_event(complaint).verb == "not_authority"


# ---- merge ----------------------------------------------------------------------------------


def _with_messages(contact, title: str, n: int) -> Complaint:
    complaint, _code = complaint_create(channel="web", title=title, description=title, contact=contact,
                                        acknowledge=False)
    for i in range(n):
        Message.objects.create(complaint=complaint, contact=contact, channel="web", direction="in",
                               body=f"{title} {i}", state="received", created_at=complaint.received_at)
    return complaint


def test_merge_moves_every_message_to_the_original(contact, admin_user):
    original, duplicate = _with_messages(contact, "asli", 2), _with_messages(contact, "duplikat", 3)
    complaint_merge(complaint=duplicate, into=original, by=admin_user, note="sama")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.archive_reason, duplicate.duplicate_of) == (S.ARCHIVED, "duplicate", original)
    bodies = set(Message.objects.filter(complaint=original, direction="in").values_list("body", flat=True))
    assert bodies == {"asli 0", "asli 1", "duplikat 0", "duplikat 1", "duplikat 2"}
    assert not Message.objects.filter(complaint=duplicate, direction="in").exists()
    assert _last_event(duplicate).data["messages"] == 3
    assert _last_event(original).verb == "merged_in"


def test_merge_follows_duplicate_chains_and_refuses_self(contact, admin_user):
    root, middle, late = (_with_messages(contact, name, 1) for name in ("akar", "tengah", "akhir"))
    complaint_merge(complaint=middle, into=root, by=admin_user)
    complaint_merge(complaint=late, into=middle, by=admin_user)  # middle is itself a duplicate
    late.refresh_from_db()
    assert late.duplicate_of == root
    assert Message.objects.filter(complaint=root, direction="in").count() == 3
    with pytest.raises(WorkflowError, match="dirinya sendiri"):
        complaint_merge(complaint=root, into=root, by=admin_user)
    fresh = _with_messages(contact, "baru", 0)
    Complaint.objects.filter(pk=fresh.pk).update(duplicate_of=root)  # a chain that leads back to root
    with pytest.raises(WorkflowError, match="dirinya sendiri"):
        complaint_merge(complaint=root, into=fresh, by=admin_user)
    root.refresh_from_db()
    assert root.status == S.RECEIVED


# ---- update and replies ---------------------------------------------------------------------


def test_update_audits_changed_fields_only(complaint, admin_user, operator_pu):
    assert complaint_update(complaint=complaint, by=admin_user, priority="normal") == {}
    events = Event.objects.count()
    changes = complaint_update(complaint=complaint, by=admin_user, priority="urgent", title="Jalan amblas",
                               is_secret=True)
    assert changes == {"priority": ["normal", "urgent"], "title": ["Jalan berlubang di Jl. Merdeka", "Jalan amblas"],
                       "is_secret": ["False", "True"]}
    assert Event.objects.count() == events + 1
    event = _last_event(complaint)
    assert event.verb == "updated" and event.actor == admin_user and event.data == {"changes": changes}
    with pytest.raises(WorkflowError, match="status"):
        complaint_update(complaint=complaint, by=admin_user, status="closed")
    with pytest.raises(PermissionDenied):
        complaint_update(complaint=complaint, by=operator_pu, priority="low")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.priority) == (S.RECEIVED, "urgent")


def test_reply_and_internal_note(complaint, admin_user):
    note = complaint_reply(complaint=complaint, by=admin_user, body="Cek ke lapangan dulu", internal=True)
    assert note.is_internal and note.channel == "internal" and note.state == "sent"
    reply = complaint_reply(complaint=complaint, by=admin_user, body=" Sedang kami cek ")
    assert (reply.state, reply.body, reply.author, reply.channel) == ("queued", "Sedang kami cek", admin_user, "web")
    assert _last_event(complaint).verb == "replied"
    with pytest.raises(WorkflowError, match="kosong"):
        complaint_reply(complaint=complaint, by=admin_user, body="  ")
    walk_in, _code = complaint_create(channel="manual", title="Loket", description="Tanpa kontak")
    with pytest.raises(WorkflowError, match="kontak"):
        complaint_reply(complaint=walk_in, by=admin_user, body="Halo")
