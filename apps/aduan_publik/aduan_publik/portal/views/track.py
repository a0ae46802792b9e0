"""Tracking: the reporter proves the code once, then reads, replies, rates and reopens in that session."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ... import access
from ...models import Complaint
from ...services.lifecycle import can_rate, complaint_rate, complaint_reporter_reopen, reporter_can_reopen
from ...views.files import serve_attachment
from ...workflow import WorkflowError, allowed_actions
from .. import abuse, selectors, services
from ..forms import RateForm, ReopenForm, ReplyForm, TrackForm
from ._common import grant, granted_ids

DETAIL = "aduan_publik:portal:track_detail"


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """The lookup form. Wrong number and wrong code get the same answer; failures are rate-limited."""
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    number = form.cleaned_data["tracking_number"].strip().upper()
    if abuse.over_limit(request, "track_fail_ip", increment=False) or abuse.over_limit(
        request, "track_fail_number", key=number, increment=False
    ):
        form.add_error(None, _("Terlalu banyak percobaan yang salah. Silakan coba lagi dalam satu jam."))
        return render(request, "portal/track.html", {"form": form}, status=429)
    try:
        complaint = access.get_complaint_for_reporter(number, form.cleaned_data["code"])
    except Http404 as exc:
        abuse.over_limit(request, "track_fail_ip")
        abuse.over_limit(request, "track_fail_number", key=number)
        form.add_error(None, str(exc))
        return render(request, "portal/track.html", {"form": form}, status=400)
    grant(request, complaint.pk)
    return redirect(DETAIL, number=complaint.tracking_number)


class CodeNeeded(Exception):
    """This browser has not proved the code of the complaint it asks for."""


def _granted(request: HttpRequest, number: str) -> Complaint:
    """The complaint behind ``number`` if this session proved its code; else :class:`CodeNeeded`."""
    complaint = (Complaint.objects.filter(tracking_number=number.upper(), pk__in=granted_ids(request))
                 .select_related("category", "kecamatan", "kelurahan").first())
    if complaint is None:
        raise CodeNeeded
    return complaint


def _ask_code(request: HttpRequest, number: str) -> HttpResponse:
    """A tracking link opened in a fresh browser: ask for the code, in the resident's words.

    The same page whether or not the number exists (no hint for guessers).
    """
    form = TrackForm(initial={"tracking_number": number.upper()[:20]})
    return render(request, "portal/track.html", {"form": form, "ask_number": number.upper()[:20]})


def needs_code(view):  # type: ignore[no-untyped-def]
    """Views of one complaint: without the session grant, the code form instead of a bare 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, number: str) -> HttpResponse:
        try:
            return view(request, number)
        except CodeNeeded:
            return _ask_code(request, number)

    return wrapper


def _detail_context(complaint: Complaint, refusal: str = "", **forms: Any) -> dict[str, Any]:
    actions = allowed_actions(complaint)
    return {
        "complaint": complaint,
        "refusal": refusal,
        "timeline": selectors.reporter_timeline(complaint),
        "files": selectors.reporter_initial_attachments(complaint),
        "opds": selectors.handling_opds(complaint),
        "can_reply": "reporter_reply" in actions,
        "answered": complaint.status == Complaint.Status.ANSWERED,
        "deadline": selectors.reporter_deadline(complaint),
        "can_rate": can_rate(complaint),
        "merged_into": selectors.merged_into(complaint),
        "can_reopen": reporter_can_reopen(complaint),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "rate_form": forms.get("rate_form") or RateForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }


@never_cache
@needs_code
def track_detail(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _granted(request, number)
    return render(request, "portal/track_detail.html", _detail_context(complaint))


def _again(request: HttpRequest, complaint: Complaint, status: int = 400, refusal: str = "",
           **forms: Any) -> HttpResponse:
    """The page again with the refused form; a refusal of the action itself is shown at the top."""
    return render(request, "portal/track_detail.html", _detail_context(complaint, refusal, **forms), status=status)


@require_POST
@never_cache
@needs_code
def reply(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _granted(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if abuse.over_limit(request, "reply_ip"):
        return _again(request, complaint, 429, _("Terlalu banyak pesan dari jaringan Anda. Silakan coba lagi nanti."),
                      reply_form=form)
    if form.is_valid() and complaint.status == Complaint.Status.ANSWERED and form.resolved() is None:
        form.add_error("outcome", _("Pilih dahulu: masalah sudah selesai atau belum selesai."))
    if not form.is_valid():
        return _again(request, complaint, reply_form=form)
    try:
        services.portal_reply(complaint=complaint, text=form.cleaned_data["text"],
                              message_key=form.cleaned_data["message_key"], upload=form.cleaned_data["attachment"],
                              resolved=form.resolved())
    except WorkflowError as exc:
        return _again(request, complaint, refusal=exc.messages[0], reply_form=form)
    if form.resolved() and can_rate(complaint):
        messages.success(request, _("Terima kasih, pesan Anda telah terkirim. Beri penilaian agar aduan ditutup."))
        return redirect(reverse(DETAIL, args=[complaint.tracking_number]) + "#nilai")
    messages.success(request, _("Tanggapan Anda telah terkirim."))
    return redirect(DETAIL, number=complaint.tracking_number)


@require_POST
@never_cache
@needs_code
def rate(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _granted(request, number)
    form = RateForm(request.POST)
    if not form.is_valid():
        return _again(request, complaint, rate_form=form)
    try:
        complaint_rate(complaint=complaint, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
    except WorkflowError as exc:
        return _again(request, complaint, refusal=exc.messages[0], rate_form=form)
    messages.success(request, _("Terima kasih atas penilaian Anda."))
    return redirect(DETAIL, number=complaint.tracking_number)


@require_POST
@never_cache
@needs_code
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    complaint = _granted(request, number)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _again(request, complaint, reopen_form=form)
    try:
        complaint_reporter_reopen(complaint=complaint, reason=form.cleaned_data["reason"])
    except WorkflowError as exc:
        return _again(request, complaint, refusal=exc.messages[0], reopen_form=form)
    messages.success(request, _("Aduan dibuka kembali dan akan ditangani lagi."))
    return redirect(DETAIL, number=complaint.tracking_number)


@never_cache
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file of the reporter's own complaint (their uploads, published follow-ups' evidence)."""
    return serve_attachment(selectors.get_reporter_attachment(granted_ids(request), pk), private=True)
