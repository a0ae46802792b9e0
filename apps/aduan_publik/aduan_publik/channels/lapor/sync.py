"""The pull: an incremental sync of reports disposed to this institution.

The cursor is the newest remote ``updated_at`` seen. It moves only after a run that read every
page without an error, so a run cut short (outage, bad record) is simply repeated; reports it
already stored are recognised by their content hash and cost one comparison each. Links of a
whole page are loaded in one query, so a re-sync with nothing changed costs one list call and
one query per page.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from aduan_publik.channels.base import ChannelError

from .api import ApiConfig, RecordError, RemoteReport, current_config, parse_list, parse_report
from .client import LaporClient
from .followups import followups_needed, followups_sync
from .models import LaporLink, SyncState
from .reports import report_upsert_link

logger = logging.getLogger(__name__)
MAX_PAGES = 5000  # a server that ignores ``page`` must not loop us forever
STALE_RUN = timedelta(hours=1)
MAX_ERRORS_KEPT = 20


def _claim(state: SyncState, now: datetime) -> bool:
    """Mark the run started unless another one is (a crashed run is taken over after an hour)."""
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN)
    return SyncState.objects.filter(free, pk=state.pk).update(running_since=now) == 1


def lapor_pull(*, full: bool = False, cfg: ApiConfig | None = None, client: LaporClient | None = None
               ) -> dict[str, Any]:
    """Run one sync. Returns the counts (also kept on :class:`SyncState` for the desk)."""
    cfg = cfg or current_config()
    state, _created = SyncState.objects.get_or_create(key="default")
    now = timezone.now()
    if not _claim(state, now):
        return {"skipped": "running"}
    counts: Counter[str] = Counter()
    errors: list[str] = []
    newest = state.cursor
    try:
        client = client or LaporClient(cfg)
        since = "" if full or state.cursor is None else state.cursor.isoformat()
        newest = _run_pages(cfg, client, since, counts, errors, newest)
        counts["requests"] = client.requests_made
    except (ChannelError, RecordError) as exc:
        errors.insert(0, str(exc))
        counts["aborted"] = 1
    except Exception as exc:  # a bug: record it and release the run, then let the job fail loudly
        _finish(state, now, newest, Counter(aborted=1), [f"{type(exc).__name__}: {exc}"])
        raise
    _finish(state, now, newest, counts, errors)
    return dict(counts, errors=errors)


def _run_pages(cfg: ApiConfig, client: LaporClient, since: str, counts: Counter[str], errors: list[str],
               newest: datetime | None) -> datetime | None:
    seen_first: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        listing = parse_list(cfg, client.list_page(page, since))
        if not listing.items:
            break
        if listing.items[:1] == seen_first:
            raise RecordError(f"halaman {page} sama dengan halaman sebelumnya: parameter halaman diabaikan?")
        seen_first = listing.items[:1]
        counts["pages"] += 1
        newest = _sync_page(cfg, client, listing.items, counts, errors, newest)
        # A short page is not the end when the server says more pages follow.
        if listing.last_page is not None and page >= listing.last_page:
            break
        if listing.last_page is None and len(listing.items) < int(cfg.opt("per_page")):
            break
    return newest


def _sync_page(cfg: ApiConfig, client: LaporClient, items: list[Any], counts: Counter[str],
               errors: list[str], newest: datetime | None) -> datetime | None:
    reports: list[RemoteReport] = []
    for raw in items:
        try:
            reports.append(parse_report(cfg, raw))
        except RecordError as exc:
            _error(counts, errors, str(exc))
    links = {link.lapor_id: link for link in LaporLink.objects.filter(lapor_id__in=[r.lapor_id for r in reports])}
    for report in reports:
        try:
            outcome, link = report_upsert_link(report=report, cfg=cfg, client=client,
                                               link=links.get(report.lapor_id))
        except Exception as exc:  # one bad report must not stop the others; it is retried next run
            logger.exception("LAPOR! report %s failed", report.lapor_id)
            _error(counts, errors, f"laporan {report.lapor_id}: {exc}")
            continue
        counts[outcome] += 1
        _sync_followups(cfg, client, link, report, counts, errors)
        if report.updated_at and (newest is None or report.updated_at > newest):
            newest = report.updated_at
    return newest


def _sync_followups(cfg: ApiConfig, client: LaporClient, link: LaporLink, report: RemoteReport,
                    counts: Counter[str], errors: list[str]) -> None:
    """The reporter's replies on LAPOR!; a failure keeps the report's update and the cursor waits."""
    if not followups_needed(link, report):
        return
    try:
        received = followups_sync(link=link, report=report, cfg=cfg, client=client)
    except Exception as exc:  # ChannelError, RecordError or a bug: the next run reads it again
        logger.warning("LAPOR! follow-ups of %s: %s", report.lapor_id, exc, exc_info=not isinstance(
            exc, (ChannelError, RecordError)))
        _error(counts, errors, f"tindak lanjut laporan {report.lapor_id}: {exc}")
        return
    if received:
        counts["replies"] += received


def _error(counts: Counter[str], errors: list[str], message: str) -> None:
    counts["errors"] += 1
    if len(errors) < MAX_ERRORS_KEPT:
        errors.append(message)


def _finish(state: SyncState, started: datetime, newest: datetime | None, counts: Counter[str],
            errors: list[str]) -> None:
    ok = not errors
    fields: dict[str, Any] = {
        "running_since": None, "last_run_at": started, "last_error": "\n".join(errors),
        "last_counts": dict(counts),
    }
    if ok:
        fields["last_success_at"] = started
        fields["cursor"] = newest
    SyncState.objects.filter(pk=state.pk).update(**fields)


def sync_request(*, by: Any, full: bool = False) -> None:
    """An admin asks for a sync now (the desk's button); it runs as a job."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from aduan_publik import access
    from aduan_publik.jobs import enqueue

    from .jobs import PULL_JOB_ID, pull

    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat menjalankan sinkronisasi SP4N-LAPOR!."))
    enqueue(pull, full, queue="long", job_id=PULL_JOB_ID)
