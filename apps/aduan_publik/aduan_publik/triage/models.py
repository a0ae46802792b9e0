"""The stored triage of one complaint (core app ``aduan_publik``; imported by ``models/__init__``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TriageSuggestion(models.Model):
    """What the model suggested when the complaint arrived, and what the admin finally chose.

    ``opds`` / ``categories``: ``[{"code", "p"}]`` best first (codes of this site's OPDs and
    categories, or ``BUKAN_WEWENANG`` / ``NONE``); ``reason``: ``{"terms": [...], "similar":
    [tracking numbers]}``; ``duplicates``: ``[{"id", "tracking_number", "score"}]``.
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("Belum diputuskan")
        ACCEPTED = "accepted", _("Saran diterima")
        OVERRIDDEN = "overridden", _("Saran diganti admin")

    complaint = models.OneToOneField("aduan_publik.Complaint", on_delete=models.CASCADE,
                                     related_name="triage", verbose_name=_("aduan"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    model_version = models.CharField(_("versi model"), max_length=60, blank=True)
    opds = models.JSONField(_("saran OPD"), default=list)
    categories = models.JSONField(_("saran kategori"), default=list)
    reason = models.JSONField(_("alasan"), default=dict)
    kecamatan = models.ForeignKey("aduan_publik.Area", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("kecamatan dikenali"))
    kelurahan = models.ForeignKey("aduan_publik.Area", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("kelurahan dikenali"))
    place_terms = models.JSONField(_("nama tempat dikenali"), default=list)
    duplicates = models.JSONField(_("kandidat duplikat"), default=list)
    spam_score = models.FloatField(_("skor spam"), default=0.0)
    is_spam = models.BooleanField(_("ditandai spam"), default=False, db_index=True)
    spam_signs = models.JSONField(_("tanda spam"), default=list)
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices, blank=True, db_index=True)
    final_opds = models.JSONField(_("OPD pilihan admin"), default=list)
    top3_hit = models.BooleanField(_("pilihan admin di tiga saran teratas"), default=False)
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("diputuskan oleh"))

    class Meta:
        app_label = "aduan_publik"
        verbose_name = _("saran triase")
        verbose_name_plural = _("saran triase")

    def __str__(self) -> str:
        top = self.opds[0]["code"] if self.opds else "-"
        return f"{self.complaint_id}: {top}"

    @property
    def top_opd(self) -> str | None:
        return self.opds[0]["code"] if self.opds else None
