"""The Channel document: one row per channel *instance* (a number, a page, an account)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

INSTANCE_KEY_RE = r"^[a-z0-9][a-z0-9_-]{0,31}$"


class ChannelInstance(models.Model):
    """A configured door: its type (an installed channel plugin), settings and encrypted secrets.

    ``key`` names the instance in its webhook URL (``/channels/<channel>/<key>/webhook``) and on
    every complaint and message that came through it (``channel_instance``), so an answer goes
    out through the same number or page. The default instance of a type also serves the old
    ``/channels/<channel>/webhook``. Secrets are one Fernet token (``channels.secrets``), never
    stored or shown in clear. Health fields are written by services, never by the form.
    """

    channel = models.CharField(_("jenis kanal"), max_length=32)
    key = models.CharField(
        _("kode"), max_length=32,
        validators=[RegexValidator(INSTANCE_KEY_RE, _("Gunakan huruf kecil, angka, '-' atau '_' (maks. 32)."))],
        help_text=_("Bagian alamat webhook, mis. 'utama' atau 'dinkes'."),
    )
    name = models.CharField(_("nama"), max_length=120)
    enabled = models.BooleanField(_("aktif"), default=True)
    is_default = models.BooleanField(
        _("bawaan"), default=False,
        help_text=_("Melayani alamat lama /channels/<jenis>/webhook dan pesan tanpa kode instans."),
    )
    settings = models.JSONField(_("pengaturan"), default=dict, blank=True)
    secrets = models.TextField(_("rahasia (terenkripsi)"), blank=True, editable=False)
    last_error = models.TextField(_("galat terakhir"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("waktu galat terakhir"), null=True, blank=True, editable=False)
    token_invalid_at = models.DateTimeField(_("token ditolak (galat 190)"), null=True, blank=True,
                                            editable=False)
    token_expires_at = models.DateTimeField(_("token kedaluwarsa"), null=True, blank=True, editable=False)
    checked_at = models.DateTimeField(_("diuji"), null=True, blank=True, editable=False)
    check_ok = models.BooleanField(_("uji berhasil"), null=True, blank=True, editable=False)
    check_detail = models.TextField(_("hasil uji"), blank=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("kanal")
        verbose_name_plural = _("kanal")
        ordering = ["channel", "key"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="channel_instance_unique_key"),
            models.UniqueConstraint(fields=["channel"], condition=models.Q(is_default=True),
                                    name="channel_instance_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel}/{self.key})"
