"""Desk pages of broadcasts: templates (sync, category meaning), the broadcast document with its
buttons (submit, approve, return, pause, resume, cancel), live report and exports.

Thin: each button calls a service; who may do what is decided in :mod:`aduan_publik.access`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from .. import access
from ..channels.base import ChannelError
from ..desk.permissions import ADMIN_ONLY, NOBODY, READ_ALL_ROLES, ReadOnlyMixin, RoleAdminMixin
from ..desk.views import refusal
from ..workflow import WorkflowError
from . import audience, catalogue, report, services
from .models import Broadcast, Template


@admin.register(Template)
class TemplateAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = READ_ALL_ROLES
    list_display = ("name", "language", "category", "meaning", "status", "variables", "header_format", "synced_at")
    list_filter = ("category", "status", "language")
    search_fields = ("name", "body")
    actions_list = ("sync_templates",)

    @display(description=gettext_lazy("arti kategori"))
    def meaning(self, obj: Template) -> str:
        return str(catalogue.CATEGORY_MEANING.get(obj.category, ""))

    def has_desk_admin_permission(self, request: HttpRequest, *args: Any) -> bool:
        return access.can_broadcast(request.user, "draft")

    @action(description=gettext_lazy("Sinkronkan templat dari WhatsApp"), url_path="sinkron",
            permissions=["desk_admin"], icon="sync")
    def sync_templates(self, request: HttpRequest) -> HttpResponse:
        try:
            n = catalogue.templates_sync(by=request.user)
            messages.success(request, _("%(n)d templat disinkronkan.") % {"n": n})
        except ChannelError as exc:
            messages.error(request, _("Sinkronisasi gagal: %(reason)s") % {"reason": exc})
        return HttpResponseRedirect(reverse("admin:aduan_broadcasts_template_changelist"))


class BroadcastForm(forms.ModelForm):
    variables_text = forms.CharField(
        label=gettext_lazy("Variabel templat"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Satu baris per variabel: baris 1 mengisi {{1}}, baris 2 mengisi {{2}}, dan "
                               "seterusnya. {nama} dan {kecamatan} diganti per penerima."))
    header_file = forms.FileField(label=gettext_lazy("Berkas kepala (gambar/dokumen)"), required=False)

    class Meta:
        model = Broadcast
        fields = ("title", "topic", "template", "area", "language", "send_at")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "template" in self.fields:
            self.fields["template"].queryset = Template.objects.filter(status="APPROVED")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["variables_text"].initial = "\n".join(self.instance.variables)


@admin.register(Broadcast)
class BroadcastAdmin(RoleAdminMixin, ModelAdmin):
    form = BroadcastForm
    view_roles = READ_ALL_ROLES
    add_roles = ADMIN_ONLY
    change_roles = ADMIN_ONLY
    delete_roles = NOBODY
    list_display = ("title", "topic", "state", "audience_count", "send_at", "created_by", "approved_by", "progress")
    list_filter = ("state", "topic")
    search_fields = ("title",)
    change_form_before_template = "broadcasts/desk_panel.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Broadcast]:
        return access.broadcasts_visible_to(request.user).select_related("template", "created_by", "approved_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.state in services.EDITABLE)

    @display(description=gettext_lazy("kemajuan"))
    def progress(self, obj: Broadcast) -> str:
        return f"{report.broadcast_report(obj).percent}%" if obj.audience_count else "—"

    def save_model(self, request: HttpRequest, obj: Broadcast, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) for name in ("title", "topic", "template", "area",
                                                                  "language", "send_at")}
        values["language"] = values["language"] or ""
        values["variables"] = [line.strip() for line in (form.cleaned_data.get("variables_text") or "").splitlines()]
        saved = services.broadcast_save(by=request.user, broadcast=obj if change else None, values=values,
                                        media=form.cleaned_data.get("header_file"))
        obj.pk = saved.pk

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/siaran/<slug:slug>/", view(self.transition_view), name="aduan_broadcasts_move"),
            path("<path:object_id>/laporan.<str:fmt>", view(self.export_view), name="aduan_broadcasts_export"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        broadcast = access.get_broadcast(request.user, object_id)
        return super().change_view(request, object_id, form_url,
                                   {**(extra_context or {}), "bcast": panel(request, broadcast)})

    @staticmethod
    def _back(broadcast: Broadcast) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:aduan_broadcasts_broadcast_change", args=[broadcast.pk]))

    def transition_view(self, request: HttpRequest, object_id: str, slug: str) -> HttpResponse:
        return _transition(request, object_id, slug)

    def export_view(self, request: HttpRequest, object_id: str, fmt: str) -> HttpResponse:
        broadcast = access.get_broadcast(request.user, object_id)
        if fmt == "csv":
            response = HttpResponse(report.export_csv(broadcast), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            response = HttpResponse(report.export_xlsx(broadcast), content_type=XLSX)
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="siaran-{broadcast.pk}.{fmt}"'
        return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOVES = {
    "ajukan": services.broadcast_submit,
    "setujui": services.broadcast_approve,
    "kembalikan": services.broadcast_return,
    "jeda": services.broadcast_pause,
    "lanjutkan": services.broadcast_resume,
    "batalkan": services.broadcast_cancel,
}


@require_POST
def _transition(request: HttpRequest, object_id: str, slug: str) -> HttpResponse:
    broadcast = access.get_broadcast(request.user, object_id)
    move = MOVES.get(slug)
    if move is None:
        raise Http404
    try:
        move(broadcast=broadcast, by=request.user)
        messages.success(request, _("Siaran diperbarui."))
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    return BroadcastAdmin._back(broadcast)


def panel(request: HttpRequest, broadcast: Broadcast) -> dict[str, Any]:
    """What the broadcast page shows above the form: state, buttons, preview, audience, report."""
    user, state = request.user, broadcast.state
    S = Broadcast.State
    buttons = []
    if access.can_broadcast(user, "draft"):
        buttons += [(slug, label) for slug, label, states in (
            ("ajukan", _("Ajukan untuk persetujuan"), {S.DRAFT}),
            ("jeda", _("Jeda"), {S.SENDING}),
            ("lanjutkan", _("Lanjutkan"), {S.PAUSED}),
            ("batalkan", _("Batalkan"), {S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.SENDING, S.PAUSED}),
        ) if state in states]
    if state == S.SUBMITTED and access.can_broadcast(user, "approve", broadcast):
        buttons += [("setujui", _("Setujui")), ("kembalikan", _("Kembalikan ke pembuat"))]
    template = broadcast.template
    return {
        "broadcast": broadcast,
        "buttons": buttons,
        "preview": catalogue.render(template, broadcast.variables) if template else "",
        "category": str(catalogue.CATEGORY_MEANING.get(template.category, "")) if template else "",
        "audience": broadcast.audience_count if broadcast.audience_count is not None
        else audience.audience_count(broadcast),
        "frozen": broadcast.audience_count is not None,
        "problems": services.problems(broadcast) if state in (S.DRAFT, S.SUBMITTED) else [],
        "report": report.broadcast_report(broadcast) if broadcast.audience_count else None,
        "tier": _tier(),
        "author_is_user": broadcast.created_by_id == user.pk,
    }


def _tier() -> dict[str, Any]:
    from . import config
    from .pacing import redis, tier_used

    cfg = config.load()
    try:
        used = tier_used(redis())
    except Exception:  # the page still shows without Redis
        used = None
    return {"tier": cfg.tier or _("tanpa batas"), "used": used,
            "left": (cfg.tier - used) if cfg.tier and used is not None else None, "rate": cfg.rate}
