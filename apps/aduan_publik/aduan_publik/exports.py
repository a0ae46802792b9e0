"""Complaint exports (CSV), through the same access rules as the desk.

An OPD user's export holds only their OPD's complaints and never an *anonim* reporter's identity.

The export streams a city's whole history (a million rows and more) with flat memory on the web
process and nothing spilled on the database: rows are read in chunks of :data:`CHUNK_ROWS` by
keyset pagination on ``(received_at, id)``, each chunk two plain queries (the complaints as
values, then their OPDs). Never ``iterator()``: outside a transaction it declares a ``CURSOR
WITH HOLD``, which makes PostgreSQL materialise the whole result in a temp file before the first
row. Each chunk is its own snapshot; a complaint changed during a long export shows its state at
the moment its chunk was read.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from . import access, figures
from .models import OPD, Category, Complaint, Disposition

COLUMNS = [
    ("tracking_number", "Nomor aduan"),
    ("received_at", "Diterima"),
    ("channel", "Kanal"),
    ("kind", "Jenis"),
    ("status", "Status"),
    ("category", "Kategori"),
    ("opds", "OPD"),
    ("title", "Judul"),
    ("reporter_name", "Nama pelapor"),
    ("reporter_phone", "Telepon"),
    ("reporter_email", "Email"),
    ("due_at", "Batas waktu"),
    ("rating", "Penilaian"),
    ("counted", "Dihitung dalam statistik"),
]
#: rows per chunk: one query for the complaints and one for their OPDs per chunk
CHUNK_ROWS = 2000
FIRST_PIECE_ROWS = 100
VALUES = ("pk", "tracking_number", "received_at", "channel", "kind", "status", "category_id", "title",
          "contact_id", "contact__name", "contact__phone", "contact__email", "is_anonymous", "due_at", "rating",
          "counted")


def export_queryset(user: Any) -> QuerySet[Complaint]:
    """The complaints ``user`` may export, in export order: ``(received_at, id)``, a total order."""
    return access.complaints_visible_to(user).order_by("received_at", "pk")


def _after(received_at: datetime, pk: int) -> Q:
    """Rows after the key ``(received_at, pk)``. The redundant ``>=`` bound lets the database start an
    index range scan at the key instead of filtering every earlier row (an OR alone does not)."""
    return Q(received_at__gte=received_at) & (Q(received_at__gt=received_at) | Q(received_at=received_at,
                                                                                   pk__gt=pk))


def export_chunks(user: Any, *, size: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """The complaints ``user`` may see as value rows, ``size`` at a time, each row with its ``opds``."""
    size = size or CHUNK_ROWS
    # The figures' own rule, so a spreadsheet filtered on «Ya» totals what the dashboard shows.
    counted = ExpressionWrapper(figures.counted_q(), output_field=BooleanField())
    after: tuple[datetime, int] | None = None
    while True:
        page = export_queryset(user) if after is None else export_queryset(user).filter(_after(*after))
        rows = list(page.annotate(counted=counted).values(*VALUES)[:size])
        if not rows:
            return
        # The chunk's own query as the sub-select: 2,000 ids as parameters cost more to bind than it.
        opds = _opd_ids(page[:size].values("pk"))
        for row in rows:
            row["opds"] = opds.get(row["pk"], ())
        yield rows
        if len(rows) < size:
            return
        after = (rows[-1]["received_at"], rows[-1]["pk"])


def _opd_ids(complaints: QuerySet[Complaint, Any]) -> dict[int, list[int]]:
    """The OPDs each of ``complaints`` is (or was) disposed to, cancelled dispositions left out: one query."""
    found: dict[int, list[int]] = defaultdict(list)
    pairs = (Disposition.objects.filter(complaint_id__in=complaints).exclude(state=Disposition.State.CANCELLED)
             .values_list("complaint_id", "opd_id"))
    for complaint_id, opd_id in pairs:
        found[complaint_id].append(opd_id)
    return found


class _Labels:
    """What a row shows for ids and choices, read once per export (small tables, no per-row query)."""

    def __init__(self) -> None:
        self.categories = {c.pk: _safe_cell(str(c)) for c in Category.objects.select_related("parent")}
        self.opds = dict(OPD.objects.values_list("pk", "code"))
        self.status = {value: str(label) for value, label in Complaint.Status.choices}
        self.kind = {value: str(label) for value, label in Complaint.Kind.choices}
        self.tz = timezone.get_current_timezone()

    def when(self, value: datetime | None) -> str:
        return "" if value is None else value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")


def _cells(user: Any, row: dict[str, Any], labels: _Labels) -> list[str]:
    """One CSV row in :data:`COLUMNS` order; text that people typed goes through :func:`_safe_cell`."""
    name = phone = email = ""
    if row["contact_id"] is not None:
        who = access.reporter_display_values(user, is_anonymous=row["is_anonymous"], name=row["contact__name"],
                                             phone=row["contact__phone"], email=row["contact__email"])
        name, phone, email = _safe_cell(who["name"]), _safe_cell(who["phone"]), _safe_cell(who["email"])
    return [
        _safe_cell(row["tracking_number"]), labels.when(row["received_at"]), _safe_cell(row["channel"]),
        labels.kind.get(row["kind"], row["kind"]), labels.status.get(row["status"], row["status"]),
        labels.categories.get(row["category_id"], ""), ", ".join(sorted({labels.opds[pk] for pk in row["opds"]})),
        _safe_cell(row["title"]), name, phone, email, labels.when(row["due_at"]),
        "" if row["rating"] is None else str(row["rating"]), "Ya" if row["counted"] else "Tidak",
    ]


def export_rows(user: Any) -> Iterator[list[str]]:
    """Header then one row per complaint ``user`` may see, identities masked per access rules."""
    yield [label for _, label in COLUMNS]
    labels = _Labels()
    for chunk in export_chunks(user):
        for row in chunk:
            yield _cells(user, row, labels)


def _safe_cell(text: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is run by Excel.
    return "'" + text if text and text[0] in "=+-@" else text


def csv_lines(user: Any) -> Iterator[str]:
    """The CSV text: the header at once (the download starts), then one piece per chunk of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = export_rows(user)
    writer.writerow(next(rows))
    yield _drain(buffer)
    for written, row in enumerate(rows, start=1):
        writer.writerow(row)
        # The first rows go out at once (the download visibly starts), then a piece per chunk.
        if written == FIRST_PIECE_ROWS or written % CHUNK_ROWS == 0:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
