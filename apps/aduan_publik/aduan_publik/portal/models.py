"""The portal's own documents: web submissions (idempotency) and WhatsApp information subscriptions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan_publik.models import Area, Complaint


class WebSubmission(models.Model):
    """One complaint form as the browser sent it, keyed by the token the form carried.

    A double click, a reload after the POST or a flaky connection sends the same token again;
    the unique key maps it to the complaint the first request created, so only one exists.
    """

    token = models.CharField(_("token formulir"), max_length=64, unique=True)
    complaint = models.ForeignKey(
        Complaint, null=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("aduan")
    )
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("kiriman formulir web")
        verbose_name_plural = _("kiriman formulir web")

    def __str__(self) -> str:
        return self.token


class Subscription(models.Model):
    """A resident's consent to receive the city's information over WhatsApp.

    Each subscription keeps the exact consent text and version the resident agreed to, when,
    and from which address: the evidence WhatsApp's opt-in rules and the data-protection law
    (UU PDP) ask for. Unsubscribing stamps ``unsubscribed_at``; subscribing again creates a
    new row, so earlier consents stay on record.
    """

    class Topic(models.TextChoices):
        AGENDA = "agenda", _("Agenda kegiatan pemerintah kota")
        HIMBAUAN = "himbauan", _("Imbauan dan pengumuman")
        PROGRAM = "program", _("Program dan layanan publik")
        DARURAT = "darurat", _("Peringatan bencana dan keadaan darurat")
        ADUAN = "aduan", _("Ringkasan penanganan aduan")

    phone = models.CharField(_("nomor WhatsApp"), max_length=20, db_index=True)
    name = models.CharField(_("nama"), max_length=120, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("kecamatan"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topics = models.JSONField(_("topik"), default=list)
    consent_text = models.TextField(_("teks persetujuan"))
    consent_version = models.CharField(_("versi persetujuan"), max_length=20)
    consented_at = models.DateTimeField(_("waktu persetujuan"))
    consent_ip = models.GenericIPAddressField(_("IP persetujuan"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("berhenti pada"), null=True, blank=True)
    unsubscribe_via = models.CharField(_("berhenti melalui"), max_length=20, blank=True)
    # Double opt-in: only a subscription the resident confirmed on WhatsApp (YA) receives broadcasts.
    confirmed_at = models.DateTimeField(_("dikonfirmasi pada"), null=True, blank=True)
    confirm_ref = models.CharField(_("bukti konfirmasi"), max_length=200, blank=True)
    language = models.CharField(_("bahasa"), max_length=10, default="id")
    # WhatsApp said the resident stopped marketing messages (131050): no more marketing broadcasts.
    marketing_stopped_at = models.DateTimeField(_("menolak pesan pemasaran sejak"), null=True, blank=True)

    class Meta:
        verbose_name = _("langganan informasi")
        verbose_name_plural = _("langganan informasi")
        ordering = ["-consented_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=models.Q(unsubscribed_at__isnull=True),
                name="subscription_one_active_per_phone",
            )
        ]

    def __str__(self) -> str:
        return self.phone

    @property
    def is_active(self) -> bool:
        return self.unsubscribed_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class PendingUpload(models.Model):
    """A file chosen on a complaint form that was refused (wrong captcha, missing field).

    Browsers never refill a file input, so the resident would have to pick the photo again and
    often did not notice it was gone. The file is kept under the form's ``submit_token`` and
    joins the complaint when the form goes through; leftovers are purged after a day.
    """

    token = models.CharField(_("token formulir"), max_length=64, db_index=True)
    file = models.FileField(_("berkas"), upload_to="pending/%Y/%m/", max_length=300)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(max_length=64)  # the same photo picked again is not attached twice
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("berkas tertunda")
        verbose_name_plural = _("berkas tertunda")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
