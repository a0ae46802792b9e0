"""Desk pages for API tokens (admins only): issue one (its secret is shown once), revoke, see last use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin

from ..desk.permissions import ADMIN_ONLY, NOBODY, RoleAdminMixin
from .models import SCOPES, ApiToken
from .tokens import token_create, token_revoke


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    scopes = forms.MultipleChoiceField(label=gettext_lazy("cakupan"), choices=[(s, s) for s in SCOPES],
                                       widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "opd", "expires_at", "rate_per_minute"]


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, ModelAdmin):
    view_roles = add_roles = change_roles = ADMIN_ONLY
    delete_roles = NOBODY  # revoked, never deleted: "last used" stays on record
    form = ApiTokenForm
    list_display = ("name", "user", "prefix", "opd", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user", "opd")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("prefix", "revoked_at", "last_used_at")
        return ("user", "name", "scopes", "opd", "expires_at", "rate_per_minute", "prefix", "revoked_at",
                "last_used_at", "created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return  # a token is never edited: revoke it and issue another
        try:
            token, raw = token_create(user=obj.user, name=obj.name, by=request.user, scopes=obj.scopes, opd=obj.opd,
                                      expires_at=obj.expires_at, rate_per_minute=obj.rate_per_minute)
        except (ValidationError, PermissionDenied) as exc:
            raise ValidationError(getattr(exc, "messages", [str(exc)])) from exc
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        messages.warning(request, _("Token baru: %(raw)s — salin sekarang, token ini tidak akan ditampilkan lagi.")
                         % {"raw": raw})

    @admin.action(description=gettext_lazy("Cabut token terpilih"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token, by=request.user)
        messages.success(request, _("%(n)d token dicabut.") % {"n": queryset.count()})
