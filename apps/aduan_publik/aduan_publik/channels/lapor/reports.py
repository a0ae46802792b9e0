"""Turning a LAPOR! report into a hub complaint: the one idempotent upsert (pull and import share it).

Keyed on the LAPOR! id through :class:`LaporLink`. An equal content hash means nothing to do:
no write, no event. A new report becomes a complaint with channel ``lapor`` (no
acknowledgement: LAPOR! already told the reporter); a changed one is updated through
``complaint_update``, which audits. The remote status is stored on the link and shown; it only
changes the hub complaint when LAPOR! *ended* a report nobody in the hub has started on.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik.channels.base import ChannelError, ContactRef
from aduan_publik.models import Category, Complaint, Contact
from aduan_publik.services.attachments import AttachmentRejected, attachment_create
from aduan_publik.services.audit import event_record
from aduan_publik.services.complaints import complaint_create, complaint_update
from aduan_publik.services.contacts import contact_get_or_create

from .api import TERMINAL_REMOTE, ApiConfig, status_to_hub
from .client import LaporClient
from .models import LaporLink
from .wire import RemoteReport

logger = logging.getLogger(__name__)
CHANNEL = "lapor"
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def reporter_ref(report: RemoteReport) -> ContactRef:
    """Who to answer. An *anonim* report carries no identity: its contact is the report itself."""
    if report.is_anonymous or not (report.reporter_id or report.reporter_name):
        return ContactRef(user_id=f"laporan-{report.lapor_id}")
    return ContactRef(user_id=f"pelapor-{report.reporter_id}" if report.reporter_id else f"laporan-{report.lapor_id}",
                      name=report.reporter_name, phone=report.reporter_phone, email=report.reporter_email)


def missing_attachments(link: LaporLink, report: RemoteReport) -> bool:
    return any(url not in link.attachments_done for url, _name in report.attachments)


def report_upsert(*, report: RemoteReport, cfg: ApiConfig, client: LaporClient | None = None,
                  source: str = "api", link: LaporLink | None = None) -> str:
    """Create or update the complaint of ``report``; returns created/updated/unchanged."""
    return report_upsert_link(report=report, cfg=cfg, client=client, source=source, link=link)[0]


def report_upsert_link(*, report: RemoteReport, cfg: ApiConfig, client: LaporClient | None = None,
                       source: str = "api", link: LaporLink | None = None) -> tuple[str, LaporLink]:
    """:func:`report_upsert`, also giving the link (the pull reads the conversation next)."""
    digest = report.content_hash()
    if link is None:
        link = LaporLink.objects.filter(lapor_id=report.lapor_id).select_related("complaint").first()
    if link is not None and link.content_hash == digest:
        if client is not None and missing_attachments(link, report):
            _fetch_attachments(link, report, client)  # a download that failed last time
        return UNCHANGED, link
    with transaction.atomic():
        if link is None:
            link = _create(report, cfg, source, digest)
            outcome = CREATED
        else:
            _update(link, report, cfg, digest)
            outcome = UPDATED
    if client is not None:
        _fetch_attachments(link, report, client)
    return outcome, link


def mapped_category(cfg: ApiConfig, report: RemoteReport) -> Category | None:
    """Our category for the report's LAPOR! category, where the site maps it (``category_map``)."""
    code = cfg.category_map.get(report.category.casefold()) if report.category else None
    return Category.objects.filter(code=code, active=True).first() if code else None


def _create(report: RemoteReport, cfg: ApiConfig, source: str, digest: str) -> LaporLink:
    contact = contact_get_or_create(channel=CHANNEL, ref=reporter_ref(report))
    complaint, _code = complaint_create(
        channel=CHANNEL, title=report.title, description=report.content, contact=contact,
        category=mapped_category(cfg, report),
        location_text=report.location[:300], is_anonymous=report.is_anonymous, is_secret=report.is_secret,
        external_id=report.lapor_id, received_at=report.created_at, by=CHANNEL, acknowledge=False,
    )
    link = LaporLink.objects.create(
        complaint=complaint, lapor_id=report.lapor_id, content_hash=digest, source=source,
        remote_status=report.status_name, remote_status_code=report.status_code,
        disposition_name=report.disposition_name[:200], remote_updated_at=report.updated_at,
    )
    _settle_remote_end(complaint, report, cfg)
    return link


def _update(link: LaporLink, report: RemoteReport, cfg: ApiConfig, digest: str) -> None:
    complaint = link.complaint
    complaint_update(
        complaint=complaint, by=CHANNEL, title=report.title, description=report.content,
        # An export without a location column must not blank the location the API gave.
        location_text=report.location[:300] or None, is_anonymous=report.is_anonymous,
        is_secret=report.is_secret,
    )
    if report.status_name != link.remote_status:
        event_record(
            complaint=complaint, by=CHANNEL, verb="lapor_status",
            summary=_("Status di SP4N-LAPOR! berubah: %(old)s → %(new)s.")
            % {"old": link.remote_status or "-", "new": report.status_name or "-"},
            data={"from": link.remote_status, "to": report.status_name,
                  "hub_equivalent": status_to_hub(cfg, report.status_name)},
        )
        complaint.refresh_from_db()
        _settle_remote_end(complaint, report, cfg)
    if not report.is_anonymous and complaint.contact_id:
        _refresh_contact(complaint.contact_id, report)
    link.content_hash = digest
    link.remote_status, link.remote_status_code = report.status_name, report.status_code
    link.disposition_name = report.disposition_name[:200]
    link.remote_updated_at = report.updated_at
    link.save()


def _refresh_contact(contact_id: int, report: RemoteReport) -> None:
    ref = reporter_ref(report)
    Contact.objects.filter(pk=contact_id).update(name=ref.name, phone=ref.phone, email=ref.email)


def _settle_remote_end(complaint: Complaint, report: RemoteReport, cfg: ApiConfig) -> None:
    """LAPOR! ended a report the hub has not started on (still *received*): end it here too.

    Without this, a historic import of finished reports would fill the verification queue
    with overdue work. A complaint the hub already acts on keeps its own status.
    """
    target = status_to_hub(cfg, report.status_name)
    if report.status_name not in TERMINAL_REMOTE or complaint.status != Complaint.Status.RECEIVED:
        return
    now = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(
        status=target, closed_at=now, due_at=None, updated_at=now,
        status_note=_("Diselesaikan di SP4N-LAPOR! (%(s)s).") % {"s": report.status_name},
    )
    event_record(complaint=complaint, by=CHANNEL, verb="lapor_closed",
                 summary=_("Ditutup mengikuti status SP4N-LAPOR!: %(s)s.") % {"s": report.status_name},
                 data={"remote_status": report.status_name, "to": target})


def _fetch_attachments(link: LaporLink, report: RemoteReport, client: LaporClient) -> None:
    """Download attachments not yet stored; a failure is kept on the link (and audited once)."""
    done, errors = list(link.attachments_done), dict(link.attachment_errors)
    for url, name in report.attachments:
        if url in done:
            continue
        try:
            content = client.download(url)
            with transaction.atomic():
                attachment_create(complaint=link.complaint, content=content, filename=name, by=CHANNEL)
        except AttachmentRejected as exc:  # wrong type or too large: final, do not fetch again
            done.append(url)
            _note_attachment_error(link, errors, url, str(exc))
        except ChannelError as exc:  # network or server: try again on the next sync
            _note_attachment_error(link, errors, url, str(exc))
        else:
            done.append(url)
            errors.pop(url, None)
    LaporLink.objects.filter(pk=link.pk).update(attachments_done=done, attachment_errors=errors)
    link.attachments_done, link.attachment_errors = done, errors


def _note_attachment_error(link: LaporLink, errors: dict[str, Any], url: str, reason: str) -> None:
    if errors.get(url) == reason:
        return  # same failure as last time: already visible, no new event
    errors[url] = reason
    event_record(complaint=link.complaint, by=CHANNEL, verb="media_failed",
                 summary=_("Lampiran dari SP4N-LAPOR! gagal diunduh: %(r)s") % {"r": reason},
                 data={"url": url, "reason": reason})
