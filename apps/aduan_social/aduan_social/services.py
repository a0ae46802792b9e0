"""Writes of the social channels (keyword-only, atomic). None of them changes a complaint: the
hub's services do that, with their audit events; these keep the providers' bookkeeping."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import PersonLink, XPollState, XSpend


@transaction.atomic
def person_link_record(*, channel: str, inbox_id: str, person_id: str) -> None:
    """Remember that ``person_id`` (a commenter) is ``inbox_id`` in the inbox. Idempotent."""
    if not inbox_id or not person_id or inbox_id == person_id:
        return
    try:
        with transaction.atomic():
            PersonLink.objects.get_or_create(channel=channel, inbox_id=inbox_id, defaults={"person_id": person_id})
    except IntegrityError:  # recorded concurrently: the first one stands
        pass


def month_of(at: datetime) -> str:
    return at.strftime("%Y-%m")


@transaction.atomic
def x_spend_add(*, at: datetime, cost: Decimal, post_reads: int = 0, user_reads: int = 0, posts_created: int = 0,
                dms_created: int = 0) -> None:
    """Count X API usage and its cost in the month of ``at`` (UTC), atomically."""
    month = month_of(at)
    XSpend.objects.get_or_create(month=month)
    XSpend.objects.filter(month=month).update(
        cost_usd=F("cost_usd") + cost, post_reads=F("post_reads") + post_reads,
        user_reads=F("user_reads") + user_reads, posts_created=F("posts_created") + posts_created,
        dms_created=F("dms_created") + dms_created)


@transaction.atomic
def x_poll_record(*, account_id: str, at: datetime, since_id: str = "", count: int = 0, error: str = "") -> None:
    """Note one poll: the new cursor (only forward), when, how many mentions, or why it failed."""
    state, _created = XPollState.objects.select_for_update().get_or_create(account_id=account_id)
    if since_id and (not state.since_id or int(since_id) > int(state.since_id)):
        state.since_id = since_id
    state.last_polled_at = at
    state.last_count = count
    state.last_error = error[:2000]
    state.save()
