"""The desk's monthly reports page and downloads (XLSX/PDF), access-checked per OPD.

Admins and leaders take the city or any OPD; OPD staff only their own OPD
(``access.report_opd_scope``). Views stay thin: the report is built in :mod:`aduan_publik.reports`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, reports
from ..models import OPD
from ..reports.pdf import report_pdf
from ..reports.xlsx import report_xlsx

FORMATS = {"xlsx": (report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           "pdf": (report_pdf, "application/pdf")}


def _months(count: int = 12) -> list[tuple[str, str]]:
    today = timezone.localdate()
    year, month = today.year, today.month
    found = []
    for _i in range(count):
        found.append((f"{year}-{month:02d}", f"{reports.MONTHS[month - 1]} {year}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def _opd_choices(user: Any) -> list[tuple[str, str]]:
    actor = access.actor_for(user)
    opds = OPD.objects.filter(active=True).order_by("name")
    if not actor.can_read_all:
        opds = opds.filter(pk=actor.opd_id or 0)
        return [(str(o.pk), o.name) for o in opds]
    return [("", _("Seluruh OPD")), *((str(o.pk), o.name) for o in opds)]


def reports_page(admin_site: Any, request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    """The form; the month chosen at first is the last whole one (the report mailed to leaders), not
    the month running, which holds nothing yet on its first morning."""
    chosen = request.GET.get("bulan", "")
    if reports.parse_month(chosen) is None:  # none yet, or the bad one the error names
        chosen = "{}-{:02d}".format(*reports.previous_month())
    context = {**admin_site.each_context(request), "title": _("Laporan bulanan"), "months": _months(),
               "opds": _opd_choices(request.user), "error": error, "chosen_month": chosen,
               "chosen_opd": request.GET.get("opd", "")}
    return TemplateResponse(request, "desk/reports.html", context, status=status)


def report_download(admin_site: Any, request: HttpRequest, fmt: str) -> HttpResponse:
    """One month's report as XLSX or PDF; a bad month or format shows the page with an error."""
    month = reports.parse_month(request.GET.get("bulan", ""))
    opd_id = access.report_opd_scope(request.user, request.GET.get("opd"))  # another OPD: 403
    if fmt not in FORMATS or month is None:
        return reports_page(admin_site, request, status=400,
                            error=_("Pilih bulan (format TTTT-BB) dan format XLSX atau PDF."))
    if opd_id is not None and not OPD.objects.filter(pk=opd_id).exists():
        return reports_page(admin_site, request, status=400, error=_("OPD tidak ditemukan."))
    report = reports.monthly_report(year=month[0], month=month[1], opd_id=opd_id)
    render, content_type = FORMATS[fmt]
    response = HttpResponse(render(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return response
