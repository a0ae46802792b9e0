"""Migration 0002_flow_merge_and_reroute: existing merges and returns are read correctly.

The data steps are called with the live app registry on rows shaped as the old code left them.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from aduan_publik.models import OPD, Complaint, Contact, Disposition, Message
from aduan_publik.services.complaints import complaint_create

pytestmark = pytest.mark.django_db
migration = importlib.import_module("aduan_publik.migrations.0002_flow_merge_and_reroute")


def test_old_merge_is_split_back_per_reporter(contact):
    other = Contact.objects.create(channel="web", address="lain@example.org", email="lain@example.org")
    original, _c = complaint_create(channel="web", title="Asli", description="Asli", contact=contact)
    dup, _c2 = complaint_create(channel="web", title="Dup", description="Dup", contact=other)
    now = timezone.now()
    theirs = Message.objects.create(complaint=dup, contact=other, channel="web", direction="in", body="milik dup",
                                    state="received", created_at=now)
    # What the old merge did: everything of the duplicate moved to the original, unmarked.
    Message.objects.filter(complaint=dup).update(complaint=original)
    Complaint.objects.filter(pk=dup.pk).update(status="archived", archive_reason="duplicate", duplicate_of=original)
    migration.mark_merged_rows(apps, None)
    theirs.refresh_from_db()
    assert (theirs.complaint_id, theirs.merged_from_id) == (original.pk, dup.pk)
    ack = Message.objects.get(contact=other, direction="out")
    assert ack.complaint_id == dup.pk and ack.merged_from_id is None  # their code goes back to them
    assert Message.objects.get(contact=contact, direction="out").merged_from_id is None


def test_old_returns_count_as_handled_only_when_rerouted(complaint, admin_user, opd_pu, opd_dlh):
    now = timezone.now()
    rerouted = Disposition.objects.create(complaint=complaint, opd=opd_pu, state="returned", created_at=now,
                                          returned_at=now)
    Disposition.objects.create(complaint=complaint, opd=opd_dlh, created_at=now + timezone.timedelta(hours=1))
    other, _c = complaint_create(channel="web", title="B", description="B", contact=complaint.contact)
    waiting = Disposition.objects.create(complaint=other, opd=OPD.objects.get(code="DLH"), state="returned",
                                         created_at=now, returned_at=now)
    migration.mark_handled_returns(apps, None)
    rerouted.refresh_from_db()
    waiting.refresh_from_db()
    assert rerouted.return_handled_at is not None and waiting.return_handled_at is None
