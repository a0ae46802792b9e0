"""The monthly report as an XLSX workbook: a summary sheet, the OPD league table and native charts."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from . import MonthlyReport


def _safe(value: Any) -> Any:
    # A text cell starting with = + - @ would run as a formula in Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    ws.title = _("Ringkasan")[:31]
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([report.headline])
    ws.append([])
    for item in report.items:
        ws.append([item.label, item.value])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 24


def _league(ws: Worksheet, report: MonthlyReport) -> None:
    ws.append([_("OPD"), *[c["label"] for c in report.league["columns"]]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in report.league["rows"]:
        ws.append([_safe(row["name"]), *row["cells"]])
    ws.column_dimensions["A"].width = 40


def _chart_sheet(ws: Worksheet, spec: dict[str, Any]) -> None:
    """The chart's data as a table (the text alternative) and a native chart drawn from it."""
    ws.append([spec["title"]])
    ws["A1"].font = Font(bold=True)
    ws.append([spec["summary"]])
    ws.append(["", *spec["headers"]])
    for i, label in enumerate(spec["labels"]):
        ws.append([_safe(label), *[s["values"][i] for s in spec["series"]]])
    ws.column_dimensions["A"].width = 36
    if not spec["labels"]:
        return
    chart = LineChart() if spec["kind"] == "line" else BarChart()
    chart.title = spec["title"]
    last = 3 + len(spec["labels"])
    data = Reference(ws, min_col=2, max_col=1 + len(spec["series"]), min_row=3, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=last))
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"{chr(ord('B') + len(spec['series']) + 1)}3")


def report_xlsx(report: MonthlyReport) -> bytes:
    book = Workbook()
    _summary(book.active, report)
    _league(book.create_sheet(_("Peringkat OPD")[:31]), report)
    for spec in report.charts:
        _chart_sheet(book.create_sheet(spec["title"][:31]), spec)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
