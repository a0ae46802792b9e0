"""Staff notifications: one row per recipient in the desk, and an e-mail through the site's SMTP.

Every occurrence has a ``key`` (``disposed:<disposition id>``, ``escalation:<step id>``, ...);
the unique key per recipient means the same news never reaches the same person twice, even
when a service or the sweep runs again. E-mails go out in a job after commit; a row whose job
was lost stays ``queued`` and the notification sweep sends it later.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import queueing
from ..models import Complaint, Disposition, FollowUp, Notification
from ..selectors.notifications import staff

logger = logging.getLogger(__name__)
K = Notification.Kind
M = Notification.MailState


def complaint_link(complaint: Complaint | None) -> str:
    if complaint is None:
        return ""
    return reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])


def notify(
    *, key: str, kind: str, title: str, body: str = "", complaint: Complaint | None = None,
    users: Iterable[Any] = (), emails: Iterable[str] = (),
) -> list[Notification]:
    """Notify desk ``users`` (in the desk, and by e-mail when they have one) and e-mail-only
    ``emails``. Returns the rows created now; a recipient who already had ``key`` is skipped."""
    link = complaint_link(complaint)
    created: list[Notification] = []
    seen: set[str] = set()
    for user in users:
        address = (user.email or "").strip().lower()
        seen.add(address)
        row = _create(key=key, recipient_key=f"user:{user.pk}", recipient=user, email=address, kind=kind,
                      title=title, body=body, link=link, complaint=complaint)
        created += [row] if row else []
    for address in {e.strip().lower() for e in emails if e and e.strip()} - seen:
        row = _create(key=key, recipient_key=f"mail:{address}", recipient=None, email=address, kind=kind,
                      title=title, body=body, link=link, complaint=complaint)
        created += [row] if row else []
    return created


def _create(**fields: Any) -> Notification | None:
    fields["title"] = fields["title"][:250]
    fields["mail_state"] = M.QUEUED if fields["email"] else M.NONE
    try:
        with transaction.atomic():
            row = Notification.objects.create(**fields)
    except IntegrityError:  # this person already has this news
        return None
    if row.email:
        queueing.enqueue_on_commit("aduan_publik.jobs.send_notification_mail", row.pk,
                                   job_id=f"notify-mail-{row.pk}", retry=queueing.SEND_RETRY)
    return row


@transaction.atomic
def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications read (all unread ones when ``ids`` is None). Returns the count."""
    from .. import access

    rows = access.notifications_visible_to(user).filter(read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# ---- e-mail ----------------------------------------------------------------------------------


def smtp_config() -> dict[str, Any]:
    return dict(settings.ADUAN.get("notify", {}).get("smtp") or {})


def mail_connection() -> Any:
    """The site's SMTP server (``notify.smtp`` in site_config.json), else the site's e-mail backend."""
    conf = smtp_config()
    if not conf.get("host"):
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend", fail_silently=False,
        host=conf["host"], port=int(conf.get("port", 25)), username=conf.get("username") or None,
        password=conf.get("password") or None, use_tls=bool(conf.get("use_tls", False)),
        use_ssl=bool(conf.get("use_ssl", False)), timeout=int(conf.get("timeout", 20)),
    )


def _mail_body(row: Notification) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        parts = [row.body.strip()]
        if row.link:
            parts.append(_("Buka di meja kerja: %(url)s") % {"url": settings.SITE_URL.rstrip("/") + row.link})
        parts.append(_("Pesan otomatis dari Layanan Aduan %(city)s.") % {"city": settings.ADUAN["city_name"]})
    return "\n\n".join(p for p in parts if p)


def notification_mail_send(*, notification_id: int, final: bool = True) -> bool:
    """Send one queued notification e-mail. Returns True when sent now.

    A failure is kept in ``mail_error``; with ``final=False`` (RQ will retry) the row stays
    queued and the error is raised again, on the last try it becomes ``failed``.
    """
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.mail_state != M.QUEUED:
            return False
    from_email = smtp_config().get("from_email") or settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(subject=row.title, body=_mail_body(row), from_email=from_email, to=[row.email],
                           connection=mail_connection())
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("notification e-mail %s failed: %s", notification_id, exc)
        state = M.QUEUED if not final else M.FAILED
        Notification.objects.filter(pk=row.pk).update(mail_state=state, mail_error=str(exc)[:2000])
        if not final:
            raise
        return False
    Notification.objects.filter(pk=row.pk).update(mail_state=M.SENT, mailed_at=timezone.now(), mail_error="")
    return True


def queued_mail_ids(older_than_seconds: int = 300) -> list[int]:
    """Queued e-mails whose job was probably lost (Redis down, worker killed): for the sweep."""
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Notification.objects.filter(mail_state=M.QUEUED, created_at__lt=limit).values_list("pk", flat=True))


# ---- the occurrences services report ---------------------------------------------------------


def on_disposed(disposition: Disposition) -> None:
    """A complaint was disposed to an OPD: its liaison and operators hear of it."""
    complaint = disposition.complaint
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Disposisi baru: %(n)s %(t)s") % {"n": complaint.tracking_number, "t": complaint.title}
        body = _("Aduan %(n)s didisposisikan ke %(opd)s. Batas respons: %(due)s.") % {
            "n": complaint.tracking_number, "opd": disposition.opd.name, "due": _when(disposition.respond_due)}
    notify(key=f"disposed:{disposition.pk}", kind=K.DISPOSED, title=title, body=body, complaint=complaint,
           users=staff(roles=("liaison", "operator"), opd_id=disposition.opd_id))


def on_draft_waiting(followup: FollowUp) -> None:
    """An operator saved a draft follow-up: the OPD's liaison must approve it."""
    disposition = followup.disposition
    complaint = followup.complaint
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Draf menunggu persetujuan: %(n)s") % {"n": complaint.tracking_number}
        body = _("Draf tindak lanjut %(opd)s untuk aduan %(n)s menunggu persetujuan Anda.") % {
            "opd": disposition.opd.name, "n": complaint.tracking_number}
    notify(key=f"draft:{followup.pk}", kind=K.DRAFT_WAITING, title=title, body=body, complaint=complaint,
           users=staff(roles=("liaison",), opd_id=disposition.opd_id))


def _when(moment: Any) -> str:
    if moment is None:
        return "-"
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")
