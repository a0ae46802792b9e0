"""The Channel documents in the desk (admins only): one row per number, page or account.

Settings fields come from the plugin's declared schema (``Channel.setting_schema()``). Secrets
are never rendered back: the field stays empty ("leave empty to keep") and only a mask of the
stored value's last characters is shown. Writes go through
:mod:`aduan_publik.services.channel_instances`; deleting is not offered (disable instead: the
instance's complaints and messages keep pointing at it).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from ..channels import secrets
from ..channels.base import Setting
from ..channels.registry import UnknownChannel, channel_choices, get_channel
from ..models import ChannelInstance
from ..selectors.channel_instances import instance_health
from ..services.channel_instances import channel_instance_check, channel_instance_save, channel_instance_validate
from ..workflow import WorkflowError
from .bulk import report
from .permissions import ADMIN_ONLY, NOBODY, RoleAdminMixin
from .views import refusal

SETTING_PREFIX = "setting__"


def mask(value: str) -> str:
    """A stored secret as staff may see it: never more than its last four characters."""
    value = str(value or "")
    return "••••" + value[-4:] if len(value) >= 12 else ("••••" if value else "")


def _schema(channel: str) -> tuple[Setting, ...]:
    try:
        return type(get_channel(channel)).setting_schema()
    except UnknownChannel:
        return ()


class ChannelInstanceForm(forms.ModelForm):
    """Base fields of the document; the settings fields are added per type by :func:`form_for`."""

    channel = forms.ChoiceField(label=gettext_lazy("jenis kanal"), choices=())
    schema: tuple[Setting, ...] = ()

    class Meta:
        model = ChannelInstance
        fields = ("channel", "key", "name", "enabled", "is_default")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channel_choices()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["channel"].disabled = True
        stored = self._stored()
        for item in self.schema:
            self.fields[SETTING_PREFIX + item.name] = self._field(item, stored.get(item.name))

    def _stored(self) -> dict[str, Any]:
        row = self.instance
        try:
            hidden = secrets.decrypt(row.secrets) if row.pk else {}
        except secrets.SecretsUnreadable:
            hidden = {}
        return {**(row.settings or {}), **hidden}

    @staticmethod
    def _field(item: Setting, stored: Any) -> forms.CharField:
        help_text, label = str(item.help or ""), str(item.label or item.name)
        if item.secret:
            note = (_("Tersimpan: %(mask)s. Kosongkan untuk mempertahankan.") % {"mask": mask(stored)}
                    if stored else _("Belum diisi."))
            return forms.CharField(label=label, required=False,
                                   widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                   help_text=f"{help_text} {note}".strip())
        return forms.CharField(label=label, required=False, initial=stored or "",
                               help_text=help_text)

    def setting_values(self) -> dict[str, Any]:
        return {item.name: self.cleaned_data.get(SETTING_PREFIX + item.name, "") for item in self.schema}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            channel_instance_validate(instance=self.instance if self.instance.pk else None,
                                      channel=data["channel"], key=data["key"], name=data["name"],
                                      enabled=data["enabled"], is_default=data["is_default"],
                                      values=self.setting_values())
        except WorkflowError as exc:
            raise forms.ValidationError(refusal(exc)) from exc
        return data


def form_for(channel: str) -> type[ChannelInstanceForm]:
    """The document's form with the settings fields ``channel``'s plugin declares."""
    return type("ChannelInstanceForm", (ChannelInstanceForm,), {"schema": _schema(channel)})


@admin.register(ChannelInstance)
class ChannelInstanceAdmin(RoleAdminMixin, ModelAdmin):
    """Channel instances; only admins see or change them (the role comes from ``access``)."""

    view_roles = ADMIN_ONLY
    delete_roles = NOBODY  # disable instead: complaints and messages keep their instance key
    list_display = ("name", "channel", "key", "enabled", "is_default", "last_inbound", "errors_24h",
                    "token_state", "check_state")
    list_filter = ("channel", "enabled")
    search_fields = ("name", "key")
    actions = ("check_connection",)
    readonly_fields = ("webhook_url", "health", "check_state", "checked_at", "check_detail")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        channel = obj.channel if obj is not None else (request.POST.get("channel") or request.GET.get("channel") or "")
        kwargs["form"] = form_for(channel)
        kwargs["fields"] = None  # the form decides (settings fields are not model fields)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        channel = obj.channel if obj is not None else (request.POST.get("channel") or request.GET.get("channel") or "")
        names = [SETTING_PREFIX + s.name for s in _schema(channel)]
        sets: list[Any] = [(None, {"fields": ("channel", "key", "name", "enabled", "is_default")})]
        if names:
            sets.append((_("Pengaturan"), {"fields": names}))
        elif obj is None:
            sets.append((_("Pengaturan"), {"fields": (), "description": _(
                "Pilih jenis kanal lalu simpan sebagai nonaktif; kolom pengaturannya muncul setelah itu.")}))
        if obj is not None:
            sets.append((_("Alamat webhook dan kesehatan"), {"fields": self.readonly_fields}))
        return sets

    def save_model(self, request: HttpRequest, obj: ChannelInstance, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = channel_instance_save(instance=obj if obj.pk else None, by=request.user, channel=data["channel"],
                                      key=data["key"], name=data["name"], enabled=data["enabled"],
                                      is_default=data["is_default"], values=form.setting_values())
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_desk_admin_permission(self, request: HttpRequest) -> bool:
        return self.desk_role(request) in ADMIN_ONLY

    @admin.action(description=gettext_lazy("Uji koneksi"), permissions=["desk_admin"])
    def check_connection(self, request: HttpRequest, queryset: QuerySet[ChannelInstance]) -> None:
        report(request, [(str(row), partial(self._check, row, request)) for row in queryset])

    @staticmethod
    def _check(row: ChannelInstance, request: HttpRequest) -> None:
        checked = channel_instance_check(instance=row, by=request.user)
        if not checked.check_ok:
            raise WorkflowError(checked.check_detail or _("uji koneksi gagal"))

    @display(description=gettext_lazy("alamat webhook"))
    def webhook_url(self, obj: ChannelInstance) -> str:
        base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
        url = f"{base}/channels/{obj.channel}/{obj.key}/webhook"
        if obj.is_default:
            return _("%(url)s (juga %(old)s)") % {"url": url, "old": f"{base}/channels/{obj.channel}/webhook"}
        return url

    @display(description=gettext_lazy("kesehatan"))
    def health(self, obj: ChannelInstance) -> str:
        h = instance_health(obj)
        parts = [_("masuk terakhir: %(t)s") % {"t": h.last_inbound or "—"},
                 _("keluar terakhir: %(t)s") % {"t": h.last_outbound or "—"},
                 _("galat 24 jam: %(n)d") % {"n": h.errors_24h},
                 _("token: %(s)s") % {"s": self.token_state(obj)}]
        if h.last_error:
            parts.append(_("galat terakhir: %(e)s") % {"e": h.last_error[:300]})
        return " · ".join(parts)

    @display(description=gettext_lazy("masuk terakhir"))
    def last_inbound(self, obj: ChannelInstance) -> Any:
        return instance_health(obj).last_inbound or "—"

    @display(description=gettext_lazy("galat 24 jam"))
    def errors_24h(self, obj: ChannelInstance) -> int:
        return instance_health(obj).errors_24h

    @display(description=gettext_lazy("token"))
    def token_state(self, obj: ChannelInstance) -> str:
        if obj.token_invalid_at:
            return _("ditolak penyedia (galat 190) sejak %(t)s") % {"t": obj.token_invalid_at}
        if obj.token_expires_at:
            return _("berlaku sampai %(t)s") % {"t": obj.token_expires_at}
        return _("tidak diketahui")

    @display(description=gettext_lazy("uji koneksi"))
    def check_state(self, obj: ChannelInstance) -> str:
        if obj.check_ok is None:
            return _("belum diuji")
        return _("berhasil") if obj.check_ok else _("gagal")
