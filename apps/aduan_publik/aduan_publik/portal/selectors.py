"""The portal's reads: what the public may see, and what a reporter sees of their own complaint.

Public rules (the whole portal goes through :func:`public_complaints`):

* *rahasia* complaints never appear; nor do complaints not yet verified (the admin decides the
  *anonim*/*rahasia* flags at verification, and a forgotten flag leaked reports in real cities),
  archived ones (spam, duplicates) or merged duplicates;
* no reporter identity is ever shown, anonim or not: the public pages never read the contact;
* attachments appear only after an admin reviewed them (``public_reviewed``), and a follow-up's
  only once the follow-up is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Area, Attachment, Complaint, Disposition, FollowUp, Message
from ..sealed import unseal
from ..selectors.complaints import mask_access_code
from ..selectors.search import Identity, complaint_search

S = Complaint.Status
PUBLISHED = FollowUp.State.PUBLISHED
HIDDEN_STATUSES = (S.ARCHIVED,)


def public_complaints() -> QuerySet[Complaint]:
    """Complaints the public may see (without the contact: callers must not select it)."""
    return (
        Complaint.objects.filter(is_secret=False, verified_at__isnull=False, duplicate_of__isnull=True)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("category", "kecamatan", "kelurahan")
        .defer("contact")
    )


def public_search(*, q: str = "", status: str = "", category: Any = None, kecamatan: Any = None,
                  kind: str = "") -> QuerySet[Complaint]:
    """The public list: newest first, searched by words and tracking number, never by reporter."""
    qs = complaint_search(public_complaints(), q, identity=Identity.NONE)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category))
    if kecamatan is not None:
        qs = qs.filter(kecamatan=kecamatan)
    return qs.order_by("-received_at", "-pk")  # the public list's index (received_at, id)


def public_complaint(tracking_number: str) -> Complaint:
    try:
        return public_complaints().get(tracking_number=tracking_number.upper())
    except Complaint.DoesNotExist:
        raise Http404(_("Aduan tidak ditemukan atau tidak untuk publik.")) from None


def public_attachment_filter() -> Q:
    """Reviewed attachments that are the reporter's own or on a published follow-up."""
    return Q(public_reviewed=True) & (Q(followup__isnull=True) | Q(followup__state=PUBLISHED))


def public_followups(complaint: Complaint) -> list[FollowUp]:
    reviewed = Attachment.objects.filter(public_attachment_filter())
    return list(
        complaint.followups.filter(state=PUBLISHED).select_related("disposition__opd")
        .prefetch_related(Prefetch("attachments", queryset=reviewed, to_attr="shown_attachments"))
        .order_by("published_at")
    )


def public_complaint_attachments(complaint: Complaint) -> QuerySet[Attachment]:
    return complaint.attachments.filter(public_attachment_filter(), followup__isnull=True)


def get_public_attachment(pk: Any) -> Attachment:
    try:
        return Attachment.objects.filter(public_attachment_filter(), complaint__in=public_complaints()).get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Lampiran tidak ditemukan.")) from None


def handling_opds(complaint: Complaint) -> list[str]:
    active = complaint.dispositions.filter(state__in=("pending", "accepted", "answered"))
    return list(active.values_list("opd__name", flat=True))


# ---- the reporter's own complaint -------------------------------------------------------------


def reporter_attachment_filter() -> Q:
    """What a reporter may open: their own uploads (no staff uploader) and published follow-ups' files."""
    return Q(followup__state=PUBLISHED) | Q(followup__isnull=True, uploaded_by__isnull=True)


def reporter_part(complaint_ids: list[int]) -> Q:
    """Messages or files that belong to the reporters of ``complaint_ids`` (the codes they proved).

    A merge moves a duplicate's rows to the original but marks them ``merged_from``: they stay
    the duplicate's reporter's, and are never the original reporter's (another person's
    messages, phone number or files).
    """
    return Q(complaint_id__in=complaint_ids, merged_from__isnull=True) | Q(merged_from_id__in=complaint_ids)


def get_reporter_attachment(complaint_ids: list[int], pk: Any) -> Attachment:
    try:
        return Attachment.objects.filter(reporter_attachment_filter(), reporter_part(complaint_ids)).get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Lampiran tidak ditemukan.")) from None


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # "in" (the reporter), "out" (the hub), "followup", "status"
    label: str
    body: str
    attachments: tuple[Attachment, ...] = ()


STATUS_EVENTS = {
    "created": gettext_lazy("Aduan diterima"),
    "verified": gettext_lazy("Aduan diverifikasi dan diteruskan ke OPD"),
    "accepted": gettext_lazy("OPD mulai menangani aduan"),
    "postponed": gettext_lazy("Aduan ditunda: mohon lengkapi keterangan"),
    "answered": gettext_lazy("Semua OPD telah menindaklanjuti"),
    "autoclosed": gettext_lazy("Aduan ditutup otomatis"),
    "rated": gettext_lazy("Anda memberi penilaian"),
    "reopened": gettext_lazy("Aduan dibuka kembali"),
    "archived": gettext_lazy("Aduan diarsipkan"),
    "not_authority": gettext_lazy("Aduan diteruskan ke instansi yang berwenang"),
    "merged": gettext_lazy("Aduan digabung dengan aduan lain tentang hal yang sama"),
}


def reporter_timeline(complaint: Complaint) -> list[TimelineItem]:
    """The reporter's view of the thread: status steps, messages both ways, published follow-ups.

    Internal notes, drafts and staff-only files are never part of it.
    """
    own_files = Attachment.objects.filter(reporter_attachment_filter())
    items = [
        TimelineItem(at=e.created_at, kind="status", label=str(STATUS_EVENTS[e.verb]), body="")
        for e in complaint.events.filter(verb__in=STATUS_EVENTS).only("created_at", "verb")
    ]
    own_files = own_files.filter(reporter_part([complaint.pk]))
    messages = (Message.objects.filter(reporter_part([complaint.pk]), is_internal=False, followup__isnull=True)
                .prefetch_related(Prefetch("attachments", queryset=own_files, to_attr="shown")))
    for m in messages:
        incoming = m.direction == Message.Direction.IN
        items.append(TimelineItem(
            at=m.created_at, kind="in" if incoming else "out",
            label=_("Anda") if incoming else _("Tim pengaduan"), attachments=tuple(m.shown),
            # The acknowledgement carries the access code: a page shown on a shared or
            # photographed screen must never print it.
            body=mask_access_code(unseal(m.body), complaint, *filter(None, [m.merged_from])),
        ))
    for f in complaint.followups.filter(state=PUBLISHED).select_related("disposition__opd").prefetch_related(
        Prefetch("attachments", queryset=own_files, to_attr="shown")
    ):
        items.append(TimelineItem(at=f.published_at or f.created_at, kind="followup",
                                  label=_("Tindak lanjut %(opd)s") % {"opd": f.disposition.opd.name},
                                  body=f.body, attachments=tuple(f.shown)))
    return sorted(items, key=lambda item: item.at)


def reporter_deadline(complaint: Complaint) -> tuple[str, datetime] | None:
    """What the reporter may expect and by when, for the stage the complaint is in (or None).

    With the OPDs: the latest completion deadline of the OPDs still working (the answer comes
    by then); before: the verification deadline; answered: when it closes without a reply.
    """
    if complaint.status in (S.RECEIVED, S.RETURNED) and complaint.due_at:
        return _("Diverifikasi dan diteruskan paling lambat"), complaint.due_at
    if complaint.status in (S.DISPOSED, S.IN_PROGRESS):
        latest = complaint.dispositions.filter(state__in=("pending", "accepted")).aggregate(
            latest=Max("complete_due"))["latest"]
        return (_("Dijawab paling lambat"), latest) if latest else None
    if complaint.status == S.ANSWERED and complaint.due_at:
        return _("Ditutup otomatis bila tidak ada tanggapan setelah"), complaint.due_at
    return None


def reporter_initial_attachments(complaint: Complaint) -> QuerySet[Attachment]:
    return Attachment.objects.filter(reporter_part([complaint.pk]), message__isnull=True, followup__isnull=True,
                                     uploaded_by__isnull=True)


def merged_into(complaint: Complaint) -> Complaint | None:
    """The complaint a duplicate was merged into: its reporter may follow its status (number and
    status only: nothing of the other reporter)."""
    if complaint.duplicate_of_id is None:
        return None
    return Complaint.objects.only("tracking_number", "status").get(pk=complaint.duplicate_of_id)


# ---- pickers ---------------------------------------------------------------------------------


def kecamatan_choices() -> QuerySet[Area]:
    return Area.objects.filter(level=Area.Level.KECAMATAN).order_by("name")


def kelurahan_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Kelurahan grouped by kecamatan, for an <optgroup> picker that works without JavaScript."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rows = Area.objects.filter(level=Area.Level.KELURAHAN).select_related("parent").order_by("parent__name", "name")
    for area in rows:
        groups.setdefault(area.parent.name if area.parent else "", []).append((area.pk, area.name))
    return list(groups.items())


def active_dispositions(complaint: Complaint) -> QuerySet[Disposition]:
    return complaint.dispositions.filter(state__in=("pending", "accepted", "answered")).select_related("opd")
