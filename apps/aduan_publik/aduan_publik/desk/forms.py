"""Small forms behind the desk's action buttons. They only collect input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminEmailInputWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from .. import access
from ..channels.registry import channel_capabilities
from ..models import OPD, Category, Complaint, FollowUp, Message

ARCHIVE_CHOICES = [c for c in Complaint.ArchiveReason.choices if c[0] != Complaint.ArchiveReason.DUPLICATE]


def _text(label: Any, *, required: bool = True, max_length: int | None = None, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=UnfoldAdminTextInputWidget, **kw)


def _area(label: Any, *, required: bool = True, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=UnfoldAdminTextareaWidget, **kw)


def _flag(label: Any, **kw: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, widget=UnfoldBooleanSwitchWidget, **kw)


def _select(label: Any, choices: Any, **kw: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=UnfoldAdminSelectWidget, **kw)


class DeskForm(forms.Form):
    """Every action form gets the acting user and the complaint (some choices depend on them)."""

    def __init__(self, *args: Any, user: Any, complaint: Complaint | None = None,
                 disposition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.complaint, self.disposition = user, complaint, disposition


class ConfirmForm(DeskForm):
    """Actions without input (accept, resume): the button is the confirmation."""


class VerifyForm(DeskForm):
    opds = forms.ModelMultipleChoiceField(
        label=_("OPD tujuan"), queryset=OPD.objects.filter(active=True),
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )
    instruction = _area(_("Instruksi untuk OPD"), required=False)
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.filter(active=True),
                                      required=False, widget=UnfoldAdminSelectWidget)
    priority = _select(_("Prioritas"), Complaint.Priority.choices)
    is_anonymous = _flag(_("Anonim (identitas pelapor disembunyikan dari OPD)"))
    is_secret = _flag(_("Rahasia (tidak tampil di portal publik)"))
    field_check = _flag(_("Perlu cek lapangan"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.complaint
        if c is not None:
            default = c.category.default_opd_id if c.category else None
            self.initial.update(opds=[default] if default else [], category=c.category_id,
                                priority=c.priority, is_anonymous=c.is_anonymous, is_secret=c.is_secret,
                                field_check=c.field_check)


class RerouteForm(DeskForm):
    """Re-route the part an OPD returned; the returned parts and their reasons are shown as help."""

    opds = forms.ModelMultipleChoiceField(
        label=_("OPD tujuan yang baru"), queryset=OPD.objects.filter(active=True),
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )
    instruction = _area(_("Instruksi untuk OPD"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..selectors.complaints import returned_parts

        super().__init__(*args, **kwargs)
        if self.complaint is not None:
            parts = returned_parts(complaint=self.complaint)
            # help_text is rendered unescaped by the widgets: the OPD's reason is escaped here.
            self.fields["opds"].help_text = format_html_join(
                "; ", "{}: {}", ((d.opd.name, d.return_reason) for d in parts)
            )


class PostponeForm(DeskForm):
    request_text = _area(_("Keterangan yang perlu dilengkapi pelapor"))


class ArchiveForm(DeskForm):
    reason = _select(_("Alasan"), ARCHIVE_CHOICES)
    note = _area(_("Catatan"), required=False)


class MergeForm(DeskForm):
    tracking_number = _text(_("Nomor aduan asli"), max_length=20)
    note = _area(_("Catatan"), required=False)

    def clean_tracking_number(self) -> Complaint:
        number = self.cleaned_data["tracking_number"].strip().upper()
        original = access.complaints_visible_to(self.user).filter(tracking_number=number).first()
        if original is None:
            raise forms.ValidationError(_("Aduan %(n)s tidak ditemukan.") % {"n": number})
        return original


class NotAuthorityForm(DeskForm):
    forwarded_to = _text(_("Diteruskan ke (instansi berwenang)"), max_length=200)
    note = _area(_("Catatan"), required=False)


class ReasonForm(DeskForm):
    reason = _area(_("Alasan"))


class NoteForm(DeskForm):
    """An internal note: the complaint's channel cannot carry a reply to the reporter."""

    body = _area(_("Catatan (tidak dikirim ke pelapor)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.complaint is not None:
            self.fields["body"].help_text = _("Kanal %(c)s tidak dapat mengirim pesan ke pelapor.") % {
                "c": self.complaint.channel}


class ResendForm(DeskForm):
    message = forms.ModelChoiceField(label=_("Pesan gagal"), queryset=Message.objects.none(),
                                     widget=UnfoldAdminSelectWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..selectors.complaints import failed_outbound

        super().__init__(*args, **kwargs)
        if self.complaint is not None:
            cast(forms.ModelChoiceField, self.fields["message"]).queryset = failed_outbound(complaint=self.complaint)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "text-sm"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ReplyForm(DeskForm):
    """A reply on the complaint's channel; files only when the channel declares ``media``."""

    body = _area(_("Pesan"))
    attachments = MultipleFileField(label=_("Lampiran (foto, dokumen)"), required=False)
    internal = _flag(_("Catatan internal (tidak dikirim ke pelapor)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.complaint is None or not channel_capabilities(self.complaint.channel).media:
            del self.fields["attachments"]


class FollowUpForm(DeskForm):
    body = _area(_("Tindak lanjut (apa yang sudah dilakukan, dengan bahasa yang santun)"))
    evidence = MultipleFileField(label=_("Bukti (foto, dokumen)"), required=False)
    publish = _flag(_("Langsung kirim ke pelapor"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.complaint is None or not access.can(self.user, "publish_followup", self.complaint,
                                                        self.disposition):
            del self.fields["publish"]  # operators draft; the liaison sends
        if self.complaint is not None and not channel_capabilities(self.complaint.channel).media:
            self.fields["evidence"].help_text = _(
                "Kanal %(c)s tidak dapat mengirim lampiran: bukti hanya tampil di halaman lacak pelapor."
            ) % {"c": self.complaint.channel}


class PublishForm(DeskForm):
    followup = forms.ModelChoiceField(label=_("Draf tindak lanjut"), queryset=FollowUp.objects.none(),
                                      widget=UnfoldAdminSelectWidget)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..selectors.complaints import draft_followups

        super().__init__(*args, **kwargs)
        if self.disposition is not None:
            drafts = draft_followups(user=self.user, disposition=self.disposition)
            cast(forms.ModelChoiceField, self.fields["followup"]).queryset = drafts
            self.initial.setdefault("followup", drafts.values_list("pk", flat=True).first())


class WalkInForm(DeskForm):
    """A complaint told at the counter or over the phone, typed in by an admin."""

    kind = _select(_("Jenis"), Complaint.Kind.choices)
    title = _text(_("Judul"), max_length=200)
    description = _area(_("Uraian"))
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.filter(active=True),
                                      required=False, widget=UnfoldAdminSelectWidget)
    location_text = _text(_("Lokasi"), required=False, max_length=300)
    reporter_name = _text(_("Nama pelapor"), required=False, max_length=200)
    reporter_phone = _text(_("Telepon/WhatsApp pelapor"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Email pelapor"), required=False,
                                      widget=UnfoldAdminEmailInputWidget)
    priority = _select(_("Prioritas"), Complaint.Priority.choices, initial=Complaint.Priority.NORMAL)
    is_anonymous = _flag(_("Anonim"))
    is_secret = _flag(_("Rahasia"))
