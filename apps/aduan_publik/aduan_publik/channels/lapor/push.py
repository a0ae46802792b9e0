"""The push: what the hub does to a LAPOR! report is told back to SP4N-LAPOR! through an outbox.

Every audit event of a ``lapor`` complaint reaches :func:`outbox_from_event` (the core's
status-sync hook). It becomes at most one outbox row per action, keyed "<event id>:<action>",
so a replayed event adds nothing. :func:`outbox_send` claims a row under a lock, calls
LAPOR! once, and either marks it sent, schedules a retry with backoff (429, 5xx, timeouts),
or marks it failed for a person (other 4xx) — failures stay listed in the desk.

A follow-up is never posted twice: before any retry (the last try may have reached LAPOR! even
though its answer was lost) the report's follow-ups are read back and an equal one is taken as
the delivery.

*Bukan wewenang* needs the target's LAPOR! institution id (``/masters/institutions/external``):
the desk's "forwarded to" text is matched to a synced institution by id or name; when nothing
matches, the row fails visibly and an admin picks the institution in the outbox.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik import access
from aduan_publik.channels.base import ChannelError, PermanentChannelError, TemporaryChannelError
from aduan_publik.models import Attachment, Complaint, Event, FollowUp, Message
from aduan_publik.services.audit import event_record
from aduan_publik.workflow import WorkflowError

from .api import ApiConfig, current_config, status_to_remote
from .client import LaporClient
from .followups import conversation_pages
from .masters import followup_template_code, institution_match
from .models import LaporInstitution, LaporLink, Outbox
from .wire import created_id, followup_ids_and_texts

logger = logging.getLogger(__name__)
CHANNEL = "lapor"
A, ST = Outbox.Action, Outbox.State
S = Complaint.Status
STALE_SENDING = timedelta(minutes=10)
BACKOFF_BASE = 60.0  # seconds; doubled per attempt
BACKOFF_CAP = 6 * 3600.0

# Which hub status an event leaves the complaint in, for the status call.
STATUS_BY_VERB = {
    "verified": S.DISPOSED, "accepted": S.IN_PROGRESS, "answered": S.ANSWERED, "rated": S.CLOSED,
    "autoclosed": S.CLOSED, "archived": S.ARCHIVED, "merged": S.ARCHIVED, "resumed": S.RECEIVED,
    "reopened": "", "reporter_unsatisfied": S.IN_PROGRESS,
}


# ---- events -> outbox rows ----------------------------------------------------------------


def outbox_from_event(*, event_id: int, cfg: ApiConfig | None = None) -> list[Outbox]:
    """The outbox rows an audit event calls for (created once; a replay returns the same rows)."""
    event = Event.objects.select_related("complaint").filter(pk=event_id).first()
    if event is None or event.complaint is None or event.actor_label == CHANNEL:
        return []  # an event the pull itself wrote mirrors LAPOR!: never echo it back
    link = LaporLink.objects.filter(complaint=event.complaint).only("lapor_id").first()
    if link is None:
        return []
    cfg = cfg or current_config()
    rows = []
    for action, payload, applicable in _actions_for(event, cfg):
        defaults: dict[str, Any] = {"complaint_id": event.complaint_id, "event": event, "lapor_id": link.lapor_id,
                                    "action": action, "payload": payload}
        if not applicable:
            defaults.update(state=ST.NOT_APPLICABLE, last_error=_(
                "SP4N-LAPOR! tidak menyediakan panggilan ubah status (paths.status kosong)."))
        row, _created = Outbox.objects.get_or_create(key=f"{event.pk}:{action}", defaults=defaults)
        rows.append(row)
    return rows


def _actions_for(event: Event, cfg: ApiConfig) -> list[tuple[str, dict[str, Any], bool]]:
    complaint, data = event.complaint, event.data or {}
    assert complaint is not None
    if event.verb in ("followup_published", "replied", "postponed"):
        content, files = _followup_content(event.verb, data)
        if not content:
            return []
        return [(A.FOLLOWUP, {"content": content, "attachments": files, "is_secret": complaint.is_secret,
                              "template_code": followup_template_code(cfg)}, True)]
    if event.verb == "not_authority":
        reason = data.get("note") or event.summary
        named = str(data.get("forwarded_to", ""))
        target = institution_match(named)
        return [(A.REJECT, {"reason": reason, "target": target.remote_id if target else "",
                            "target_name": target.name if target else named}, True)]
    if event.verb in STATUS_BY_VERB:
        hub = STATUS_BY_VERB[event.verb] or data.get("to", "")
        remote = status_to_remote(cfg, hub)
        if not remote:
            return []
        return [(A.STATUS, {"status": remote, "hub_status": hub, "note": event.summary}, bool(cfg.paths["status"]))]
    return []


def _followup_content(verb: str, data: dict[str, Any]) -> tuple[str, list[int]]:
    if verb == "followup_published":
        followup = FollowUp.objects.filter(pk=data.get("followup", 0)).first()
        if followup is None:
            return "", []
        return followup.body, list(followup.attachments.values_list("pk", flat=True))
    if verb == "replied":
        body = Message.objects.filter(pk=data.get("message", 0)).values_list("body", flat=True).first()
        return body or "", []
    return str(data.get("request", "")), []


# ---- sending --------------------------------------------------------------------------------


def _claim(row_id: int) -> Outbox | None:
    now = timezone.now()
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(pk=row_id).first()
        if row is None or row.state != ST.PENDING or (row.next_attempt_at and row.next_attempt_at > now):
            return None  # sent, failed, being sent or not due: nothing to do
        row.state, row.state_changed_at = ST.SENDING, now
        row.attempts += 1
        row.save(update_fields=["state", "state_changed_at", "attempts"])
        return row


def outbox_send(*, row_id: int, client: LaporClient | None = None, cfg: ApiConfig | None = None) -> str:
    """Send one due outbox row; returns its new state. Never raises for LAPOR!'s errors."""
    row = _claim(row_id)
    if row is None:
        return ""
    cfg = cfg or current_config()
    try:
        remote_id = _deliver(row, client or LaporClient(cfg))
    except TemporaryChannelError as exc:
        return _retry_later(row, exc, int(cfg.opt("push_max_attempts")))
    except ChannelError as exc:
        return _fail(row, str(exc))
    except Exception as exc:  # a bug must not leave the row stuck in "sending"
        logger.exception("LAPOR! outbox row %s", row.pk)
        return _fail(row, f"{type(exc).__name__}: {exc}")
    Outbox.objects.filter(pk=row.pk).update(state=ST.SENT, remote_id=remote_id[:60], sent_at=timezone.now(),
                                            state_changed_at=timezone.now(), last_error="", next_attempt_at=None)
    return ST.SENT


def _deliver(row: Outbox, client: LaporClient) -> str:
    p = row.payload
    if row.action == A.FOLLOWUP:
        if row.attempts > 1 and (known := _already_posted(client, row.lapor_id, p["content"])):
            return known  # an earlier try arrived although its answer did not
        body = client.followup_add(row.lapor_id, p["content"], bool(p.get("is_secret")),
                                   _files(p.get("attachments", [])), p.get("template_code", ""))
    elif row.action == A.REJECT:
        body = client.reject(row.lapor_id, p["reason"], _reject_target(row))
    else:
        body = client.status(row.lapor_id, p["status"], p.get("note", ""))
    return created_id(client.cfg, body)


def _already_posted(client: LaporClient, lapor_id: str, content: str) -> str:
    """The id of an equal follow-up already on LAPOR! ("sudah-ada" without an id), else ""."""
    for body in conversation_pages(client.cfg, client, lapor_id, tries=1):
        for remote_id, text in followup_ids_and_texts(client.cfg, body):
            if text.strip() == content.strip():
                return remote_id or "sudah-ada"
    return ""


def _reject_target(row: Outbox) -> str:
    """The target's LAPOR! institution id; matched again now in case the masters were synced since."""
    p = row.payload
    if p.get("target"):
        return str(p["target"])
    match = institution_match(p.get("target_name", ""))
    if match is None:
        raise PermanentChannelError(_(
            "Instansi tujuan «%(t)s» tidak ditemukan di daftar instansi SP4N-LAPOR!: sinkronkan master "
            "instansi, lalu pilih instansinya di antrean kirim (Pilih instansi tujuan).") % {"t": p.get("target_name")})
    Outbox.objects.filter(pk=row.pk).update(payload={**p, "target": match.remote_id, "target_name": match.name})
    return match.remote_id


def _files(ids: list[int]) -> list[tuple[str, bytes, str]]:
    files = []
    for attachment in Attachment.objects.filter(pk__in=ids):
        with attachment.file.open("rb") as fh:
            files.append((attachment.original_name, fh.read(), attachment.content_type))
    return files


def _retry_later(row: Outbox, exc: TemporaryChannelError, max_attempts: int) -> str:
    if row.attempts >= max_attempts:
        return _fail(row, _("%(e)s (sudah %(n)d kali dicoba)") % {"e": exc, "n": row.attempts})
    wait = exc.retry_after if exc.retry_after is not None else BACKOFF_BASE * 2 ** (row.attempts - 1)
    now = timezone.now()
    Outbox.objects.filter(pk=row.pk).update(
        state=ST.PENDING, last_error=str(exc), state_changed_at=now,
        next_attempt_at=now + timedelta(seconds=min(wait, BACKOFF_CAP)),
    )
    return ST.PENDING


def _fail(row: Outbox, reason: str) -> str:
    Outbox.objects.filter(pk=row.pk).update(state=ST.FAILED, last_error=reason, state_changed_at=timezone.now(),
                                            next_attempt_at=None)
    event_record(complaint=row.complaint, by=CHANNEL, verb="lapor_push_failed",
                 summary=_("Gagal mengirim %(a)s ke SP4N-LAPOR!: %(r)s") % {"a": row.get_action_display(), "r": reason},
                 data={"outbox": row.pk, "reason": reason})
    return ST.FAILED


# ---- the desk and the scheduler ------------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, rows: list[Outbox], by: Any) -> int:
    """An admin sends failed (or waiting) rows again now. Rows already sent are left alone."""
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat mengirim ulang ke SP4N-LAPOR!."))
    ids = [row.pk for row in rows]
    return Outbox.objects.filter(pk__in=ids, state__in=(ST.FAILED, ST.PENDING)).update(
        state=ST.PENDING, next_attempt_at=None, state_changed_at=timezone.now()
    )


@transaction.atomic
def outbox_set_target(*, row: Outbox, institution: LaporInstitution, by: Any) -> Outbox:
    """An admin names the LAPOR! institution a *bukan wewenang* goes to; the row is sent again."""
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat memilih instansi tujuan SP4N-LAPOR!."))
    row = Outbox.objects.select_for_update().get(pk=row.pk)
    if row.action != A.REJECT or row.state == ST.SENT:
        raise WorkflowError(_("Hanya kiriman bukan wewenang yang belum terkirim yang dapat diubah tujuannya."))
    row.payload = {**row.payload, "target": institution.remote_id, "target_name": institution.name}
    row.state, row.next_attempt_at, row.state_changed_at = ST.PENDING, None, timezone.now()
    row.save(update_fields=["payload", "state", "next_attempt_at", "state_changed_at"])
    event_record(complaint=row.complaint, by=by, verb="lapor_target_set",
                 summary=_("Instansi tujuan di SP4N-LAPOR! dipilih: %(n)s.") % {"n": institution.name},
                 data={"outbox": row.pk, "institution": institution.remote_id})
    return row


def outbox_due_ids(limit: int = 200) -> list[int]:
    """Rows to send now. A row stuck in *sending* (worker killed) goes back in line; its retry
    reads LAPOR!'s follow-ups first, so it cannot post twice."""
    now = timezone.now()
    Outbox.objects.filter(state=ST.SENDING, state_changed_at__lt=now - STALE_SENDING).update(
        state=ST.PENDING, next_attempt_at=None, last_error=_("Pengiriman terputus; dicoba lagi."))
    due = Outbox.objects.filter(state=ST.PENDING).exclude(next_attempt_at__gt=now)
    return list(due.order_by("created_at").values_list("pk", flat=True)[:limit])
