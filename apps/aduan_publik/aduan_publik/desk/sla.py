"""The SLA badge of a list row: how much time is left, in the words staff use.

«2 hari kerja lagi» counts working days (weekends and holidays skipped, as deadlines are counted);
«terlambat 3 hari» counts calendar days since the deadline passed.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..calendar import WorkingCalendar


def sla_text(due: datetime, now: datetime, calendar: WorkingCalendar) -> tuple[str, str]:
    """``(variant, text)`` for a deadline: ``danger`` when passed, ``warning`` when due today or next."""
    if due < now:
        late = (timezone.localtime(now, calendar.tz).date() - timezone.localtime(due, calendar.tz).date()).days
        if late < 1:
            return "danger", _("terlambat hari ini")
        return "danger", ngettext("terlambat %(n)d hari", "terlambat %(n)d hari", late) % {"n": late}
    left = calendar.working_days_between(now, due)
    if left == 0:
        return "warning", _("batas hari ini")
    variant = "warning" if left == 1 else "info"
    return variant, ngettext("%(n)d hari kerja lagi", "%(n)d hari kerja lagi", left) % {"n": left}
