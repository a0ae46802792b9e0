"""The pull: a sync of the reports disposed to this institution, by one of two strategies.

* ``list`` (default): page through ``paths.list`` (``?page=N`` while ``results.next_page_url``),
  asking only for reports updated since the cursor when the site names that parameter.
* ``detail``: for sites where only detail calls work (no public code lists the reports
  disposed to a city), re-read the known open reports by id, oldest check first,
  ``detail_batch`` per run and ``detail_pace`` seconds apart. Reports become known through
  the export import (or an earlier list pull).

A record that cannot be read is skipped visibly (:mod:`.skipped`) and never blocks the pull.

The cursor is the newest remote ``updated_at`` seen. It moves only after a run that read every
page without an error, so a run cut short (outage, bad record) is simply repeated; reports it
already stored are recognised by their content hash and cost one comparison each. Links of a
whole page are loaded in one query, so a re-sync with nothing changed costs one list call and
one query per page.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from aduan_publik.channels.base import ChannelError, PermanentChannelError

from .api import PULL_STRATEGIES, TERMINAL_REMOTE, ApiConfig, current_config
from .client import LaporClient
from .followups import followups_needed, followups_sync
from .models import LaporLink, SkippedRecord, SyncState
from .reports import report_upsert_link
from .skipped import skipped_clear, skipped_record, skipped_report_ids
from .wire import (
    RecordError,
    RemoteReport,
    SkippedItem,
    parse_detail,
    parse_list,
    parse_report,
    raw_excerpt,
    report_key,
)

logger = logging.getLogger(__name__)
MAX_PAGES = 5000  # a server that ignores ``page`` must not loop us forever
STALE_RUN = timedelta(hours=1)
MAX_ERRORS_KEPT = 20
PULL_JOB_ID = "lapor-pull"
PULL_JOB = "aduan_publik.channels.lapor.jobs.pull"  # stored in Redis by path: keep it stable


def _claim(state: SyncState, now: datetime) -> bool:
    """Mark the run started unless another one is (a crashed run is taken over after an hour)."""
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN)
    return SyncState.objects.filter(free, pk=state.pk).update(running_since=now) == 1


class _Run:
    """One pull's working state: configuration, client, counts, errors, newest update seen."""

    def __init__(self, cfg: ApiConfig, newest: datetime | None):
        self.cfg, self.newest = cfg, newest
        self.client: LaporClient  # set once built: building it may fail (no base URL)
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.skipped_before = skipped_report_ids()

    def error(self, message: str) -> None:
        _error(self.counts, self.errors, message)

    def seen(self, report: RemoteReport) -> None:
        if report.updated_at and (self.newest is None or report.updated_at > self.newest):
            self.newest = report.updated_at


def strategy_of(cfg: ApiConfig) -> str:
    strategy = str(cfg.opt("pull_strategy"))
    return strategy if strategy in PULL_STRATEGIES else "list"


def lapor_pull(*, full: bool = False, cfg: ApiConfig | None = None, client: LaporClient | None = None
               ) -> dict[str, Any]:
    """Run one sync. Returns the counts (also kept on :class:`SyncState` for the desk)."""
    cfg = cfg or current_config()
    state, _created = SyncState.objects.get_or_create(key="default")
    now = timezone.now()
    if not _claim(state, now):
        return {"running": True}
    strategy = strategy_of(cfg)
    run = _Run(cfg, state.cursor)
    try:
        run.client = client or LaporClient(cfg)
        if strategy == "detail":
            _run_details(run)
        else:
            _run_pages(run, "" if full or state.cursor is None else state.cursor.isoformat())
        run.counts["requests"] = run.client.requests_made
    except (ChannelError, RecordError) as exc:
        run.errors.insert(0, str(exc))
        run.counts["aborted"] = 1
    except Exception as exc:  # a bug: record it and release the run, then let the job fail loudly
        _finish(state, now, state.cursor, Counter(aborted=1), [f"{type(exc).__name__}: {exc}"], strategy)
        raise
    _finish(state, now, run.newest, run.counts, run.errors, strategy)
    return dict(run.counts, errors=run.errors, strategy=strategy)


def _run_pages(run: _Run, since: str) -> None:
    seen_first: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        listing = parse_list(run.cfg, run.client.list_page(page, since))
        if not listing.items:
            break
        if listing.items[:1] == seen_first:
            raise RecordError(f"halaman {page} sama dengan halaman sebelumnya: parameter halaman diabaikan?")
        seen_first = listing.items[:1]
        run.counts["pages"] += 1
        _sync_page(run, listing.items)
        # The answer's own word first: next_page_url, then last_page; a short page is the end
        # only when the answer says neither.
        if listing.has_next is not None:
            if not listing.has_next:
                break
        elif listing.last_page is not None:
            if page >= listing.last_page:
                break
        elif len(listing.items) < int(run.cfg.opt("per_page")):
            break


def _read(run: _Run, raw: Any) -> RemoteReport | None:
    """The report, or None after keeping it as a skipped record (the pull goes on)."""
    try:
        return parse_report(run.cfg, raw)
    except RecordError as exc:
        lapor_id = report_key(run.cfg, raw)
        # Without an id, the record's own digest keeps two such records apart.
        key = lapor_id or "?" + hashlib.sha256(repr(raw).encode()).hexdigest()[:12]
        item = SkippedItem(key=key, error=str(exc), raw=raw_excerpt(raw))
        skipped_record(kind=SkippedRecord.Kind.REPORT, item=item, lapor_id=lapor_id)
        run.counts["skipped"] += 1
        return None


def _sync_page(run: _Run, items: list[Any]) -> None:
    reports = [report for report in (_read(run, raw) for raw in items) if report is not None]
    readable_again = [r.lapor_id for r in reports if r.lapor_id in run.skipped_before]
    skipped_clear(kind=SkippedRecord.Kind.REPORT, keys=readable_again)
    links = {link.lapor_id: link for link in LaporLink.objects.filter(lapor_id__in=[r.lapor_id for r in reports])}
    for report in reports:
        _sync_report(run, report, links.get(report.lapor_id))


def _sync_report(run: _Run, report: RemoteReport, link: LaporLink | None) -> None:
    try:
        outcome, link = report_upsert_link(report=report, cfg=run.cfg, client=run.client, link=link)
    except Exception as exc:  # one bad report must not stop the others; it is retried next run
        logger.exception("LAPOR! report %s failed", report.lapor_id)
        run.error(f"laporan {report.lapor_id}: {exc}")
        return
    run.counts[outcome] += 1
    _sync_followups(run, link, report)
    run.seen(report)


def open_links(limit: int) -> list[LaporLink]:
    """Known reports LAPOR! has not ended, the longest unchecked first."""
    links = LaporLink.objects.exclude(remote_status__in=TERMINAL_REMOTE).select_related("complaint")
    return list(links.order_by(F("checked_at").asc(nulls_first=True), "pk")[:limit])


def _run_details(run: _Run) -> None:
    """The ``detail`` strategy: re-read known open reports by id, paced."""
    pace = float(run.cfg.opt("detail_pace"))
    for index, link in enumerate(open_links(int(run.cfg.opt("detail_batch")))):
        if index and pace > 0:
            time.sleep(pace)  # SPLP is a shared gateway: one detail call at a time, spaced
        run.counts["checked"] += 1
        try:
            body = run.client.detail(link.lapor_id)
        except PermanentChannelError as exc:
            if exc.code in ("401", "403"):
                raise  # wrong credentials: every other call would fail the same way
            run.error(f"laporan {link.lapor_id}: {exc}")
            continue
        link.checked_at = timezone.now()  # in memory too: the upsert saves the link
        LaporLink.objects.filter(pk=link.pk).update(checked_at=link.checked_at)
        try:
            report = parse_detail(run.cfg, body)
        except RecordError as exc:
            skipped_record(kind=SkippedRecord.Kind.REPORT, lapor_id=link.lapor_id,
                           item=SkippedItem(key=link.lapor_id, error=str(exc), raw=raw_excerpt(body)))
            run.counts["skipped"] += 1
            continue
        if report.lapor_id in run.skipped_before:
            skipped_clear(kind=SkippedRecord.Kind.REPORT, keys=[report.lapor_id])
        _sync_report(run, report, link)


def _sync_followups(run: _Run, link: LaporLink, report: RemoteReport) -> None:
    """The reporter's replies on LAPOR!; a failure keeps the report's update and the cursor waits."""
    if not followups_needed(link, report):
        return
    try:
        received, skipped = followups_sync(link=link, report=report, cfg=run.cfg, client=run.client)
    except Exception as exc:  # ChannelError, RecordError or a bug: the next run reads it again
        logger.warning("LAPOR! follow-ups of %s: %s", report.lapor_id, exc, exc_info=not isinstance(
            exc, (ChannelError, RecordError)))
        run.error(f"tindak lanjut laporan {report.lapor_id}: {exc}")
        return
    if received:
        run.counts["replies"] += received
    if skipped:
        run.counts["skipped"] += skipped


def _error(counts: Counter[str], errors: list[str], message: str) -> None:
    counts["errors"] += 1
    if len(errors) < MAX_ERRORS_KEPT:
        errors.append(message)


def _finish(state: SyncState, started: datetime, newest: datetime | None, counts: Counter[str],
            errors: list[str], strategy: str) -> None:
    ok = not errors
    fields: dict[str, Any] = {
        "running_since": None, "last_run_at": started, "last_error": "\n".join(errors),
        "last_counts": dict(counts), "strategy": strategy,
    }
    if ok:
        fields["last_success_at"] = started
        fields["cursor"] = newest
    SyncState.objects.filter(pk=state.pk).update(**fields)


def sync_request(*, by: Any, full: bool = False) -> None:
    """An admin asks for a sync now (the desk's button); it runs as a job."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from aduan_publik import access, queueing

    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat menjalankan sinkronisasi SP4N-LAPOR!."))
    queueing.enqueue(PULL_JOB, full, queue="long", job_id=PULL_JOB_ID)
