"""Admin-side complaint writes: create, verify and dispose, postpone, archive, merge, forward."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, notifications
from ..calendar import WorkingCalendar, stage_days
from ..channels.registry import get_channel
from ..models import AWAITING_REROUTE, OPD, Area, Category, Complaint, Contact, Disposition, Message, OpdScope
from ..triage import NOT_A_COMPLAINT, NOT_AUTHORITY
from ..triage import outcomes as triage_outcomes
from ..triage.intake import triage_on_commit
from ..workflow import WorkflowError, ensure_allowed
from . import notify
from .audit import event_record, new_access_code, next_tracking_number
from .deadlines import disposition_deadlines, refresh_due
from .outbound import outbound_queue

S = Complaint.Status


@transaction.atomic
def complaint_create(
    *,
    channel: str,
    title: str,
    description: str,
    contact: Contact | None = None,
    kind: str = Complaint.Kind.PENGADUAN,
    category: Category | None = None,
    location_text: str = "",
    kecamatan: Area | None = None,
    kelurahan: Area | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    is_anonymous: bool = False,
    is_secret: bool = False,
    external_id: str = "",
    received_at: datetime | None = None,
    priority: str = Complaint.Priority.NORMAL,
    by: Any = None,
    acknowledge: bool = True,
    channel_instance: str = "",
) -> tuple[Complaint, str]:
    """Open a complaint in *received* state. Returns it with its secret access code (shown once).

    ``channel_instance`` is the key of the channel instance it came through ("" = the default).
    """
    get_channel(channel)  # unknown channel: UnknownChannel, nothing written
    title, description = title.strip(), description.strip()
    if not title or not description:
        raise WorkflowError(_("Judul dan uraian aduan wajib diisi."))
    if kind not in Complaint.Kind.values:
        raise WorkflowError(_("Jenis aduan tidak dikenal: %(kind)s") % {"kind": kind})
    now = received_at or timezone.now()
    code = new_access_code()
    complaint = Complaint.objects.create(
        tracking_number=next_tracking_number(),
        access_code_hash=access.hash_access_code(code),
        kind=kind, title=title[:200], description=description, category=category,
        location_text=location_text, kecamatan=kecamatan, kelurahan=kelurahan,
        latitude=latitude, longitude=longitude, channel=channel, channel_instance=channel_instance,
        external_id=external_id, contact=contact, is_anonymous=is_anonymous, is_secret=is_secret, priority=priority,
        received_at=now,
        due_at=WorkingCalendar().add_working_days(now, stage_days("verify_working_days", category)),
    )
    event_record(
        complaint=complaint, by=by or channel, verb="created",
        summary=_("Aduan diterima melalui kanal %(channel)s.") % {"channel": channel},
        data={"channel": channel, "external_id": external_id},
    )
    if acknowledge and contact is not None:
        outbound_queue(complaint=complaint, body=notifications.acknowledgement(complaint, code), by=None,
                       purpose="ack", template_text=notifications.acknowledgement_template_text(complaint, code))
    triage_on_commit(complaint.pk)  # OPD/area suggestion, duplicates, spam (issue 15)
    return complaint, code


@transaction.atomic
def complaint_verify(
    *,
    complaint: Complaint,
    by: Any,
    opds: Iterable[OPD],
    instruction: str = "",
    category: Category | None = None,
    priority: str | None = None,
    is_anonymous: bool | None = None,
    is_secret: bool | None = None,
    field_check: bool | None = None,
) -> list[Disposition]:
    """Verify the complaint and dispose it to one or more OPDs (re-routing a returned one too)."""
    complaint = _locked(complaint)
    access.require(by, "verify", complaint)
    ensure_allowed("verify", complaint)
    targets = _validate_opds(opds)
    changes = _apply_fields(
        complaint, category=category, priority=priority, is_anonymous=is_anonymous,
        is_secret=is_secret, field_check=field_check,
    )
    now = timezone.now()
    active = set(complaint.dispositions.filter(state__in=("pending", "accepted", "answered"))
                 .values_list("opd_id", flat=True))
    created = [_dispose(complaint, opd, by, instruction, now) for opd in targets if opd.pk not in active]
    if not created:
        raise WorkflowError(_("Aduan sudah didisposisikan ke OPD tersebut."))
    complaint.dispositions.filter(AWAITING_REROUTE).update(return_handled_at=now)
    complaint.status = S.DISPOSED
    complaint.verified_at = complaint.verified_at or now
    complaint.verified_by = complaint.verified_by or by
    complaint.paused_working_days = None
    complaint.save()
    refresh_due(complaint)
    event_record(
        complaint=complaint, by=by, verb="verified",
        summary=_("Diverifikasi dan didisposisikan ke %(opds)s.")
        % {"opds": ", ".join(d.opd.name for d in created)},
        data={"opds": [d.opd.code for d in created], "instruction": instruction, "changes": changes},
    )
    triage_outcomes.outcome_record(complaint=complaint, by=by, chosen=[d.opd.code for d in created])
    return created


def _validate_opds(opds: Iterable[OPD]) -> list[OPD]:
    targets = list({opd.pk: opd for opd in opds}.values())
    if not targets:
        raise WorkflowError(_("Pilih minimal satu OPD tujuan disposisi."))
    inactive = [opd.name for opd in targets if not opd.active]
    if inactive:
        raise WorkflowError(_("OPD tidak aktif: %(names)s") % {"names": ", ".join(inactive)})
    return targets


@transaction.atomic
def complaint_reroute(
    *, complaint: Complaint, by: Any, opds: Iterable[OPD], instruction: str = ""
) -> list[Disposition]:
    """Re-route the part an OPD returned while the other OPDs keep working (No Wrong Door).

    Allowed while the complaint is with the OPDs and one of them returned its part; the new
    dispositions start their own deadlines and the returned part leaves the admin queue.
    """
    complaint = _locked(complaint)
    access.require(by, "reroute", complaint)
    ensure_allowed("reroute", complaint)
    returned = list(complaint.dispositions.filter(AWAITING_REROUTE).select_related("opd"))
    if not returned:
        raise WorkflowError(_("Tidak ada bagian aduan yang dikembalikan OPD dan menunggu disposisi ulang."))
    targets = _validate_opds(opds)
    active = set(complaint.dispositions.filter(state__in=("pending", "accepted", "answered"))
                 .values_list("opd_id", flat=True))
    if any(opd.pk in active for opd in targets):
        raise WorkflowError(_("Aduan sudah didisposisikan ke OPD tersebut."))
    now = timezone.now()
    created = [_dispose(complaint, opd, by, instruction, now) for opd in targets]
    complaint.dispositions.filter(pk__in=[d.pk for d in returned]).update(return_handled_at=now)
    if complaint.status == S.ANSWERED:  # a new OPD has work to do: not answered any more
        complaint.status = S.IN_PROGRESS
        complaint.save()
    refresh_due(complaint)
    event_record(
        complaint=complaint, by=by, verb="rerouted",
        summary=_("Bagian yang dikembalikan %(from)s didisposisikan ulang ke %(to)s.")
        % {"from": ", ".join(d.opd.name for d in returned), "to": ", ".join(d.opd.name for d in created)},
        data={"returned": [d.opd.code for d in returned], "opds": [d.opd.code for d in created],
              "instruction": instruction},
    )
    return created


@transaction.atomic
def complaint_return_settle(*, complaint: Complaint, by: Any, note: str) -> int:
    """The admins decide a returned part needs no other OPD (the remaining OPDs cover it).

    Takes it off the admin queue, with the reason in the audit trail. Returns how many parts.
    """
    complaint = _locked(complaint)
    access.require(by, "reroute", complaint)
    ensure_allowed("reroute", complaint)
    if not note.strip():
        raise WorkflowError(_("Tuliskan mengapa bagian yang dikembalikan tidak perlu didisposisikan ulang."))
    returned = list(complaint.dispositions.filter(AWAITING_REROUTE).select_related("opd"))
    if not returned:
        raise WorkflowError(_("Tidak ada bagian aduan yang dikembalikan OPD dan menunggu disposisi ulang."))
    complaint.dispositions.filter(pk__in=[d.pk for d in returned]).update(return_handled_at=timezone.now())
    event_record(complaint=complaint, by=by, verb="return_settled",
                 summary=_("Bagian yang dikembalikan %(opd)s tidak didisposisikan ulang: %(note)s")
                 % {"opd": ", ".join(d.opd.name for d in returned), "note": note.strip()},
                 data={"returned": [d.opd.code for d in returned], "note": note.strip()})
    return len(returned)


def _dispose(complaint: Complaint, opd: OPD, by: Any, instruction: str, now: datetime) -> Disposition:
    disposition = Disposition.objects.create(
        complaint=complaint, opd=opd, instruction=instruction, disposed_by=by, created_at=now,
        **disposition_deadlines(complaint, now),
    )
    # The OPD may see this complaint from now on (access.complaints_visible_to reads these rows); a
    # second disposition to the same OPD finds the row there already.
    OpdScope.objects.bulk_create([OpdScope(opd=opd, complaint=complaint, received_at=complaint.received_at)],
                                 ignore_conflicts=True)
    notify.on_disposed(disposition)  # the OPD's liaison and operators hear of it
    return disposition


def _apply_fields(complaint: Complaint, **fields: Any) -> dict[str, list[Any]]:
    """Set the given non-None fields; return {field: [old, new]} for the audit trail."""
    changes: dict[str, list[Any]] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "priority" and value not in Complaint.Priority.values:
            raise WorkflowError(_("Prioritas tidak dikenal: %(p)s") % {"p": value})
        old = getattr(complaint, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value)]
            setattr(complaint, name, value)
    return changes


def _locked(complaint: Complaint) -> Complaint:
    """Re-read the complaint under a row lock so concurrent actions serialise."""
    return Complaint.objects.select_for_update(of=("self",)).select_related("category", "contact").get(pk=complaint.pk)


@transaction.atomic
def complaint_update(*, complaint: Complaint, by: Any, **fields: Any) -> dict[str, list[Any]]:
    """Edit descriptive fields (category, priority, flags, location, title). Status never changes here."""
    allowed = {"category", "priority", "is_anonymous", "is_secret", "field_check", "title",
               "description", "location_text", "kecamatan", "kelurahan", "latitude", "longitude", "kind"}
    unknown = set(fields) - allowed
    if unknown:
        raise WorkflowError(_("Kolom tidak dapat diubah: %(f)s") % {"f": ", ".join(sorted(unknown))})
    complaint = _locked(complaint)
    if not isinstance(by, str):  # a channel label (e.g. "lapor" mirroring its source) is the system
        access.require(by, "edit", complaint)
    changes = _apply_fields(complaint, **fields)
    if changes:
        complaint.save()
        event_record(
            complaint=complaint, by=by, verb="updated",
            summary=_("Data aduan diubah: %(f)s.") % {"f": ", ".join(sorted(changes))},
            data={"changes": changes},
        )
    return changes


@transaction.atomic
def complaint_postpone(*, complaint: Complaint, by: Any, request_text: str) -> Complaint:
    """Ask the reporter for missing details; the verification clock pauses until they answer."""
    complaint = _locked(complaint)
    access.require(by, "postpone", complaint)
    ensure_allowed("postpone", complaint)
    if not request_text.strip():
        raise WorkflowError(_("Tuliskan keterangan apa yang perlu dilengkapi pelapor."))
    now = timezone.now()
    remaining = 1
    if complaint.due_at and complaint.due_at > now:
        remaining = max(1, WorkingCalendar().working_days_between(now, complaint.due_at))
    complaint.status = S.POSTPONED
    complaint.paused_working_days = remaining
    complaint.due_at = None
    complaint.save()
    event_record(complaint=complaint, by=by, verb="postponed",
                 summary=_("Ditunda: pelapor diminta melengkapi keterangan."),
                 data={"request": request_text, "remaining_working_days": remaining})
    outbound_queue(complaint=complaint, body=notifications.postponed(complaint, request_text), by=by)
    return complaint


@transaction.atomic
def complaint_resume(*, complaint: Complaint, by: Any) -> Complaint:
    """End a postponement: the clock restarts with the working days that were left."""
    complaint = _locked(complaint)
    if not isinstance(by, str):
        access.require(by, "resume", complaint)
    ensure_allowed("resume", complaint)
    days = complaint.paused_working_days or 1
    # A returned complaint postponed for details goes back to *returned*: it still needs re-routing.
    complaint.status = S.RETURNED if complaint.dispositions.filter(AWAITING_REROUTE).exists() else S.RECEIVED
    complaint.due_at = WorkingCalendar().add_working_days(timezone.now(), days)
    complaint.paused_working_days = None
    complaint.save()
    event_record(complaint=complaint, by=by, verb="resumed",
                 summary=_("Penundaan berakhir; verifikasi dilanjutkan."), data={"working_days": days})
    return complaint


@transaction.atomic
def complaint_archive(*, complaint: Complaint, by: Any, reason: str, note: str = "") -> Complaint:
    """Archive (spam, unclear, general suggestion...). Duplicates go through :func:`complaint_merge`."""
    complaint = _locked(complaint)
    access.require(by, "archive", complaint)
    ensure_allowed("archive", complaint)
    if reason not in Complaint.ArchiveReason.values:
        raise WorkflowError(_("Alasan arsip tidak dikenal: %(r)s") % {"r": reason})
    if reason == Complaint.ArchiveReason.DUPLICATE:
        raise WorkflowError(_("Untuk duplikat, gunakan «gabungkan» dan pilih aduan aslinya."))
    _close(complaint, S.ARCHIVED, note)
    complaint.archive_reason = reason
    complaint.save()
    event_record(complaint=complaint, by=by, verb="archived",
                 summary=_("Diarsipkan: %(r)s.") % {"r": complaint.get_archive_reason_display()},
                 data={"reason": reason, "note": note})
    if reason == Complaint.ArchiveReason.SPAM:
        triage_outcomes.outcome_record(complaint=complaint, by=by, chosen=[NOT_A_COMPLAINT])
    return complaint


def _close(complaint: Complaint, status: str, note: str) -> None:
    complaint.status = status
    complaint.status_note = note
    complaint.closed_at = timezone.now()
    complaint.due_at = None
    complaint.paused_working_days = None
    complaint.dispositions.filter(state__in=("pending", "accepted")).update(state=Disposition.State.CANCELLED)
    complaint.dispositions.filter(AWAITING_REROUTE).update(return_handled_at=complaint.closed_at)


def _chain_root(into: Complaint, complaint: Complaint) -> Complaint:
    """The root of ``into``'s duplicate chain, read from the database (the caller's copy may be stale)."""
    original = Complaint.objects.get(pk=into.pk)
    seen = {original.pk}
    while original.duplicate_of_id and original.pk != complaint.pk:
        original = Complaint.objects.get(pk=original.duplicate_of_id)
        if original.pk in seen:  # a loop in bad data: refuse rather than spin
            raise WorkflowError(_("Rantai duplikat aduan %(n)s berputar.") % {"n": into.tracking_number})
        seen.add(original.pk)
    if original.pk == complaint.pk:
        raise WorkflowError(_("Aduan tidak dapat digabungkan dengan dirinya sendiri."))
    return original


def _move_reporter_part(complaint: Complaint, original: Complaint) -> tuple[int, int]:
    """Move the duplicate's reporter messages, staff notes and files to ``original``, marked as theirs.

    The replies sent to the duplicate's reporter (its acknowledgement carries their access code)
    stay on the duplicate: they belong to that reporter's tracking page, nobody else's.
    """
    moving = complaint.messages.exclude(direction=Message.Direction.OUT, is_internal=False)
    ids = list(moving.values_list("pk", flat=True))
    files = complaint.attachments.filter(Q(message__isnull=True, followup__isnull=True) | Q(message_id__in=ids))
    # A row moved by an earlier merge keeps the complaint it was first filed on.
    for rows in (Message.objects.filter(pk__in=ids), files):
        rows.filter(merged_from__isnull=True).update(merged_from=complaint)
    moved_files = files.update(complaint=original)
    return Message.objects.filter(pk__in=ids).update(complaint=original), moved_files


@transaction.atomic
def complaint_merge(*, complaint: Complaint, into: Complaint, by: Any, note: str = "") -> Complaint:
    """Archive ``complaint`` as a duplicate of ``into``, moving its reporter's messages and files over.

    Each reporter keeps only their own part: the surviving complaint's reporter never sees the
    merged one's messages, files or code (see ``Message.merged_from``). An archived original
    (spam, unclear...) is refused: it is no complaint to follow.
    """
    complaint = _locked(complaint)
    access.require(by, "merge", complaint)
    ensure_allowed("merge", complaint)
    original = _chain_root(into, complaint)
    if original.status == S.ARCHIVED:
        raise WorkflowError(_("Aduan %(n)s sudah diarsipkan (%(r)s): pilih aduan asli yang masih berlaku.")
                            % {"n": original.tracking_number, "r": original.get_archive_reason_display()})
    moved_messages, moved_files = _move_reporter_part(complaint, original)
    _close(complaint, S.ARCHIVED, note)
    complaint.archive_reason = Complaint.ArchiveReason.DUPLICATE
    complaint.duplicate_of = original
    complaint.save()
    data = {"original": original.tracking_number, "duplicate": complaint.tracking_number,
            "messages": moved_messages, "attachments": moved_files}
    event_record(complaint=complaint, by=by, verb="merged",
                 summary=_("Digabung sebagai duplikat dari %(n)s.") % {"n": original.tracking_number},
                 data=data)
    event_record(complaint=original, by=by, verb="merged_in",
                 summary=_("Menerima duplikat %(n)s (%(m)d pesan).")
                 % {"n": complaint.tracking_number, "m": moved_messages}, data=data)
    outbound_queue(complaint=complaint, body=notifications.merged(complaint, original), by=by)
    return complaint


@transaction.atomic
def complaint_mark_not_authority(
    *, complaint: Complaint, by: Any, forwarded_to: str, note: str = ""
) -> Complaint:
    """Outside the city's authority: record where it was forwarded (No Wrong Door) and tell the reporter."""
    complaint = _locked(complaint)
    access.require(by, "not_authority", complaint)
    ensure_allowed("not_authority", complaint)
    if not forwarded_to.strip():
        raise WorkflowError(_("Sebutkan instansi yang berwenang (tujuan penerusan)."))
    _close(complaint, S.NOT_AUTHORITY, note)
    complaint.forwarded_to = forwarded_to.strip()[:200]
    complaint.save()
    event_record(complaint=complaint, by=by, verb="not_authority",
                 summary=_("Bukan wewenang; diteruskan ke %(t)s.") % {"t": complaint.forwarded_to},
                 data={"forwarded_to": complaint.forwarded_to, "note": note})
    triage_outcomes.outcome_record(complaint=complaint, by=by, chosen=[NOT_AUTHORITY])
    outbound_queue(
        complaint=complaint,
        body=notifications.status_changed(
            complaint, _("Aduan diteruskan ke %(t)s yang berwenang.") % {"t": complaint.forwarded_to}
        ),
        by=by,
    )
    return complaint
