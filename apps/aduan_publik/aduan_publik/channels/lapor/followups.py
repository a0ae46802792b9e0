"""The reporter's side of a LAPOR! conversation: replies written on LAPOR! join the hub's thread.

During the pull, a linked report whose conversation may have changed (see
:meth:`RemoteReport.followups_marker`) has its follow-ups read. Each item written by the
*reporter* becomes an inbound message through the core's
:func:`~aduan_publik.services.receiving.message_receive`, so it lands on the complaint's
thread and — when the complaint was *answered* — sends the work back to the OPD. Items written
by the institution (our own pushed follow-ups among them) are not reporter messages and are
skipped.

Who wrote an item is decided from the institutions (LAPOR! has no author field): an item
without a *from* institution is the reporter's (``reporter_from``, see :mod:`.api`). The
conversation is paged like every LAPOR! list (``?page=N`` while ``results.next_page_url``).

Idempotent twice over: the provider id (``lapor-fu-<id>``) is unique on ``Message``, and the
link's marker is moved only after the whole conversation was read, so a failed fetch is
simply repeated on the next pull. An item that cannot be read (no id, a time in no known
format) is skipped visibly (:mod:`.skipped`); the others are received, and the marker stays
behind so a full re-sync reads the conversation again once the mapping is fixed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from aduan_publik.channels.base import ContactRef, InboundAttachment, InboundMessage
from aduan_publik.models import Message
from aduan_publik.services.receiving import message_receive

from .api import ApiConfig
from .client import LaporClient
from .models import LaporLink, SkippedRecord
from .skipped import skipped_clear_conversation, skipped_record
from .wire import FollowupPage, RecordError, RemoteFollowup, RemoteReport, parse_followups, parse_page

CHANNEL = "lapor"
MAX_FOLLOWUP_PAGES = 100  # a server that ignores ``page`` must not loop us forever


def external_id(followup: RemoteFollowup) -> str:
    return f"lapor-fu-{followup.followup_id}"


def media_id(url: str) -> str:
    """A file URL as a media id: the core's job ids allow only letters, digits, ``-`` and ``_``."""
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def media_url(media: str) -> str:
    """The URL a :func:`media_id` stands for."""
    return base64.urlsafe_b64decode(media + "=" * (-len(media) % 4)).decode()


def followups_needed(link: LaporLink, report: RemoteReport) -> bool:
    """Whether the conversation may hold something not read yet (no request otherwise)."""
    if report.followup_count == 0:
        return False  # LAPOR! says there is nothing to read
    return link.followups_marker != report.followups_marker()


def conversation_pages(cfg: ApiConfig, client: LaporClient, lapor_id: str, tries: int | None) -> Iterator[Any]:
    """Each page of a report's follow-ups as LAPOR! sent it, following ``next_page_url``."""
    for page in range(1, MAX_FOLLOWUP_PAGES + 1):
        body = client.followups(lapor_id, tries=tries, page=page)
        yield body
        listing = parse_page(cfg, body, "followup_items", "tindak lanjut")
        if not listing.has_next or not listing.items:
            return


def conversation_read(cfg: ApiConfig, client: LaporClient, lapor_id: str, tries: int | None = None
                      ) -> FollowupPage:
    """The whole conversation, every page; unreadable items come back as ``skipped``."""
    items, skipped = [], []
    for body in conversation_pages(cfg, client, lapor_id, tries):
        page = parse_followups(cfg, body)
        items += page.items
        skipped += page.skipped
    return FollowupPage(items=items, skipped=skipped)


def followups_sync(*, link: LaporLink, report: RemoteReport, cfg: ApiConfig, client: LaporClient
                   ) -> tuple[int, int]:
    """Read the report's follow-ups and receive the reporter's new ones; returns (received, skipped).

    Raises :class:`~aduan_publik.channels.base.ChannelError` or :class:`RecordError` when the
    conversation cannot be read; the marker then stays behind and the next pull tries again.
    """
    conversation = conversation_read(cfg, client, link.lapor_id)
    items = conversation.items
    from_reporter = [item for item in items if item.by_reporter and (item.content or item.attachments)]
    known = set(Message.objects.filter(
        channel=CHANNEL, direction=Message.Direction.IN,
        external_id__in=[external_id(item) for item in from_reporter]).values_list("external_id", flat=True))
    fresh = [item for item in from_reporter if external_id(item) not in known]
    if fresh:
        _receive(link, report, fresh)
    for item in conversation.skipped:
        skipped_record(kind=SkippedRecord.Kind.FOLLOWUP, item=item, lapor_id=link.lapor_id)
    if conversation.skipped:
        return len(fresh), len(conversation.skipped)  # the marker waits for a fixed mapping
    skipped_clear_conversation(lapor_id=link.lapor_id)
    LaporLink.objects.filter(pk=link.pk).update(followups_marker=report.followups_marker())
    link.followups_marker = report.followups_marker()
    return len(fresh), 0


def _receive(link: LaporLink, report: RemoteReport, items: list[RemoteFollowup]) -> None:
    complaint = link.complaint
    contact = complaint.contact
    if contact is None:  # without the complaint's contact the core would open a new complaint
        raise RecordError(f"laporan {link.lapor_id}: aduan tanpa kontak pelapor")
    # Only the contact's key: an *anonim* report's contact has no identity, and none is added.
    sender = ContactRef(address=contact.address, user_id=contact.user_id)
    for item in items:
        message_receive(inbound=InboundMessage(
            channel=CHANNEL, external_id=external_id(item), sender=sender,
            tracking_number=complaint.tracking_number, text=item.content,
            sent_at=item.created_at or report.updated_at or timezone.now(),
            kind="text" if item.content or not item.attachments else "document",
            # Downloaded by the core's retrying media job through LaporChannel.fetch_media.
            attachments=tuple(InboundAttachment(filename=name, media_id=media_id(url))
                              for url, name in item.attachments),
        ))
