"""The desk's own pages: one form page per complaint action, and the walk-in/phone complaint form.

Views stay thin: resolve the complaint through the access-checked getter (another OPD's
complaint is a 404), show the form on GET, call the service on POST. A refusal by the service
(:class:`WorkflowError`, :class:`PermissionDenied`) is shown as a message and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import access
from ..models import Complaint
from ..selectors.complaints import complaint_files, own_disposition
from ..services.intake import walkin_complaint_create
from ..workflow import WorkflowError
from . import forms
from .actions import ACTIONS, DeskAction, triage_links


def complaint_url(complaint: Complaint) -> str:
    return reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])


def refusal(exc: Exception) -> str:
    """The message a service gave for refusing, fit to show to the user."""
    if isinstance(exc, WorkflowError):
        return "; ".join(exc.messages)
    return str(exc) or _("Anda tidak berhak melakukan tindakan ini.")


def render_form(model_admin: Any, request: HttpRequest, *, title: str, form: forms.DeskForm,
                complaint: Complaint | None = None, submit: str = "", status: int = 200) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title, "form": form, "complaint": complaint, "opts": model_admin.model._meta,
        "submit_label": submit or title, "back_url": complaint_url(complaint) if complaint else
        reverse("admin:aduan_publik_complaint_changelist"),
        "summary_photos": complaint_files(complaint=complaint) if complaint else [],
        # The one-click merge / archive beside a triage suggestion (the form knows no actions).
        "triage_urls": triage_links(request.user, complaint) if complaint and getattr(form, "triage", None) else {},
    }
    return TemplateResponse(request, "desk/action_form.html", context, status=status)


def complaint_action(model_admin: Any, request: HttpRequest, object_id: str, slug: str) -> HttpResponse:
    """GET shows the action's form; POST runs it through its service."""
    action = ACTIONS.get(slug)
    if action is None:
        raise Http404(_("Tindakan tidak dikenal."))
    # The summary above the form names the category (with its parent) and the areas: read with the row.
    within = Complaint.objects.select_related("category__parent", "kecamatan", "kelurahan")
    complaint = access.get_complaint(request.user, object_id, within=within)
    disposition = own_disposition(user=request.user, complaint=complaint) if action.on_disposition else None
    if request.method != "POST":
        if not action.available(request.user, complaint, disposition):
            messages.warning(request, _("Tindakan «%(a)s» tidak tersedia untuk aduan ini.") % {"a": action.label})
            return HttpResponseRedirect(complaint_url(complaint))
        # The query string preselects (e.g. ?draf=<pk>: the draft to review).
        form = action.form(initial=request.GET.dict(), user=request.user, complaint=complaint,
                           disposition=disposition)
        return render_form(model_admin, request, title=str(action.label), form=form, complaint=complaint)
    return _post_action(model_admin, request, action, complaint, disposition)


def _post_action(model_admin: Any, request: HttpRequest, action: DeskAction, complaint: Complaint,
                 disposition: Any) -> HttpResponse:
    form = action.form(request.POST, request.FILES, user=request.user, complaint=complaint,
                       disposition=disposition)
    if not form.is_valid():
        return render_form(model_admin, request, title=str(action.label), form=form, complaint=complaint,
                           status=400)
    try:
        if action.on_disposition and disposition is None:
            raise PermissionDenied(_("Aduan ini tidak didisposisikan ke OPD Anda."))
        done = action.run(request.user, complaint, disposition, form.cleaned_data)
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        if isinstance(exc, PermissionDenied):
            return HttpResponseRedirect(complaint_url(complaint))
        return render_form(model_admin, request, title=str(action.label), form=form, complaint=complaint,
                           status=400)
    messages.success(request, done)
    return HttpResponseRedirect(complaint_url(complaint))


def walkin_complaint(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """An admin types in a complaint told at the counter or on the phone."""
    title = _("Aduan baru (loket/telepon)")
    if not access.actor_for(request.user).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat mencatat aduan loket/telepon."))
    form = forms.WalkInForm(request.POST or None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        return render_form(model_admin, request, title=title, form=form, submit=_("Simpan aduan"),
                           status=400 if request.method == "POST" else 200)
    try:
        complaint, code = walkin_complaint_create(by=request.user, **form.cleaned_data)
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
        return render_form(model_admin, request, title=title, form=form, submit=_("Simpan aduan"), status=400)
    messages.success(request, _("Aduan %(n)s tercatat. Kode akses pelapor: %(c)s — sampaikan sekarang, "
                                "kode ini hanya ditampilkan sekali.") % {"n": complaint.tracking_number, "c": code})
    return HttpResponseRedirect(complaint_url(complaint))
