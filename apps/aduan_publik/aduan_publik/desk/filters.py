"""List filters of the complaint list: OPD (through dispositions), an OPD's open queue, returned parts,
overdue, channel and category.

No filter reads the complaint table to build its choices (a million rows): channels come from the
registry, categories from one query with their parents.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from ..channels.registry import channel_choices
from ..models import OPD, Category, Complaint, Disposition
from ..selectors.complaints import awaiting_reroute
from ..selectors.queues import QUEUE_PARAM, queue_condition, queues_for
from ..services.deadlines import overdue_complaints
from .widgets import DeskDropdownForm

OPEN_WORK = (Disposition.State.PENDING, Disposition.State.ACCEPTED)


def _opd_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The active OPDs, read once per page (two filters list them)."""
    if not hasattr(request, "_desk_opd_choices"):
        request._desk_opd_choices = [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in OPD.objects.filter(active=True).values_list("pk", "name")]
    return list(request._desk_opd_choices)  # type: ignore[attr-defined]


def _with_disposition(queryset: QuerySet[Complaint], opd_id: str, states: Any = None) -> QuerySet[Complaint]:
    if not opd_id.isdigit():
        return queryset.none()
    theirs = Disposition.objects.filter(complaint=OuterRef("pk"), opd_id=int(opd_id))
    if states:
        theirs = theirs.filter(state__in=states)
    return queryset.filter(Exists(theirs))


class OpdFilter(admin.SimpleListFilter):
    """Complaints ever disposed to one OPD (whatever the disposition's state)."""

    title = _("OPD")
    parameter_name = "opd"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return _opd_choices(request)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value()
        return _with_disposition(queryset, value) if value else queryset


class QueueFilter(admin.SimpleListFilter):
    """An OPD's open work: dispositions waiting to be accepted or being handled. OPD staff land here."""

    title = _("antrean OPD (belum selesai)")
    parameter_name = "antrean"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return _opd_choices(request)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value()
        return _with_disposition(queryset, value, OPEN_WORK) if value else queryset


class RerouteFilter(admin.SimpleListFilter):
    """The admins' queue of returned parts: an OPD sent its part back, no one re-routed it yet.

    Covers complaints that are wholly returned and those where other OPDs are still working.
    """

    title = _("dikembalikan OPD, perlu disposisi ulang")
    parameter_name = "disposisi_ulang"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ya", _("Ya"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        if self.value() == "ya":
            return queryset.filter(pk__in=awaiting_reroute().values("pk"))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    """Past the deadline of an open stage (the same rule as the deadline sweep)."""

    title = _("keterlambatan")
    parameter_name = "terlambat"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ya", _("Melewati batas waktu")), ("tidak", _("Tepat waktu"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        late = overdue_complaints().values("pk")
        if self.value() == "ya":
            return queryset.filter(pk__in=late)
        if self.value() == "tidak":
            return queryset.exclude(pk__in=late)
        return queryset


class WorkQueueFilter(admin.SimpleListFilter):
    """The role's work queues (the sidebar's «Antrean kerja»): ``?tampilan=<key>``."""

    title = _("antrean kerja")
    parameter_name = QUEUE_PARAM

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(q.key, q.label) for q in queues_for(request.user)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value()
        if not value:
            return queryset
        condition = queue_condition(request.user, value)
        return queryset.none() if condition is None else queryset.filter(condition)


class ChannelFilter(admin.SimpleListFilter):
    """The door a complaint came through: the registered channels (no DISTINCT over the table)."""

    title = _("kanal")
    parameter_name = "channel__exact"  # the URL Django's field filter used: links keep working

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return channel_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value()
        return queryset.filter(channel=value) if value else queryset


class CategoryFilter(DropdownFilter):
    """One category, named with its parent («Pekerjaan Umum › Jalan rusak»), all read in one query."""

    title = _("kategori")
    parameter_name = "category__id__exact"
    form_class = DeskDropdownForm  # the options built in one pass, not one template each (desk/widgets.py)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(c.pk), str(c)) for c in Category.objects.select_related("parent").order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(category_id=int(value)) if value.isdigit() else queryset.none()
