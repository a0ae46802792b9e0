"""Outgoing webhooks: an integrator's subscription and one delivery per event and subscription.

Deliveries are written in the same transaction as the audit event they carry (a transactional
outbox), so an event that committed always has its deliveries; the jobs only send them.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaint import Complaint
from .org import OPD
from .thread import Event


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An integrator's URL subscribed to events, optionally restricted to one OPD."""

    name = models.CharField(_("nama"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pemilik (integrator)"), on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL tujuan"), max_length=500)
    secret = models.CharField(_("kunci penandatangan"), max_length=100, default=new_webhook_secret)
    # Event types (``aduan_publik.webhooks_out.events.EVENT_TYPES``); empty means every type.
    events = models.JSONField(_("jenis peristiwa"), default=list, blank=True)
    opd = models.ForeignKey(
        OPD, verbose_name=_("hanya OPD"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("langganan webhook")
        verbose_name_plural = _("langganan webhook")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription. ``key`` is the idempotency key, the same on every attempt."""

    class State(models.TextChoices):
        PENDING = "pending", _("Antre")
        DELIVERED = "delivered", _("Terkirim")
        DEAD = "dead", _("Gagal (tidak dicoba lagi)")
        DISCARDED = "discarded", _("Dibuang")

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("langganan"), on_delete=models.CASCADE, related_name="deliveries",
    )
    event = models.ForeignKey(Event, verbose_name=_("peristiwa"), on_delete=models.CASCADE, related_name="+")
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("aduan"), on_delete=models.CASCADE, related_name="+",
    )
    event_type = models.CharField(_("jenis peristiwa"), max_length=40)
    key = models.UUIDField(_("kunci idempotensi"), default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("isi"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    first_attempt_at = models.DateTimeField(_("percobaan pertama"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("percobaan terakhir"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    # A worker holds the delivery until then while it sends; a crash lets the sweep take it over.
    lease_until = models.DateTimeField(_("dipegang sampai"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("kode HTTP terakhir"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ditangani oleh"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("kiriman webhook")
        verbose_name_plural = _("kiriman webhook")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["subscription", "complaint", "state", "event"], name="webhook_delivery_line"),
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription} ({self.get_state_display()})"


class WebhookDeadLetter(WebhookDelivery):
    """The desk's dead-letter list: deliveries that gave up, each holding its line."""

    class Meta:
        proxy = True
        verbose_name = _("kiriman webhook gagal")
        verbose_name_plural = _("kiriman webhook gagal")
