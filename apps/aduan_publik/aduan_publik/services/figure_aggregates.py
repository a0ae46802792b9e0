"""Writes of the figures' aggregates (docs/figures.md "How the figures stay fast").

Every change to a complaint goes through ``audit.event_record``, which calls
:func:`complaint_figures_mark` in the same transaction: a ``FigureDirty`` row and, on commit, the job
``jobs.figures_refresh``. The job (:func:`complaint_figures_refresh`) recomputes the complaint's share
of the cells from its current rows, subtracts the share stored last time, adds the new one and clears
the mark — idempotent, and a lost job is caught by the scheduler's sweep (:func:`figures_sweep`).
:func:`figures_rebuild` recomputes everything from the complaints (``aduan figures-rebuild``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .. import figure_cells
from ..figure_cells import Cells
from ..models import Complaint, Disposition, FigureCell, FigureContribution, FigureDirty, TriageSuggestion
from ..models.figures import VALUE_COLUMNS
from ..queueing import enqueue_on_commit

COMPLAINT_FIELDS = ("id", "received_at", "channel", "status", "duplicate_of_id", "is_secret", "answered_at",
                    "rating", "verified_at", "first_response_at", "closed_at", "category_id", "kelurahan_id")
DISPOSITION_FIELDS = ("complaint_id", "opd_id", "state", "created_at", "accepted_at", "answered_at",
                      "complete_due")
KEY_COLUMNS = ("grain", "day", "opd_id", "dim", "key")
COPY_FROM_ROWS = 5000  # above this many cells, PostgreSQL takes them by COPY (a rebuild)
UPSERT_ROWS = 500  # rows per statement: 19 parameters each, well under SQLite's limit
#: complaints marked in this process since the last settle (``ADUAN_FIGURES_SETTLE`` only: tests)
_marked_here: set[int] = set()


def complaint_figures_mark(*, complaint_id: int) -> None:
    """Mark a complaint's figures stale in the caller's transaction; refresh them in a job on commit.

    Any service that changes a counted field without an audit event must call this.
    """
    FigureDirty.objects.bulk_create([FigureDirty(complaint_id=complaint_id)], ignore_conflicts=True)
    if getattr(settings, "ADUAN_FIGURES_SETTLE", False):
        _marked_here.add(complaint_id)
    # check_pending=False: a refresh already running may have read the complaint before this change.
    enqueue_on_commit("aduan_publik.jobs.figures_refresh", complaint_id, queue="short",
                      job_id=f"figures-{complaint_id}", check_pending=False)


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
    new = snapshots(rows).get(complaint_id)
    if new == held.data:
        return False
    cells_apply(figure_cells.difference(figure_cells.cells(held.data), figure_cells.cells(new)))
    held.data = new
    held.save(update_fields=["data"])
    return True


def snapshots(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The snapshots of complaints given as ``values(*COMPLAINT_FIELDS)`` rows (two more queries)."""
    ids = [row["id"] for row in rows]
    if not ids:
        return {}
    parts: dict[int, list[dict[str, Any]]] = {}
    for d in Disposition.objects.filter(complaint_id__in=ids).order_by("pk").values(*DISPOSITION_FIELDS):
        parts.setdefault(d["complaint_id"], []).append(d)
    triage = {t["complaint_id"]: t for t in TriageSuggestion.objects.filter(complaint_id__in=ids)
              .exclude(outcome="").values("complaint_id", "outcome", "top3_hit")}
    return {row["id"]: figure_cells.snapshot(row, parts.get(row["id"], []), triage.get(row["id"]))
            for row in rows}


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


def figures_sweep(*, older_than: timedelta = timedelta(seconds=30), limit: int = 1000) -> int:
    """Refresh complaints marked stale whose job was lost (the scheduler, every minute)."""
    since = timezone.now() - older_than
    ids = list(FigureDirty.objects.filter(marked_at__lt=since).order_by("marked_at")
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
    old figures until it commits). Run it after a bulk load or a change of the cell definitions."""
    for model in (FigureCell, FigureContribution, FigureDirty):
        model.objects.all().delete()
    pending: Cells = {}
    counts = {"complaints": 0, "cells": 0}
    last = 0
    while rows := list(Complaint.objects.filter(pk__gt=last).order_by("pk").values(*COMPLAINT_FIELDS)[:batch]):
        found = snapshots(rows)
        FigureContribution.objects.bulk_create(
            [FigureContribution(complaint_id=pk, data=snap) for pk, snap in found.items()], batch_size=batch)
        figure_cells.day_cells(found.values(), into=pending)
        if len(pending) > 200_000:  # the cells of a batch are mostly its days: flush, keep memory flat
            cells_apply(pending)
            pending = {}
        last = rows[-1]["id"]
        counts["complaints"] += len(rows)
        if say is not None and counts["complaints"] % (batch * 20) == 0:
            say(f"{counts['complaints']}")
    cells_apply(pending)
    counts["cells"] = FigureCell.objects.count()
    return counts


def complaints_figures_mark(*, ids: Iterable[int]) -> None:
    """:func:`complaint_figures_mark` for several complaints (bulk changes without events)."""
    for complaint_id in sorted(set(ids)):
        complaint_figures_mark(complaint_id=complaint_id)
