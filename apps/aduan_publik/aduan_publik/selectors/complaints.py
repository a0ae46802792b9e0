"""Complaint reads for the desk: the list queryset, an OPD user's own disposition, the timeline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from .. import access
from ..models import (
    ACTIVE_DISPOSITION_STATES,
    AWAITING_REROUTE,
    CLOSED_STATUSES,
    Attachment,
    Complaint,
    Disposition,
    FollowUp,
    Message,
)
from ..sealed import unseal


def complaint_list_queryset(*, user: Any) -> QuerySet[Complaint]:
    """The complaints ``user`` may see, with everything a list row shows loaded in fixed queries.

    Rows read ``complaint.desk_dispositions`` (non-cancelled dispositions with their OPD),
    so the OPD column costs one query for the whole page, never one per row.
    """
    return (access.complaints_visible_to(user)
            .select_related("category", "category__parent", "contact")
            .prefetch_related(desk_dispositions()))


def desk_dispositions() -> Prefetch:
    """``complaint.desk_dispositions``: the non-cancelled dispositions with their OPD, oldest first."""
    shown = (Disposition.objects.exclude(state=Disposition.State.CANCELLED)
             .select_related("opd").order_by("created_at", "pk"))
    return Prefetch("dispositions", queryset=shown, to_attr="desk_dispositions")


PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{6,}$")


def phone_variants(term: str) -> set[str]:
    """The forms one Indonesian number is stored in: «0812…» (typed in) and «62812…» (WhatsApp ids).

    Empty when ``term`` does not look like a phone number.
    """
    term = term.strip()
    if not PHONE_LIKE.match(term):
        return set()
    digits = re.sub(r"\D", "", term)
    variants = {digits}
    if digits.startswith("0"):
        variants.add("62" + digits[1:])
    elif digits.startswith("62"):
        variants.add("0" + digits[2:])
    return variants


def own_disposition(*, user: Any, complaint: Complaint) -> Disposition | None:
    """The active disposition of an OPD user's own OPD on ``complaint`` (None for other roles)."""
    actor = access.actor_for(user)
    if not actor.is_opd:
        return None
    loaded = getattr(complaint, "desk_dispositions", None)
    if loaded is not None:  # the work page's: one's own is the one of one's OPD, as access.can checks
        return next((d for d in loaded if d.opd_id == actor.opd_id and d.state in ACTIVE_DISPOSITION_STATES), None)
    return (access.dispositions_visible_to(user)
            .filter(complaint=complaint, state__in=ACTIVE_DISPOSITION_STATES)
            .select_related("opd", "complaint").first())


def draft_followups(*, user: Any, disposition: Disposition) -> QuerySet[FollowUp]:
    return (access.followups_visible_to(user)
            .filter(disposition=disposition, state=FollowUp.State.DRAFT).order_by("created_at"))


def has_draft(*, user: Any, disposition: Disposition) -> bool:
    """Whether :func:`draft_followups` has a row; from the work page's ``desk_has_draft`` when it set one."""
    known = getattr(disposition, "desk_has_draft", None)
    return draft_followups(user=user, disposition=disposition).exists() if known is None else bool(known)


def returned_draft(*, user: Any, disposition: Disposition) -> FollowUp | None:
    """The latest draft the liaison returned to its author, when no newer draft or answer followed."""
    latest = (access.followups_visible_to(user).filter(disposition=disposition)
              .order_by("-created_at", "-pk").first())
    return latest if latest is not None and latest.state == FollowUp.State.RETURNED else None


def returned_parts(*, complaint: Complaint) -> QuerySet[Disposition]:
    """Parts of an (already access-checked) open complaint returned by an OPD and not yet re-routed."""
    if not complaint.is_open:
        return Disposition.objects.none()
    return complaint.dispositions.filter(AWAITING_REROUTE).select_related("opd")


def has_returned_part(*, complaint: Complaint) -> bool:
    """Whether :func:`returned_parts` has a row; read from the work page's ``desk_has_returned`` when loaded."""
    known = getattr(complaint, "desk_has_returned", None)
    if known is None:
        return returned_parts(complaint=complaint).exists()
    return complaint.is_open and bool(known)


def awaiting_reroute() -> QuerySet[Complaint]:
    """Open complaints with a returned part waiting for the admins (the admin queue)."""
    waiting = Disposition.objects.filter(AWAITING_REROUTE, complaint=OuterRef("pk"))
    return Complaint.objects.exclude(status__in=CLOSED_STATUSES).filter(Exists(waiting))


FAILED_OUT = Q(direction=Message.Direction.OUT, state=Message.State.FAILED)


def failed_outbound(*, complaint: Complaint) -> QuerySet[Message]:
    """Outbound messages of an (already access-checked) complaint that failed to send."""
    return complaint.messages.filter(FAILED_OUT)


def has_failed_outbound(*, complaint: Complaint) -> bool:
    """Whether :func:`failed_outbound` has a row; read from the work page's ``desk_has_failed`` when loaded."""
    known = getattr(complaint, "desk_has_failed", None)
    return failed_outbound(complaint=complaint).exists() if known is None else bool(known)


# ---- the work page ----------------------------------------------------------------------

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def complaint_files(*, complaint: Complaint) -> list[Attachment]:
    """The reporter's files of an (already access-checked) complaint: not the OPDs' evidence."""
    return list(complaint.attachments.filter(followup__isnull=True)
                .exclude(message__direction=Message.Direction.OUT).order_by("created_at", "pk"))


def complaint_threads(*, complaint: Complaint) -> list[dict[str, Any]]:
    """The conversation with the reporter, one thread per channel (internal notes left out), oldest first."""
    messages = list(complaint.messages.filter(is_internal=False).select_related("author", "merged_from")
                    .prefetch_related("attachments"))
    return threads_of(messages, complaint)


def threads_of(messages: list[Message], complaint: Complaint,
               files: dict[int, list[Attachment]] | None = None) -> list[dict[str, Any]]:
    """:func:`complaint_threads` of messages already read (``files``: their attachments by message, if read)."""
    threads: dict[str, list[TimelineEntry]] = {}
    for message in messages:
        if not message.is_internal:
            entry = message_entry(message, complaint, files=None if files is None else files.get(message.pk, []))
            threads.setdefault(message.channel, []).append(entry)
    return [{"channel": channel, "messages": entries} for channel, entries in threads.items()]


# ---- timeline ------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One line of a complaint's timeline, whatever it came from."""

    at: datetime
    kind: str  # message_in, message_out, note, event, followup, file
    title: str
    body: str = ""
    actor: str = ""
    state: str = ""
    state_code: str = ""
    error: str = ""
    note: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    ticks: str = ""  # delivery ticks, only on channels that report receipts (capabilities.delivery_status)


CODE_LIKE = re.compile(r"\b[A-Z2-9]{10}\b")


def mask_access_code(text: str, complaint: Complaint, *others: Complaint) -> str:
    """Hide the reporter's secret access code (sent in the acknowledgement) from staff screens.

    Only a token whose hash matches the code of ``complaint`` (or of ``others``: the duplicate a
    merged message came from) is masked: nothing else is touched.
    """
    hashes = {c.access_code_hash for c in (complaint, *others)}

    def hide(match: re.Match[str]) -> str:
        token = match.group(0)
        return "•" * len(token) if access.hash_access_code(token) in hashes else token

    return CODE_LIKE.sub(hide, text)


# Delivery ticks, as messaging apps show them; only for channels that report receipts.
TICKS: dict[str, str] = {Message.State.SENT: "✓", Message.State.DELIVERED: "✓✓", Message.State.READ: "✓✓"}


def message_entry(message: Message, complaint: Complaint, *, receipts: bool = False,
                  files: list[Attachment] | None = None) -> TimelineEntry:
    """One message as the page shows it (``files``: its attachments when already read, else a query)."""
    if message.is_internal:
        kind, title = "note", _("Catatan internal")
    elif message.merged_from is not None:
        kind, title = "message_in", (_("Pesan dari pelapor aduan %(n)s yang digabung (%(c)s)")
                                     % {"n": message.merged_from.tracking_number, "c": message.channel})
    elif message.direction == Message.Direction.IN:
        kind, title = "message_in", _("Pesan dari pelapor (%(c)s)") % {"c": message.channel}
    else:
        kind, title = "message_out", _("Pesan ke pelapor (%(c)s)") % {"c": message.channel}
    # The channel's note on a successful send lives in ``meta["note"]``; rows written before
    # that kept it in ``error``, which is an error only when the message failed.
    failed = message.state == Message.State.FAILED
    errors = [message.error if failed else "", *message.meta.get("media_errors", []),
              message.meta.get("provider_errors", "")]
    return TimelineEntry(
        at=message.created_at, kind=kind, title=title,
        body=mask_access_code(unseal(message.body), complaint, *filter(None, [message.merged_from])),
        actor=str(message.author) if message.author else "",
        state="" if message.is_internal else message.get_state_display(), state_code=message.state,
        error="; ".join(e for e in errors if e), note=_message_note(message, failed),
        attachments=list(message.attachments.all()) if files is None else files,
        ticks=TICKS.get(message.state, "") if receipts and kind == "message_out" else "",
    )


def _message_note(message: Message, failed: bool) -> str:
    """Delivery remark, and what the resident did to the message later (edited, deleted, reacted)."""
    meta = message.meta or {}
    notes = [str(meta.get("note") or ("" if failed or message.direction == Message.Direction.IN else message.error))]
    if meta.get("edits"):
        notes.append(_("disunting pelapor; teks sebelumnya: %(old)s") % {"old": meta["edits"][0].get("body", "")})
    if meta.get("revoked"):
        notes.append(_("dihapus oleh pelapor (isi tetap disimpan untuk audit)"))
    if meta.get("reaction"):
        notes.append(_("reaksi pelapor: %(emoji)s") % {"emoji": meta["reaction"]})
    return "; ".join(n for n in notes if n)


def followup_entry(followup: FollowUp, *, files: list[Attachment]) -> TimelineEntry:
    return TimelineEntry(
        at=followup.published_at or followup.created_at, kind="followup",
        title=_("Tindak lanjut %(opd)s") % {"opd": followup.disposition.opd.name},
        body=followup.body, actor=str(followup.author) if followup.author else "",
        state=followup.get_state_display(), state_code=followup.state,
        attachments=files,
    )
