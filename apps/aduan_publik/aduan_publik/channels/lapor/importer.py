"""The fallback that always works: the LAPOR! admin panel's export (XLSX or CSV), previewed then imported.

:func:`import_preview` parses the upload into an :class:`ImportBatch` without touching a
complaint, and says per row what an import would do. :func:`import_run` then applies every
valid row through the same upsert as the pull, so importing a file twice (or a file that
overlaps the API sync) changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik import access
from aduan_publik.workflow import WorkflowError

from .api import ApiConfig, current_config
from .models import ImportBatch, LaporLink
from .reports import CREATED, UNCHANGED, report_upsert
from .wire import RecordError, report_from_values

MAX_ROWS = 20000
MAX_BYTES = 20 * 1024 * 1024


class ImportFileError(WorkflowError):
    """The file cannot be read as an export: nothing was stored."""


def _require_admin(by: Any) -> None:
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat mengimpor laporan SP4N-LAPOR!."))


# ---- reading files --------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError(_("Berkas XLSX tidak dapat dibaca: %(e)s") % {"e": exc}) from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")  # Excel on Windows saves CSV in the ANSI code page
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """The rows of an export file (header first), or :class:`ImportFileError`."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Berkas terlalu besar (maksimum 20 MB)."))
    if content[:2] == b"PK":  # a zip container: XLSX whatever the name says
        rows = list(_xlsx_rows(content))
    elif filename.lower().endswith((".csv", ".txt")):
        rows = list(_csv_rows(content))
    else:
        raise ImportFileError(_("Unggah berkas ekspor LAPOR! berformat XLSX atau CSV."))
    rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
    if len(rows) < 2:
        raise ImportFileError(_("Berkas tidak berisi baris data."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("Terlalu banyak baris (maksimum %(n)d).") % {"n": MAX_ROWS})
    return rows


def map_columns(cfg: ApiConfig, header: Iterable[Any]) -> dict[str, int]:
    """Our field name -> column index, using the configured header names."""
    names = [str(cell or "").strip().casefold() for cell in header]
    found: dict[str, int] = {}
    for field_name, candidates in cfg.import_columns.items():
        for candidate in candidates:
            if candidate.casefold() in names:
                found[field_name] = names.index(candidate.casefold())
                break
    missing = [f for f in ("lapor_id", "content") if f not in found]
    if missing:
        raise ImportFileError(
            _("Kolom wajib tidak ditemukan: %(m)s. Kolom yang ada: %(h)s.")
            % {"m": ", ".join(missing), "h": ", ".join(str(c) for c in header if c)}
        )
    return found


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# ---- preview and import ---------------------------------------------------------------------


def import_preview(*, filename: str, content: bytes, by: Any, cfg: ApiConfig | None = None) -> ImportBatch:
    """Parse an export into a batch; each row is validated now, nothing else is written."""
    _require_admin(by)
    cfg = cfg or current_config()
    table = read_table(filename, content)
    columns = map_columns(cfg, table[0])
    rows: list[dict[str, Any]] = []
    for number, cells in enumerate(table[1:], start=2):
        values = {f: _jsonable(cells[i]) if i < len(cells) else None for f, i in columns.items()}
        entry: dict[str, Any] = {"row": number, "values": values}
        try:
            report_from_values(values, formats=cfg.date_formats)
        except RecordError as exc:
            entry["error"] = str(exc)
        rows.append(entry)
    return ImportBatch.objects.create(filename=filename[:255], uploaded_by=by, rows=rows)


def preview_rows(batch: ImportBatch, limit: int = 200) -> list[dict[str, Any]]:
    """What an import would do with each row: new, update, unchanged, or the row's error."""
    ids = [str(r["values"].get("lapor_id") or "").lstrip("#") for r in batch.rows if "error" not in r]
    hashes = dict(LaporLink.objects.filter(lapor_id__in=ids).values_list("lapor_id", "content_hash"))
    shown = []
    for entry in batch.rows[:limit]:
        item = {"row": entry["row"], "values": entry["values"], "error": entry.get("error", "")}
        if not item["error"]:
            report = report_from_values(entry["values"])
            known = hashes.get(report.lapor_id)
            item["action"] = "new" if known is None else "unchanged" if known == report.content_hash() else "update"
        shown.append(item)
    return shown


def import_run(*, batch: ImportBatch, by: Any, cfg: ApiConfig | None = None) -> dict[str, Any]:
    """Import every valid row of a previewed batch; returns (and stores) the report."""
    _require_admin(by)
    cfg = cfg or current_config()
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportBatch.State.PREVIEW:
            raise WorkflowError(_("Berkas ini sudah diimpor."))
        batch.state = ImportBatch.State.DONE  # claimed: a double click does not import twice
        batch.save(update_fields=["state"])
    result: dict[str, Any] = {"created": 0, "updated": 0, "skipped": 0, "errors": []}
    for entry in batch.rows:
        outcome = _import_row(entry, cfg)
        if outcome in (CREATED, "updated"):
            result[outcome] += 1
        elif outcome == UNCHANGED:
            result["skipped"] += 1
        else:
            result["errors"].append({"row": entry["row"], "error": outcome})
    ImportBatch.objects.filter(pk=batch.pk).update(result=result, imported_at=timezone.now())
    return result


def _import_row(entry: dict[str, Any], cfg: ApiConfig) -> str:
    """created/updated/unchanged, or the row's error message."""
    if entry.get("error"):
        return str(entry["error"])
    try:
        report = report_from_values(entry["values"], formats=cfg.date_formats)
        return report_upsert(report=report, cfg=cfg, source="import")
    except (RecordError, WorkflowError) as exc:
        return "; ".join(getattr(exc, "messages", [str(exc)]))
