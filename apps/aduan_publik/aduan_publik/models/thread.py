"""A complaint's thread: messages, attachments, the audit trail and raw inbound events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaint import Complaint, Contact, FollowUp


class Message(models.Model):
    """One inbound or outbound message on a complaint's thread, on one channel."""

    class Direction(models.TextChoices):
        IN = "in", _("Masuk")
        OUT = "out", _("Keluar")

    class State(models.TextChoices):
        RECEIVED = "received", _("Diterima")
        QUEUED = "queued", _("Antre")
        SENDING = "sending", _("Dikirim")
        SENT = "sent", _("Terkirim")
        DELIVERED = "delivered", _("Sampai")
        READ = "read", _("Dibaca")
        FAILED = "failed", _("Gagal")
        MANUAL = "manual", _("Perlu disampaikan petugas")

    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="messages",
        verbose_name=_("aduan"),
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("kontak"), null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField(_("kanal"), max_length=32)
    # The key of the channel instance (ChannelInstance.key) it came or goes through; "" = default.
    channel_instance = models.CharField(_("instans kanal"), max_length=32, blank=True, default="")
    direction = models.CharField(_("arah"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("tipe"), max_length=20, default="text")
    body = models.TextField(_("isi"), blank=True)
    external_id = models.CharField(_("ID pesan penyedia"), max_length=200, blank=True)
    state = models.CharField(_("status kirim"), max_length=10, choices=State.choices)
    error = models.TextField(_("galat"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("petugas"),
    )
    followup = models.ForeignKey(
        FollowUp, verbose_name=_("tindak lanjut"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    is_internal = models.BooleanField(_("catatan internal"), default=False)
    # Set when a merge moved this row from a duplicate: it stays that complaint's reporter's own
    # (their tracking page), and is never shown to the surviving complaint's reporter.
    merged_from = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("digabung dari"),
    )
    created_at = models.DateTimeField(_("waktu"), db_index=True)
    sent_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("status berubah pada"), null=True, blank=True)
    meta = models.JSONField(_("metadata"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pesan")
        verbose_name_plural = _("pesan")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "direction", "external_id"], condition=~models.Q(external_id=""),
                name="message_unique_provider_id",
            )
        ]
        indexes = [models.Index(fields=["state", "direction"])]

    def __str__(self) -> str:
        from ..sealed import is_sealed

        # A sealed body carries an access code: never its ciphertext, never the code, in a title.
        body = _("(berisi kode akses, tersimpan terenkripsi)") if is_sealed(self.body) else self.body[:40]
        return f"{self.get_direction_display()} {self.channel}: {body}"


class Attachment(models.Model):
    """A file on a complaint, stored in the site's private files and served after an access check."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("aduan")
    )
    message = models.ForeignKey(
        Message, verbose_name=_("pesan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    followup = models.ForeignKey(
        FollowUp, verbose_name=_("tindak lanjut"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("berkas"), upload_to="attachments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("nama berkas"), max_length=255)
    content_type = models.CharField(_("tipe"), max_length=100)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Attachments are never public until an admin has looked at them (an "anonymous"
    # reporter's face or house number is in many photos).
    public_reviewed = models.BooleanField(_("boleh tampil publik"), default=False)
    merged_from = models.ForeignKey(  # as Message.merged_from
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("digabung dari"),
    )
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class Event(models.Model):
    """The append-only audit trail: who did what to which complaint, and when."""

    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("aduan"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("pelaku"),
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    verb = models.CharField(_("aksi"), max_length=50, db_index=True)
    summary = models.TextField(_("ringkasan"))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Integrity, not business logic: the audit trail is append-only.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)


class InboundEvent(models.Model):
    """A raw inbound delivery (webhook body, pulled record) stored before it is processed.

    ``dedupe_key`` is the provider's id for the delivery; the unique constraint makes a
    redelivery a no-op. Processing happens in a job, so nothing accepted is lost when a
    worker or Redis dies: the scheduler re-enqueues events still ``pending``.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu diproses")
        PROCESSED = "processed", _("Diproses")
        REJECTED = "rejected", _("Ditolak")
        FAILED = "failed", _("Gagal")

    channel = models.CharField(_("kanal"), max_length=32)
    # The instance whose webhook URL received it (its settings verify and parse it); "" = default.
    channel_instance = models.CharField(_("instans kanal"), max_length=32, blank=True, default="",
                                        db_default="")
    dedupe_key = models.CharField(_("kunci unik"), max_length=255)
    body = models.BinaryField(_("isi mentah"))
    headers = models.JSONField(_("header"), default=dict, blank=True)
    # The query string and form fields of the request, so the processing job sees what the
    # webhook saw (secrets in all three are redacted before storage).
    query = models.JSONField(_("parameter URL"), default=dict, blank=True)
    form = models.JSONField(_("isian formulir"), default=dict, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("alasan"), blank=True)
    # Items of the delivery that could not be used, each {"external_id", "reason"}: the rest of
    # the batch was routed; these stay visible to the admin. Nullable because the webhook's
    # hot path inserts the row with raw SQL that does not name this column.
    problems = models.JSONField(_("item bermasalah"), default=list, blank=True, null=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    received_at = models.DateTimeField(_("diterima"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("diproses pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiriman masuk")
        verbose_name_plural = _("kiriman masuk")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="inbound_unique_key")
        ]
        indexes = [models.Index(fields=["state", "received_at"])]

    def __str__(self) -> str:
        return f"{self.channel}:{self.dedupe_key} ({self.state})"
