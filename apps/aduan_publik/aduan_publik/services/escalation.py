"""Multi-level escalation of the OPDs' deadlines and the daily digest, configured per site.

``notify.escalation`` in site_config.json lists the levels; each has a name, an offset in
working days from the deadline (negative: before it, 0: once it passed, positive: that many
working days after it) and who hears of it (``liaison``, ``operator``, ``opd_head``, ``admin``,
``leader``). Each step taken is one :class:`~aduan_publik.models.Escalation` row (unique per
disposition, level, deadline and due time: never taken twice) and one audited ``escalated``
event. A deadline that moves (re-opened, re-disposed) starts its levels again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..calendar import WorkingCalendar
from ..models import CLOSED_STATUSES, Disposition, Escalation, Notification
from ..selectors.notifications import digest_figures, staff
from .audit import event_record
from .notify import _when, notify

D = Disposition.State
RECIPIENTS = frozenset({"liaison", "operator", "opd_head", "admin", "leader"})


@dataclass(frozen=True)
class Level:
    name: str
    offset: int
    notify: tuple[str, ...]


def levels() -> list[Level]:
    """The site's escalation levels, checked: a typo in the config is an error, not silence."""
    result = []
    for raw in settings.ADUAN.get("notify", {}).get("escalation", []):
        unknown = set(raw.get("notify", [])) - RECIPIENTS
        if unknown or not raw.get("level"):
            raise ValueError(f"notify.escalation: bad level {raw!r} (recipients: {', '.join(sorted(RECIPIENTS))})")
        result.append(Level(str(raw["level"]), int(raw.get("offset_working_days", 0)), tuple(raw["notify"])))
    return sorted(result, key=lambda lv: lv.offset)


def step_moment(cal: WorkingCalendar, due: datetime, offset: int) -> datetime:
    """When a level's step is due: the start of the working day ``-offset`` days before the
    deadline, the deadline itself, or the end of the ``offset``-th working day after it."""
    if offset < 0:
        return cal.working_days_before(due, -offset)
    return due if offset == 0 else cal.add_working_days(due, offset)


def _open_deadlines(disposition: Disposition) -> list[tuple[str, datetime]]:
    found = []
    if disposition.state == D.PENDING and disposition.respond_due:
        found.append(("respond", disposition.respond_due))
    if disposition.state in (D.PENDING, D.ACCEPTED) and disposition.complete_due:
        found.append(("complete", disposition.complete_due))
    return found


def _is_due(level: Level, moment: datetime, due: datetime, now: datetime) -> bool:
    if level.offset < 0:  # a reminder after the deadline passed is noise: the next level speaks
        return moment <= now < due
    return now > moment if level.offset == 0 else now >= moment


def escalation_sweep(*, now: datetime | None = None) -> int:
    """Take every escalation step that is due and not yet taken. Idempotent; returns steps taken."""
    now = now or timezone.now()
    configured = levels()
    if not configured:
        return 0
    cal = WorkingCalendar()
    ahead = now + timedelta(days=7 + 3 * max(0, -configured[0].offset))  # reminders look this far ahead
    candidates = list(Disposition.objects.filter(state__in=(D.PENDING, D.ACCEPTED))
                      .filter(Q(respond_due__lte=ahead) | Q(complete_due__lte=ahead))
                      .exclude(complaint__status__in=CLOSED_STATUSES).select_related("complaint", "opd"))
    taken = set(Escalation.objects.filter(disposition__in=candidates)
                .values_list("disposition_id", "level", "deadline", "due_at"))
    count = 0
    for disposition in candidates:
        for deadline, due in _open_deadlines(disposition):
            for level in configured:
                if (disposition.pk, level.name, deadline, due) in taken:
                    continue
                if _is_due(level, step_moment(cal, due, level.offset), due, now):
                    count += _take_step(disposition, level, deadline, due)
    return count


@transaction.atomic
def _take_step(disposition: Disposition, level: Level, deadline: str, due: datetime) -> int:
    try:
        with transaction.atomic():
            step = Escalation.objects.create(disposition=disposition, level=level.name, deadline=deadline,
                                             due_at=due)
    except IntegrityError:  # another sweep took it a moment ago
        return 0
    title, body = _texts(disposition, level, deadline, due)
    users = list(staff(roles=[r for r in level.notify if r != "opd_head"], opd_id=disposition.opd_id))
    emails = [disposition.opd.head_email] if "opd_head" in level.notify and disposition.opd.head_email else []
    kind = (Notification.Kind.DUE_SOON if level.offset < 0 else
            Notification.Kind.OVERDUE if level.offset == 0 else Notification.Kind.ESCALATION)
    sent = notify(key=f"escalation:{step.pk}", kind=kind, title=title, body=body,
                  complaint=disposition.complaint, users=users, emails=emails)
    event_record(complaint=disposition.complaint, by=None, verb="escalated",
                 summary=_("Eskalasi tingkat «%(level)s»: %(title)s") % {"level": level.name, "title": title},
                 data={"level": level.name, "offset_working_days": level.offset, "opd": disposition.opd.code,
                       "deadline": deadline, "due_at": due.isoformat(), "recipients": len(sent)})
    return 1


def _texts(disposition: Disposition, level: Level, deadline: str, due: datetime) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        what = _("respons") if deadline == "respond" else _("penyelesaian")
        values = {"n": disposition.complaint.tracking_number, "opd": disposition.opd.name, "what": what,
                  "due": _when(due), "days": level.offset, "t": disposition.complaint.title}
        if level.offset < 0:
            title = _("Batas %(what)s segera tiba: %(n)s") % values
            body = _("Batas %(what)s %(opd)s untuk aduan %(n)s (%(t)s) jatuh pada %(due)s.") % values
        elif level.offset == 0:
            title = _("Terlambat: %(n)s") % values
            body = _("%(opd)s melewati batas %(what)s aduan %(n)s (%(t)s), %(due)s.") % values
        else:
            title = _("Eskalasi: %(n)s terlambat %(days)d hari kerja") % values
            body = _("%(opd)s belum menyelesaikan %(what)s aduan %(n)s (%(t)s); batasnya %(due)s, "
                     "sudah lewat %(days)d hari kerja.") % values
    return title, body


# ---- the daily digest ------------------------------------------------------------------------


def _digest_lines(figures: dict[str, int]) -> list[str]:
    labels = {
        "new": _("Disposisi baru menunggu diterima: %(n)d"),
        "in_progress": _("Sedang dikerjakan: %(n)d"),
        "drafts": _("Draf menunggu persetujuan Anda: %(n)d"),
        "due_soon": _("Batas waktu hari ini atau besok: %(n)d"),
        "to_verify": _("Aduan perlu verifikasi: %(n)d"),
        "returned": _("Dikembalikan OPD, perlu disposisi ulang: %(n)d"),
        "overdue": _("Terlambat: %(n)d"),
    }
    return [labels[k] % {"n": v} for k, v in figures.items() if v and k in labels]


def digest_send(*, now: datetime | None = None) -> int:
    """Once per working day, from ``notify.digest_hour`` (local time): each desk user's open work.

    Users with nothing waiting get nothing. Returns the number of digests created (0 on a
    second run the same day).
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    hour = int(settings.ADUAN.get("notify", {}).get("digest_hour", 7))
    if local.hour < hour or not WorkingCalendar().is_working_day(local.date()):
        return 0
    count = 0
    for user in staff(roles=("admin", "leader", "liaison", "operator")).select_related("aduan_profile"):
        count += _digest_one(user, now, local.date().isoformat())
    return count


def _digest_one(user: Any, now: datetime, day: str) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        lines = _digest_lines(digest_figures(user, now))
        if not lines:
            return 0
        title = _("Ringkasan harian aduan, %(day)s") % {"day": day}
    return len(notify(key=f"digest:{day}", kind=Notification.Kind.DIGEST, title=title,
                      body="\n".join(lines), users=[user]))
