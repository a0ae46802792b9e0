"""Complaint exports (CSV), through the same access rules as the desk.

An OPD user's export holds only their OPD's complaints and never an *anonim* reporter's identity.

The export streams a city's whole history (a million rows and more) with flat memory on the web
process and nothing spilled on the database: rows are read in chunks of :data:`CHUNK_ROWS` by
keyset pagination on ``(received_at, id)``, each chunk two plain queries (the complaints as
value tuples, then their OPDs). Never ``iterator()``: outside a transaction it declares a ``CURSOR
WITH HOLD``, which makes PostgreSQL materialise the whole result in a temp file before the first
row. Each chunk is its own snapshot; a complaint changed during a long export shows its state at
the moment its chunk was read.

Speed (issue 14): everything that does not change from row to row — labels, OPD codes, the
masking decision of :mod:`access` for each value of ``is_anonymous``, the time zone — is decided
once per export by :class:`_Labels`; a row is then one tuple in, one list out, and the ``csv``
module writes a chunk at a time. On PostgreSQL the next chunk is read on a second connection
while the current one is written (:mod:`aduan_publik.read_ahead`).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone

from . import access, figures
from .models import OPD, Category, Complaint, Disposition
from .read_ahead import read_ahead, reads_ahead

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
CHUNK_ROWS = 5000
#: the first chunk is small, so the download visibly starts at once
FIRST_CHUNK_ROWS = 500
VALUES = ("pk", "tracking_number", "received_at", "channel", "kind", "status", "category_id", "title",
          "contact_id", "contact__name", "contact__phone", "contact__email", "is_anonymous", "due_at", "rating",
          "counted")
_RECEIVED_AT = VALUES.index("received_at")

Row = tuple[Any, ...]


def export_queryset(user: Any, *, after: tuple[datetime, int] | None = None) -> QuerySet[Complaint]:
    """The complaints ``user`` may export after the key ``after``, in export order: ``(received_at, id)``,
    a total order (an OPD's along its scope rows' copy of the same values: ``access.received_key``)."""
    return access.complaints_visible_to(user, after=after).order_by(*access.received_key(user))


def export_chunks(user: Any, *, size: int | None = None) -> Iterator[tuple[list[Row], dict[int, list[int]]]]:
    """The complaints ``user`` may see, ``size`` at a time: (value tuples in :data:`VALUES` order,
    the OPD ids of each complaint by its id). The first chunk holds at most :data:`FIRST_CHUNK_ROWS`."""
    size = size or CHUNK_ROWS
    # The figures' own rule, so a spreadsheet filtered on «Ya» totals what the dashboard shows.
    counted = ExpressionWrapper(figures.counted_q(), output_field=BooleanField())
    after: tuple[datetime, int] | None = None
    while True:
        page = export_queryset(user, after=after)
        limit = min(size, FIRST_CHUNK_ROWS) if after is None else size
        rows = list(page.annotate(counted=counted).values_list(*VALUES)[:limit])
        if not rows:
            return
        # The chunk's own query as the sub-select: 5,000 ids as parameters cost more to bind than it.
        yield rows, _opd_ids(page[:limit].values("pk"))
        if len(rows) < limit:
            return
        after = (rows[-1][_RECEIVED_AT], rows[-1][0])


def _opd_ids(complaints: QuerySet[Complaint, Any]) -> dict[int, list[int]]:
    """The OPDs each of ``complaints`` is (or was) disposed to, cancelled dispositions left out: one query
    (unordered: the row sorts the codes itself)."""
    found: dict[int, list[int]] = defaultdict(list)
    pairs = (Disposition.objects.filter(complaint_id__in=complaints).exclude(state=Disposition.State.CANCELLED)
             .order_by().values_list("complaint_id", "opd_id"))
    for complaint_id, opd_id in pairs:
        found[complaint_id].append(opd_id)
    return found


class _Labels:
    """What a row shows for ids, choices and reporters, decided once per export (no per-row query,
    no per-row access check: :func:`access.identity_visible` answers for both values of ``is_anonymous``)."""

    def __init__(self, user: Any) -> None:
        self.categories = {c.pk: _safe_cell(str(c)) for c in Category.objects.select_related("parent")}
        self.opds = dict(OPD.objects.values_list("pk", "code"))
        self.status = {value: str(label) for value, label in Complaint.Status.choices}
        self.kind = {value: str(label) for value, label in Complaint.Kind.choices}
        self.tz = timezone.get_current_timezone()
        #: per ``is_anonymous``: None when the reporter shows, else the masked (name, phone, email)
        self.masks: dict[bool, tuple[str, str, str] | None] = {
            flag: None if access.identity_visible(user, is_anonymous=flag) else _masked(user, flag)
            for flag in (False, True)}

    def when(self, value: datetime | None) -> str:
        """``YYYY-MM-DD HH:MM`` in the site's time zone (``isoformat`` cut to the minute: half the cost of
        ``strftime``, the same text for years 1000–9999)."""
        return "" if value is None else value.astimezone(self.tz).isoformat(" ", "minutes")[:16]

    def opd_codes(self, opd_ids: list[int]) -> str:
        return ", ".join(sorted({self.opds[pk] for pk in opd_ids}))


def _masked(user: Any, is_anonymous: bool) -> tuple[str, str, str]:
    shown = access.reporter_display_values(user, is_anonymous=is_anonymous, name="", phone="", email="")
    return _safe_cell(shown["name"]), _safe_cell(shown["phone"]), _safe_cell(shown["email"])


def _cells(row: Row, opd_ids: list[int] | None, labels: _Labels) -> list[str]:
    """One CSV row in :data:`COLUMNS` order; text that people typed goes through :func:`_safe_cell`."""
    kind: str
    status: str
    (_pk, number, received_at, channel, kind, status, category_id, title, contact_id, name, phone, email,
     is_anonymous, due_at, rating, counted) = row
    if contact_id is None:
        name = phone = email = ""
    else:
        mask = labels.masks[is_anonymous]
        if mask is None:
            name, phone, email = _safe_cell(name), _safe_cell(phone), _safe_cell(email)
        else:
            name, phone, email = mask
    return [
        _safe_cell(number), labels.when(received_at), _safe_cell(channel), labels.kind.get(kind, kind),
        labels.status.get(status, status), labels.categories.get(category_id, ""),
        labels.opd_codes(opd_ids) if opd_ids else "", _safe_cell(title), name, phone, email, labels.when(due_at),
        "" if rating is None else str(rating), "Ya" if counted else "Tidak",
    ]


def export_rows(user: Any) -> Iterator[list[list[str]]]:
    """Header (a list of one row) then the rows of ``user``'s export a chunk at a time, identities masked
    per access rules."""
    yield [[label for _, label in COLUMNS]]
    labels = _Labels(user)
    # The database finds the next chunk while this one is written (where a second connection can).
    chunks = read_ahead(lambda: export_chunks(user)) if reads_ahead() else export_chunks(user)
    for rows, opds in chunks:
        yield [_cells(row, opds.get(row[0]), labels) for row in rows]


def _safe_cell(text: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is run by Excel.
    return "'" + text if text and text[0] in "=+-@" else text


def csv_lines(user: Any) -> Iterator[str]:
    """The CSV text: the header at once (the download starts), then one piece per chunk of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for rows in export_rows(user):
        writer.writerows(rows)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
