"""Staff notifications (in the desk and by e-mail) and the escalation steps already taken."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaint import Complaint, Disposition


class Notification(models.Model):
    """One message to one staff member (or an e-mail-only recipient such as an OPD head).

    ``key`` names the occurrence (e.g. ``disposed:17``); with ``recipient_key`` it is unique,
    so the same news never reaches the same person twice, whoever calls the service again.
    """

    class Kind(models.TextChoices):
        DISPOSED = "disposed", _("Disposisi baru untuk OPD Anda")
        DRAFT_WAITING = "draft_waiting", _("Draf tindak lanjut menunggu persetujuan")
        DUE_SOON = "due_soon", _("Batas waktu segera tiba")
        OVERDUE = "overdue", _("Melewati batas waktu")
        ESCALATION = "escalation", _("Eskalasi keterlambatan")
        DIGEST = "digest", _("Ringkasan harian")

    class MailState(models.TextChoices):
        NONE = "none", _("Tanpa email")
        QUEUED = "queued", _("Antre")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    key = models.CharField(_("kunci"), max_length=200)
    recipient_key = models.CharField(_("kunci penerima"), max_length=260)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="aduan_notifications", verbose_name=_("penerima"),
    )
    email = models.EmailField(_("email"), blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("aduan")
    )
    title = models.CharField(_("judul"), max_length=250)
    body = models.TextField(_("isi"), blank=True)
    link = models.CharField(_("tautan"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    mail_state = models.CharField(_("status email"), max_length=8, choices=MailState.choices,
                                  default=MailState.NONE)
    mail_error = models.TextField(_("galat email"), blank=True)
    mailed_at = models.DateTimeField(_("email terkirim"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient_key"], name="notification_once_per_recipient")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["mail_state"])]

    def __str__(self) -> str:
        return self.title


class Escalation(models.Model):
    """One escalation step taken for one deadline of one disposition (never taken twice)."""

    disposition = models.ForeignKey(
        Disposition, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("disposisi")
    )
    level = models.CharField(_("tingkat"), max_length=40)
    deadline = models.CharField(_("batas"), max_length=10)  # "respond" or "complete"
    due_at = models.DateTimeField(_("batas waktu"))
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("eskalasi")
        verbose_name_plural = _("eskalasi")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["disposition", "level", "deadline", "due_at"],
                                    name="escalation_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.disposition_id} {self.level} {self.deadline}"
