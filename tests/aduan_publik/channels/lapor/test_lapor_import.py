"""The fallback import of the LAPOR! admin panel's export: preview, idempotent import, row errors."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from aduan_publik.channels.lapor.importer import ImportFileError, import_preview, import_run, preview_rows
from aduan_publik.channels.lapor.models import LaporLink
from aduan_publik.models import Complaint, Event
from aduan_publik.workflow import WorkflowError

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["No Laporan", "Judul", "Isi Laporan", "Status", "Anonim", "Rahasia", "Nama Pelapor", "Tanggal"]
ROWS = [
    ["#1916449", "Jalan rusak", "Jalan di depan pasar berlubang besar.", "Belum Terverifikasi", "Tidak", "Tidak",
     "Siti", "2026-01-05 08:00"],
    ["1916450", "", "Lampu jalan mati sejak seminggu lalu.", "Selesai", "Ya", "Ya", "", "2026-01-06"],
    ["", "Tanpa ID", "Isi ada tetapi ID kosong.", "Dalam Proses", "", "", "", ""],
    ["1916451", "Tanggal aneh", "Isi laporan lengkap.", "Dalam Proses", "", "", "", "kemarin sore"],
]


def csv_bytes(rows, sep=";") -> bytes:
    lines = [sep.join(HEADER)] + [sep.join(str(c) for c in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode()


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_preview_says_what_each_row_would_do_and_writes_no_complaint(admin_user):
    batch = import_preview(filename="ekspor.csv", content=csv_bytes(ROWS), by=admin_user)
    rows = preview_rows(batch)
    assert [r["row"] for r in rows] == [2, 3, 4, 5]
    assert [r.get("action") for r in rows[:2]] == ["new", "new"]
    assert rows[2]["error"] == "ID laporan kosong" and "kemarin sore" in rows[3]["error"]
    assert not Complaint.objects.exists()


def test_import_creates_then_a_second_import_skips_and_a_changed_row_updates(admin_user):
    batch = import_preview(filename="ekspor.csv", content=csv_bytes(ROWS), by=admin_user)
    result = import_run(batch=batch, by=admin_user)
    assert (result["created"], result["updated"], result["skipped"]) == (2, 0, 0)
    assert [e["row"] for e in result["errors"]] == [4, 5]
    first = Complaint.objects.get(external_id="1916449")
    assert first.channel == "lapor" and first.contact.name == "Siti" and first.lapor_link.source == "import"
    second = Complaint.objects.get(external_id="1916450")
    assert second.is_anonymous and second.is_secret and second.status == "closed"
    assert second.title.startswith("Lampu jalan mati")
    events = Event.objects.count()

    again = import_run(batch=import_preview(filename="ekspor.csv", content=csv_bytes(ROWS), by=admin_user),
                       by=admin_user)
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 2)
    assert Event.objects.count() == events

    changed = [[*ROWS[0][:1], "Jalan rusak parah", *ROWS[0][2:]]]
    batch3 = import_preview(filename="ekspor.csv", content=csv_bytes(changed), by=admin_user)
    assert preview_rows(batch3)[0]["action"] == "update"
    assert import_run(batch=batch3, by=admin_user)["updated"] == 1
    first.refresh_from_db()
    assert first.title == "Jalan rusak parah"


def test_xlsx_export_is_read_like_csv(admin_user):
    batch = import_preview(filename="ekspor.xlsx", content=xlsx_bytes(ROWS[:2]), by=admin_user)
    result = import_run(batch=batch, by=admin_user)
    assert result["created"] == 2 and not result["errors"]
    assert set(LaporLink.objects.values_list("lapor_id", flat=True)) == {"1916449", "1916450"}


def test_a_batch_is_imported_only_once(admin_user):
    batch = import_preview(filename="ekspor.csv", content=csv_bytes(ROWS[:1]), by=admin_user)
    import_run(batch=batch, by=admin_user)
    with pytest.raises(WorkflowError):
        import_run(batch=batch, by=admin_user)
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "why"), [
    ("ekspor.pdf", b"%PDF-1.4", "XLSX atau CSV"),
    ("ekspor.csv", b"Judul;Isi Laporan\nx;y\n", "lapor_id"),
    ("ekspor.csv", ";".join(HEADER).encode(), "tidak berisi"),
    ("ekspor.xlsx", b"PK\x03\x04 rusak", "XLSX"),
])
def test_unreadable_files_are_refused_with_a_reason_and_nothing_stored(admin_user, name, content, why):
    with pytest.raises(ImportFileError) as caught:
        import_preview(filename=name, content=content, by=admin_user)
    assert why in caught.value.messages[0]
    assert not Complaint.objects.exists()


def test_only_admins_import(liaison_pu, admin_user):
    with pytest.raises(PermissionDenied):
        import_preview(filename="ekspor.csv", content=csv_bytes(ROWS), by=liaison_pu)
    batch = import_preview(filename="ekspor.csv", content=csv_bytes(ROWS), by=admin_user)
    with pytest.raises(PermissionDenied):
        import_run(batch=batch, by=liaison_pu)
