"""Sign-in security in the desk (admins only): failed sign-ins with an unlock action, 2FA reset.

django-axes and django-otp register plain Django admins; the desk replaces them with its own
(unfold, Indonesian, hub roles), and every change goes through ``services.signin``.
"""

from __future__ import annotations

import contextlib
from typing import Any

from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.decorators import display

from .. import access
from ..selectors.signin import attempts_with_lock_state, row_locked
from ..services.signin import second_factor_reset, signin_unlock
from .permissions import ADMIN_ONLY, ReadOnlyMixin

for _model in (TOTPDevice, StaticDevice):
    with contextlib.suppress(NotRegistered):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyMixin, ModelAdmin):
    """Failed sign-ins per account × address × browser, as django-axes counts them."""

    view_roles = ADMIN_ONLY
    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "locked")
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time", "path_info")
    actions = ("unlock",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        return attempts_with_lock_state()

    @display(description=gettext_lazy("terkunci"), boolean=True)
    def locked(self, obj: AccessAttempt) -> bool:
        return row_locked(obj)

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return access.actor_for(request.user).is_admin

    @admin.action(description=gettext_lazy("Buka kunci (akun dan alamat)"), permissions=["desk_admin"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        pairs = set(queryset.values_list("username", "ip_address"))
        for username, ip in sorted(pairs, key=str):
            signin_unlock(username=username, ip=ip, by=request.user)
        messages.success(request, ngettext("Kunci dibuka untuk %(n)d akun/alamat.",
                                           "Kunci dibuka untuk %(n)d akun/alamat.", len(pairs)) % {"n": len(pairs)})


@admin.action(description=gettext_lazy("Reset verifikasi dua langkah (ponsel hilang)"))
def reset_second_factor(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    """For the user admin: the user enrols again at the next sign-in (or from «Keamanan akun»)."""
    if not access.actor_for(request.user).is_admin:
        messages.error(request, _("Peran Anda tidak diizinkan melakukan tindakan ini."))
        return
    for user in queryset:
        second_factor_reset(user=user, by=request.user)
    messages.success(request, ngettext("Verifikasi dua langkah direset untuk %(n)d akun.",
                                       "Verifikasi dua langkah direset untuk %(n)d akun.", len(queryset))
                     % {"n": len(queryset)})
