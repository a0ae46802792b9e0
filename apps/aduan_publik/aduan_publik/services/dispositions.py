"""OPD-side writes: accept or return a disposition, draft and publish follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, notifications
from ..calendar import WorkingCalendar, stage_days
from ..models import Complaint, Disposition, FollowUp
from ..workflow import WorkflowError, ensure_disposition_allowed
from . import notify
from .attachments import attachment_create, uploads_validate
from .audit import event_record
from .deadlines import refresh_due
from .outbound import outbound_queue

S = Complaint.Status
D = Disposition.State
MIN_FOLLOWUP_CHARS = 30


def _locked(disposition: Disposition) -> Disposition:
    Complaint.objects.select_for_update().filter(pk=disposition.complaint_id).first()
    return Disposition.objects.select_for_update().select_related("complaint", "opd").get(pk=disposition.pk)


@transaction.atomic
def disposition_accept(*, disposition: Disposition, by: Any) -> Disposition:
    disposition = _locked(disposition)
    complaint = disposition.complaint
    access.require(by, "accept", complaint, disposition)
    ensure_disposition_allowed("accept", disposition)
    now = timezone.now()
    disposition.state = D.ACCEPTED
    disposition.accepted_at = now
    disposition.save()
    complaint.first_response_at = complaint.first_response_at or now
    if complaint.status == S.DISPOSED:
        complaint.status = S.IN_PROGRESS
    complaint.save()
    refresh_due(complaint)
    event_record(complaint=complaint, by=by, verb="accepted",
                 summary=_("%(opd)s menerima disposisi dan mulai menangani.") % {"opd": disposition.opd.name},
                 data={"opd": disposition.opd.code})
    return disposition


@transaction.atomic
def disposition_return(*, disposition: Disposition, by: Any, reason: str) -> Disposition:
    """Return as not this OPD's authority. The complaint goes back to the admins, never dropped."""
    disposition = _locked(disposition)
    complaint = disposition.complaint
    access.require(by, "return", complaint, disposition)
    ensure_disposition_allowed("return", disposition)
    if len(reason.strip()) < 10:
        raise WorkflowError(_("Jelaskan alasan pengembalian (minimal 10 karakter)."))
    now = timezone.now()
    disposition.state = D.RETURNED
    disposition.returned_at = now
    disposition.return_reason = reason.strip()
    disposition.save()
    still_active = complaint.dispositions.filter(state__in=(D.PENDING, D.ACCEPTED, D.ANSWERED))
    if not still_active.exists():
        complaint.status = S.RETURNED
        complaint.due_at = WorkingCalendar().add_working_days(
            now, stage_days("verify_working_days", complaint.category)
        )
        complaint.save()
    else:
        _settle_answered(complaint, now)
    event_record(complaint=complaint, by=by, verb="returned",
                 summary=_("%(opd)s mengembalikan disposisi: bukan kewenangannya.") % {"opd": disposition.opd.name},
                 data={"opd": disposition.opd.code, "reason": disposition.return_reason})
    return disposition


@transaction.atomic
def followup_draft(
    *, disposition: Disposition, by: Any, body: str, files: Sequence[UploadedFile] = (), publish: bool = False
) -> FollowUp:
    """Write an OPD follow-up; the liaison may publish it at once (``publish=True``)."""
    disposition = _locked(disposition)
    access.require(by, "draft_followup", disposition.complaint, disposition)
    ensure_disposition_allowed("draft_followup", disposition)
    body = body.strip()
    if len(body) < MIN_FOLLOWUP_CHARS:
        raise WorkflowError(
            _("Tindak lanjut terlalu singkat: jelaskan apa yang sudah dilakukan (minimal %(n)d karakter).")
            % {"n": MIN_FOLLOWUP_CHARS}
        )
    uploads_validate(files)
    followup = FollowUp.objects.create(disposition=disposition, complaint=disposition.complaint,
                                       body=body, author=by)
    for upload in files:
        attachment_create(complaint=disposition.complaint, upload=upload, by=by, followup=followup)
    event_record(complaint=disposition.complaint, by=by, verb="followup_drafted",
                 summary=_("%(opd)s menyusun draf tindak lanjut.") % {"opd": disposition.opd.name},
                 data={"followup": followup.pk, "files": len(files)})
    if publish:
        followup_publish(followup=followup, by=by)
    else:
        notify.on_draft_waiting(followup)  # the liaison must approve it
    return followup


@transaction.atomic
def followup_publish(*, followup: FollowUp, by: Any) -> FollowUp:
    """The liaison approves a follow-up: it is sent to the reporter on the complaint's channel."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    disposition = _locked(followup.disposition)
    complaint = disposition.complaint
    access.require(by, "publish_followup", complaint, disposition)
    ensure_disposition_allowed("publish_followup", disposition)
    if followup.state != FollowUp.State.DRAFT:
        raise WorkflowError(_("Tindak lanjut ini sudah dikirim."))
    now = timezone.now()
    followup.state = FollowUp.State.PUBLISHED
    followup.published_by = by
    followup.published_at = now
    followup.save()
    disposition.state = D.ANSWERED
    disposition.accepted_at = disposition.accepted_at or now
    disposition.answered_at = now
    disposition.save()
    complaint.first_response_at = complaint.first_response_at or now
    if complaint.status == S.DISPOSED:
        complaint.status = S.IN_PROGRESS
    complaint.save()
    event_record(complaint=complaint, by=by, verb="followup_published",
                 summary=_("%(opd)s mengirim tindak lanjut.") % {"opd": disposition.opd.name},
                 data={"followup": followup.pk, "opd": disposition.opd.code})
    outbound_queue(complaint=complaint, body=notifications.followup(complaint, followup), by=by,
                   followup=followup, attachments=list(followup.attachments.all()))
    _settle_answered(complaint, now)
    return followup


def _settle_answered(complaint: Complaint, now) -> None:  # type: ignore[no-untyped-def]
    """With several OPDs, the complaint is answered only when every active disposition is."""
    states = set(complaint.dispositions.filter(state__in=(D.PENDING, D.ACCEPTED, D.ANSWERED))
                 .values_list("state", flat=True))
    if states == {D.ANSWERED} and complaint.status in (S.DISPOSED, S.IN_PROGRESS):
        complaint.status = S.ANSWERED
        complaint.answered_at = now
        complaint.save()
        event_record(complaint=complaint, by=None, verb="answered",
                     summary=_("Semua OPD telah menindaklanjuti; menunggu tanggapan pelapor."), data={})
    refresh_due(complaint)
