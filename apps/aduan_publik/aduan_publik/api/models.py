"""API tokens and the idempotency records of create requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import OPD, Complaint

#: Every scope a token can hold: read / write per resource. ``reporters:read`` reveals reporter
#: identities (still never an *anonim* one to those who may not see it in the desk).
SCOPES = (
    "complaints:read", "complaints:write", "attachments:read", "attachments:write",
    "reference:read", "figures:read", "reporters:read",
)
DEFAULT_SCOPES = ("complaints:read", "attachments:read", "reference:read", "figures:read")


class ApiToken(models.Model):
    """A bearer token of one user. Only the SHA-256 of the secret is stored; it is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("pengguna"))
    name = models.CharField(_("nama"), max_length=100)
    prefix = models.CharField(_("awalan"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(_("sidik kunci"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("cakupan"), default=list)
    opd = models.ForeignKey(OPD, verbose_name=_("dibatasi ke OPD"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("batas permintaan per menit"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The answer to a create request with an ``Idempotency-Key``, replayed on a retry (24 h)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request (method, path, body)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.key}"
