"""The complaint list and complaint page of the desk."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.views import ChangeList

from .. import access
from ..calendar import WorkingCalendar
from ..models import Category, Complaint
from ..paging import DeskPaginator
from ..selectors.complaints import complaint_list_queryset, own_disposition
from ..selectors.queues import QUEUE_PARAM, URGENCY_ORDER, with_urgency
from ..selectors.search import COUNT_LIMIT, complaint_search, identity_for
from ..selectors.workpage import EVERYTHING_PARAM, OUTSIDE_SCOPE, RECENT, complaint_for_page, work_page
from ..services.complaints import complaint_update
from ..services.deadlines import OVERDUE_STATUSES
from ..workflow import WorkflowError
from . import bulk, views
from .actions import available_actions
from .cells import label_column, row_checkbox, share_headers
from .filters import (
    CategoryFilter,
    ChannelFilter,
    OpdFilter,
    OverdueFilter,
    QueueFilter,
    RerouteFilter,
    WorkQueueFilter,
)
from .permissions import ADMIN_ONLY, DESK_ROLES, NOBODY, RoleAdminMixin
from .rows import RowPlan, share_rows
from .sla import sla_text
from .widgets import DeskChoicesDropdownFilter, desk_select

share_headers()
share_rows()
S = Complaint.Status
STATUS_COLOURS = {
    S.RECEIVED: "warning", S.POSTPONED: "warning", S.RETURNED: "danger", S.DISPOSED: "info",
    S.IN_PROGRESS: "info", S.ANSWERED: "primary", S.CLOSED: "success", S.ARCHIVED: "", S.NOT_AUTHORITY: "",
}
PRIORITY_COLOURS = {"low": "", "normal": "info", "high": "warning", "urgent": "danger"}
EDITABLE = ("kind", "title", "description", "category", "priority", "location_text", "kecamatan",
            "kelurahan", "latitude", "longitude", "is_anonymous", "is_secret", "field_check")
SLA_CLASSES = {"danger": "bg-red-100 text-red-700 font-semibold", "warning": "bg-orange-100 text-orange-700",
               "info": "bg-blue-100 text-blue-700"}


def due_cell(obj: Complaint, calendar: WorkingCalendar) -> str:
    """An SLA badge («2 hari kerja lagi», «terlambat 3 hari») over the date, while a clock runs.

    ``desk_due`` is the viewer's deadline (an OPD's own disposition, else the complaint's).
    """
    due = getattr(obj, "desk_due", obj.due_at if obj.status in OVERDUE_STATUSES else None)
    if due is None:
        return "—"
    variant, badge = sla_text(due, timezone.now(), calendar)
    text = timezone.localtime(due).strftime("%d-%m-%Y %H:%M")
    return format_html('<span class="inline-block whitespace-nowrap rounded-default px-2 text-xs {}" '
                       'data-sla="{}" title="{}">{}</span><div class="whitespace-nowrap text-xs {}">{}</div>',
                       SLA_CLASSES[variant], variant, _("Melewati batas waktu") if variant == "danger" else text,
                       badge, "text-red-600" if variant == "danger" else "text-base-500", text)


def due_column() -> Any:
    """The deadline column for one page: one working-day calendar (days off read once, not per row)."""
    calendar: list[WorkingCalendar] = []

    @display(description=_("batas waktu"), ordering="desk_due")
    def due_label(obj: Complaint) -> str:
        if not calendar:
            calendar.append(WorkingCalendar())
        return due_cell(obj, calendar[0])

    return due_label


def choice_label(choices: Any, value: str) -> Any:
    """The label of a stored choice (``get_FOO_display`` rebuilds a dict of every choice per call)."""
    try:
        return choices(value).label
    except ValueError:
        return value


def status_column() -> Any:
    return label_column("status_label", _("status"), STATUS_COLOURS,
                        lambda obj: (obj.status, choice_label(Complaint.Status, obj.status)))


def priority_column() -> Any:
    return label_column("priority_label", _("prioritas"), PRIORITY_COLOURS,
                        lambda obj: (obj.priority, choice_label(Complaint.Priority, obj.priority)))


def reporter_column(user: Any) -> Any:
    @display(description=_("pelapor"))
    def reporter(obj: Complaint) -> str:
        return access.reporter_display(user, obj)["name"] or "—"

    return reporter


class DeskChangeList(ChangeList):
    """unfold's header prints «N hasil» from the count: above the exact limit it is an estimate, so the
    header says nothing and the pagination bar shows «lebih dari 10.000»."""

    def get_results(self, request: HttpRequest) -> None:
        self.desk_headers: list[dict[str, Any]] = []  # filled once by unfold's result_headers (cells.share_headers)
        self.desk_rows = RowPlan()  # each column's fixed HTML, built once per page (rows.share_rows)
        # The plain list (no filter, search or column order): its ids come from the viewer's narrowest
        # index (an OPD's scope rows), read by ComplaintAdmin.get_paginator.
        # Any parameter but the page may narrow the list outside the admin's own filters (a dashboard
        # card's period, a queue): only a list with none is exactly ``visible_ids``.
        plain = not self.params
        request.desk_list_ids = access.visible_ids(request.user) if plain else None  # type: ignore[attr-defined]
        super().get_results(request)
        if not getattr(self.paginator, "count_is_exact", True):
            self.full_result_count = self.result_count

    # unfold rebuilds every column header for every row (the cell's data-label): the sort state and
    # the query strings behind them are the same for the whole page, so they are worked out once.
    def get_ordering_field_columns(self) -> dict[int, str]:
        if not hasattr(self, "_desk_ordering_columns"):
            self._desk_ordering_columns = super().get_ordering_field_columns()
        return self._desk_ordering_columns

    def get_query_string(self, new_params: dict[str, Any] | None = None, remove: Any = None) -> str:
        key = (tuple(sorted((new_params or {}).items())), tuple(remove or ()))
        try:
            hash(key)
        except TypeError:  # a list among the values (a multiple-choice filter): not worth keeping
            return str(super().get_query_string(new_params, remove))
        memo = self.__dict__.setdefault("_desk_query_strings", {})
        if key not in memo:
            memo[key] = super().get_query_string(new_params, remove)
        return str(memo[key])


@admin.register(Complaint)
class ComplaintAdmin(RoleAdminMixin, ModelAdmin):
    view_roles = DESK_ROLES
    add_roles = NOBODY  # new complaints come from channels or the walk-in form, never a bare model form
    change_roles = ADMIN_ONLY  # descriptive fields only, through complaint_update
    delete_roles = NOBODY

    # Compact: the deadline column must fit a 1366 px screen without scrolling sideways.
    list_display = ("tracking_number", "summary", "status_label", "opd_names", "reporter", "due_label",
                    "priority_label")
    list_display_links = ("tracking_number",)
    # Channel and category choices come from the registry and one query, never from the complaint table.
    list_filter = (WorkQueueFilter, ("status", DeskChoicesDropdownFilter), RerouteFilter, OpdFilter, QueueFilter,
                   ChannelFilter, CategoryFilter, OverdueFilter, "kind", "is_anonymous", "is_secret")
    list_filter_submit = True
    # Searched by selectors.search.complaint_search (words, number, reporter as the viewer may search).
    search_fields = ("tracking_number",)
    search_help_text = _("Cari kata pada judul, uraian atau lokasi, nomor aduan, nama pelapor, email, "
                         "atau telepon (08… / 62…)")
    list_per_page = 50
    # No exact COUNT(*) of the table: counts are exact up to 10.000, «lebih dari 10.000» beyond.
    paginator = DeskPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # ?_facets would count every filter choice over the whole table
    actions = (bulk.verify_to_default_opd, bulk.archive_as_spam)
    actions_list = ("walkin",)
    list_before_template = "desk/complaint_list_note.html"
    # unfold's row template asks ``cl.model_admin.list_sections|length`` twice per row; without the
    # attribute each ask is a failed lookup that runs dir() over the whole admin (same HTML either way).
    list_sections = ()
    conditional_fields: dict[str, str] = {}  # the same for the complaint page's 28 form rows
    # Outside the edit form: the work page holds forms of its own (inline actions, the reply composer).
    change_form_outer_before_template = "desk/complaint_header.html"
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
        return with_urgency(complaint_list_queryset(user=request.user), request.user)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DeskChangeList


    def get_ordering(self, request: HttpRequest) -> Any:
        """Work queues (and an OPD's landing queue) put the most urgent first, not the newest."""
        if self._urgency_ordered(request):
            return URGENCY_ORDER
        return access.newest_first(request.user)

    @staticmethod
    def _urgency_ordered(request: HttpRequest) -> bool:
        return bool(request.GET.get(QUEUE_PARAM) or request.GET.get("antrean"))

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Complaint],
                           search_term: str) -> tuple[QuerySet[Complaint], bool]:
        """The hub's one search; the queryset is already the viewer's (an OPD searches only its own)."""
        return complaint_search(queryset, search_term, identity=identity_for(request.user)), False

    def get_paginator(self, request: HttpRequest, queryset: Any, per_page: int, orphans: int = 0,
                      allow_empty_first_page: bool = True) -> DeskPaginator:
        """The plain list pages from the viewer's narrowest index (``desk_list_ids``); a searched list
        counts exactly only up to ``search.COUNT_LIMIT`` (each match costs a row)."""
        paginator = DeskPaginator(queryset, per_page, orphans, allow_empty_first_page,
                                  ids=getattr(request, "desk_list_ids", None))
        if request.GET.get(SEARCH_VAR, "").strip():
            paginator.exact_limit = COUNT_LIMIT
        paginator.sorted_whole = self._urgency_ordered(request)
        return paginator

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        # The reporter column masks per viewer, so it is built for this request (admin instances are shared);
        # the label columns render each distinct label once per page (desk/cells.py).
        columns = {"reporter": lambda: reporter_column(request.user), "due_label": due_column,
                   "status_label": status_column, "priority_label": priority_column}
        return tuple(columns[c]() if c in columns else c for c in self.list_display)

    @display(description=ModelAdmin.action_checkbox.short_description)  # type: ignore[attr-defined]
    def action_checkbox(self, obj: Complaint) -> str:
        """unfold's row checkbox, rendered once per language instead of once per row."""
        return row_checkbox(obj.pk)

    @display(description=_("aduan"))
    def summary(self, obj: Complaint) -> str:
        """Title with category, channel and date received underneath: one compact column for four."""
        details = " · ".join(x for x in (obj.category.name if obj.category else "", obj.channel,
                                         timezone.localtime(obj.received_at).strftime("%d-%m-%Y")) if x)
        return format_html('<div class="max-w-80 truncate font-medium" title="{}">{}</div>'
                           '<div class="text-xs text-base-500">{}</div>', obj.title, obj.title, details)

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
        """The original's number and link, read with the complaint for the viewer (complaint_for_page):
        an original the viewer may not see (another OPD's) is not named at all."""
        if obj.duplicate_of_id is None:
            return "—"
        number = getattr(obj, "desk_duplicate_number", None)
        if number is None:
            return str(OUTSIDE_SCOPE)
        return format_html('<a href="{}">{}</a>', reverse("admin:aduan_publik_complaint_change",
                                                          args=[obj.duplicate_of_id]), number)

    @display(description=_("batas waktu"), ordering="desk_due")
    def due_label(self, obj: Complaint) -> str:
        """Fallback without a request: :meth:`get_list_display` swaps in the page's own column."""
        return due_cell(obj, WorkingCalendar())

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
        complaint = complaint_for_page(user=request.user, pk=object_id)  # another OPD's complaint: 404
        request._desk_complaint = complaint  # type: ignore[attr-defined]  # get_object: no second read
        everything = request.GET.get(EVERYTHING_PARAM) == "1"
        page = work_page(user=request.user, complaint=complaint, everything=everything)
        disposition = own_disposition(user=request.user, complaint=complaint)
        actions = available_actions(request.user, complaint, disposition)
        panel = {
            "reporter": access.reporter_display(request.user, complaint),
            "photos": page.photos,
            "threads": page.threads,
            "followups": page.followups,
            "drafts_waiting": sum(f.state == f.State.DRAFT for f in page.followups),
            "reply": next((a for a in actions if a.slug == "reply"), None),
            "can_review": any(a.slug == "publish" for a in actions),
            "identity_hidden": not access.can_see_identity(request.user, complaint),
            "dispositions": complaint.desk_dispositions,  # type: ignore[attr-defined]
            "timeline": page.timeline,
            "see_all_url": f"?{EVERYTHING_PARAM}=1" if page.cut else "", "recent": RECENT,
            "actions": [a for a in actions if a.slug != "reply"],  # the reply has its composer below
            "complaint": complaint,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "desk": panel})

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """The complaint :meth:`change_view` read (access-checked, with what the page shows), not a second copy."""
        loaded = getattr(request, "_desk_complaint", None)
        if loaded is not None and from_field is None and str(loaded.pk) == str(object_id):
            return loaded
        return super().get_object(request, object_id, from_field)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The category select names each choice with its parent («Topik › Sub»): read with the parents."""
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The page's selects (category, priority, kind…) build their options in one pass (desk/widgets.py)."""
        return desk_select(super().formfield_for_dbfield(db_field, request, **kwargs))

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
