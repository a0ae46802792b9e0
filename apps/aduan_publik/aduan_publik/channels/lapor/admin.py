"""Desk pages of SP4N-LAPOR!: sync status ("sync now", "check connection", "sync masters", the
pull strategy and its last success), linked reports, the push outbox (failures visible, "retry
now", the target institution of *bukan wewenang*) and the export import (upload → preview →
confirm). Master lists, skipped records and connection checks are in :mod:`.admin_masters`.

Thin: every button calls a service of this package, which checks the role through
:mod:`aduan_publik.access`.
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
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from aduan_publik import access
from aduan_publik.desk.bulk import report
from aduan_publik.desk.permissions import ADMIN_ONLY, ReadOnlyMixin
from aduan_publik.desk.views import refusal
from aduan_publik.workflow import WorkflowError

from .admin_masters import check_action, target_view
from .api import PATHS, current_config
from .importer import import_preview, import_run, preview_rows
from .masters import masters_request
from .models import ImportBatch, LaporLink, Outbox, SyncState
from .push import outbox_retry
from .sync import strategy_of, sync_request


def _complaint_link(complaint: Any) -> str:
    url = reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])
    return format_html('<a class="text-primary-600 underline" href="{}">{}</a>', url, complaint.tracking_number)


class AdminButtonsMixin:
    def has_desk_admin_permission(self, request: HttpRequest, *args: Any) -> bool:
        return access.actor_for(request.user).is_admin


@admin.register(SyncState)
class SyncStateAdmin(AdminButtonsMixin, ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("__str__", "strategy_shown", "last_run_at", "last_success_at", "cursor", "counts",
                    "running_since", "last_error", "masters_synced_at", "masters_error")
    actions_list = ("sync_now", "sync_full", "check_connection", "sync_masters")

    @display(description=gettext_lazy("strategi tarik"))
    def strategy_shown(self, obj: SyncState) -> str:
        """The strategy that runs, and whether its endpoint is confirmed by public code."""
        cfg = current_config()
        strategy = strategy_of(cfg)
        if strategy == "detail":
            text = _("detail: baca ulang laporan terbuka per ID (%(n)s per putaran)") % {
                "n": cfg.opt("detail_batch")}
        elif cfg.paths["list"] == PATHS["list"]:
            text = _("daftar: %(p)s (asumsi: belum ada kode publik yang memakainya; periksa dokumentasi "
                     "API instansi)") % {"p": cfg.paths["list"]}
        else:
            text = _("daftar: %(p)s (dari konfigurasi situs)") % {"p": cfg.paths["list"]}
        if obj.strategy and obj.strategy != strategy:
            text += " " + _("(putaran terakhir: %(s)s)") % {"s": obj.strategy}
        return text

    @display(description=gettext_lazy("hasil terakhir"))
    def counts(self, obj: SyncState) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(obj.last_counts.items())) or "—"

    def _sync(self, request: HttpRequest, full: bool) -> HttpResponse:
        try:
            sync_request(by=request.user, full=full)
            messages.success(request, _("Sinkronisasi SP4N-LAPOR! dijalankan."))
        except PermissionDenied as exc:
            messages.error(request, refusal(exc))
        return HttpResponseRedirect(reverse("admin:aduan_lapor_syncstate_changelist"))

    @action(description=gettext_lazy("Sinkronkan sekarang"), url_path="sinkron", permissions=["desk_admin"],
            icon="sync")
    def sync_now(self, request: HttpRequest) -> HttpResponse:
        return self._sync(request, full=False)

    @action(description=gettext_lazy("Sinkronkan ulang semua"), url_path="sinkron-penuh",
            permissions=["desk_admin"], icon="cloud_sync")
    def sync_full(self, request: HttpRequest) -> HttpResponse:
        return self._sync(request, full=True)

    @action(description=gettext_lazy("Periksa koneksi"), url_path="periksa-koneksi", permissions=["desk_admin"],
            icon="network_check")
    def check_connection(self, request: HttpRequest) -> HttpResponse:
        return check_action(request)

    @action(description=gettext_lazy("Sinkronkan master"), url_path="sinkron-master", permissions=["desk_admin"],
            icon="account_tree")
    def sync_masters(self, request: HttpRequest) -> HttpResponse:
        try:
            masters_request(by=request.user)
            messages.success(request, _("Sinkronisasi master SP4N-LAPOR! (instansi, templat) dijalankan."))
        except PermissionDenied as exc:
            messages.error(request, refusal(exc))
        return HttpResponseRedirect(reverse("admin:aduan_lapor_syncstate_changelist"))


@admin.register(LaporLink)
class LaporLinkAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("lapor_id", "complaint_link", "remote_status", "hub_status", "disposition_name",
                    "source", "synced_at", "attachment_problems")
    list_filter = ("remote_status", "source")
    search_fields = ("lapor_id", "complaint__tracking_number", "complaint__title")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LaporLink]:
        visible = access.complaints_visible_to(request.user)
        return LaporLink.objects.filter(complaint__in=visible).select_related("complaint")

    @display(description=gettext_lazy("aduan"))
    def complaint_link(self, obj: LaporLink) -> str:
        return _complaint_link(obj.complaint)

    @display(description=gettext_lazy("status di hub"))
    def hub_status(self, obj: LaporLink) -> str:
        return obj.complaint.get_status_display()

    @display(description=gettext_lazy("lampiran gagal"))
    def attachment_problems(self, obj: LaporLink) -> str:
        return "; ".join(obj.attachment_errors.values()) or "—"


@admin.register(Outbox)
class OutboxAdmin(AdminButtonsMixin, ReadOnlyMixin, ModelAdmin):
    """What is being told to SP4N-LAPOR!; failed rows stay here until they are sent."""

    list_display = ("created_at", "complaint_link", "lapor_id", "action", "state", "target", "attempts",
                    "next_attempt_at", "last_error", "sent_at")
    list_filter = ("state", "action")
    search_fields = ("lapor_id", "complaint__tracking_number", "last_error")
    exclude = ("payload",)
    actions = ("retry_now",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outbox]:
        visible = access.complaints_visible_to(request.user)
        return Outbox.objects.filter(complaint__in=visible).select_related("complaint")

    @display(description=gettext_lazy("aduan"))
    def complaint_link(self, obj: Outbox) -> str:
        return _complaint_link(obj.complaint)

    @display(description=gettext_lazy("instansi tujuan"))
    def target(self, obj: Outbox) -> str:
        """A *bukan wewenang* row: its LAPOR! institution, and the link to choose it while unsent."""
        if obj.action != Outbox.Action.REJECT:
            return "—"
        name = obj.payload.get("target_name") or "—"
        shown = f"{name} ({obj.payload['target']})" if obj.payload.get("target") else name
        if obj.state == Outbox.State.SENT:
            return shown
        url = reverse("admin:aduan_lapor_outbox_target", args=[obj.pk])
        return format_html('{} · <a class="text-primary-600 underline" href="{}">{}</a>', shown, url,
                           _("Pilih instansi tujuan"))

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(lambda request, pk: target_view(self, request, pk))
        return [path("<int:pk>/instansi-tujuan/", view, name="aduan_lapor_outbox_target"), *super().get_urls()]

    @admin.action(description=gettext_lazy("Kirim ulang sekarang"), permissions=["desk_admin"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Outbox]) -> None:
        from .jobs import enqueue_push

        rows = list(queryset)
        report(request, [(_("%(n)d baris") % {"n": len(rows)}, lambda: outbox_retry(rows=rows, by=request.user))])
        for row in rows:
            enqueue_push(row.pk)


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Berkas ekspor LAPOR! (XLSX atau CSV)"))


@admin.register(ImportBatch)
class ImportBatchAdmin(AdminButtonsMixin, ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("created_at", "filename", "uploaded_by", "state", "summary", "imported_at")
    exclude = ("rows",)
    actions_list = ("upload",)

    @display(description=gettext_lazy("hasil"))
    def summary(self, obj: ImportBatch) -> str:
        r = obj.result
        if not r:
            return _("%(n)d baris, belum diimpor") % {"n": len(obj.rows)}
        return _("%(c)d baru, %(u)d diperbarui, %(s)d dilewati, %(e)d galat") % {
            "c": r["created"], "u": r["updated"], "s": r["skipped"], "e": len(r["errors"])}

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/pratinjau/", view, name="aduan_lapor_importbatch_preview"), *super().get_urls()]

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta,
                "back_url": reverse("admin:aduan_lapor_importbatch_changelist"), **extra}

    @action(description=gettext_lazy("Unggah ekspor LAPOR!"), url_path="unggah", permissions=["desk_admin"],
            icon="upload_file")
    def upload(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = import_preview(filename=upload.name, content=upload.read(), by=request.user)
            except (WorkflowError, PermissionDenied) as exc:
                form.add_error("file", refusal(exc))
            else:
                return HttpResponseRedirect(reverse("admin:aduan_lapor_importbatch_preview", args=[batch.pk]))
        title = _("Impor ekspor SP4N-LAPOR!")
        context = self._context(request, title=title, form=form, submit_label=_("Pratinjau"))
        return TemplateResponse(request, "desk/action_form.html", context, status=400 if form.errors else 200)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_desk_admin_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        if request.method == "POST":
            try:
                result = import_run(batch=batch, by=request.user)
                messages.success(request, _("Impor selesai: %(c)d baru, %(u)d diperbarui, %(s)d dilewati, "
                                            "%(e)d galat.") % {"c": result["created"], "u": result["updated"],
                                                               "s": result["skipped"], "e": len(result["errors"])})
            except (WorkflowError, PermissionDenied) as exc:
                messages.error(request, refusal(exc))
            return HttpResponseRedirect(reverse("admin:aduan_lapor_importbatch_preview", args=[batch.pk]))
        context = self._context(request, title=_("Pratinjau impor: %(f)s") % {"f": batch.filename}, batch=batch,
                                rows=preview_rows(batch), total=len(batch.rows))
        return TemplateResponse(request, "aduan_lapor/import_preview.html", context)
