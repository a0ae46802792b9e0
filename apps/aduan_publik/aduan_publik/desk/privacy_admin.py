"""Reporters' personal data in the desk (admins only, UU 27/2022 PDP): export and erasure.

The list finds a contact by name, number or e-mail; «Unduh data pribadi» downloads everything the
hub holds about the selected contacts (one JSON, or a ZIP of one JSON each), «Hapus identitas»
asks for the reason and erases through ``services.privacy``. Nobody edits contacts here.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action

from .. import access
from ..models import Contact
from ..services.privacy import contact_erase, contact_export_record
from .permissions import ADMIN_ONLY, ReadOnlyMixin


class EraseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Alasan (mis. nomor surat permohonan)"), max_length=300)


@admin.register(Contact)
class ContactPrivacyAdmin(ReadOnlyMixin, ModelAdmin):
    view_roles = ADMIN_ONLY
    list_display = ("number", "name", "channel", "address", "phone", "email", "erased_at")
    search_fields = ("name", "address", "phone", "email", "user_id")
    list_filter = ("channel",)
    ordering = ("-pk",)
    fields = ("channel", "name", "address", "user_id", "phone", "email", "created_at", "last_inbound_at",
              "erased_at")
    actions = ("download_personal_data",)
    actions_detail = ("erase_identity",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.can_manage_personal_data(request.user)

    @admin.display(description=gettext_lazy("nomor"), ordering="pk")
    def number(self, obj: Contact) -> int:
        return obj.pk

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_manage_personal_data(request.user)

    def has_pdp_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.can_manage_personal_data(request.user)

    @admin.action(description=gettext_lazy("Unduh data pribadi (JSON/ZIP)"), permissions=["pdp"])
    def download_personal_data(self, request: HttpRequest, queryset: QuerySet[Contact]) -> HttpResponse:
        exports = {c.pk: contact_export_record(contact=c, by=request.user) for c in queryset.order_by("pk")}
        if len(exports) == 1:
            (pk, data), = exports.items()
            response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                                    content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="data-pribadi-kontak-{pk}.json"'
            return response
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for pk, data in exports.items():
                archive.writestr(f"kontak-{pk}.json", json.dumps(data, indent=2, ensure_ascii=False))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="data-pribadi.zip"'
        return response

    @action(description=gettext_lazy("Hapus identitas"), url_path="erase-identity", permissions=["pdp"])
    def erase_identity(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """GET: the form asking for the reason; POST: erase (audited), then back to the contact."""
        contact = get_object_or_404(Contact, pk=object_id)
        back = reverse("admin:aduan_publik_contact_change", args=[contact.pk])
        form = EraseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            contact_erase(contact=contact, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Identitas kontak #%(id)s dihapus; aduan dan pesannya tetap tersimpan.")
                             % {"id": contact.pk})
            return HttpResponseRedirect(back)
        context = {**self.admin_site.each_context(request), "form": form, "back_url": back,
                   "title": _("Hapus identitas kontak #%(id)s") % {"id": contact.pk},
                   "submit_label": _("Hapus identitas")}
        return TemplateResponse(request, "desk/action_form.html", context)
