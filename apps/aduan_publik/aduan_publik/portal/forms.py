"""The portal's forms. Every message a resident can see is Indonesian first (gettext for English)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from ..models import Area, Category, Complaint
from ..services.attachments import AttachmentRejected, validate_file
from . import abuse
from .models import Subscription
from .selectors import kelurahan_groups
from .services import normalize_phone

MAX_FILES = 5
KECAMATAN = Area.objects.filter(level=Area.Level.KECAMATAN)  # lazy; each form copies it


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked by content and size (the service checks again)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf,audio/*,video/mp4"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Maksimal %(n)d berkas.") % {"n": MAX_FILES})
        for upload in files:
            check_upload(upload)
        return files


def check_upload(upload: Any) -> None:
    """Refuse a file that is too big or not really a photo/PDF/audio/video, with the reason."""
    if upload.size and upload.size > settings.ADUAN["max_upload_bytes"]:
        raise forms.ValidationError(str(_("Berkas %(name)s terlalu besar.") % {"name": upload.name}))
    try:
        validate_file(upload.read(settings.ADUAN["max_upload_bytes"] + 1), upload.name or "")
    except AttachmentRejected as exc:
        raise forms.ValidationError(exc.messages[0]) from None
    finally:
        upload.seek(0)


class PortalForm(forms.Form):
    """Labels without a trailing colon; required fields marked (the CSS adds the asterisk)."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class GuardedForm(PortalForm):
    """A public form with the honeypot and the captcha."""

    # A field people never see (hidden by CSS, skipped by keyboard): bots fill it in.
    website = forms.CharField(required=False, label=_("Jangan diisi"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput)
    captcha_answer = forms.CharField(label=_("Jawaban"), max_length=4,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge = abuse.captcha_new()
        # Templates render ``challenge`` (a fresh sum each time the form is shown, also after an
        # error), never the token or answer that were posted.

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "captcha_answer" in cleaned and not abuse.captcha_check(
            cleaned.get("captcha_token", ""), cleaned["captcha_answer"]
        ):
            self.add_error("captcha_answer", _("Jawaban hitungan salah atau kedaluwarsa. Coba hitungan yang baru."))
        return cleaned


class ComplaintForm(GuardedForm):
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(label=_("Jenis laporan"), choices=Complaint.Kind.choices,
                             initial=Complaint.Kind.PENGADUAN, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(label=_("Kategori"), required=False,
                                      queryset=Category.objects.filter(active=True).select_related("parent"),
                                      empty_label=_("— Tidak tahu / pilih nanti —"))
    title = forms.CharField(label=_("Judul"), max_length=150, min_length=5,
                            help_text=_("Satu kalimat singkat, misalnya: Jalan berlubang di depan SDN 3."))
    description = forms.CharField(label=_("Uraian"), min_length=20, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 6}), help_text=_("Apa yang terjadi, di mana, kapan, siapa yang terlibat, dan sejak kapan."))
    kecamatan = forms.ModelChoiceField(label=_("Kecamatan"), required=False, queryset=KECAMATAN,
                                       empty_label=_("— Pilih kecamatan —"))
    kelurahan = forms.ModelChoiceField(label=_("Kelurahan"), required=False,
                                       queryset=Area.objects.filter(level=Area.Level.KELURAHAN),
                                       empty_label=_("— Pilih kelurahan —"))
    location_text = forms.CharField(label=_("Alamat atau patokan lokasi"), required=False, max_length=300)
    latitude = forms.DecimalField(label=_("Lintang"), required=False, max_digits=9, decimal_places=6,
                                  validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))])
    longitude = forms.DecimalField(label=_("Bujur"), required=False, max_digits=9, decimal_places=6,
                                   validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))])
    attachments = MultipleFileField(label=_("Lampiran foto atau dokumen"), required=False,
                                    help_text=_("Foto (JPG/PNG), PDF, audio atau video; maksimal 5 berkas."))
    name = forms.CharField(label=_("Nama"), required=False, max_length=120)
    phone = forms.CharField(label=_("Nomor telepon/WhatsApp"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("Email"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    is_anonymous = forms.BooleanField(label=_("Anonim: sembunyikan identitas saya"), required=False,
                                      widget=forms.CheckboxInput(attrs={"aria-describedby": "anon-help"}))
    is_secret = forms.BooleanField(label=_("Rahasia: jangan tampilkan laporan ini ke publik"), required=False,
                                   widget=forms.CheckboxInput(attrs={"aria-describedby": "secret-help"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Grouped by kecamatan, so the picker is usable without JavaScript (JS narrows it down).
        self.fields["kelurahan"].widget.choices = [("", _("— Pilih kelurahan —")), *kelurahan_groups()]
        self.fields["submit_token"].initial = secrets.token_urlsafe(24)

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value and not normalize_phone(value):
            raise forms.ValidationError(_("Nomor telepon tidak valid. Contoh: 081234567890."))
        return normalize_phone(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kec, kel = cleaned.get("kecamatan"), cleaned.get("kelurahan")
        if kel is not None and kec is not None and kel.parent_id != kec.pk:
            self.add_error("kelurahan", _("Kelurahan ini tidak berada di kecamatan yang dipilih."))
        elif kel is not None and kec is None:
            cleaned["kecamatan"] = kel.parent
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Isi lintang dan bujur keduanya, atau kosongkan keduanya."))
        return cleaned

    def contact_key(self) -> str:
        return self.cleaned_data.get("email") or self.cleaned_data.get("phone") or ""


class TrackForm(PortalForm):
    tracking_number = forms.CharField(label=_("Nomor aduan"), max_length=20,
                                      widget=forms.TextInput(attrs={"autocapitalize": "characters",
                                                                    "placeholder": "ADU-2026-000123"}))
    code = forms.CharField(label=_("Kode akses"), max_length=20,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}))


class ReplyForm(PortalForm):
    OUTCOMES = {"belum": False, "selesai": True}

    message_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # Asked only once the OPDs answered: a thank-you must not send the complaint back to them.
    outcome = forms.ChoiceField(label=_("Apakah masalah Anda sudah selesai?"), required=False,
                                widget=forms.RadioSelect, choices=[
                                    ("belum", _("Belum selesai: kembalikan aduan ke OPD")),
                                    ("selesai", _("Sudah selesai: saya hanya menyampaikan pesan")),
                                ])
    text = forms.CharField(label=_("Tanggapan Anda"), min_length=2, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("Lampiran (opsional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message_key"].initial = secrets.token_urlsafe(24)

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload:
            check_upload(upload)
        return upload

    def resolved(self) -> bool | None:
        """True: solved ("sudah selesai"), False: not solved, None: not said."""
        return self.OUTCOMES.get(self.cleaned_data.get("outcome") or "")


class RateForm(PortalForm):
    rating = forms.TypedChoiceField(label=_("Penilaian"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(i, str(i)) for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("Komentar (opsional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(PortalForm):
    reason = forms.CharField(label=_("Mengapa aduan belum selesai?"), min_length=10, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


def public_status_choices() -> list[tuple[str, Any]]:
    hidden = {Complaint.Status.ARCHIVED, Complaint.Status.RECEIVED, Complaint.Status.POSTPONED}
    return [("", _("Semua status")), *[c for c in Complaint.Status.choices if c[0] not in hidden]]


class PublicFilterForm(PortalForm):
    q = forms.CharField(label=_("Cari"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=public_status_choices)
    kind = forms.ChoiceField(label=_("Jenis"), required=False,
                             choices=[("", _("Semua jenis")), *Complaint.Kind.choices])
    category = forms.ModelChoiceField(label=_("Kategori"), required=False,
                                      queryset=Category.objects.filter(active=True, parent__isnull=True),
                                      empty_label=_("Semua kategori"))
    kecamatan = forms.ModelChoiceField(label=_("Kecamatan"), required=False, queryset=KECAMATAN,
                                       empty_label=_("Semua kecamatan"))


class SubscribeForm(GuardedForm):
    phone = forms.CharField(label=_("Nomor WhatsApp"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    name = forms.CharField(label=_("Nama (opsional)"), required=False, max_length=120)
    area = forms.ModelChoiceField(label=_("Kecamatan tempat tinggal"), required=False, queryset=KECAMATAN,
                                  empty_label=_("— Seluruh kota —"))
    topics = forms.MultipleChoiceField(label=_("Topik yang ingin Anda terima"), choices=Subscription.Topic.choices,
                                       widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(label=_("Saya menyetujui pernyataan di atas."),
                                 widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
                                 error_messages={"required": _("Centang persetujuan untuk berlangganan.")})

    def clean_phone(self) -> str:
        number = normalize_phone(self.cleaned_data.get("phone", ""))
        if not number:
            raise forms.ValidationError(_("Nomor WhatsApp tidak valid. Contoh: 081234567890."))
        return number


class UnsubscribeForm(PortalForm):
    phone = forms.CharField(label=_("Nomor WhatsApp"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
