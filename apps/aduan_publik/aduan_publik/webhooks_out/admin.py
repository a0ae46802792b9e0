"""Desk pages of outgoing webhooks, for admins: subscriptions, the delivery log, dead letters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from .. import access
from ..desk.permissions import ADMIN_ONLY, NOBODY, RoleAdminMixin
from ..models import Role, WebhookDeadLetter, WebhookDelivery, WebhookSubscription
from ..workflow import WorkflowError
from .events import EVENT_TYPES
from .services import delivery_discard, delivery_resend, subscription_save


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("URL tujuan"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("jenis peristiwa"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(EVENT_TYPES.items()), help_text=gettext_lazy("Kosongkan untuk menerima semua peristiwa."))

    class Meta:
        model = WebhookSubscription
        fields = ("name", "owner", "url", "events", "opd", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        integrators = get_user_model().objects.filter(is_active=True, aduan_profile__role=Role.INTEGRATOR)
        self.fields["owner"].queryset = integrators  # type: ignore[attr-defined]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("URL tujuan harus diawali https:// atau http://."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner, opd = data.get("owner"), data.get("opd")
        if owner is not None:
            try:
                access.webhook_scope_opd(owner, opd.pk if opd else None)
            except PermissionDenied as exc:
                self.add_error("opd", str(exc))
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(RoleAdminMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    form = SubscriptionForm
    list_display = ("name", "owner", "url", "opd", "active", "waiting", "dead")
    list_filter = ("active",)
    search_fields = ("name", "url", "owner__username")
    readonly_fields = ("secret", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookSubscription]:
        return super().get_queryset(request).select_related("owner", "opd").annotate(
            n_waiting=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
            n_dead=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.DEAD)))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["name", "owner", "url", "events", "opd", "active"]
        return fields + (["secret", "created_at"] if obj is not None else [])

    @display(description=gettext_lazy("antre"))
    def waiting(self, obj: WebhookSubscription) -> int:
        return int(getattr(obj, "n_waiting", 0))

    @display(description=gettext_lazy("dead-letter"))
    def dead(self, obj: WebhookSubscription) -> int:
        return int(getattr(obj, "n_dead", 0))

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form: Any, change: bool) -> None:
        subscription_save(subscription=obj, by=request.user)


class _DeliveryActions(RoleAdminMixin, ModelAdmin):
    """The log's and the dead-letter list's shared columns and actions (admins only, no editing)."""

    view_roles = ADMIN_ONLY
    add_roles = change_roles = delete_roles = NOBODY
    list_display = ("number", "event_type", "subscription", "tracking", "state", "attempts", "last_status",
                    "next_attempt_at", "delivered_at")
    list_filter: tuple[str, ...] = ("state", "event_type", "subscription")
    search_fields = ("complaint__tracking_number", "key")
    list_select_related = ("subscription", "complaint")
    actions = ["resend", "discard"]
    readonly_fields = ("subscription", "tracking", "event_type", "key", "state", "attempts", "first_attempt_at",
                       "last_attempt_at", "next_attempt_at", "delivered_at", "last_status", "last_error",
                       "handled_by", "payload")
    fields = readonly_fields

    @display(description=gettext_lazy("nomor"), ordering="pk")
    def number(self, obj: WebhookDelivery) -> int:
        return obj.pk

    @display(description=gettext_lazy("aduan"))
    def tracking(self, obj: WebhookDelivery) -> str:
        return obj.complaint.tracking_number

    @display(description=gettext_lazy("isi"))
    def payload(self, obj: WebhookDelivery) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>",
                           json.dumps(json.loads(obj.body), indent=2, ensure_ascii=False))

    def _each(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery], service: Any, done: str) -> None:
        count, refused = 0, []
        for delivery in queryset.order_by("event_id"):  # in event order, so each line keeps its order
            try:
                service(delivery=delivery, by=request.user)
                count += 1
            except (WorkflowError, PermissionDenied) as exc:
                refused.append(f"#{delivery.pk}: {exc}")
        self.message_user(request, done % {"n": count})
        if refused:
            self.message_user(request, "; ".join(refused[:10]), level="warning")

    @action(description=gettext_lazy("Kirim ulang"))
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        self._each(request, queryset, delivery_resend, _("%(n)d kiriman dijadwalkan untuk dikirim ulang."))

    @action(description=gettext_lazy("Buang (lepaskan antrean di belakangnya)"))
    def discard(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        self._each(request, queryset, delivery_discard, _("%(n)d kiriman dibuang."))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_DeliveryActions):
    """The delivery log: every delivery, with its attempts and the receiver's last answer."""


@admin.register(WebhookDeadLetter)
class WebhookDeadLetterAdmin(_DeliveryActions):
    """Dead letters only: each holds the later events of its complaint for its subscriber."""

    list_filter: tuple[str, ...] = ("event_type", "subscription")

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).filter(state=WebhookDelivery.State.DEAD)
