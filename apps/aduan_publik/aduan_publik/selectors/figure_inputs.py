"""The rebuild's reads of the figures' inputs on PostgreSQL: whole chunks of complaints as plain values.

``figure_cells.snapshot`` takes complaint and disposition rows with datetimes; turning a million rows
of timestamps into Python datetimes was a third of a rebuild. Here PostgreSQL computes what a
snapshot keeps — site-local days as text, spans as whole milliseconds rounded half up, flags as
integers — exactly as ``figure_cells`` does (``tests/aduan_publik/figures/test_aggregates.py``
compares the rebuild with the incremental path), and :func:`figure_cells.snapshot_of` builds the
same snapshot from them.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from ..models import Complaint, Disposition


def _ms(end: str, start: str) -> str:
    """``figure_cells.ms_between`` in SQL: whole milliseconds, half up (epochs are exact numerics)."""
    return (f"floor((extract(epoch from {end}) - extract(epoch from {start})) * 1000000 / 1000 + 0.5)::bigint")


def _day(moment: str) -> str:
    return f"to_char({moment} AT TIME ZONE %(tz)s, 'YYYY-MM-DD')"


def complaint_chunk(last: tuple[str, int] | None, batch: int) -> list[dict[str, Any]]:
    """The next ``batch`` complaints after ``last`` (received_at as text, id), in (received_at, id) order,
    as ``figure_cells.snapshot_of`` takes them plus ``key`` (the keyset position)."""
    table = connection.ops.quote_name(Complaint._meta.db_table)
    where = "WHERE (c.received_at, c.id) > (%(at)s::timestamptz, %(id)s) AND c.received_at >= %(at)s::timestamptz" \
        if last else ""
    sql = f"""
        SELECT c.id, c.received_at::text, {_day("c.received_at")}, c.channel, c.status,
               c.duplicate_of_id IS NOT NULL, c.is_secret, c.answered_at IS NOT NULL, c.rating,
               {_ms("c.verified_at", "c.received_at")}, {_ms("c.first_response_at", "c.received_at")},
               {_ms("c.closed_at", "c.received_at")},
               CASE WHEN c.status = 'closed' AND c.closed_at IS NOT NULL THEN {_day("c.closed_at")} END,
               c.category_id, c.kelurahan_id
        FROM {table} c {where} ORDER BY c.received_at, c.id LIMIT %(batch)s"""  # noqa: S608
    params: dict[str, Any] = {"tz": timezone.get_default_timezone_name(), "batch": batch,
              "at": last[0] if last else None, "id": last[1] if last else None}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"id": r[0], "key": (r[1], r[0]), "day": r[2], "channel": r[3], "status": r[4], "dup": r[5],
                 "secret": r[6], "fu": r[7], "rating": r[8], "t": [r[9], r[10], r[11]], "cd": r[12],
                 "cat": r[13], "kel": r[14]} for r in cursor.fetchall()]


def disposition_parts(ids: list[int]) -> dict[int, list[list[Any]]]:
    """Each complaint's dispositions (cancelled left out) as ``figure_cells`` keeps them, in id order."""
    table = connection.ops.quote_name(Disposition._meta.db_table)
    sql = f"""
        SELECT d.complaint_id, d.opd_id, (d.answered_at IS NOT NULL)::int,
               (d.answered_at IS NOT NULL AND (d.complete_due IS NULL OR d.answered_at <= d.complete_due))::int,
               (d.state = 'returned')::int, (d.state IN ('pending', 'accepted'))::int,
               {_ms("COALESCE(d.accepted_at, d.answered_at)", "d.created_at")}, {_ms("d.answered_at", "d.created_at")}
        FROM {table} d WHERE d.complaint_id = ANY(%(ids)s) AND d.state <> 'cancelled' ORDER BY d.id"""  # noqa: S608
    found: dict[int, list[list[Any]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids})
        for complaint_id, *part in cursor.fetchall():
            found.setdefault(complaint_id, []).append(part)
    return found
