"""Complaint exports (CSV), through the same access rules as the desk.

An OPD user's export holds only their OPD's complaints and never an *anonim* reporter's identity.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from . import access, figures
from .models import Complaint

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


def export_queryset(user: Any) -> QuerySet[Complaint]:
    return (access.complaints_visible_to(user)
            .select_related("category", "category__parent", "contact")
            .prefetch_related("dispositions__opd").order_by("received_at"))


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def export_rows(user: Any) -> Iterator[list[str]]:
    """Header then one row per complaint ``user`` may see, identities masked per access rules."""
    yield [label for _, label in COLUMNS]
    for complaint in export_queryset(user).iterator(chunk_size=500):
        who = access.reporter_display(user, complaint)
        opds = sorted({d.opd.code for d in complaint.dispositions.all() if d.state != "cancelled"})
        values = {
            "tracking_number": complaint.tracking_number, "received_at": complaint.received_at,
            "channel": complaint.channel, "kind": complaint.get_kind_display(),
            "status": complaint.get_status_display(), "category": complaint.category or "",
            "opds": ", ".join(opds), "title": complaint.title, "reporter_name": who["name"],
            "reporter_phone": who["phone"], "reporter_email": who["email"], "due_at": complaint.due_at,
            "rating": complaint.rating,
            # The figures' own rule, so a spreadsheet filtered on «Ya» totals what the dashboard shows.
            "counted": "Ya" if figures.is_counted(complaint) else "Tidak",
        }
        yield [_safe_cell(_fmt(values[key])) for key, _ in COLUMNS]


def _safe_cell(text: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is run by Excel.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(user: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in export_rows(user):
        yield writer.writerow(row)
