"""Writes of the figures' aggregates (docs/figures.md "How the figures stay fast").

Every change to a complaint goes through ``audit.event_record``, which calls
:func:`complaint_figures_mark` in the same transaction: a ``FigureDirty`` row and, on commit, the job
``jobs.figures_refresh``. The job (:func:`complaint_figures_refresh`) recomputes the complaint's share
of the cells from its current rows, subtracts the share stored last time, adds the new one and clears
the mark — idempotent, and a lost job is caught by the scheduler's sweep (:func:`figures_sweep`).
:func:`figures_rebuild` recomputes everything from the complaints (``aduan figures-rebuild``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .. import figure_cells, queueing
from ..figure_cells import Cells, Hists
from ..models import (
    Complaint,
    Disposition,
    FigureCell,
    FigureContribution,
    FigureDirty,
    FigureHistogram,
    FigureOpenDue,
    TriageSuggestion,
)
from ..models.figures import VALUE_COLUMNS
from ..selectors import figure_inputs

COMPLAINT_FIELDS = ("id", "received_at", "channel", "status", "duplicate_of_id", "is_secret", "answered_at",
                    "rating", "verified_at", "first_response_at", "closed_at", "category_id", "kelurahan_id")
DISPOSITION_FIELDS = ("id", "complaint_id", "opd_id", "state", "created_at", "accepted_at", "answered_at",
                      "complete_due", "respond_due")
OPEN_DUE_FIELDS = ("disposition_id", "complaint_id", "opd_id", "received_at", "overdue_at")
KEY_COLUMNS = ("grain", "day", "opd_id", "dim", "key")
COPY_FROM_ROWS = 5000  # above this many cells, PostgreSQL takes them by COPY (a rebuild)
UPSERT_ROWS = 500  # rows per statement: 19 parameters each, well under SQLite's limit
#: complaints marked in this process since the last settle (``ADUAN_FIGURES_SETTLE`` only: tests)
_marked_here: set[int] = set()


REFRESH_JOB = "aduan_publik.jobs.figures_refresh"  # stored in Redis by path: keep it stable


class _RefreshOnCommit:
    """The on-commit callback enqueueing one complaint's refresh (found again by its complaint id)."""

    def __init__(self, complaint_id: int):
        self.complaint_id = complaint_id

    def __call__(self) -> None:
        # check_pending=False: a refresh already running may have read the complaint before this change.
        queueing.enqueue(REFRESH_JOB, self.complaint_id, queue="short", job_id=f"figures-{self.complaint_id}",
                         check_pending=False)


def _refresh_waits_for_commit(complaint_id: int) -> bool:
    """Whether this transaction already enqueues the complaint's refresh on commit.

    Django drops the callbacks of a savepoint rolled back, so a refresh found here will run.
    """
    conn = transaction.get_connection()
    return conn.in_atomic_block and any(
        isinstance(func, _RefreshOnCommit) and func.complaint_id == complaint_id
        for _savepoints, func, *_robust in conn.run_on_commit)


def complaint_figures_mark(*, complaint_id: int) -> None:
    """Mark a complaint's figures stale in the caller's transaction; refresh them in a job on commit.

    Any service that changes a counted field without an audit event must call this. A service that
    writes several events gets one refresh per complaint: the job reads the complaint as committed.
    """
    FigureDirty.objects.bulk_create([FigureDirty(complaint_id=complaint_id)], ignore_conflicts=True)
    if getattr(settings, "ADUAN_FIGURES_SETTLE", False):
        _marked_here.add(complaint_id)
    if not _refresh_waits_for_commit(complaint_id):
        transaction.on_commit(_RefreshOnCommit(complaint_id))


@transaction.atomic
def complaint_figures_refresh(*, complaint_id: int) -> bool:
    """Bring the cells up to date with one complaint; returns whether anything changed.

    The complaint's contribution row is locked first, so two refreshes of one complaint run one
    after the other; the dirty mark is cleared before the complaint is read, so a change committed
    meanwhile marks it again.
    """
    FigureContribution.objects.bulk_create([FigureContribution(complaint_id=complaint_id, data=None)],
                                           ignore_conflicts=True)
    held = FigureContribution.objects.select_for_update().get(pk=complaint_id)
    FigureDirty.objects.filter(pk=complaint_id).delete()
    rows = list(Complaint.objects.filter(pk=complaint_id).values(*COMPLAINT_FIELDS))
    open_due: list[tuple[Any, ...]] = []
    new = snapshots(rows, open_due=open_due).get(complaint_id)
    _open_due_replace(complaint_id, open_due)  # deadlines may move without changing the snapshot
    if new == held.data:
        return False
    plain, hists = figure_cells.split(figure_cells.difference(figure_cells.cells(held.data),
                                                              figure_cells.cells(new)))
    hists_apply(hists)
    cells_apply(plain)
    held.data = new
    held.save(update_fields=["data"])
    return True


def snapshots(rows: list[dict[str, Any]], *, open_due: list[tuple[Any, ...]] | None = None,
              ) -> dict[int, dict[str, Any]]:
    """The snapshots of complaints given as ``values(*COMPLAINT_FIELDS)`` rows (two more queries).

    ``open_due`` collects the ``FigureOpenDue`` rows (``OPEN_DUE_FIELDS``) of the counted ones.
    """
    ids = [row["id"] for row in rows]
    if not ids:
        return {}
    parts: dict[int, list[dict[str, Any]]] = {}
    for d in Disposition.objects.filter(complaint_id__in=ids).order_by("pk").values(*DISPOSITION_FIELDS):
        parts.setdefault(d["complaint_id"], []).append(d)
    triage = _triage(ids)
    found = {}
    for row in rows:
        mine = parts.get(row["id"], [])
        snap = found[row["id"]] = figure_cells.snapshot(row, mine, triage.get(row["id"]))
        if open_due is not None and snap["c"] is not None:
            open_due += [(d["id"], row["id"], d["opd_id"], row["received_at"], due)
                         for d in mine if (due := figure_cells.overdue_at(d)) is not None]
    return found


def _triage(ids: list[int]) -> dict[int, dict[str, Any]]:
    return {t["complaint_id"]: dict(t) for t in TriageSuggestion.objects.filter(complaint_id__in=ids)
            .exclude(outcome="").values("complaint_id", "outcome", "top3_hit")}


def _open_due_replace(complaint_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Make the complaint's ``FigureOpenDue`` rows ``rows`` (one query when nothing changed)."""
    have = set(FigureOpenDue.objects.filter(complaint_id=complaint_id).values_list(*OPEN_DUE_FIELDS))
    if have == set(rows):
        return
    FigureOpenDue.objects.filter(complaint_id=complaint_id).delete()
    FigureOpenDue.objects.bulk_create([FigureOpenDue(**dict(zip(OPEN_DUE_FIELDS, row, strict=True)))
                                       for row in rows])


def _hist_order(key: figure_cells.HistKey) -> tuple[Any, ...]:
    grain, day, opd_id, measure, channel = key
    return grain, measure, day, opd_id, channel  # the unique index's order: rows are locked in it


def hists_apply(delta: Hists) -> None:
    """Add ``delta`` (counts per bucket, negative to take out) to the stored histograms.

    The rows are created when missing, then locked and rewritten in key order (two refreshes never
    deadlock): three queries, whatever the number of histograms a complaint touches.
    """
    keys = sorted((key for key, counts in delta.items() if any(counts.values())), key=_hist_order)
    if not keys:
        return
    FigureHistogram.objects.bulk_create(
        [FigureHistogram(grain=g, day=figure_cells.parse_day(d), opd_id=o, measure=m, channel=c)
         for g, d, o, m, c in keys], ignore_conflicts=True)
    match = Q()
    for g, d, o, m, c in keys:
        match |= Q(grain=g, day=figure_cells.parse_day(d), opd_id=o, measure=m, channel=c)
    rows = list(FigureHistogram.objects.select_for_update().filter(match)
                .order_by("grain", "measure", "day", "opd_id", "channel"))
    for row in rows:
        key = (row.grain, row.day.isoformat(), row.opd_id, row.measure, row.channel)
        counts = figure_cells.hist_add(figure_cells.hist_decode(row.counts), figure_cells.hist_dense(delta[key]))
        row.counts = figure_cells.hist_encode(counts)
    FigureHistogram.objects.bulk_update(rows, ["counts"])


def cells_apply(delta: Cells) -> None:
    """Add ``delta`` to the cells with upserts, in key order (concurrent refreshes never deadlock)."""
    table = connection.ops.quote_name(FigureCell._meta.db_table)
    names = [connection.ops.quote_name(c) for c in (*KEY_COLUMNS, *VALUE_COLUMNS)]
    conflict = ", ".join(connection.ops.quote_name(c) for c in ("grain", "dim", "opd_id", "day", "key"))
    sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in names[len(KEY_COLUMNS):])
    items = sorted(delta.items())
    if connection.vendor == "postgresql" and len(items) > COPY_FROM_ROWS:
        _cells_apply_copy(table, names, conflict, sums, items)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(items), UPSERT_ROWS):
            chunk = items[start:start + UPSERT_ROWS]
            marks = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
            params: list[Any] = []
            for (grain, day, opd_id, dim, key), values in chunk:
                params += [grain, figure_cells.parse_day(day), opd_id, dim, key, *values]
            cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES {marks} "  # noqa: S608
                           f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}", params)


def _cells_apply_copy(table: str, names: list[str], conflict: str, sums: str,
                      items: list[tuple[Any, Any]]) -> None:
    """Many cells at once on PostgreSQL (a rebuild): COPY into a temporary table, then one upsert.

    A multi-row VALUES statement with hundreds of thousands of parameters spends most of its time
    in the driver's query parsing; COPY streams rows as they are.
    """
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE figure_cells_in AS SELECT {columns} FROM {table} WITH NO DATA")  # noqa: S608
        try:
            with cursor.cursor.copy(f"COPY figure_cells_in ({columns}) FROM STDIN") as copy:
                for (grain, day, opd_id, dim, key), values in items:
                    copy.write_row((grain, figure_cells.parse_day(day), opd_id, dim, key, *values))
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM figure_cells_in "  # noqa: S608
                           f"ORDER BY {conflict} ON CONFLICT ({conflict}) DO UPDATE SET {sums}")
        finally:
            cursor.execute("DROP TABLE figure_cells_in")


#: A ``FigureDirty`` row for this id (no complaint has it) marks *all* the aggregates stale: a
#: migration that changed what the cells hold writes it, the scheduler's sweep then queues one full
#: :func:`figures_rebuild` (which deletes every mark, this one included).
REBUILD_MARK = 0


def figures_rebuild_wanted() -> bool:
    return FigureDirty.objects.filter(complaint_id=REBUILD_MARK).exists()


def figures_sweep(*, older_than: timedelta = timedelta(seconds=30), limit: int = 1000) -> int:
    """Refresh complaints marked stale whose job was lost (the scheduler, every minute)."""
    since = timezone.now() - older_than
    ids = list(FigureDirty.objects.filter(marked_at__lt=since).exclude(complaint_id=REBUILD_MARK)
               .order_by("marked_at")
               .values_list("complaint_id", flat=True)[:limit])
    for complaint_id in ids:
        complaint_figures_refresh(complaint_id=complaint_id)
    return len(ids)


def figures_settle() -> int:
    """Refresh every complaint marked stale now (tests, where on-commit jobs never run; commands)."""
    _marked_here.clear()
    return figures_sweep(older_than=-timedelta(days=1), limit=10**9)


def figures_settle_marked_here() -> None:
    """:func:`figures_settle` when this process marked a complaint since (no query otherwise)."""
    if _marked_here:
        figures_settle()


@transaction.atomic
def figures_rebuild(*, batch: int = 5000, say: Callable[[str], None] | None = None) -> dict[str, int]:
    """Empty the aggregates and recount them from every complaint (one transaction: readers see the
    old figures until it commits). Run it after a bulk load or a change of the cell definitions.

    Complaints are read in keyset chunks by (received_at, id), so a day's histograms are complete
    once the chunks have moved past it: they are written then, and only the months' and all time's
    stay in memory (a few thousand arrays).
    """
    for model in (FigureCell, FigureHistogram, FigureOpenDue, FigureContribution, FigureDirty):
        model.objects.all().delete()
    pending: Cells = {}
    hists = _HistRollup()
    counts = {"complaints": 0, "cells": 0}
    last: Any = None
    while found := _rebuild_snapshots(last, batch):
        snaps, last, last_day = found
        _copy_in(FigureContribution, ("complaint_id", "data"),
                 [(pk, json.dumps(snap, separators=(",", ":"))) for pk, snap in snaps.items()])
        plain: Cells = {}
        day_hists: Hists = {}
        for snap in snaps.values():
            figure_cells.day_parts(snap, plain, day_hists)
        figure_cells.roll_up(plain, into=pending)
        hists.add(day_hists)
        hists.flush_before(last_day)
        if len(pending) > 200_000:  # the cells of a chunk are mostly its days: flush, keep memory flat
            cells_apply(pending)
            pending = {}
        counts["complaints"] += len(snaps)
        if say is not None and counts["complaints"] % (batch * 20) == 0:
            say(f"{counts['complaints']}")
    cells_apply(pending)
    hists.flush_before(None)
    _open_due_rebuild()
    counts["cells"] = FigureCell.objects.count()
    counts["histograms"] = FigureHistogram.objects.count()
    return counts


def _rebuild_snapshots(last: Any, batch: int) -> tuple[dict[int, dict[str, Any]], Any, str] | None:
    """The next chunk's snapshots, its keyset position and the local day of its last complaint.

    PostgreSQL computes the snapshots' plain values in SQL (``selectors/figure_inputs.py``: no
    datetimes in Python); elsewhere they come from the rows as the refresh reads them.
    """
    if connection.vendor == "postgresql":
        plain = figure_inputs.complaint_chunk(last, batch)
        if not plain:
            return None
        ids = [row["id"] for row in plain]
        parts, triage = figure_inputs.disposition_parts(ids), _triage(ids)
        return ({row["id"]: figure_cells.snapshot_of(row, parts.get(row["id"], []), triage.get(row["id"]))
                 for row in plain}, plain[-1]["key"], plain[-1]["day"])
    rows = _rebuild_chunk(last, batch)
    if not rows:
        return None
    return (snapshots(rows), (rows[-1]["received_at"], rows[-1]["id"]),
            figure_cells.local_day(rows[-1]["received_at"]))


def _open_due_rebuild() -> None:
    """Every ``FigureOpenDue`` row in one statement (the rule of ``figure_cells.overdue_at``)."""
    due = ("CASE WHEN d.state = 'pending' AND d.respond_due IS NOT NULL AND (d.complete_due IS NULL "
           "OR d.respond_due < d.complete_due) THEN d.respond_due ELSE d.complete_due END")
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(FigureOpenDue._meta.db_table)} (disposition_id, complaint_id, opd_id, received_at, "  # noqa: S608
            f"overdue_at) SELECT d.id, d.complaint_id, d.opd_id, c.received_at, {due} "
            f"FROM {q(Disposition._meta.db_table)} d JOIN {q(Complaint._meta.db_table)} c ON c.id = d.complaint_id "
            f"WHERE d.state IN ('pending', 'accepted') AND c.status <> 'archived' AND c.duplicate_of_id IS NULL "
            f"AND {due} IS NOT NULL")


def _rebuild_chunk(last: tuple[Any, int] | None, batch: int) -> list[dict[str, Any]]:
    """The next ``batch`` complaints after ``last`` in (received_at, id) order (index ``complaint_received_id``)."""
    qs = Complaint.objects.order_by("received_at", "pk")
    if last is not None:
        qs = qs.filter(Q(received_at__gt=last[0]) | Q(received_at=last[0], pk__gt=last[1]),
                       received_at__gte=last[0])
    return list(qs.values(*COMPLAINT_FIELDS)[:batch])


class _HistRollup:
    """The rebuild's histograms: days until complete, their months and all time until the end."""

    def __init__(self) -> None:
        self.open: dict[figure_cells.HistKey, np.ndarray] = {}

    def add(self, day_hists: Hists) -> None:
        for (_grain, day, opd_id, measure, channel), sparse in day_hists.items():
            dense = figure_cells.hist_dense(sparse)
            for key in (("d", day, opd_id, measure, channel),
                        ("m", figure_cells.month_of(day), opd_id, measure, channel),
                        ("a", figure_cells.ALL_DAY, opd_id, measure, channel)):
                self.open[key] = figure_cells.hist_add(self.open.get(key), dense)

    def flush_before(self, day: str | None) -> None:
        """Write the histograms of days before ``day`` (``None``: every histogram, months and all time)."""
        done = sorted(key for key in self.open if day is None or (key[0] == "d" and key[1] < day))
        _copy_in(FigureHistogram, ("grain", "day", "opd_id", "measure", "channel", "counts"),
                 [(g, figure_cells.parse_day(d), o, m, c, figure_cells.hist_encode(self.open.pop((g, d, o, m, c))))
                  for g, d, o, m, c in done])


def _copy_in(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert many new rows (a rebuild): COPY on PostgreSQL, ``bulk_create`` elsewhere.

    JSON columns take their text (``json.dumps``); a multi-row INSERT of this size spends most of its
    time in the driver's query parsing, COPY streams the rows as they are.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        json_at = [i for i, c in enumerate(columns) if c == "data"]
        model.objects.bulk_create([model(**{c: (json.loads(v) if i in json_at else v)
                                            for i, (c, v) in enumerate(zip(columns, row, strict=True))})
                                   for row in rows], batch_size=2000)
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def complaints_figures_mark(*, ids: Iterable[int]) -> None:
    """:func:`complaint_figures_mark` for several complaints (bulk changes without events)."""
    for complaint_id in sorted(set(ids)):
        complaint_figures_mark(complaint_id=complaint_id)
