"""What the social channels keep of their own: identity links, the X poll cursor, the X spend.

Complaints, messages and contacts stay the hub's (written through its services); these rows
only hold what the providers make us remember between calls.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonLink(models.Model):
    """A commenter's id and the Messenger/Instagram inbox id Meta gave back for a Private Reply.

    A comment names its author by one id, the inbox thread by another (PSID/IGSID); the Send API
    answer to a Private Reply tells the second. When that person then writes in the inbox, the
    message carries both ids and the hub joins the comment's complaint (contact merge).
    """

    channel = models.CharField(_("kanal"), max_length=32)
    inbox_id = models.CharField(_("ID kotak pesan"), max_length=200)
    person_id = models.CharField(_("ID komentator"), max_length=200)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("tautan identitas media sosial")
        verbose_name_plural = _("tautan identitas media sosial")
        constraints = [models.UniqueConstraint(fields=["channel", "inbox_id"], name="social_link_unique_inbox")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.inbox_id} ↔ {self.person_id}"


class XPollState(models.Model):
    """The mentions poll of one X account: the ``since_id`` cursor and how the last poll went."""

    account_id = models.CharField(_("ID akun X"), max_length=64, unique=True)
    since_id = models.CharField(_("since_id"), max_length=64, blank=True)
    last_polled_at = models.DateTimeField(_("terakhir ditarik"), null=True, blank=True)
    last_count = models.PositiveIntegerField(_("sebutan terakhir"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)

    class Meta:
        verbose_name = _("penarikan sebutan X")
        verbose_name_plural = _("penarikan sebutan X")

    def __str__(self) -> str:
        return f"X {self.account_id}"


class XSpend(models.Model):
    """What the X API cost this site in one calendar month (UTC), counted as the calls are made."""

    month = models.CharField(_("bulan"), max_length=7, unique=True)  # "2026-11"
    post_reads = models.PositiveIntegerField(_("post dibaca"), default=0)
    user_reads = models.PositiveIntegerField(_("pengguna dibaca"), default=0)
    posts_created = models.PositiveIntegerField(_("post dibuat"), default=0)
    dms_created = models.PositiveIntegerField(_("DM dikirim"), default=0)
    cost_usd = models.DecimalField(_("biaya (USD)"), max_digits=12, decimal_places=4, default=Decimal("0"))
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("biaya X per bulan")
        verbose_name_plural = _("biaya X per bulan")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"X {self.month}: US${self.cost_usd}"
