"""Attachments: admins review which files may appear on the public pages.

Files are never public until an admin has looked at them: a photo often shows the face or the
house of an "anonymous" reporter. OPD staff see their own complaints' files here, read-only.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from .. import access
from ..models import Attachment
from ..services.attachments import attachment_review
from .bulk import report
from .permissions import DESK_ROLES, ReadOnlyMixin


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = DESK_ROLES
    list_display = ("created_at", "complaint", "file_link", "content_type", "human_size", "public_reviewed")
    list_filter = ("public_reviewed", "content_type")
    search_fields = ("complaint__tracking_number", "original_name")
    exclude = ("file",)
    readonly_fields = ("complaint", "file_link", "content_type", "human_size", "sha256", "public_reviewed",
                       "created_at")
    actions = ("make_public", "make_private")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return access.attachments_visible_to(request.user).select_related("complaint")

    @display(description=gettext_lazy("berkas"))
    def file_link(self, obj: Attachment) -> str:
        # Served by the access-checked file view, never as a public static file.
        return format_html('<a href="/files/{}/" target="_blank" rel="noopener">{}</a>', obj.pk, obj.original_name)

    @display(description=gettext_lazy("ukuran"))
    def human_size(self, obj: Attachment) -> str:
        return filesizeformat(obj.size)

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    @admin.action(description=gettext_lazy("Boleh tampil di halaman publik"), permissions=["desk_admin"])
    def make_public(self, request: HttpRequest, queryset: QuerySet[Attachment]) -> None:
        report(request, [(a.original_name, partial(attachment_review, attachment=a, by=request.user, public=True))
                         for a in queryset])

    @admin.action(description=gettext_lazy("Sembunyikan dari halaman publik"), permissions=["desk_admin"])
    def make_private(self, request: HttpRequest, queryset: QuerySet[Attachment]) -> None:
        report(request, [(a.original_name, partial(attachment_review, attachment=a, by=request.user, public=False))
                         for a in queryset])
