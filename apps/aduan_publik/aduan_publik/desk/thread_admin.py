"""Read-only views of what services write: dispositions, follow-ups, messages, the audit trail, deliveries."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from .. import access
from ..models import Disposition, Event, FollowUp, InboundEvent, Message
from ..sealed import unseal
from ..selectors.complaints import mask_access_code
from ..services.inbound import inbound_event_retry
from ..services.outbound import message_mark_delivered
from ..workflow import WorkflowError
from .bulk import report
from .permissions import ADMIN_ONLY, DESK_ROLES, ReadOnlyMixin


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = DESK_ROLES
    list_display = ("complaint", "opd", "state", "created_at", "accepted_at", "respond_due", "complete_due")
    list_filter = ("state", "opd")
    search_fields = ("complaint__tracking_number", "complaint__title")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Disposition]:
        return access.dispositions_visible_to(request.user).select_related("complaint", "opd")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = DESK_ROLES
    list_display = ("complaint", "opd", "state", "author", "created_at", "published_at")
    list_filter = ("state",)
    search_fields = ("complaint__tracking_number", "body")

    def get_queryset(self, request: HttpRequest) -> QuerySet[FollowUp]:
        return access.followups_visible_to(request.user).select_related(
            "complaint", "disposition__opd", "author")

    @display(description=gettext_lazy("OPD"))
    def opd(self, obj: FollowUp) -> str:
        return obj.disposition.opd.name


@admin.register(Event)
class EventAdmin(ReadOnlyMixin, ModelAdmin):
    """The audit trail is append-only: nobody adds, changes or deletes here."""

    list_display = ("created_at", "actor_label", "verb", "complaint", "summary")
    list_filter = ("verb",)
    search_fields = ("complaint__tracking_number", "actor_label", "summary")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        visible = access.complaints_visible_to(request.user)
        return Event.objects.filter(complaint__in=visible).select_related("complaint") | (
            Event.objects.filter(complaint__isnull=True) if access.actor_for(request.user).can_read_all
            else Event.objects.none())


class ManualDeliveryFilter(admin.SimpleListFilter):
    """Outbound messages a person must still deliver by phone or letter."""

    title = gettext_lazy("perlu disampaikan petugas")
    parameter_name = "manual"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ya", gettext_lazy("Ya, belum disampaikan"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message]:
        if self.value() == "ya":
            return queryset.filter(direction=Message.Direction.OUT, state=Message.State.MANUAL)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("created_at", "complaint", "channel", "direction", "state", "phone", "body_start", "error")
    list_filter = (ManualDeliveryFilter, "direction", "state", "channel")
    search_fields = ("complaint__tracking_number", "body")
    actions = ("mark_delivered",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        visible = Message.objects.filter(complaint__in=access.complaints_visible_to(request.user))
        if access.actor_for(request.user).can_read_all:
            # Messages outside any complaint (a sticker from a stranger, a keyword's answer):
            # kept, and shown to those who see everything.
            visible = visible | Message.objects.filter(complaint__isnull=True)
        return visible.select_related("complaint", "contact")

    @display(description=gettext_lazy("telepon pelapor"))
    def phone(self, obj: Message) -> str:
        return obj.contact.phone if obj.contact else ""

    @display(description=gettext_lazy("isi"))
    def body_start(self, obj: Message) -> str:
        body = unseal(obj.body)  # the acknowledgement is sealed at rest; its access code is masked
        return (mask_access_code(body, obj.complaint) if obj.complaint else body)[:80]

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    @admin.action(description=gettext_lazy("Tandai sudah disampaikan"), permissions=["desk_admin"])
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        report(request, [(f"#{m.pk}", partial(message_mark_delivered, message=m, by=request.user))
                         for m in queryset])


class ProblemItemsFilter(admin.SimpleListFilter):
    """Deliveries with an item that could not be used (the rest of the batch was routed)."""

    title = gettext_lazy("item bermasalah")
    parameter_name = "bermasalah"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("ya", gettext_lazy("Ya"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> QuerySet[InboundEvent]:
        if self.value() == "ya":
            return queryset.exclude(problems__isnull=True).exclude(problems=[])
        return queryset


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyMixin, ModelAdmin):
    """Raw deliveries; rejected and failed ones show why, and can be processed again."""

    view_roles = ADMIN_ONLY
    list_display = ("received_at", "channel", "channel_instance", "dedupe_key", "state", "attempts", "reason",
                    "problem_items")
    list_filter = ("state", "channel", "channel_instance", ProblemItemsFilter)
    search_fields = ("dedupe_key", "reason")
    exclude = ("body", "problems")
    readonly_fields = ("channel", "channel_instance", "dedupe_key", "state", "reason", "attempts", "received_at",
                       "processed_at", "headers", "query", "form", "body_text",
                       "problem_items")
    actions = ("process_again",)

    @display(description=gettext_lazy("item bermasalah"))
    def problem_items(self, obj: InboundEvent) -> str:
        """Each unusable item of the delivery: its provider id and why it was not routed."""
        return "; ".join(f"{p.get('external_id') or '?'}: {p.get('reason', '')}" for p in obj.problems or [])

    @display(description=gettext_lazy("isi mentah"))
    def body_text(self, obj: InboundEvent) -> str:
        return bytes(obj.body).decode("utf-8", errors="replace")[:20000]

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    @admin.action(description=gettext_lazy("Proses ulang"), permissions=["desk_admin"])
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> None:
        def retry(event: InboundEvent) -> None:
            if event.state not in (InboundEvent.State.FAILED, InboundEvent.State.REJECTED):
                raise WorkflowError(_("hanya kiriman yang ditolak atau gagal yang dapat diproses ulang"))
            inbound_event_retry(event=event, by=request.user)

        report(request, [(f"{e.channel}:{e.dedupe_key}", partial(retry, e)) for e in queryset])

