"""Deadlines through the services, and the scheduled sweep that flags and auto-closes.

Time is moved with ``unittest.mock.patch`` of ``django.utils.timezone.now``: the services,
``auto_now`` fields and the calendar all read the clock through it.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from aduan_publik.models import Category, Complaint, Disposition, Event, Message
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_create,
    complaint_mark_not_authority,
    complaint_postpone,
    complaint_resume,
    complaint_verify,
)
from aduan_publik.services.dispositions import disposition_accept, disposition_return, followup_draft
from aduan_publik.services.lifecycle import complaint_rate, deadlines_sweep

pytestmark = pytest.mark.django_db(transaction=True)

S = Complaint.Status
WIB = ZoneInfo("Asia/Jakarta")
FOLLOWUP = "Tim UPT Jalan sudah menambal lubang dan memasang rambu sementara di lokasi."


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def end_of(day: date, tz: ZoneInfo = WIB) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=tz)


@contextmanager
def at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def sweep(moment: datetime) -> dict[str, int]:
    with at(moment):
        return deadlines_sweep(now=moment)


def new_complaint(moment: datetime, category=None, contact=None) -> Complaint:  # type: ignore[no-untyped-def]
    with at(moment):
        complaint, _code = complaint_create(
            channel="web", title="Jalan berlubang di Jl. Gajah Mada",
            description="Lubang besar di depan pasar, sudah dua pengendara jatuh.",
            category=category, contact=contact,
        )
    return complaint


def verbs(complaint: Complaint, verb: str) -> int:
    return Event.objects.filter(complaint=complaint, verb=verb).count()


def fresh(obj):  # type: ignore[no-untyped-def]
    obj.refresh_from_db()
    return obj


# ---- deadlines set by the services --------------------------------------------------------


def test_verification_deadline_skips_the_weekend_and_independence_day(db):
    assert fresh(new_complaint(wib(2026, 1, 9, 19, 0))).due_at == end_of(date(2026, 1, 14))
    # Friday 14 August 2026: Monday 17 August is Independence Day.
    assert fresh(new_complaint(wib(2026, 8, 14, 10, 0))).due_at == end_of(date(2026, 8, 20))


def test_category_override_and_parent_fallback(db, opd_pu):
    parent = Category.objects.create(name="Pekerjaan Umum", code="pu", verify_working_days=1,
                                     respond_working_days=2)
    child = Category.objects.create(name="Jalan", code="pu-jalan", parent=parent, default_opd=opd_pu,
                                    complete_days=7)
    complaint = new_complaint(wib(2026, 1, 5, 9, 0), category=child)
    assert fresh(complaint).due_at == end_of(date(2026, 1, 6))  # parent: 1 working day
    with at(wib(2026, 1, 5, 10, 0)):
        from aduan_publik.models import Role
        from tests.conftest import make_user

        admin = make_user("admin-kat", Role.ADMIN)
        [disposition] = complaint_verify(complaint=complaint, by=admin, opds=[opd_pu])
    assert disposition.respond_due == end_of(date(2026, 1, 7))  # parent: 2 working days
    assert disposition.complete_due == end_of(date(2026, 1, 12))  # child: 7 calendar days


def test_disposition_deadlines_default_and_field_check(complaint, admin_user, opd_pu, opd_dlh):
    with at(wib(2026, 3, 17, 10, 0)):  # the Tuesday before Nyepi, Idul Fitri and cuti bersama
        first, second = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh],
                                         field_check=True)
    for disposition in (first, second):
        # 5 working days: 25, 26, 27, 30, 31 March; 60 calendar days for a field check.
        assert disposition.respond_due == end_of(date(2026, 3, 31))
        assert disposition.complete_due == end_of(date(2026, 5, 16))
    assert fresh(complaint).due_at == end_of(date(2026, 3, 31))


def test_first_response_moves_the_complaint_deadline_to_completion(complaint, admin_user, opd_pu, operator_pu):
    with at(wib(2026, 1, 5, 10, 0)):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    assert fresh(complaint).due_at == end_of(date(2026, 1, 12))
    with at(wib(2026, 1, 6, 10, 0)):
        disposition_accept(disposition=disposition, by=operator_pu)
    assert fresh(complaint).due_at == end_of(date(2026, 1, 19))  # 14 calendar days


@override_settings(TIME_ZONE="Asia/Makassar")
def test_deadline_is_the_end_of_the_working_day_in_the_site_time_zone(db):
    complaint = fresh(new_complaint(datetime(2026, 1, 5, 16, 30, tzinfo=ZoneInfo("UTC"))))  # Tue 00:30 WITA
    assert complaint.due_at == end_of(date(2026, 1, 9), ZoneInfo("Asia/Makassar"))


# ---- postponement ---------------------------------------------------------------------------


def test_postpone_pauses_the_clock_and_resume_restores_the_remaining_days(db, admin_user):
    complaint = new_complaint(wib(2026, 1, 5, 9, 0))  # due Thursday 8 January
    with at(wib(2026, 1, 6, 11, 0)):
        complaint_postpone(complaint=complaint, by=admin_user, request_text="Mohon sebutkan nama jalannya.")
    complaint = fresh(complaint)
    assert complaint.status == S.POSTPONED and complaint.due_at is None
    assert complaint.paused_working_days == 2  # Wednesday and Thursday were left
    assert sweep(wib(2026, 2, 20, 9, 0))["complaints_flagged"] == 0  # a paused clock is never late
    with at(wib(2026, 1, 16, 14, 0)):  # Friday, Isra Mi'raj: counting starts on Monday
        complaint_resume(complaint=complaint, by="pelapor")
    complaint = fresh(complaint)
    assert complaint.status == S.RECEIVED and complaint.paused_working_days is None
    assert complaint.due_at == end_of(date(2026, 1, 20))  # Monday and Tuesday


# ---- the sweep ------------------------------------------------------------------------------


def test_sweep_flags_an_overdue_complaint_once(db):
    complaint = new_complaint(wib(2026, 1, 5, 9, 0))
    assert sweep(wib(2026, 1, 8, 23, 0)) == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
    assert sweep(wib(2026, 1, 9, 8, 0))["complaints_flagged"] == 1
    events = Event.objects.count()
    assert sweep(wib(2026, 1, 9, 9, 0)) == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
    assert Event.objects.count() == events
    assert verbs(complaint, "overdue") == 1
    assert fresh(complaint).overdue_flagged_at == wib(2026, 1, 9, 8, 0)


def test_sweep_flags_late_dispositions_once_per_deadline(complaint, admin_user, opd_pu, opd_dlh, operator_pu):
    with at(wib(2026, 1, 5, 10, 0)):
        pu, dlh = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    with at(wib(2026, 1, 7, 10, 0)):
        disposition_accept(disposition=pu, by=operator_pu)
    # Respond deadline (Mon 12 Jan) passed for DLH only; PUPR accepted in time.
    result = sweep(wib(2026, 1, 13, 8, 0))
    assert result == {"complaints_flagged": 1, "dispositions_flagged": 1, "closed": 0}
    assert fresh(dlh).overdue_flagged_at is not None and fresh(pu).overdue_flagged_at is None
    assert sweep(wib(2026, 1, 14, 8, 0)) == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
    # Completion deadline (19 Jan) passes: both dispositions are late again, a new lateness each.
    result = sweep(wib(2026, 1, 20, 8, 0))
    assert result["dispositions_flagged"] == 2
    kinds = sorted(e.data["deadline"] for e in Event.objects.filter(complaint=complaint, verb="disposition_overdue"))
    assert kinds == ["complete", "complete", "respond"]
    assert sweep(wib(2026, 1, 21, 8, 0))["dispositions_flagged"] == 0


def test_one_opd_accepting_does_not_report_the_same_lateness_twice(complaint, admin_user, opd_pu, opd_dlh,
                                                                   operator_pu):
    """Failed before: refresh_due cleared the flag although the deadline had not moved."""
    with at(wib(2026, 1, 5, 10, 0)):
        pu, _dlh = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu, opd_dlh])
    assert sweep(wib(2026, 1, 13, 8, 0))["complaints_flagged"] == 1
    with at(wib(2026, 1, 13, 9, 0)):
        disposition_accept(disposition=pu, by=operator_pu)  # DLH is still late: same deadline
    assert fresh(complaint).due_at == end_of(date(2026, 1, 12))
    assert sweep(wib(2026, 1, 13, 10, 0))["complaints_flagged"] == 0
    assert verbs(complaint, "overdue") == 1


def test_a_returned_complaint_is_flagged_again_when_reverification_is_late(complaint, admin_user, opd_pu,
                                                                           liaison_pu):
    """Failed before: the flag of the OPD stage survived the return, so the new lateness went unseen."""
    with at(wib(2026, 1, 5, 10, 0)):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    assert sweep(wib(2026, 1, 13, 8, 0))["complaints_flagged"] == 1
    with at(wib(2026, 1, 13, 9, 0)):
        disposition_return(disposition=disposition, by=liaison_pu, reason="Jalan provinsi, bukan kewenangan kota.")
    complaint = fresh(complaint)
    # 3 working days from Tuesday 13 January: 14, 15 and (Isra Mi'raj on Friday 16) Monday 19.
    assert complaint.status == S.RETURNED and complaint.due_at == end_of(date(2026, 1, 19))
    assert sweep(wib(2026, 1, 19, 8, 0))["complaints_flagged"] == 0
    assert sweep(wib(2026, 1, 20, 8, 0))["complaints_flagged"] == 1
    assert verbs(complaint, "overdue") == 2


def test_sweep_autocloses_an_answered_complaint_and_tells_the_reporter(complaint, admin_user, opd_pu, liaison_pu):
    with at(wib(2026, 1, 5, 10, 0)):
        [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    with at(wib(2026, 1, 6, 10, 0)):
        followup_draft(disposition=disposition, by=liaison_pu, body=FOLLOWUP, publish=True)
    complaint = fresh(complaint)
    assert complaint.status == S.ANSWERED
    # 10 working days after Tuesday 6 January, skipping Isra Mi'raj (Friday 16 January).
    assert complaint.due_at == end_of(date(2026, 1, 21))
    assert sweep(wib(2026, 1, 21, 12, 0))["closed"] == 0
    result = sweep(wib(2026, 1, 22, 8, 0))
    assert result == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 1}
    complaint = fresh(complaint)
    assert complaint.status == S.CLOSED and complaint.closed_at == wib(2026, 1, 22, 8, 0)
    assert verbs(complaint, "autoclosed") == 1
    last = Message.objects.filter(complaint=complaint, direction="out").order_by("-id").first()
    assert last is not None and "Selesai" in last.body
    assert sweep(wib(2026, 1, 23, 8, 0)) == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
    assert verbs(complaint, "autoclosed") == 1


def test_sweep_leaves_closed_and_refused_complaints_alone(db, admin_user, opd_pu, liaison_pu, contact):
    archived = new_complaint(wib(2026, 1, 5, 9, 0))
    forwarded = new_complaint(wib(2026, 1, 5, 9, 0))
    rated = new_complaint(wib(2026, 1, 5, 9, 0), contact=contact)
    with at(wib(2026, 1, 5, 10, 0)):
        complaint_archive(complaint=archived, by=admin_user, reason="spam")
        complaint_mark_not_authority(complaint=forwarded, by=admin_user, forwarded_to="Dinas PUPR Provinsi Kalbar")
        [disposition] = complaint_verify(complaint=rated, by=admin_user, opds=[opd_pu])
        followup_draft(disposition=disposition, by=liaison_pu, body=FOLLOWUP, publish=True)
        complaint_rate(complaint=rated, rating=4)
    # A stale deadline left on a closed row must not wake it up either.
    Disposition.objects.filter(pk=disposition.pk).update(state="accepted")
    Complaint.objects.filter(pk=archived.pk).update(due_at=wib(2026, 1, 6, 0, 0))
    before = {c.pk: (c.status, c.overdue_flagged_at, c.updated_at) for c in Complaint.objects.all()}
    events = Event.objects.count()
    assert sweep(wib(2026, 6, 1, 8, 0)) == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}
    assert Event.objects.count() == events
    after = {c.pk: (c.status, c.overdue_flagged_at, c.updated_at) for c in Complaint.objects.all()}
    assert after == before
    assert fresh(archived).status == S.ARCHIVED and fresh(forwarded).status == S.NOT_AUTHORITY


def test_sweep_uses_the_real_clock_by_default(db):
    complaint = new_complaint(wib(2020, 1, 6, 9, 0))
    assert deadlines_sweep()["complaints_flagged"] == 1
    assert fresh(complaint).overdue_flagged_at is not None
    assert deadlines_sweep()["complaints_flagged"] == 0
    assert timedelta(0) < fresh(complaint).overdue_flagged_at - complaint.due_at
