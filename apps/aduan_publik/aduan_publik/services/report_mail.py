"""The monthly report e-mailed to the city's leaders (the scheduler runs it daily through
:func:`aduan_publik.reports.jobs.send_monthly_reports`, see ``cron.py``).

E-mail goes through ``django.core.mail``, so it follows the site's mail settings. Each month is sent
once: the sending is recorded as an audit event (``monthly_report_sent``) and a month with that
event is skipped, so a daily schedule catches up after downtime and never sends twice.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Event, Role
from ..reports import monthly_report, previous_month
from ..reports.pdf import report_pdf
from ..reports.xlsx import report_xlsx
from .audit import event_record, next_sequence

logger = logging.getLogger(__name__)
VERB = "monthly_report_sent"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def leader_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, aduan_profile__role=Role.LEADER).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def already_sent(period: str) -> bool:
    return Event.objects.filter(verb=VERB, complaint__isnull=True, data__period=period).exists()


@transaction.atomic
def monthly_report_send(*, today: Any = None) -> int:
    """Send last month's city report (XLSX + PDF) to every leader with an e-mail address, once.

    Returns the number of recipients (0 when already sent or nobody to send to). If sending fails,
    nothing is recorded and the next daily run tries again.
    """
    year, month = previous_month(today)
    period = f"{year}-{month:02d}"
    next_sequence("monthly_report")  # a row lock: two schedulers at once send one e-mail
    recipients = leader_addresses()
    if not recipients or already_sent(period):
        return 0
    report = monthly_report(year=year, month=month)
    mail = EmailMessage(subject=report.title, to=recipients, body="\n".join([
        _("Yth. Pimpinan,"), "", report.headline, "",
        *[f"{item.label}: {item.value}" for item in report.items], "",
        _("Laporan lengkap dengan grafik terlampir (XLSX dan PDF)."),
    ]))
    mail.attach(report.filename("xlsx"), report_xlsx(report), XLSX)
    mail.attach(report.filename("pdf"), report_pdf(report), "application/pdf")
    mail.send()
    event_record(complaint=None, by="penjadwal", verb=VERB,
                 summary=_("Laporan bulanan %(p)s dikirim ke %(n)d pimpinan.") % {"p": period, "n": len(recipients)},
                 data={"period": period, "recipients": len(recipients)})
    logger.info("monthly report %s sent to %d leaders", period, len(recipients))
    return len(recipients)
