"""The home page and the complaint form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ... import figures
from ...models import Complaint
from ...workflow import WorkflowError
from .. import abuse, selectors, services
from ..forms import MAX_FILES, ComplaintForm
from ._common import grant, receipt, remember_receipt

FORM_TEMPLATE = "portal/complaint_form.html"
HOME_FIGURES = ("total", "selesai", "in_process", "median_first_response")


def home(request: HttpRequest) -> HttpResponse:
    totals = figures.totals()
    return render(request, "portal/home.html", {
        "items": figures.labelled(totals, HOME_FIGURES), "headline": figures.headline(totals),
        "latest": selectors.public_complaints().order_by("-received_at")[:5],
        "verify_days": settings.ADUAN["deadlines"]["verify_working_days"],
    })


def _form_context(form: ComplaintForm, refusal: str = "", kept: list[Any] | None = None) -> dict[str, Any]:
    return {"form": form, "refusal": refusal, "kept": kept or []}


def _refuse(request: HttpRequest, form: ComplaintForm, message: str, status: int,
            kept: list[Any] | None = None) -> HttpResponse:
    return render(request, FORM_TEMPLATE, _form_context(form, message, kept), status=status)


def _refuse_keeping_files(request: HttpRequest, form: ComplaintForm, token: str, message: str) -> HttpResponse:
    """A form error: the files chosen are kept under the form's token and shown as kept."""
    kept = services.pending_keep(token=token, uploads=request.FILES.getlist("attachments"))
    return _refuse(request, form, message, 400, kept)


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, FORM_TEMPLATE, _form_context(ComplaintForm()))
    form = ComplaintForm(request.POST, request.FILES)
    token = request.POST.get("submit_token", "")[:64]
    earlier = services.submission_for(token) if token else None
    if earlier is not None and earlier.complaint is not None:  # the same form again: show the first result
        if receipt(request, token) is None:
            remember_receipt(request, token, earlier.complaint.pk, None)
        return redirect("aduan_publik:portal:complaint_done", token=token)
    if form.is_bot:
        return _refuse(request, form, _("Kiriman ditolak karena terdeteksi sebagai kiriman otomatis."), 400)
    if abuse.over_limit(request, "submit_ip"):
        return _refuse(request, form, _("Terlalu banyak aduan dari jaringan Anda. Silakan coba lagi nanti."), 429,
                       services.pending_for(token))
    services.pending_drop(token=token, ids=request.POST.getlist("drop_pending"))
    if not form.is_valid():
        return _refuse_keeping_files(request, form, token, _("Periksa kembali isian yang ditandai."))
    pending = services.pending_not_chosen_again(services.pending_for(token), form.cleaned_data["attachments"])
    if len(pending) + len(form.cleaned_data["attachments"]) > MAX_FILES:
        form.add_error("attachments", _("Maksimal %(n)d berkas.") % {"n": MAX_FILES})
        return _refuse(request, form, _("Periksa kembali isian yang ditandai."), 400, pending)
    if form.contact_key() and abuse.over_limit(request, "submit_contact", key=form.contact_key()):
        return _refuse(request, form, _("Terlalu banyak aduan dengan kontak yang sama. Silakan coba lagi nanti."),
                       429, pending)
    return _submit(request, form, token, pending)


def _submit(request: HttpRequest, form: ComplaintForm, token: str, pending: list[Any]) -> HttpResponse:
    data = form.cleaned_data
    fields = ("kind", "category", "title", "description", "location_text", "kecamatan", "kelurahan",
              "latitude", "longitude", "is_anonymous", "is_secret", "name", "phone", "email")
    try:
        result = services.portal_submit(
            token=token, ip=abuse.client_ip(request), files=data["attachments"], pending=pending,
            **{f: data[f] for f in fields}
        )
    except WorkflowError as exc:  # a file refused by the service: nothing was stored
        return _refuse(request, form, exc.messages[0], 400, pending)
    remember_receipt(request, token, result.complaint.pk, result.code)
    grant(request, result.complaint.pk)
    return redirect("aduan_publik:portal:complaint_done", token=token)


@never_cache  # shows the tracking number and the secret code
def complaint_done(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt: tracking number and (for the browser that filed it) the secret code."""
    found = receipt(request, token)
    if found is None:
        raise Http404(_("Tanda terima tidak ditemukan di peramban ini."))
    complaint = Complaint.objects.select_related("contact").get(pk=found["complaint"])
    contact = complaint.contact
    return render(request, "portal/complaint_done.html", {
        "complaint": complaint, "code": found.get("code"),
        "sent_to_email": contact.email if contact else "",
    })
