"""The desk's read-only list of WhatsApp subscriptions (admins only): the consent evidence."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from .. import access
from ..desk.permissions import ADMIN_ONLY, ReadOnlyMixin
from .models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, ModelAdmin):
    """Written only by the portal's services; nobody edits consent evidence by hand."""

    view_roles = ADMIN_ONLY
    list_display = ("phone", "name", "area", "topic_list", "active", "confirmed_at", "consented_at", "unsubscribed_at")
    list_filter = ("area", ("unsubscribed_at", admin.EmptyFieldListFilter))
    search_fields = ("phone", "name")
    date_hierarchy = "consented_at"
    list_select_related = ("area",)
    fields = ("phone", "name", "area", "topics", "consent_text", "consent_version", "consented_at", "consent_ip",
              "confirmed_at", "confirm_ref", "language", "marketing_stopped_at", "unsubscribed_at", "unsubscribe_via")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        return access.subscriptions_visible_to(request.user).select_related("area")

    @display(description=_("Topik"))
    def topic_list(self, obj: Subscription) -> str:
        labels = dict(Subscription.Topic.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.topics)

    @display(description=_("Aktif"), boolean=True)
    def active(self, obj: Subscription) -> bool:
        return obj.is_active
