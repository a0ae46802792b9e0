"""API reads: the filtered complaint list and a complaint's detail parts, all through access.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from .. import access
from ..models import CLOSED_STATUSES, Complaint, Disposition, FollowUp
from ..portal.selectors import STATUS_EVENTS
from ..selectors.search import Identity, complaint_search
from ..services.deadlines import OVERDUE_STATUSES
from .models import ApiToken

D = Disposition.State


def opd_of(token: ApiToken) -> int | None:
    return token.opd_id


def visible(token: ApiToken) -> QuerySet[Complaint]:
    return access.api_complaints_visible_to(token.user, opd_id=opd_of(token))


def overdue_q(now: datetime) -> Q:
    """Past the current stage's deadline, or an OPD past its response or completion deadline."""
    late = Disposition.objects.filter(
        Q(state=D.PENDING, respond_due__lt=now) | Q(state__in=(D.PENDING, D.ACCEPTED), complete_due__lt=now),
        complaint=OuterRef("pk"),
    )
    return (Q(status__in=OVERDUE_STATUSES, due_at__lt=now) | Exists(late)) & ~Q(status__in=CLOSED_STATUSES)


def complaint_list(token: ApiToken, filters: dict[str, Any]) -> QuerySet[Complaint]:
    """The complaints the token sees, filtered; rows load their OPDs in one extra query."""
    qs = visible(token)
    simple = {"status": "status__in", "channel": "channel__in", "category": "category_id__in",
              "kecamatan": "kecamatan_id", "kelurahan": "kelurahan_id",
              "received_after": "received_at__gte", "received_before": "received_at__lt",
              "updated_after": "updated_at__gte", "updated_before": "updated_at__lt"}
    for name, lookup in simple.items():
        if filters.get(name) not in (None, "", []):
            qs = qs.filter(**{lookup: filters[name]})
    if filters.get("opd"):
        ours = Disposition.objects.filter(complaint=OuterRef("pk"), opd_id=filters["opd"]).exclude(state=D.CANCELLED)
        qs = qs.filter(Exists(ours))
    if filters.get("overdue") is not None:
        q = overdue_q(timezone.now())
        qs = qs.filter(q) if filters["overdue"] else qs.exclude(q)
    if filters.get("q"):
        qs = complaint_search(qs, filters["q"], identity=search_identity(token))
    shown = Disposition.objects.exclude(state=D.CANCELLED).select_related("opd").order_by("created_at", "pk")
    return (qs.select_related("category", "kecamatan", "kelurahan", "contact")
            .prefetch_related(Prefetch("dispositions", queryset=shown, to_attr="api_dispositions")))


def search_identity(token: ApiToken) -> Identity:
    """Reporters a token's search may match: only with ``reporters:read``, as the answer would show them."""
    if not token.has_scope("reporters:read"):
        return Identity.NONE
    return Identity.ALL if access.actor_for(token.user).can_read_all else Identity.NAMED


def dispositions_of(token: ApiToken, complaint: Complaint) -> list[Disposition]:
    return list(access.api_dispositions_visible_to(token.user, opd_id=opd_of(token))
                .filter(complaint=complaint).select_related("opd").order_by("created_at", "pk"))


def followups_of(token: ApiToken, complaint: Complaint) -> list[FollowUp]:
    files = access.api_attachments_visible_to(token.user, opd_id=opd_of(token))
    return list(access.api_followups_visible_to(token.user, opd_id=opd_of(token)).filter(complaint=complaint)
                .select_related("disposition__opd")
                .prefetch_related(Prefetch("attachments", queryset=files, to_attr="api_files"))
                .order_by("created_at", "pk"))


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    kind: str  # "status" or "followup"
    label: str
    body: str = ""


def public_timeline(complaint: Complaint) -> list[PublicStep]:
    """What the reporter's tracking page shows of the handling: status steps and sent follow-ups."""
    steps = [PublicStep(at=e.created_at, kind="status", label=str(STATUS_EVENTS[e.verb]))
             for e in complaint.events.filter(verb__in=STATUS_EVENTS).only("created_at", "verb")]
    for f in complaint.followups.filter(state=FollowUp.State.PUBLISHED).select_related("disposition__opd"):
        steps.append(PublicStep(at=f.published_at or f.created_at, kind="followup",
                                label=f.disposition.opd.name, body=f.body))
    return sorted(steps, key=lambda step: step.at)


def attachments_of(token: ApiToken, complaint: Complaint) -> QuerySet[Any]:
    return (access.api_attachments_visible_to(token.user, opd_id=opd_of(token))
            .filter(complaint=complaint).order_by("created_at", "pk"))
