"""Desk pages of the social channels (admins only): the month's X spend and the mentions poll."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from aduan_publik.desk.permissions import ADMIN_ONLY, ReadOnlyMixin

from .models import PersonLink, XPollState, XSpend


@admin.register(XSpend)
class XSpendAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("month", "cost", "post_reads", "user_reads", "posts_created", "dms_created", "updated_at")

    @display(description=gettext_lazy("biaya (USD)"))
    def cost(self, obj: XSpend) -> str:
        return f"US${obj.cost_usd:,.2f}"


@admin.register(XPollState)
class XPollStateAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("account_id", "since_id", "last_polled_at", "last_count", "last_error")


@admin.register(PersonLink)
class PersonLinkAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("channel", "inbox_id", "person_id", "created_at")
