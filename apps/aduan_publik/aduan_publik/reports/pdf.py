"""The monthly report as a PDF (reportlab): headline, figures, OPD league table and charts.

reportlab is a wheel from PyPI with no system libraries (unlike HTML-to-PDF engines that need
Pango/Cairo), so every machine installs it from ``pyproject.toml`` alone.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tables import LongTable

from . import MonthlyReport

COLOURS = (colors.HexColor("#1d4ed8"), colors.HexColor("#16a34a"), colors.HexColor("#ea580c"))
WIDTH = A4[0] - 4 * cm
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 8),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")), ("VALIGN", (0, 0), (-1, -1), "TOP")])


def _plot(spec: dict[str, Any]) -> Drawing:
    n = max(len(spec["labels"]), 1)
    horizontal = spec["kind"] != "line"
    height = 40 + (14 * n * len(spec["series"]) if horizontal else 160)
    drawing = Drawing(WIDTH, height + 60)
    chart: Any = HorizontalBarChart() if horizontal else HorizontalLineChart()
    chart.x, chart.y = (170 if horizontal else 30), 30
    chart.width, chart.height = WIDTH - chart.x - 10, height
    # A horizontal bar chart draws its first category at the bottom: reverse, to read top-down.
    order = list(reversed(range(n))) if horizontal else list(range(n))
    chart.data = [[s["values"][i] or 0 for i in order] for s in spec["series"]]
    chart.categoryAxis.categoryNames = [str(spec["labels"][i])[:32] for i in order]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    for i in range(len(spec["series"])):
        target = chart.bars[i] if horizontal else chart.lines[i]
        setattr(target, "fillColor" if horizontal else "strokeColor", COLOURS[i % len(COLOURS)])
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontSize = chart.x, height + 55, 7
    legend.colorNamePairs = [(COLOURS[i % len(COLOURS)], s["label"]) for i, s in enumerate(spec["series"])]
    legend.alignment = "right"
    drawing.add(legend)
    drawing.add(String(0, 2, "", fontSize=6))
    return drawing


def _chart_block(spec: dict[str, Any], styles: Any) -> list[Flowable]:
    block: list[Flowable] = [Paragraph(spec["title"], styles["Heading3"]), Paragraph(spec["summary"], styles["Normal"])]
    if spec["labels"]:
        block.append(_plot(spec))
        rows = [["", *spec["headers"]], *spec["rows"]]
        block.append(LongTable(rows, repeatRows=1, style=GRID))
    return [*block, Spacer(1, 0.4 * cm)]


def report_pdf(report: MonthlyReport) -> bytes:
    out = BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=A4, title=report.title, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.5 * cm, bottomMargin=1.5 * cm, lang="id",
                            pageCompression=0)  # plain text streams: searchable by simple tools
    story: list[Flowable] = [Paragraph(report.title, styles["Title"]), Paragraph(report.headline, styles["Heading2"])]
    story.append(Table([[i.label, i.value] for i in report.items], colWidths=[WIDTH * 0.6, WIDTH * 0.4],
                       style=TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                         ("FONTSIZE", (0, 0), (-1, -1), 9)])))
    story += [Spacer(1, 0.5 * cm), Paragraph(_("Peringkat OPD"), styles["Heading2"])]
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8)
    league = [[_("OPD"), *[Paragraph(c["label"], cell) for c in report.league["columns"]]]]
    league += [[Paragraph(r["name"], cell), *r["cells"]] for r in report.league["rows"]]
    widths = [WIDTH * f for f in (0.25, 0.09, 0.11, 0.09, 0.15, 0.09, 0.1, 0.12)]
    story.append(LongTable(league, repeatRows=1, colWidths=widths, style=GRID))
    story += [Spacer(1, 0.5 * cm), Paragraph(_("Grafik"), styles["Heading2"])]
    for spec in report.charts:
        story += _chart_block(spec, styles)
    doc.build(story)
    return out.getvalue()
