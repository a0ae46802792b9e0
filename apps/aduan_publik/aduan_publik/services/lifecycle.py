"""The end of a complaint's life: rating, auto-close (and the deadline sweep), reopening, the reporter coming back."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, notifications
from ..calendar import WorkingCalendar, stage_days
from ..models import Complaint, Disposition
from ..workflow import COMPLAINT_TRANSITIONS, WorkflowError, ensure_allowed
from .audit import event_record
from .deadlines import dispositions_reactivate, overdue_flag, refresh_due
from .outbound import outbound_queue

logger = logging.getLogger(__name__)
S = Complaint.Status
D = Disposition.State
REPORTER = "pelapor"


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update(of=("self",)).select_related("category", "contact").get(pk=complaint.pk)


def already_rated(complaint: Complaint) -> bool:
    """Whether the current answer is rated. One rating per answer: a complaint reopened and
    answered again (a later ``answered_at``) may be rated again."""
    if complaint.rated_at is None:
        return False
    return complaint.answered_at is None or complaint.rated_at >= complaint.answered_at


def can_rate(complaint: Complaint) -> bool:
    return complaint.status in COMPLAINT_TRANSITIONS["rate"] and not already_rated(complaint)


@transaction.atomic
def complaint_rate(*, complaint: Complaint, rating: int, comment: str = "") -> Complaint:
    """The reporter rates the answer (1-5), once per answer; the complaint is then *selesai*."""
    complaint = _locked(complaint)
    ensure_allowed("rate", complaint)
    if already_rated(complaint):
        raise WorkflowError(_("Anda sudah memberi penilaian untuk tindak lanjut ini (%(r)d/5). "
                              "Penilaian dapat diberikan lagi setelah ada tindak lanjut baru.")
                            % {"r": complaint.rating or 0})
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise WorkflowError(_("Penilaian harus berupa angka 1 sampai 5."))
    complaint.rating = rating
    complaint.rating_comment = comment.strip()
    complaint.rated_at = timezone.now()
    if complaint.status == S.ANSWERED:
        complaint.status = S.CLOSED
        complaint.closed_at = complaint.rated_at
        complaint.due_at = None
    complaint.save()
    event_record(complaint=complaint, by=REPORTER, verb="rated",
                 summary=_("Pelapor memberi penilaian %(r)d/5.") % {"r": rating},
                 data={"rating": rating, "comment": complaint.rating_comment})
    return complaint


@transaction.atomic
def complaint_autoclose(*, complaint: Complaint, now: datetime | None = None) -> bool:
    """Close an answered complaint whose reply window passed. Returns False when nothing to do."""
    now = now or timezone.now()
    complaint = _locked(complaint)
    if complaint.status != S.ANSWERED or not complaint.due_at or complaint.due_at >= now:
        return False
    complaint.status = S.CLOSED
    complaint.closed_at = now
    complaint.due_at = None
    complaint.save()
    days = stage_days("autoclose_working_days", complaint.category)
    event_record(complaint=complaint, by=None, verb="autoclosed",
                 summary=_("Ditutup otomatis: tidak ada tanggapan pelapor dalam %(d)d hari kerja.") % {"d": days},
                 data={"working_days": days})
    outbound_queue(complaint=complaint, body=notifications.status_changed(complaint), by=None)
    return True


def deadlines_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled sweep: flag newly overdue complaints and dispositions, auto-close answered ones.

    Idempotent (see :func:`.deadlines.overdue_flag`). Returns counts for the log.
    """
    now = now or timezone.now()
    flagged, flagged_dispositions = overdue_flag(now=now)
    closed = 0
    for complaint in Complaint.objects.filter(status=S.ANSWERED, due_at__lt=now):
        try:
            closed += int(complaint_autoclose(complaint=complaint, now=now))
        except Exception:  # one bad row must not stop the sweep
            logger.exception("auto-close of %s failed", complaint.tracking_number)
    return {"complaints_flagged": flagged, "dispositions_flagged": flagged_dispositions, "closed": closed}


def _reopen(complaint: Complaint, by: Any, reason: str) -> None:
    """Back to the OPDs that answered (with fresh deadlines), or to verification from the start."""
    had_dispositions = complaint.dispositions.filter(state__in=(D.ANSWERED, D.CANCELLED)).exists()
    if complaint.status in (S.CLOSED, S.ANSWERED) and had_dispositions:
        dispositions_reactivate(complaint, (D.ANSWERED, D.CANCELLED))
        complaint.status = S.IN_PROGRESS
    else:
        complaint.status = S.RECEIVED
        complaint.due_at = WorkingCalendar().add_working_days(
            timezone.now(), stage_days("verify_working_days", complaint.category)
        )
        complaint.archive_reason = ""
        complaint.forwarded_to = ""
    complaint.closed_at = None
    complaint.status_note = reason
    complaint.save()
    refresh_due(complaint)


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, by: Any, reason: str) -> Complaint:
    """An admin reopens a closed, archived or forwarded complaint (or an answered one)."""
    complaint = _locked(complaint)
    access.require(by, "reopen", complaint)
    ensure_allowed("reopen", complaint)
    if not reason.strip():
        raise WorkflowError(_("Tuliskan alasan membuka kembali aduan."))
    if complaint.duplicate_of_id:
        raise WorkflowError(_("Aduan duplikat tidak dapat dibuka kembali; buka aduan aslinya."))
    old = complaint.status
    _reopen(complaint, by, reason.strip())
    event_record(complaint=complaint, by=by, verb="reopened",
                 summary=_("Dibuka kembali: %(r)s") % {"r": reason.strip()},
                 data={"from": old, "to": complaint.status})
    return complaint


def reporter_reopen_refusal(complaint: Complaint, now: datetime | None = None) -> str:
    """Why the reporter may not reopen ``complaint`` now ("" when they may), in their words.

    Only a *selesai* complaint within the site's window reopens; an archived, forwarded or
    merged one is the admins' decision, and the reporter is told so (not "too late").
    """
    if complaint.duplicate_of_id:
        return _("Aduan ini telah digabung dengan aduan lain yang sama; penanganannya dilanjutkan di sana.")
    if complaint.status != S.CLOSED or complaint.closed_at is None:
        return (_("Aduan berstatus «%(s)s» tidak dapat dibuka kembali oleh pelapor; "
                  "sampaikan keberatan Anda sebagai aduan baru atau hubungi petugas.")
                % {"s": complaint.get_status_display()})
    window = int(settings.ADUAN["reopen_working_days"])
    deadline = WorkingCalendar().add_working_days(complaint.closed_at, window)
    if (now or timezone.now()) > deadline:
        return _("Aduan ini tidak dapat dibuka kembali (batas waktu sudah lewat).")
    return ""


def reporter_can_reopen(complaint: Complaint, now: datetime | None = None) -> bool:
    return not reporter_reopen_refusal(complaint, now)


@transaction.atomic
def complaint_reporter_reopen(*, complaint: Complaint, reason: str) -> Complaint:
    """The reporter reopens a *selesai* complaint within the site's window (not yet resolved)."""
    complaint = _locked(complaint)
    refusal = reporter_reopen_refusal(complaint)
    if refusal:
        raise WorkflowError(refusal)
    if len(reason.strip()) < 10:
        raise WorkflowError(_("Jelaskan mengapa aduan belum selesai (minimal 10 karakter)."))
    _reopen(complaint, REPORTER, reason.strip())
    event_record(complaint=complaint, by=REPORTER, verb="reopened",
                 summary=_("Pelapor membuka kembali: %(r)s") % {"r": reason.strip()},
                 data={"to": complaint.status})
    return complaint


def reporter_returned(complaint: Complaint, by: Any) -> None:
    """The reporter wrote again: a postponed complaint resumes, an answered one goes back to the OPDs.

    Called by :func:`~aduan_publik.services.receiving.message_receive` inside its transaction.
    """
    if complaint.status == S.POSTPONED:
        from .complaints import complaint_resume

        complaint_resume(complaint=complaint, by=by)
    elif complaint.status == S.ANSWERED:
        dispositions_reactivate(complaint, (D.ANSWERED,))
        complaint.status = S.IN_PROGRESS
        complaint.save()
        refresh_due(complaint)
        event_record(complaint=complaint, by=by, verb="reporter_unsatisfied",
                     summary=_("Pelapor menanggapi tindak lanjut; dikembalikan ke OPD."), data={})
