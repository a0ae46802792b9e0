"""Small forms behind the desk's action buttons. They only collect input; services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminEmailInputWidget,
    UnfoldAdminSelect2MultipleWidget,
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


class OpdPicker(UnfoldAdminSelect2MultipleWidget):
    """A searchable OPD picker (Django admin's select2): a city has 30 to 50 OPDs."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__({"data-language": "id", "data-placeholder": _("Ketik nama OPD…"), "data-width": "100%",
                          **(attrs or {})}, choices)

    @property
    def media(self) -> forms.Media:
        return super().media + forms.Media(js=["admin/js/vendor/select2/i18n/id.js"])


def _opd_picker(label: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(label=label, queryset=OPD.objects.filter(active=True).order_by("name"),
                                          widget=OpdPicker)


class DeskForm(forms.Form):
    """Every action form gets the acting user and the complaint (some choices depend on them).

    ``buttons`` (value, label, variant) replaces the one submit button with several, each posting
    its value in the hidden field ``button_field``: every button says what it does.
    """

    button_field = ""
    buttons: tuple[tuple[str, Any, str], ...] = ()

    def __init__(self, *args: Any, user: Any, complaint: Complaint | None = None,
                 disposition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.complaint, self.disposition = user, complaint, disposition


class ConfirmForm(DeskForm):
    """Actions without input (accept, resume): the button is the confirmation."""


def _category_choice() -> forms.ModelChoiceField:
    """Active categories, each named «Topik › Sub»: read with their parents (one query for the select)."""
    return forms.ModelChoiceField(label=_("Kategori"), required=False, widget=UnfoldAdminSelectWidget,
                                  queryset=Category.objects.filter(active=True).select_related("parent"))


class VerifyForm(DeskForm):
    triage: Any = None  # the stored triage advice (aduan_publik.triage.selectors.Advice), when there is one
    opds = _opd_picker(_("OPD tujuan"))
    instruction = _area(_("Instruksi untuk OPD"), required=False)
    category = _category_choice()
    priority = _select(_("Prioritas"), Complaint.Priority.choices)
    is_anonymous = _flag(_("Anonim (identitas pelapor disembunyikan dari OPD)"))
    is_secret = _flag(_("Rahasia (tidak tampil di portal publik)"))
    field_check = _flag(_("Perlu cek lapangan"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.complaint
        if c is not None:
            # The category's default OPD is a suggestion to weigh, never a silently pre-ticked choice.
            self.suggestion = c.category.default_opd if c.category and c.category.default_opd_id else None
            if self.suggestion is not None:
                self.fields["opds"].help_text = format_html(
                    '<span data-suggested-opd="{}">{}</span>', self.suggestion.pk,
                    _("Saran: %(opd)s (OPD bawaan kategori «%(cat)s»). Pilih sendiri OPD yang berwenang.")
                    % {"opd": self.suggestion.name, "cat": c.category.name})  # type: ignore[union-attr]
            self.initial.update(category=c.category_id, priority=c.priority, is_anonymous=c.is_anonymous,
                                is_secret=c.is_secret, field_check=c.field_check)
            self._triage_advice(c)

    def _triage_advice(self, c: Complaint) -> None:
        """The triage suggestion (issue 15) beside the category's default; ``?saran=1`` (one click) fills it in."""
        from ..triage.selectors import desk_advice

        self.triage = desk_advice(complaint=c, user=self.user)
        top = self.triage.top_opd if self.triage else None
        if self.triage is None or top is None:
            return
        link = format_html('<a class="underline" href="?saran=1" data-use-suggestion>{}</a>', _("Pakai saran ini"))
        self.fields["opds"].help_text = format_html(
            '{} <span data-triage-opd="{}">{}</span> {}', self.fields["opds"].help_text or "", top.pk,
            _("Saran triase: %(opd)s (keyakinan %(p)d%%).") % {"opd": top.name, "p": self.triage.opds[0][2]}, link)
        if str(self.initial.get("saran", "")) == "1":
            self.initial["opds"] = [top.pk]
            if self.triage.category is not None:
                self.initial["category"] = self.triage.category.pk


class RerouteForm(DeskForm):
    """Re-route the part an OPD returned; the returned parts and their reasons are shown as help."""

    opds = _opd_picker(_("OPD tujuan yang baru"))
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


SAVE_DRAFT = ("0", _("Simpan draf"), "default")
SEND_TO_REPORTER = ("1", _("Kirim ke pelapor"), "primary")


class FollowUpForm(DeskForm):
    body = _area(_("Tindak lanjut (apa yang sudah dilakukan, dengan bahasa yang santun)"))
    evidence = MultipleFileField(label=_("Bukti (foto, dokumen)"), required=False)
    publish = forms.BooleanField(required=False, widget=forms.HiddenInput)
    button_field = "publish"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..selectors.complaints import returned_draft

        super().__init__(*args, **kwargs)
        may_send = self.complaint is not None and access.can(self.user, "publish_followup", self.complaint,
                                                             self.disposition)
        # Operators save drafts for the liaison; the liaison may also send at once.
        self.buttons = (SAVE_DRAFT, SEND_TO_REPORTER) if may_send else (SAVE_DRAFT,)
        returned = returned_draft(user=self.user, disposition=self.disposition) if self.disposition else None
        if returned is not None:  # start from the draft the liaison sent back, with their comment in view
            self.initial.setdefault("body", returned.body)
            self.fields["body"].help_text = format_html(
                "{} {}", _("Draf sebelumnya dikembalikan penghubung:"), returned.review_comment)
        if self.complaint is not None and not channel_capabilities(self.complaint.channel).media:
            self.fields["evidence"].help_text = _(
                "Kanal %(c)s tidak dapat mengirim lampiran: bukti hanya tampil di halaman lacak pelapor."
            ) % {"c": self.complaint.channel}

    def clean_publish(self) -> bool:
        return bool(self.cleaned_data.get("publish")) and len(self.buttons) > 1


class ReviewForm(DeskForm):
    """The liaison's review of one waiting draft: its full text (editable) and evidence, three outcomes."""

    followup = forms.ModelChoiceField(queryset=FollowUp.objects.none(), widget=forms.HiddenInput)
    body = _area(_("Isi tindak lanjut (boleh disunting sebelum dikirim)"))
    comment = _area(_("Catatan untuk penyusun (wajib bila dikembalikan)"), required=False)
    decision = forms.ChoiceField(choices=[("kirim", "kirim"), ("simpan", "simpan"), ("kembalikan", "kembalikan")],
                                 widget=forms.HiddenInput)
    button_field = "decision"
    buttons = (("kirim", _("Setujui & kirim ke pelapor"), "primary"),
               ("simpan", _("Simpan suntingan (tetap draf)"), "default"),
               ("kembalikan", _("Kembalikan ke penyusun"), "danger"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ..selectors.complaints import draft_followups

        super().__init__(*args, **kwargs)
        self.draft: FollowUp | None = None
        if self.disposition is None:
            return
        drafts = draft_followups(user=self.user, disposition=self.disposition).select_related("author")
        cast(forms.ModelChoiceField, self.fields["followup"]).queryset = drafts
        chosen = str(self.data.get("followup") or self.initial.get("draf") or "")
        self.draft = next((d for d in drafts if str(d.pk) == chosen), None) or drafts.first()
        if self.draft is not None:
            self.initial.update(followup=self.draft.pk, body=self.draft.body)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "kembalikan" and len((data.get("comment") or "").strip()) < 10:
            self.add_error("comment", _("Tulis catatan untuk penyusun draf (minimal 10 karakter)."))
        return data


class WalkInForm(DeskForm):
    """A complaint told at the counter or over the phone, typed in by an admin."""

    kind = _select(_("Jenis"), Complaint.Kind.choices)
    title = _text(_("Judul"), max_length=200)
    description = _area(_("Uraian"))
    category = _category_choice()
    location_text = _text(_("Lokasi"), required=False, max_length=300)
    reporter_name = _text(_("Nama pelapor"), required=False, max_length=200)
    reporter_phone = _text(_("Telepon/WhatsApp pelapor"), required=False, max_length=40)
    reporter_email = forms.EmailField(label=_("Email pelapor"), required=False,
                                      widget=UnfoldAdminEmailInputWidget)
    priority = _select(_("Prioritas"), Complaint.Priority.choices, initial=Complaint.Priority.NORMAL)
    is_anonymous = _flag(_("Anonim"))
    is_secret = _flag(_("Rahasia"))
