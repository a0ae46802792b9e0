"""The broadcast documents: templates synced from the provider, broadcasts, and one row per recipient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Area
from ..portal.models import Subscription


class Template(models.Model):
    """A message template of the WhatsApp Business Account, as last synced from the Graph API."""

    class Category(models.TextChoices):
        MARKETING = "MARKETING", _("Pemasaran (marketing)")
        UTILITY = "UTILITY", _("Utilitas (utility)")
        AUTHENTICATION = "AUTHENTICATION", _("Autentikasi")

    channel = models.CharField(_("kanal"), max_length=40, default="whatsapp")
    name = models.CharField(_("nama"), max_length=512)
    language = models.CharField(_("bahasa"), max_length=15)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20)
    body = models.TextField(_("isi"), blank=True)
    variables = models.PositiveSmallIntegerField(_("jumlah variabel"), default=0)
    header_format = models.CharField(_("format kepala"), max_length=12, blank=True)
    components = models.JSONField(_("komponen"), default=list)
    provider_id = models.CharField(_("ID penyedia"), max_length=64, blank=True)
    synced_at = models.DateTimeField(_("disinkronkan pada"))

    class Meta:
        verbose_name = _("templat pesan")
        verbose_name_plural = _("templat pesan")
        ordering = ["name", "language"]
        constraints = [models.UniqueConstraint(fields=["channel", "name", "language"], name="bcast_template_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def is_approved(self) -> bool:
        return self.status == "APPROVED"


class Broadcast(models.Model):
    """One piece of official information to send to a frozen list of opted-in residents."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Diajukan")
        APPROVED = "approved", _("Disetujui")
        SCHEDULED = "scheduled", _("Terjadwal")
        SENDING = "sending", _("Sedang dikirim")
        PAUSED = "paused", _("Dijeda")
        COMPLETED = "completed", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    title = models.CharField(_("judul"), max_length=200)
    topic = models.CharField(_("topik"), max_length=20, choices=Subscription.Topic.choices)
    channel = models.CharField(_("kanal"), max_length=40, default="whatsapp")
    template = models.ForeignKey(Template, verbose_name=_("templat"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    variables = models.JSONField(_("variabel"), default=list, blank=True)
    media = models.FileField(_("berkas kepala (gambar/dokumen)"), upload_to="broadcasts/", blank=True)
    media_name = models.CharField(_("nama berkas"), max_length=255, blank=True)
    media_type = models.CharField(_("jenis berkas"), max_length=100, blank=True)
    media_id = models.CharField(_("ID media penyedia"), max_length=128, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("wilayah"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    language = models.CharField(_("bahasa"), max_length=10, blank=True)
    send_at = models.DateTimeField(_("kirim pada"), null=True, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.DRAFT,
                             db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("pembuat"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("penyetuju"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    audience_count = models.PositiveIntegerField(_("jumlah penerima"), null=True, blank=True)
    waiting_until = models.DateTimeField(_("menunggu kuota hingga"), null=True, blank=True)
    started_at = models.DateTimeField(_("mulai dikirim"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("siaran")
        verbose_name_plural = _("siaran")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Recipient(models.Model):
    """One (broadcast, subscriber) pair: the unique key is what makes every send happen once."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Antre")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        DELIVERED = "delivered", _("Diterima")
        READ = "read", _("Dibaca")
        FAILED = "failed", _("Gagal")
        OPTED_OUT = "opted_out", _("Berhenti berlangganan")
        CANCELLED = "cancelled", _("Dibatalkan")

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="recipients")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("nomor WhatsApp"), max_length=20, db_index=True)  # BERHENTI finds the rows
    name = models.CharField(_("nama"), max_length=120, blank=True)
    area_name = models.CharField(_("kecamatan"), max_length=120, blank=True)
    state = models.CharField(_("status"), max_length=12, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    not_before = models.DateTimeField(_("tidak sebelum"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("diambil pada"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim pada"), null=True, blank=True)
    external_id = models.CharField(_("ID pesan penyedia"), max_length=128, blank=True, db_index=True)
    reason_code = models.CharField(_("kode alasan"), max_length=20, blank=True)
    reason = models.CharField(_("alasan"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("penerima siaran")
        verbose_name_plural = _("penerima siaran")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "subscription"], name="bcast_recipient_once"),
        ]
        # (broadcast, state, id): a worker's claim walks its slot's queued rows in id order and stops
        # after a batch, instead of sorting 100,000 rows each time.
        indexes = [models.Index(fields=["broadcast", "state", "id"], name="bcast_recipient_state")]

    def __str__(self) -> str:
        return self.phone
