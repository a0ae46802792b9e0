"""The desk dashboard's figures: the definitions live in :mod:`aduan_publik.figures` (one per figure,
shared with the portal, exports and reports); this adds the desk-only counts (queues, logins).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from .. import figures
from ..models import Disposition, Event, Role
from ..services.deadlines import overdue_complaints
from .complaints import awaiting_reroute

D = Disposition.State


def admin_logins(*, days: int = 30) -> dict[str, int]:
    """Desk logins of Diskominfo admins in the last ``days`` days (from the audit trail)."""
    since = timezone.now() - timedelta(days=days)
    admins = get_user_model().objects.filter(Q(aduan_profile__role=Role.ADMIN) | Q(is_superuser=True))
    agg = Event.objects.filter(verb="login", created_at__gte=since, actor__in=admins).aggregate(
        logins=Count("pk"), admins=Count("actor", distinct=True))
    return {"logins": agg["logins"], "admins": agg["admins"], "days": days}


def dashboard_figures(*, since: datetime | None = None) -> dict[str, Any]:
    """Everything the dashboard shows; ``since`` limits it to complaints received from then on."""
    period = figures.Period(start=since)
    returned = Disposition.objects.filter(state=D.RETURNED)
    if since:
        returned = returned.filter(returned_at__gte=since)
    totals, per_channel = figures.totals_and_channels(period)
    return {
        "totals": totals,
        "per_channel": per_channel,
        "per_opd": figures.per_opd(period),
        "triage": figures.triage_accuracy(period),
        "returned_not_authority": returned.count(),
        "overdue": overdue_complaints().count(),
        "awaiting_reroute": awaiting_reroute().count(),
        "logins": admin_logins(days=30),
        "since": since,
    }
