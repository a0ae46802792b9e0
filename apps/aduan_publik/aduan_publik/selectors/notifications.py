"""Reads for staff notifications: who receives them, the unread count, a user's digest figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from .. import access
from ..models import AWAITING_REROUTE, CLOSED_STATUSES, Complaint, Disposition, FollowUp, Role

D = Disposition.State
OPD_ROLES = ("liaison", "operator")
HUB_ROLES = ("admin", "leader")


def staff(*, roles: Iterable[str], opd_id: int | None = None) -> QuerySet[Any]:
    """Active desk users with one of ``roles`` (OPD roles: of ``opd_id`` only, when given)."""
    roles = list(roles)
    hub = [r for r in roles if r in HUB_ROLES]
    opd = [r for r in roles if r in OPD_ROLES]
    wanted = Q(aduan_profile__role__in=hub)
    if opd:  # every OPD's staff when no OPD is named (the digest)
        same_opd = Q(aduan_profile__opd_id=opd_id) if opd_id is not None else Q(aduan_profile__opd__isnull=False)
        wanted |= Q(aduan_profile__role__in=opd) & same_opd
    return get_user_model().objects.filter(wanted, is_active=True).order_by("pk")


def unread_count(user: Any) -> int:
    return access.notifications_visible_to(user).filter(read_at__isnull=True).count()


def _open_dispositions(opd_id: int) -> QuerySet[Disposition]:
    return Disposition.objects.filter(opd_id=opd_id).exclude(complaint__status__in=CLOSED_STATUSES)


def digest_figures(user: Any, now: datetime | None = None) -> dict[str, int]:
    """What waits for ``user`` today, by their role: the lines of the daily digest."""
    now = now or timezone.now()
    actor = access.actor_for(user)
    tomorrow = timezone.localtime(now).replace(hour=23, minute=59, second=59) + timedelta(days=1)
    if actor.is_opd and actor.opd_id:
        work = _open_dispositions(actor.opd_id)
        respond, complete = Q(state=D.PENDING), Q(state__in=(D.PENDING, D.ACCEPTED))
        figures = {
            "new": work.filter(state=D.PENDING).count(),
            "in_progress": work.filter(state=D.ACCEPTED).count(),
            "due_soon": work.filter(respond & Q(respond_due__gte=now, respond_due__lte=tomorrow)
                                    | complete & Q(complete_due__gte=now, complete_due__lte=tomorrow)).count(),
            "overdue": work.filter(respond & Q(respond_due__lt=now) | complete & Q(complete_due__lt=now)).count(),
        }
        if actor.role == Role.LIAISON:
            figures["drafts"] = FollowUp.objects.filter(disposition__opd_id=actor.opd_id,
                                                        state=FollowUp.State.DRAFT).count()
        return figures
    if actor.can_read_all:
        open_ = Complaint.objects.filter(status__in=("received", "returned", "disposed", "in_progress"))
        return {
            "to_verify": Complaint.objects.filter(status="received").count(),
            "returned": Disposition.objects.filter(AWAITING_REROUTE)
            .exclude(complaint__status__in=CLOSED_STATUSES).count(),
            "overdue": open_.filter(due_at__lt=now).count(),
        }
    return {}
