"""The liaison's review of an operator's draft follow-up: edit it, send it, or return it with a comment.

Sending goes through :func:`services.dispositions.followup_publish`. Every outcome is an audited
event on the complaint whose ``data`` names the draft's author (``author``): the operator finds
the outcome on the complaint page and in their queue, and a notifier can tell them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Disposition, FollowUp
from ..workflow import WorkflowError, ensure_disposition_allowed
from .audit import event_record
from .dispositions import MIN_FOLLOWUP_CHARS, followup_publish

MIN_COMMENT_CHARS = 10


def _locked_draft(followup: FollowUp, by: Any) -> FollowUp:
    """The draft, locked, after the liaison-only permission and workflow checks."""
    followup = (FollowUp.objects.select_for_update(of=("self",))
                .select_related("disposition__opd", "complaint").get(pk=followup.pk))
    Disposition.objects.select_for_update().filter(pk=followup.disposition_id).first()
    access.require(by, "publish_followup", followup.complaint, followup.disposition)
    ensure_disposition_allowed("publish_followup", followup.disposition)
    if followup.state != FollowUp.State.DRAFT:
        raise WorkflowError(_("Draf ini sudah ditinjau (%(s)s).") % {"s": followup.get_state_display()})
    return followup


def _edit(followup: FollowUp, by: Any, body: str) -> bool:
    body = body.strip()
    if body == followup.body:
        return False
    if len(body) < MIN_FOLLOWUP_CHARS:
        raise WorkflowError(
            _("Tindak lanjut terlalu singkat: jelaskan apa yang sudah dilakukan (minimal %(n)d karakter).")
            % {"n": MIN_FOLLOWUP_CHARS}
        )
    before = followup.body
    followup.body = body
    followup.reviewed_by, followup.reviewed_at = by, timezone.now()
    followup.save(update_fields=["body", "reviewed_by", "reviewed_at"])
    event_record(complaint=followup.complaint, by=by, verb="followup_edited",
                 summary=_("Draf tindak lanjut %(opd)s disunting penghubung.") % {"opd": followup.disposition.opd.name},
                 data={"followup": followup.pk, "author": followup.author_id, "before": before, "after": body})
    return True


@transaction.atomic
def followup_revise(*, followup: FollowUp, by: Any, body: str) -> FollowUp:
    """The liaison edits a waiting draft and keeps it as a draft."""
    followup = _locked_draft(followup, by)
    _edit(followup, by, body)
    return followup


@transaction.atomic
def followup_approve(*, followup: FollowUp, by: Any, body: str | None = None) -> FollowUp:
    """The liaison approves a draft (edited first when ``body`` differs) and sends it to the reporter."""
    followup = _locked_draft(followup, by)
    if body is not None:
        _edit(followup, by, body)
    published = followup_publish(followup=followup, by=by)
    FollowUp.objects.filter(pk=published.pk).update(reviewed_by=by, reviewed_at=published.published_at)
    return published


@transaction.atomic
def followup_return(*, followup: FollowUp, by: Any, comment: str) -> FollowUp:
    """The liaison returns a draft to its author with a comment; nothing goes to the reporter."""
    followup = _locked_draft(followup, by)
    comment = comment.strip()
    if len(comment) < MIN_COMMENT_CHARS:
        raise WorkflowError(_("Tulis catatan untuk penyusun draf (minimal %(n)d karakter).")
                            % {"n": MIN_COMMENT_CHARS})
    followup.state = FollowUp.State.RETURNED
    followup.review_comment = comment
    followup.reviewed_by, followup.reviewed_at = by, timezone.now()
    followup.save(update_fields=["state", "review_comment", "reviewed_by", "reviewed_at"])
    event_record(complaint=followup.complaint, by=by, verb="followup_returned",
                 summary=_("Draf tindak lanjut %(opd)s dikembalikan ke penyusun: %(c)s")
                 % {"opd": followup.disposition.opd.name, "c": comment},
                 data={"followup": followup.pk, "author": followup.author_id, "comment": comment})
    return followup
