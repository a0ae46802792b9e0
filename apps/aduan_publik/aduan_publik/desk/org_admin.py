"""Organisation documents: OPDs, categories, areas, days off, and staff users with their role."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, StackedInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from .. import access
from ..calendar import forget_days_off
from ..models import OPD, Area, Category, DayOff, StaffProfile
from .permissions import ADMIN_ONLY, RoleAdminMixin
from .signin_admin import reset_second_factor

User = get_user_model()


@admin.register(OPD)
class OPDAdmin(RoleAdminMixin, ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Category)
class CategoryAdmin(RoleAdminMixin, ModelAdmin):
    list_display = ("name", "code", "parent", "default_opd", "active")
    list_filter = ("active", ("default_opd", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "code")
    list_select_related = ("parent", "default_opd")
    fieldsets = (
        (None, {"fields": ("name", "code", "parent", "default_opd", "active")}),
        (_("Batas waktu khusus (kosong = bawaan situs)"), {"fields": (
            "verify_working_days", "respond_working_days", "complete_days", "complete_field_check_days",
            "autoclose_working_days")}),
    )


@admin.register(Area)
class AreaAdmin(RoleAdminMixin, ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(DayOff)
class DayOffAdmin(RoleAdminMixin, ModelAdmin):
    """Extra days off change every deadline computed afterwards: the calendar cache is dropped."""

    list_display = ("date", "name")
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: DayOff, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_days_off()

    def delete_model(self, request: HttpRequest, obj: DayOff) -> None:
        super().delete_model(request, obj)
        forget_days_off()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DayOff]) -> None:
        super().delete_queryset(request, queryset)
        forget_days_off()


class StaffProfileInline(RoleAdminMixin, StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name = _("peran di meja kerja")
    verbose_name_plural = _("peran di meja kerja")
    fields = ("role", "opd", "phone")


# Users are managed by Diskominfo admins only. Groups are not used: roles live in StaffProfile.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(RoleAdminMixin, BaseUserAdmin, ModelAdmin):
    view_roles = ADMIN_ONLY
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    inlines = (StaffProfileInline,)
    list_display = ("username", "full_name", "email", "role", "opd", "is_active", "last_login")
    list_filter = ("aduan_profile__role", "aduan_profile__opd", "is_active")
    list_select_related = ("aduan_profile", "aduan_profile__opd")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data diri"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = (reset_second_factor,)

    @admin.display(description=_("nama lengkap"), ordering="first_name")
    def full_name(self, obj: Any) -> str:
        return str(obj.get_full_name())

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            # Only a superuser may hand out superuser rights; desk admins manage roles in the inline.
            fieldsets = (*fieldsets, (_("Hak super"), {"fields": ("is_superuser",)}))
        return fieldsets

    @admin.display(description=_("peran"))
    def role(self, obj: Any) -> str:
        profile = getattr(obj, "aduan_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("OPD"))
    def opd(self, obj: Any) -> str:
        profile = getattr(obj, "aduan_profile", None)
        return str(profile.opd) if profile and profile.opd else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        # A desk admin who is not a superuser cannot see or edit superusers.
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin
