"""The desk's work queues (*antrean kerja*): saved views of the complaint list, by role, with counts.

Each queue is a filter on the complaints a user may see. Admins and leaders get the Diskominfo
queues; OPD staff get their OPD's queues, judged on *their own* disposition (another OPD's
lateness is not theirs). Every queue lists the most urgent work first: DARURAT on top, then
overdue, then the nearest deadline — never by the date received.

The list is ``/desk/aduan_publik/complaint/?tampilan=<key>`` (:func:`queue_url`); the sidebar's
counts come from :func:`queue_counts`, one capped, indexed query per queue, whatever the number of
complaints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .. import access
from ..models import AWAITING_REROUTE, CLOSED_STATUSES, Complaint, Disposition, FollowUp
from ..paging import EXACT_LIMIT

S = Complaint.Status
D = Disposition.State
QUEUE_PARAM = "tampilan"
# The stages whose clock runs: the same rule as the deadline sweep (services.deadlines).
RUNNING_CLOCK = (S.RECEIVED, S.RETURNED, S.DISPOSED, S.IN_PROGRESS)


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    icon: str
    for_opd: bool  # True: OPD staff's queue; False: the admins' (leaders read them too)


QUEUES: tuple[Queue, ...] = (
    Queue("perlu-verifikasi", _("Perlu verifikasi"), "fact_check", False),
    Queue("dikembalikan-opd", _("Dikembalikan OPD"), "undo", False),
    Queue("terlambat", _("Terlambat"), "alarm", False),
    Queue("menunggu-pelapor", _("Menunggu jawaban pelapor"), "hourglass_top", False),
    Queue("baru-didisposisikan", _("Baru didisposisikan"), "move_to_inbox", True),
    Queue("sedang-dikerjakan", _("Sedang dikerjakan"), "construction", True),
    Queue("draf-menunggu", _("Draf menunggu persetujuan"), "rate_review", True),
    Queue("draf-dikembalikan", _("Draf dikembalikan penghubung"), "assignment_return", True),
    Queue("terlambat", _("Terlambat"), "alarm", True),
)


def queues_for(user: Any) -> list[Queue]:
    """The queues ``user``'s role works from (none for roles without a desk)."""
    actor = access.actor_for(user)
    if actor.is_opd and actor.opd_id:
        return [q for q in QUEUES if q.for_opd]
    if actor.can_read_all:
        return [q for q in QUEUES if not q.for_opd]
    return []


def queue_url(key: str) -> str:
    """The complaint list filtered to one queue (dashboard cards link here)."""
    return reverse("admin:aduan_publik_complaint_changelist") + "?" + urlencode({QUEUE_PARAM: key})


def _own(opd_id: int) -> QuerySet[Disposition]:
    return Disposition.objects.filter(complaint=OuterRef("pk"), opd_id=opd_id)


def _late_disposition(now: datetime) -> Q:
    return (Q(state=D.PENDING, respond_due__lt=now)
            | Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now))


def queue_condition(user: Any, key: str, now: datetime | None = None) -> Q | None:
    """The filter of queue ``key`` for ``user`` (None when the user has no such queue)."""
    if key not in {q.key for q in queues_for(user)}:
        return None
    now = now or timezone.now()
    actor = access.actor_for(user)
    if actor.is_opd and actor.opd_id:
        own = _own(actor.opd_id)
        drafts = FollowUp.objects.filter(disposition=OuterRef("pk"), state=FollowUp.State.DRAFT)
        # The operator's outcome: the disposition's latest follow-up is a draft the liaison returned.
        latest = FollowUp.objects.filter(disposition=OuterRef("pk")).order_by("-created_at", "-pk").values("state")[:1]
        opd = {
            "baru-didisposisikan": Exists(own.filter(state=D.PENDING)),
            "sedang-dikerjakan": Exists(own.filter(state=D.ACCEPTED)),
            "draf-menunggu": Exists(own.filter(state__in=(D.PENDING, D.ACCEPTED, D.ANSWERED))
                                    .filter(Exists(drafts))),
            "draf-dikembalikan": Exists(own.filter(state__in=(D.PENDING, D.ACCEPTED, D.ANSWERED))
                                        .annotate(latest=Subquery(latest)).filter(latest=FollowUp.State.RETURNED)),
            "terlambat": Exists(own.filter(_late_disposition(now))),
        }
        return Q(opd[key]) & ~Q(status__in=CLOSED_STATUSES)
    returned = Disposition.objects.filter(AWAITING_REROUTE, complaint=OuterRef("pk"))
    admin = {
        "perlu-verifikasi": Q(status=S.RECEIVED),
        "dikembalikan-opd": Q(Exists(returned)) & ~Q(status__in=CLOSED_STATUSES),
        "terlambat": Q(status__in=RUNNING_CLOCK, due_at__lt=now),
        "menunggu-pelapor": Q(status=S.POSTPONED),
    }
    return admin[key]


def queue_counts(user: Any) -> dict[str, int]:
    """How many complaints wait in each of ``user``'s queues (the sidebar, on every desk page).

    One small query per queue, each answered by its index and counted only up to
    ``paging.EXACT_LIMIT + 1`` (shown as «10.000+», :func:`queue_badge`): never a pass over every
    complaint of the city, whatever their number.
    """
    now = timezone.now()
    visible = access.complaints_visible_to(user).order_by()
    counts = {}
    for queue in queues_for(user):
        condition = queue_condition(user, queue.key, now)
        counts[queue.key] = visible.filter(condition).values("pk")[: EXACT_LIMIT + 1].count()
    return counts


BADGE_SECONDS = 60  # 0: always count (the test suite's default, see tests/conftest.py)


def queue_counts_cached(user: Any) -> dict[str, int]:
    """:func:`queue_counts` as the sidebar shows them on every desk page: kept in the shared cache
    (Redis) for :data:`BADGE_SECONDS`, per scope (all admins and leaders share one entry, each OPD
    its own), so at most one page a minute per scope pays for the counts. Badges lag a change by up
    to a minute; the lists themselves are always current.
    """
    actor = access.actor_for(user)
    scope = f"opd-{actor.opd_id}" if actor.is_opd and actor.opd_id else "all" if actor.can_read_all else None
    if scope is None or BADGE_SECONDS <= 0:
        return queue_counts(user)
    key = f"desk-queue-counts:{scope}"
    counts = cache.get(key)
    if counts is None:
        counts = queue_counts(user)
        cache.set(key, counts, BADGE_SECONDS)
    return dict(counts)


def queue_badge(count: int) -> str:
    """A queue's count as the sidebar shows it: «10.000+» past the exact limit."""
    if count > EXACT_LIMIT:
        return number_format(EXACT_LIMIT, force_grouping=True) + "+"
    return str(count)


def with_urgency(queryset: QuerySet[Complaint], user: Any) -> QuerySet[Complaint]:
    """Annotate ``desk_due`` (the deadline that matters to ``user``) and ``desk_urgent`` (0: DARURAT).

    For OPD staff the deadline is their own disposition's: the response deadline while it waits
    to be accepted, the completion deadline while they work on it. For admins and leaders it is
    the complaint's current deadline, while its clock runs.
    """
    actor = access.actor_for(user)
    if actor.is_opd and actor.opd_id:
        own = (_own(actor.opd_id).filter(state__in=(D.PENDING, D.ACCEPTED))
               .annotate(next_due=Case(When(state=D.PENDING, respond_due__isnull=False, then=F("respond_due")),
                                       default=F("complete_due"), output_field=DateTimeField()))
               .order_by("next_due").values("next_due")[:1])
        due: Any = Subquery(own, output_field=DateTimeField())
    else:
        due = Case(When(status__in=RUNNING_CLOCK, then=F("due_at")), default=Value(None),
                   output_field=DateTimeField())
    urgent = Case(When(priority=Complaint.Priority.URGENT, then=Value(0)), default=Value(1),
                  output_field=IntegerField())
    return queryset.annotate(desk_due=due, desk_urgent=urgent)


URGENCY_ORDER = (F("desk_urgent").asc(), F("desk_due").asc(nulls_last=True), F("received_at").asc())
