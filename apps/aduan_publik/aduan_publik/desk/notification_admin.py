"""The desk's notification inbox: each staff member sees only their own notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from .. import access
from ..models import Notification
from ..services.notify import notification_mark_read
from .permissions import DESK_ROLES, ReadOnlyMixin


class UnreadFilter(admin.SimpleListFilter):
    title = gettext_lazy("sudah dibaca")
    parameter_name = "dibaca"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("tidak", gettext_lazy("Belum dibaca")), ("ya", gettext_lazy("Sudah dibaca"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() in ("tidak", "ya"):
            return queryset.filter(read_at__isnull=self.value() == "tidak")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = DESK_ROLES
    list_display = ("headline", "kind", "complaint", "created_at", "mail_state")
    list_filter = (UnreadFilter, "kind")
    list_display_links = None
    search_fields = ("title", "body", "complaint__tracking_number")
    actions = ["mark_read"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return access.notifications_visible_to(request.user).select_related("complaint")

    @display(description=gettext_lazy("notifikasi"))
    def headline(self, obj: Notification) -> str:
        url = reverse("admin:aduan_publik_notification_open", args=[obj.pk])
        if obj.read_at is None:
            return format_html('<a href="{}"><strong>● {}</strong></a><br><span>{}</span>', url, obj.title, obj.body)
        return format_html('<a href="{}">{}</a><br><span>{}</span>', url, obj.title, obj.body)

    @action(description=gettext_lazy("Tandai sudah dibaca"))
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_mark_read(user=request.user, ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(n)d notifikasi ditandai sudah dibaca.") % {"n": count})

    def get_urls(self) -> list[URLPattern]:
        own = [path("<int:pk>/buka/", self.admin_site.admin_view(self.open_view),
                    name="aduan_publik_notification_open")]
        return own + super().get_urls()

    def open_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Mark the notification read and go where it points (the complaint's page)."""
        row = self.get_queryset(request).filter(pk=pk).first()
        if row is None:
            raise Http404(_("Notifikasi tidak ditemukan."))
        notification_mark_read(user=request.user, ids=[row.pk])
        return HttpResponseRedirect(row.link or reverse("admin:aduan_publik_notification_changelist"))
