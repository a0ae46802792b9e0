"""Desk pages of what SP4N-LAPOR! really sends: master lists, skipped records, connection checks.

Thin like :mod:`.admin`: buttons call services, which check the role through :mod:`aduan_publik.access`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from aduan_publik import access
from aduan_publik.desk.permissions import ADMIN_ONLY, ReadOnlyMixin
from aduan_publik.desk.views import refusal
from aduan_publik.workflow import WorkflowError

from .masters import template_make_default
from .models import ConnectionCheck, LaporInstitution, LaporTemplate, Outbox, SkippedRecord
from .push import outbox_set_target


class _AdminOnly:
    def has_desk_admin_permission(self, request: HttpRequest, *args: Any) -> bool:
        return access.actor_for(request.user).is_admin


@admin.register(SkippedRecord)
class SkippedRecordAdmin(_AdminOnly, ReadOnlyMixin, ModelAdmin):
    """Records that could not be read: the pull went on without them; the raw JSON is kept."""

    view_roles = ADMIN_ONLY
    list_display = ("last_seen", "kind", "key", "lapor_id", "error", "times", "first_seen")
    list_filter = ("kind",)
    search_fields = ("key", "lapor_id", "error")


@admin.register(LaporInstitution)
class LaporInstitutionAdmin(_AdminOnly, ReadOnlyMixin, ModelAdmin):
    """``/masters/institutions/external``: the targets offered for *bukan wewenang*."""

    view_roles = ADMIN_ONLY
    list_display = ("name", "remote_id", "active", "synced_at")
    list_filter = ("active",)
    search_fields = ("name", "remote_id")


@admin.register(LaporTemplate)
class LaporTemplateAdmin(_AdminOnly, ReadOnlyMixin, ModelAdmin):
    """``/masters/templates``; the marked one is the ``template_code`` of our follow-ups."""

    view_roles = ADMIN_ONLY
    list_display = ("code", "title", "kind", "active", "is_followup_default", "synced_at")
    list_filter = ("active", "is_followup_default")
    search_fields = ("code", "title", "content")
    actions = ("make_default",)

    @admin.action(description=gettext_lazy("Jadikan templat tindak lanjut"), permissions=["desk_admin"])
    def make_default(self, request: HttpRequest, queryset: QuerySet[LaporTemplate]) -> None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            messages.error(request, _("Pilih tepat satu templat."))
            return
        try:
            template_make_default(template=chosen[0], by=request.user)
        except PermissionDenied as exc:
            messages.error(request, refusal(exc))
            return
        messages.success(request, _("Tindak lanjut ke SP4N-LAPOR! kini memakai templat %(c)s.") % {"c": chosen[0].code})


@admin.register(ConnectionCheck)
class ConnectionCheckAdmin(_AdminOnly, ReadOnlyMixin, ModelAdmin):
    """Every "check connection" and what it found (kept to adjust the mapping)."""

    view_roles = ADMIN_ONLY
    list_display = ("checked_at", "checked_by", "ok", "base_url", "summary_shown")
    list_filter = ("ok",)

    @display(description=gettext_lazy("ringkasan"))
    def summary_shown(self, obj: ConnectionCheck) -> str:
        return format_html("<pre class='whitespace-pre-wrap text-xs'>{}</pre>", obj.summary)


class TargetForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Instansi tujuan di SP4N-LAPOR!"),
        queryset=LaporInstitution.objects.filter(active=True),
        help_text=gettext_lazy("Dari daftar master /masters/institutions/external (sinkronkan master bila kosong)."))


def target_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the LAPOR! institution of a *bukan wewenang* row, then send it again."""
    if not access.actor_for(request.user).is_admin:
        raise PermissionDenied
    row = get_object_or_404(Outbox, pk=pk, action=Outbox.Action.REJECT)
    back = reverse("admin:aduan_lapor_outbox_changelist")
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outbox_set_target(row=row, institution=form.cleaned_data["institution"], by=request.user)
        except (PermissionDenied, WorkflowError) as exc:
            form.add_error(None, refusal(exc))
        else:
            from .jobs import enqueue_push

            enqueue_push(row.pk)
            messages.success(request, _("Instansi tujuan disimpan; kiriman dicoba lagi."))
            return HttpResponseRedirect(back)
    context = {**model_admin.admin_site.each_context(request), "opts": Outbox._meta, "back_url": back, "form": form,
               "title": _("Bukan wewenang #%(id)s: %(t)s") % {"id": row.lapor_id,
                                                               "t": row.payload.get("target_name") or "-"},
               "submit_label": _("Simpan dan kirim")}
    return TemplateResponse(request, "desk/action_form.html", context, status=400 if form.errors else 200)


def check_action(request: HttpRequest) -> HttpResponse:
    """Run the connection check now (one harmless read) and show what it found."""
    from .check import connection_check

    check = connection_check(by=str(request.user.get_username()))
    level = messages.success if check.ok else messages.error
    level(request, format_html("{}<br>{}", _("Pemeriksaan koneksi SP4N-LAPOR!:"),
                               format_html("<br>".join(["{}"] * len(check.summary.splitlines())),
                                           *check.summary.splitlines())))
    return HttpResponseRedirect(reverse("admin:aduan_lapor_connectioncheck_changelist"))

