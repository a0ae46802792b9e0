"""The desk's work page of one complaint: the case and everything on it, read in a fixed number of queries.

Whatever the size of the city and the length of the case, the page reads the complaint once (with its
category, reporter, areas, dispositions and the two facts its buttons ask about), then one query each
for the messages, the audit events, the follow-ups and the files — never one per message, follow-up
or file. A very long case shows its latest :data:`RECENT` messages and events, with a «lihat semua»
link to the whole case (``?semua=1``), still on the one page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..channels.registry import channel_capabilities
from ..models import AWAITING_REROUTE, Attachment, Complaint, Disposition, FollowUp, Message
from .complaints import (
    FAILED_OUT,
    TimelineEntry,
    desk_dispositions,
    followup_entry,
    message_entry,
    threads_of,
)

#: Messages and audit events shown at first on a long case (each the latest ones); ``?semua=1`` shows all.
RECENT = 100
EVERYTHING_PARAM = "semua"


def complaint_for_page(*, user: Any, pk: Any) -> Complaint:
    """The access-checked complaint (404 when ``user`` may not see it) with what the page shows of it.

    Two queries: the row with its category (and parent), reporter, kecamatan, kelurahan, the number of
    the original of a duplicate (``desk_duplicate_number``), ``desk_has_returned`` / ``desk_has_failed``
    (what the reroute and resend buttons ask);
    then ``desk_dispositions`` (non-cancelled, with their OPD).
    """
    returned = Disposition.objects.filter(AWAITING_REROUTE, complaint=OuterRef("pk"))
    failed = Message.objects.filter(FAILED_OUT, complaint=OuterRef("pk"))
    # The original's number by a subquery, not a join: one more join of the complaint table costs
    # PostgreSQL several milliseconds of planning on every page view.
    # Only an original the viewer may see: another OPD's complaint is not named (None).
    original = (access.complaints_visible_to(user).filter(pk=OuterRef("duplicate_of_id"))
                .values("tracking_number")[:1])
    within = (Complaint.objects
              .select_related("category__parent", "contact", "kecamatan", "kelurahan")
              .annotate(desk_has_returned=Exists(returned), desk_has_failed=Exists(failed),
                        desk_duplicate_number=Subquery(original))
              .prefetch_related(desk_dispositions()))
    return access.get_complaint(user, pk, within=within)


@dataclass
class WorkPage:
    """What the page shows below the complaint itself."""

    photos: list[Attachment]  # the reporter's files (not the OPDs' evidence, not the desk's outbound files)
    threads: list[dict[str, Any]]  # the conversation with the reporter, per channel (no internal notes)
    followups: list[FollowUp]  # each with ``desk_files``
    timeline: list[TimelineEntry]
    cut: bool  # older messages or events are left out: the page links to the whole case


def work_page(*, user: Any, complaint: Complaint, everything: bool = False) -> WorkPage:
    """Everything below the complaint on its work page, as ``user`` may see it (``complaint`` access-checked)."""
    limit = None if everything else RECENT
    messages, more_messages = _latest(complaint.messages.select_related("author", "merged_from"), limit)
    events, more_events = _latest(complaint.events.all(), limit)
    followups = list(access.followups_visible_to(user).filter(complaint=complaint)
                     .select_related("disposition__opd", "author", "published_by", "reviewed_by")
                     .order_by("created_at", "pk"))
    for disposition in getattr(complaint, "desk_dispositions", []):  # for the «Tinjau draf» button
        disposition.desk_has_draft = any(  # type: ignore[attr-defined]
            f.disposition_id == disposition.pk and f.state == FollowUp.State.DRAFT for f in followups)
    files = _files(complaint)
    for followup in followups:
        followup.desk_files = files.by_followup.get(followup.pk, [])  # type: ignore[attr-defined]
    receipts = {name: channel_capabilities(name).delivery_status for name in {m.channel for m in messages}}
    entries = [message_entry(m, complaint, receipts=receipts[m.channel], files=files.by_message.get(m.pk, []))
               for m in messages]
    entries += _event_entries(user, complaint, events)
    entries += [followup_entry(f, files=f.desk_files) for f in followups]  # type: ignore[attr-defined]
    entries += [TimelineEntry(at=a.created_at, kind="file", title=_("Lampiran aduan"), attachments=[a])
                for a in files.loose]
    entries.sort(key=lambda entry: entry.at)
    return WorkPage(photos=files.photos, threads=threads_of(messages, complaint, files.by_message),
                    followups=followups, timeline=entries, cut=more_messages or more_events)


#: What the desk says in place of the number of a complaint the viewer may not see (another OPD's).
OUTSIDE_SCOPE = gettext_lazy("aduan lain di luar cakupan Anda")
#: Events whose summary names another complaint (``data["original"]`` / ``data["duplicate"]``).
NAMES_ANOTHER = frozenset({"merged", "merged_in"})


def _event_entries(user: Any, complaint: Complaint, events: list[Any]) -> list[TimelineEntry]:
    """The audit events as timeline entries; a merge's other complaint is named only if ``user`` may see it.

    The summary was written once for everyone («Menerima duplikat ADU-…»): the number of a complaint
    outside the viewer's scope (another OPD's) is replaced, as on the duplicate's own «duplikat dari»
    line. One query, and only on a case with a merge.
    """
    named = {str(e.data[key]) for e in events if e.verb in NAMES_ANOTHER and isinstance(e.data, dict)
             for key in ("original", "duplicate") if e.data.get(key)} - {complaint.tracking_number}
    hidden: set[str] = set()
    if named and not access.actor_for(user).can_read_all:
        seen = access.complaints_visible_to(user).filter(tracking_number__in=named)
        hidden = named - set(seen.values_list("tracking_number", flat=True))
    outside = str(OUTSIDE_SCOPE)
    entries = []
    for e in events:
        title = e.summary
        for number in hidden if e.verb in NAMES_ANOTHER else ():
            title = title.replace(number, outside)
        entries.append(TimelineEntry(at=e.created_at, kind="event", title=title, actor=e.actor_label))
    return entries


def _latest(queryset: QuerySet[Any], limit: int | None) -> tuple[list[Any], bool]:
    """The rows of ``queryset`` (ordered oldest first), or only its latest ``limit``; and whether some were left."""
    if limit is None:
        return list(queryset), False
    rows = list(queryset.reverse()[:limit + 1])
    return rows[:limit][::-1], len(rows) > limit


@dataclass
class CaseFiles:
    photos: list[Attachment]
    loose: list[Attachment]
    by_message: dict[int, list[Attachment]]
    by_followup: dict[int, list[Attachment]]


def _files(complaint: Complaint) -> CaseFiles:
    """Every file of the case in one query, sorted to where the page shows it.

    Files of follow-ups ``user`` may not see are read but never shown: only the visible follow-ups
    take theirs from ``by_followup``.
    """
    files = CaseFiles(photos=[], loose=[], by_message=defaultdict(list), by_followup=defaultdict(list))
    rows = (complaint.attachments.annotate(desk_direction=F("message__direction"))
            .order_by("created_at", "pk"))
    for attachment in rows:
        if attachment.message_id is not None:
            files.by_message[attachment.message_id].append(attachment)
        if attachment.followup_id is not None:
            files.by_followup[attachment.followup_id].append(attachment)
        elif attachment.desk_direction != Message.Direction.OUT:  # type: ignore[attr-defined]
            files.photos.append(attachment)
        if attachment.message_id is None and attachment.followup_id is None:
            files.loose.append(attachment)
    return files

