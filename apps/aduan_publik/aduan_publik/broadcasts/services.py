"""Every write to a broadcast: draft, submit, approve (maker-checker), pause, resume, cancel.

Each transition is checked against :data:`TRANSITIONS`, allowed by :mod:`aduan_publik.access`
and written as an audit ``Event`` (complaint-less, ``data.broadcast`` = the id).
"""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, queueing
from ..channels.base import ChannelError
from ..channels.registry import get_channel
from ..services.attachments import AttachmentRejected, validate_file
from ..services.audit import event_record
from ..workflow import WorkflowError
from . import audience
from .models import Broadcast, Recipient, Template

S = Broadcast.State
TICK_JOB = "aduan_publik.broadcasts.jobs.broadcast_tick"  # stored in Redis by path: keep it stable
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.DRAFT, S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SCHEDULED, S.DRAFT, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.SENDING, S.DRAFT, S.CANCELLED}),
    S.SENDING: frozenset({S.PAUSED, S.COMPLETED, S.CANCELLED}),
    S.PAUSED: frozenset({S.SENDING, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED})
OPEN_ROWS = (Recipient.State.QUEUED, Recipient.State.SENDING)
MEDIA_RULES = {  # what WhatsApp accepts in a template header, and how large
    "IMAGE": ({"image/jpeg", "image/png"}, 5 * 1024 * 1024),
    "DOCUMENT": ({"application/pdf"}, 100 * 1024 * 1024),
}
FIELDS = ("title", "topic", "template", "variables", "area", "language", "send_at")


def _move(broadcast: Broadcast, to: str, *, by: Any, summary: str, **data: Any) -> None:
    if to not in TRANSITIONS[broadcast.state]:
        raise WorkflowError(_("Siaran berstatus %(state)s tidak dapat diubah menjadi %(to)s.") % {
            "state": broadcast.get_state_display(), "to": S(to).label})
    data_out = {"broadcast": broadcast.pk, "from": broadcast.state, "to": to, **data}
    broadcast.state = to
    transaction.on_commit(partial(_mirror, broadcast.pk, to))
    broadcast.save(update_fields=["state", "approved_by", "approved_at", "audience_count", "waiting_until",
                                  "started_at", "finished_at", "media_id"])
    event_record(complaint=None, by=by, verb=f"broadcast_{to}", summary=summary, data=data_out)


def _mirror(pk: int, state: str) -> None:
    """Tell the running workers (see :mod:`.pacing`); the database stays the truth they re-read per batch."""
    from redis.exceptions import RedisError

    from .pacing import redis, state_mirror

    with suppress(RedisError):  # without Redis the workers still read the database at their next batch
        state_mirror(redis(), pk, state)


def _locked(pk: int) -> Broadcast:
    return Broadcast.objects.select_for_update(of=("self",)).select_related("template").get(pk=pk)


@transaction.atomic
def broadcast_save(*, by: Any, values: dict[str, Any], broadcast: Broadcast | None = None,
                   media: UploadedFile | None = None) -> Broadcast:
    """Create or edit a draft. Editing an approved or scheduled broadcast sends it back to draft."""
    access.require_broadcast(by, "draft")
    if broadcast is None:
        broadcast = Broadcast(created_by=by)
    elif broadcast.state not in EDITABLE:
        raise WorkflowError(_("Siaran yang sedang atau sudah dikirim tidak dapat diubah."))
    for name in FIELDS:
        if name in values:
            setattr(broadcast, name, values[name])
    broadcast.variables = [str(v) for v in (broadcast.variables or [])]
    if media is not None:
        _attach_media(broadcast, media)
    was = broadcast.state
    created = broadcast.pk is None
    broadcast.save()
    if created:
        event_record(complaint=None, by=by, verb="broadcast_created", summary=_("Siaran dibuat sebagai draf."),
                     data={"broadcast": broadcast.pk})
    elif was != S.DRAFT:
        _back_to_draft(broadcast, by=by)
    else:
        event_record(complaint=None, by=by, verb="broadcast_edited", summary=_("Draf siaran diubah."),
                     data={"broadcast": broadcast.pk})
    return broadcast


def _back_to_draft(broadcast: Broadcast, *, by: Any) -> None:
    Recipient.objects.filter(broadcast=broadcast).delete()  # only queued rows exist before sending
    broadcast.approved_by, broadcast.approved_at, broadcast.audience_count = None, None, None
    _move(broadcast, S.DRAFT, by=by, summary=_("Siaran diubah setelah diajukan/disetujui; kembali menjadi draf."))


def _attach_media(broadcast: Broadcast, upload: UploadedFile) -> None:
    content = upload.read()
    try:
        mime = validate_file(content, upload.name or "berkas")
    except AttachmentRejected as exc:
        raise WorkflowError(exc.messages) from exc
    from django.core.files.base import ContentFile

    broadcast.media = ContentFile(content, name=upload.name or "berkas")
    broadcast.media_name = (upload.name or "berkas")[:255]
    broadcast.media_type = mime
    broadcast.media_id = ""


def problems(broadcast: Broadcast) -> list[str]:
    """Everything that stops a broadcast from being sent, as sentences for the desk."""
    found: list[str] = []
    template = broadcast.template
    if template is None:
        return [_("Pilih templat pesan.")]
    if not template.is_approved:
        found.append(_("Templat %(name)s belum disetujui WhatsApp (status %(status)s).") % {
            "name": template, "status": template.status})
    if template.category not in (Template.Category.MARKETING, Template.Category.UTILITY):
        found.append(_("Templat kategori %(cat)s tidak dapat dipakai untuk siaran.") % {"cat": template.category})
    missing = [str(i) for i in range(1, template.variables + 1)
               if i > len(broadcast.variables) or not str(broadcast.variables[i - 1]).strip()]
    if missing:
        names = ", ".join(f"{{{{{m}}}}}" for m in missing)
        found.append(_("Variabel templat belum diisi: %(list)s.") % {"list": names})
    found.extend(_media_problems(broadcast, template))
    return found


def _media_problems(broadcast: Broadcast, template: Template) -> list[str]:
    rule = MEDIA_RULES.get(template.header_format)
    if rule is None:
        return [_("Templat ini tidak memakai berkas kepala; hapus berkasnya.")] if broadcast.media else []
    if not broadcast.media:
        return [_("Templat ini memerlukan berkas kepala (%(kind)s).") % {"kind": template.header_format.lower()}]
    types, limit = rule
    if broadcast.media_type not in types:
        return [_("WhatsApp tidak menerima berkas %(type)s sebagai kepala %(kind)s.") % {
            "type": broadcast.media_type, "kind": template.header_format.lower()}]
    if broadcast.media.size > limit:
        return [_("Berkas kepala terlalu besar untuk WhatsApp (maksimal %(mb)d MB).") % {"mb": limit // 1024 // 1024}]
    return []


def _check(broadcast: Broadcast) -> None:
    found = problems(broadcast)
    if found:
        raise WorkflowError(found)


@transaction.atomic
def broadcast_submit(*, broadcast: Broadcast, by: Any) -> Broadcast:
    access.require_broadcast(by, "draft")
    broadcast = _locked(broadcast.pk)
    _check(broadcast)
    if audience.audience_count(broadcast) == 0:
        raise WorkflowError(_("Tidak ada penerima: belum ada warga yang berlangganan topik ini dan "
                              "sudah mengonfirmasi (YA) di wilayah dan bahasa yang dipilih."))
    _move(broadcast, S.SUBMITTED, by=by, summary=_("Siaran diajukan untuk disetujui."))
    return broadcast


@transaction.atomic
def broadcast_return(*, broadcast: Broadcast, by: Any, note: str = "") -> Broadcast:
    """The checker sends a submitted broadcast back to its author."""
    broadcast = _locked(broadcast.pk)
    access.require_broadcast(by, "approve", broadcast)
    _move(broadcast, S.DRAFT, by=by, summary=_("Siaran dikembalikan ke pembuat: %(note)s") % {"note": note or "-"},
          note=note)
    return broadcast


def broadcast_approve(*, broadcast: Broadcast, by: Any) -> Broadcast:
    """Maker-checker approval: freeze the audience (materialise the recipients) and schedule it.

    The header file is uploaded to the provider first, so a file WhatsApp refuses stops the
    approval with its reason and nothing is sent.
    """
    access.require_broadcast(by, "approve", broadcast)
    media_id = _upload_media(broadcast)
    with transaction.atomic():
        broadcast = _locked(broadcast.pk)
        access.require_broadcast(by, "approve", broadcast)
        if broadcast.state != S.SUBMITTED:
            raise WorkflowError(_("Hanya siaran yang diajukan yang dapat disetujui."))
        _check(broadcast)
        count = audience.recipients_materialise(broadcast)
        if count == 0:
            raise WorkflowError(_("Tidak ada penerima: belum ada warga yang berlangganan topik ini dan "
                                  "sudah mengonfirmasi (YA) di wilayah dan bahasa yang dipilih."))
        broadcast.approved_by, broadcast.approved_at = by, timezone.now()
        broadcast.audience_count, broadcast.media_id = count, media_id
        _move(broadcast, S.APPROVED, by=by, summary=_("Siaran disetujui; %(n)d penerima ditetapkan.") % {"n": count},
              audience=count)
        _move(broadcast, S.SCHEDULED, by=by, summary=_("Siaran dijadwalkan."),
              send_at=broadcast.send_at.isoformat() if broadcast.send_at else "")
    queueing.enqueue_on_commit(TICK_JOB)
    return broadcast


def _upload_media(broadcast: Broadcast) -> str:
    if not broadcast.media or broadcast.media_id:
        return broadcast.media_id
    with broadcast.media.open("rb") as fh:
        content = fh.read()
    try:
        return get_channel(broadcast.channel).broadcast_upload(content, broadcast.media_name, broadcast.media_type)
    except ChannelError as exc:
        raise WorkflowError(_("WhatsApp menolak berkas kepala: %(reason)s") % {"reason": exc}) from exc


@transaction.atomic
def broadcast_start(*, broadcast_id: int) -> bool:
    """Scheduled → sending once "send at" has come (the tick calls it)."""
    broadcast = _locked(broadcast_id)
    if broadcast.state != S.SCHEDULED or (broadcast.send_at and broadcast.send_at > timezone.now()):
        return False
    broadcast.started_at = timezone.now()
    _move(broadcast, S.SENDING, by=None, summary=_("Pengiriman siaran dimulai."))
    return True


@transaction.atomic
def broadcast_pause(*, broadcast: Broadcast, by: Any) -> Broadcast:
    access.require_broadcast(by, "draft")
    broadcast = _locked(broadcast.pk)
    _move(broadcast, S.PAUSED, by=by, summary=_("Pengiriman siaran dijeda."))
    return broadcast


@transaction.atomic
def broadcast_resume(*, broadcast: Broadcast, by: Any) -> Broadcast:
    access.require_broadcast(by, "draft")
    broadcast = _locked(broadcast.pk)
    _move(broadcast, S.SENDING, by=by, summary=_("Pengiriman siaran dilanjutkan."))
    queueing.enqueue_on_commit(TICK_JOB)
    return broadcast


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, by: Any) -> Broadcast:
    """Stop for good: recipients not yet sent are marked cancelled (a send in flight finishes)."""
    access.require_broadcast(by, "draft")
    broadcast = _locked(broadcast.pk)
    broadcast.finished_at = timezone.now()
    left = Recipient.objects.filter(broadcast=broadcast, state=Recipient.State.QUEUED).update(
        state=Recipient.State.CANCELLED)
    _move(broadcast, S.CANCELLED, by=by, summary=_("Siaran dibatalkan; %(n)d pesan tidak dikirim.") % {"n": left},
          unsent=left)
    return broadcast


@transaction.atomic
def broadcast_complete(*, broadcast_id: int) -> bool:
    """Sending → completed when no recipient is queued or in flight any more."""
    broadcast = _locked(broadcast_id)
    if broadcast.state != S.SENDING or Recipient.objects.filter(broadcast=broadcast, state__in=OPEN_ROWS).exists():
        return False
    broadcast.finished_at = timezone.now()
    _move(broadcast, S.COMPLETED, by=None, summary=_("Siaran selesai dikirim."))
    return True


def broadcast_wait_quota(*, broadcast_id: int, until: Any) -> None:
    """Record that the tier quota is spent until ``until`` (shown in the desk; the tick resumes)."""
    Broadcast.objects.filter(pk=broadcast_id).update(waiting_until=until)
