"""Public pages: the list of non-rahasia complaints, one complaint, its reviewed files, the figures."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from ... import figures
from ...paging import CappedPaginator
from ...selectors import trends
from ...selectors.search import COUNT_LIMIT
from ...views.files import serve_attachment
from .. import selectors, stats
from ..forms import PublicFilterForm

PAGE_SIZE = 20


def complaint_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.public_search(
        q=filters.get("q", ""), status=filters.get("status", ""), kind=filters.get("kind", ""),
        category=filters.get("category"), kecamatan=filters.get("kecamatan"),
    )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    if filters.get("q", "").strip():
        paginator.exact_limit = COUNT_LIMIT  # a search counts exactly only up to a thousand (each match costs a row)
    page = paginator.get_page(request.GET.get("hal"))
    query = request.GET.copy()
    query.pop("hal", None)
    return render(request, "portal/public_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "status_class": status_class,
        "city_figures": _city_figures(filters.get("status", "")),
    })


def _city_figures(status: str) -> list[figures.Figure]:
    """The statistics' figure for a status filter: the list shows only public complaints, so the page
    also states the city's count with the same label and number as the statistics page."""
    key = figures.STATUS_FIGURE.get(status)
    return figures.labelled(figures.totals(), (key,)) if key else []


def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    complaint = selectors.public_complaint(number)
    return render(request, "portal/public_detail.html", {
        "complaint": complaint,
        "files": selectors.public_complaint_attachments(complaint),
        "followups": selectors.public_followups(complaint),
        "opds": selectors.handling_opds(complaint),
    })


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    return serve_attachment(selectors.get_public_attachment(pk), private=False)


def statistics(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("tahun", "")
    year_value = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    found = stats.public_figures(year_value)
    labels = {row["channel"]: row["label"] for row in found["per_channel"]}
    return render(request, "portal/statistics.html", {
        "figures": found, "year": year_value,
        "items": figures.labelled(found["totals"]), "headline": figures.headline(found["totals"]),
        "league": trends.league(found["per_opd"], sort=request.GET.get("urut", ""),
                                direction=request.GET.get("arah", "")),
        "keep": f"tahun={year_value}" if year_value else "",
        "charts": trends.charts(found["period"], channel_labels=labels, opd_rows=found["per_opd"],
                                channel_rows=found["per_channel"]),
    })


def status_class(status: str) -> str:
    return {"closed": "ok", "answered": "ok", "not_authority": "muted"}.get(status, "busy")
