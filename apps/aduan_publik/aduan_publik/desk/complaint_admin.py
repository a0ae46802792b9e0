"""The complaint list and complaint page of the desk."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import action, display

from .. import access
from ..models import Complaint
from ..selectors.complaints import complaint_list_queryset, complaint_timeline, own_disposition
from ..services.complaints import complaint_update
from ..services.deadlines import OVERDUE_STATUSES
from ..workflow import WorkflowError
from . import bulk, views
from .actions import available_actions
from .filters import OpdFilter, OverdueFilter, QueueFilter, RerouteFilter
from .permissions import ADMIN_ONLY, DESK_ROLES, NOBODY, RoleAdminMixin

S = Complaint.Status
STATUS_COLOURS = {
    S.RECEIVED: "warning", S.POSTPONED: "warning", S.RETURNED: "danger", S.DISPOSED: "info",
    S.IN_PROGRESS: "info", S.ANSWERED: "primary", S.CLOSED: "success", S.ARCHIVED: "", S.NOT_AUTHORITY: "",
}
PRIORITY_COLOURS = {"low": "", "normal": "info", "high": "warning", "urgent": "danger"}
EDITABLE = ("kind", "title", "description", "category", "priority", "location_text", "kecamatan",
            "kelurahan", "latitude", "longitude", "is_anonymous", "is_secret", "field_check")
IDENTITY_SEARCH = ("contact__name", "contact__phone")


def reporter_column(user: Any) -> Any:
    @display(description=_("pelapor"))
    def reporter(obj: Complaint) -> str:
        return access.reporter_display(user, obj)["name"] or "—"

    return reporter


@admin.register(Complaint)
class ComplaintAdmin(RoleAdminMixin, ModelAdmin):
    view_roles = DESK_ROLES
    add_roles = NOBODY  # new complaints come from channels or the walk-in form, never a bare model form
    change_roles = ADMIN_ONLY  # descriptive fields only, through complaint_update
    delete_roles = NOBODY

    list_display = ("tracking_number", "title", "status_label", "channel", "category", "opd_names",
                    "reporter", "received_at", "due_label", "priority_label")
    list_display_links = ("tracking_number", "title")
    list_filter = (("status", ChoicesDropdownFilter), RerouteFilter, OpdFilter, QueueFilter, "channel",
                   ("category", RelatedDropdownFilter), OverdueFilter, "kind", "is_anonymous", "is_secret")
    list_filter_submit = True
    search_fields = ("tracking_number", "title", "description", *IDENTITY_SEARCH)
    list_per_page = 50
    actions = (bulk.verify_to_default_opd, bulk.archive_as_spam)
    actions_list = ("walkin",)
    list_before_template = "desk/complaint_list_note.html"
    change_form_before_template = "desk/complaint_header.html"
    change_form_outer_after_template = "desk/complaint_timeline.html"
    fieldsets = (
        (_("Aduan"), {"fields": ("tracking_number", "status", "kind", "title", "description", "category",
                                 "priority", "channel")}),
        (_("Lokasi"), {"fields": ("location_text", "kecamatan", "kelurahan", "latitude", "longitude")}),
        (_("Penanda"), {"fields": ("is_anonymous", "is_secret", "field_check")}),
        (_("Waktu"), {"fields": ("received_at", "due_at", "verified_at", "first_response_at", "answered_at",
                                 "closed_at")}),
        (_("Penyelesaian"), {"fields": ("archive_reason", "status_note", "duplicate_label", "forwarded_to",
                                        "rating", "rating_comment")}),
    )
    readonly_fields = ("tracking_number", "status", "channel", "received_at", "due_at", "verified_at",
                       "first_response_at", "answered_at", "closed_at", "archive_reason", "status_note",
                       "duplicate_label", "forwarded_to", "rating", "rating_comment")

    # ---- list -----------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        return complaint_list_queryset(user=request.user)

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # Searching by name would reveal who an anonim reporter is: OPD staff search documents only.
        if access.actor_for(request.user).can_read_all:
            return self.search_fields
        return tuple(f for f in self.search_fields if f not in IDENTITY_SEARCH)

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        # The reporter column masks per viewer, so it is built for this request (admin instances are shared).
        return tuple(reporter_column(request.user) if c == "reporter" else c for c in self.list_display)

    @display(description=_("status"), label=STATUS_COLOURS)
    def status_label(self, obj: Complaint) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=_("prioritas"), label=PRIORITY_COLOURS)
    def priority_label(self, obj: Complaint) -> tuple[str, str]:
        return obj.priority, obj.get_priority_display()

    @display(description=_("OPD"))
    def opd_names(self, obj: Complaint) -> str:
        return ", ".join(d.opd.code for d in getattr(obj, "desk_dispositions", [])) or "—"

    @display(description=_("pelapor"))
    def reporter(self, obj: Complaint) -> str:
        """Fallback without a viewer: masked. :meth:`get_list_display` swaps in the viewer's column."""
        return access.reporter_display(None, obj)["name"] or "—"

    @display(description=_("duplikat dari"))
    def duplicate_label(self, obj: Complaint) -> str:
        """Only the number (the reporter is told it too): the original may belong to another OPD, whose
        title and page this viewer must not see; the link answers 404 to those who may not open it."""
        if obj.duplicate_of_id is None:
            return "—"
        original = Complaint.objects.only("tracking_number").get(pk=obj.duplicate_of_id)
        return format_html('<a href="{}">{}</a>', reverse("admin:aduan_publik_complaint_change",
                                                          args=[original.pk]), original.tracking_number)

    @display(description=_("batas waktu"), ordering="due_at")
    def due_label(self, obj: Complaint) -> str:
        if obj.due_at is None:
            return "—"
        text = timezone.localtime(obj.due_at).strftime("%d-%m-%Y %H:%M")
        if obj.status in OVERDUE_STATUSES and obj.due_at < timezone.now():
            return format_html('<span class="font-semibold text-red-600" title="{}">{}</span>',
                               _("Melewati batas waktu"), text)
        return text

    # ---- the walk-in form (a button above the list) ----------------------------------------

    @action(description=_("Aduan baru (loket/telepon)"), url_path="baru", permissions=["desk_admin"],
            icon="add")
    def walkin(self, request: HttpRequest) -> HttpResponse:
        return views.walkin_complaint(self, request)

    # ---- the complaint page ---------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        custom = [path("<path:object_id>/aksi/<slug:slug>/", self.admin_site.admin_view(self.action_view),
                       name="aduan_publik_complaint_action")]
        return custom + super().get_urls()

    def action_view(self, request: HttpRequest, object_id: str, slug: str) -> HttpResponse:
        return views.complaint_action(self, request, object_id, slug)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        complaint = access.get_complaint(request.user, object_id)  # another OPD's complaint: 404
        complaint = self.get_queryset(request).get(pk=complaint.pk)
        disposition = own_disposition(user=request.user, complaint=complaint)
        panel = {
            "reporter": access.reporter_display(request.user, complaint),
            "identity_hidden": not access.can_see_identity(request.user, complaint),
            "dispositions": complaint.desk_dispositions,  # type: ignore[attr-defined]
            "timeline": complaint_timeline(user=request.user, complaint=complaint),
            "actions": available_actions(request.user, complaint, disposition),
            "complaint": complaint,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "desk": panel})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if not self.has_change_permission(request, obj):
            return [f for fs in self.fieldsets for f in fs[1]["fields"]]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Complaint, form: Any, change: bool) -> None:
        """Edits go through the service (audited); the admin never saves the row itself."""
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        if not fields:
            return
        try:
            complaint_update(complaint=obj, by=request.user, **fields)
        except (WorkflowError, PermissionDenied) as exc:
            messages.error(request, views.refusal(exc))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related is edited on this page."""
