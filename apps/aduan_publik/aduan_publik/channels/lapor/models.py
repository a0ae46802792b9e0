"""What the SP4N-LAPOR! adapter keeps: the pull cursor, the report links, the push outbox, imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aduan_publik.models import Complaint, Event


class SyncState(models.Model):
    """The pull's cursor and last outcome (one row: a site talks to one LAPOR! account)."""

    key = models.CharField(_("kunci"), max_length=30, unique=True, default="default")
    cursor = models.DateTimeField(_("kursor (diperbarui sejak)"), null=True, blank=True)
    running_since = models.DateTimeField(_("sedang berjalan sejak"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("sinkronisasi terakhir"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("berhasil terakhir"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    last_counts = models.JSONField(_("hasil terakhir"), default=dict, blank=True)
    # "list" or "detail" (see docs/lapor.md): the strategy of the last run, shown in the desk.
    strategy = models.CharField(_("strategi tarik"), max_length=10, blank=True)
    masters_synced_at = models.DateTimeField(_("master disinkronkan"), null=True, blank=True)
    masters_tried_at = models.DateTimeField(_("master terakhir dicoba"), null=True, blank=True)
    masters_error = models.TextField(_("galat master"), blank=True)

    class Meta:
        verbose_name = _("sinkronisasi SP4N-LAPOR!")
        verbose_name_plural = _("sinkronisasi SP4N-LAPOR!")

    def __str__(self) -> str:
        return f"SP4N-LAPOR! ({self.key})"


class LaporLink(models.Model):
    """A complaint that came from SP4N-LAPOR!, with the remote state last seen.

    ``content_hash`` covers every field we take from the report: a re-sync with an equal
    hash writes nothing. The remote status is kept (and shown) as LAPOR! says it, because
    LAPOR!'s *Terverifikasi* or *Dalam Proses* must not be faked as hub dispositions.
    """

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="lapor_link",
                                     verbose_name=_("aduan"))
    lapor_id = models.CharField(_("ID LAPOR!"), max_length=40, unique=True)
    content_hash = models.CharField(_("sidik isi"), max_length=64)
    remote_status = models.CharField(_("status di LAPOR!"), max_length=60, blank=True)
    remote_status_code = models.CharField(_("kode status di LAPOR!"), max_length=20, blank=True)
    disposition_name = models.CharField(_("disposisi di LAPOR!"), max_length=200, blank=True)
    remote_updated_at = models.DateTimeField(_("diperbarui di LAPOR!"), null=True, blank=True)
    # URLs stored or refused for good
    attachments_done = models.JSONField(_("lampiran selesai"), default=list, blank=True)
    attachment_errors = models.JSONField(_("lampiran gagal diunduh"), default=dict, blank=True)
    # RemoteReport.followups_marker() of the last pull that read the whole conversation: equal
    # means the follow-ups need not be fetched; left behind by a failed fetch, so it is retried.
    followups_marker = models.CharField(_("penanda tindak lanjut"), max_length=80, blank=True)
    source = models.CharField(_("sumber"), max_length=10, default="api")  # "api" or "import"
    # Last re-read by the "detail" pull strategy (oldest first).
    checked_at = models.DateTimeField(_("dibaca ulang"), null=True, blank=True)
    synced_at = models.DateTimeField(_("disinkronkan"), auto_now=True)

    class Meta:
        verbose_name = _("laporan SP4N-LAPOR!")
        verbose_name_plural = _("laporan SP4N-LAPOR!")
        ordering = ["-synced_at"]

    def __str__(self) -> str:
        return f"#{self.lapor_id}"


class Outbox(models.Model):
    """One thing to tell SP4N-LAPOR!, sent by a retrying job.

    ``key`` is "<event id>:<action>": a replayed event finds its row, and a row once *sent*
    is never sent again. A row is claimed (``sending``) under a lock before the call, so two
    workers never post the same follow-up.
    """

    class Action(models.TextChoices):
        FOLLOWUP = "followup", _("Tindak lanjut")
        REJECT = "reject", _("Bukan wewenang (alihkan)")
        STATUS = "status", _("Perubahan status")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        NOT_APPLICABLE = "n_a", _("Tidak berlaku")

    key = models.CharField(_("kunci"), max_length=80, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="lapor_outbox",
                                  verbose_name=_("aduan"))
    event = models.ForeignKey(
        Event, verbose_name=_("peristiwa"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    lapor_id = models.CharField(_("ID LAPOR!"), max_length=40)
    action = models.CharField(_("jenis"), max_length=10, choices=Action.choices)
    payload = models.JSONField(_("muatan"), default=dict, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING,
                             db_index=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    next_attempt_at = models.DateTimeField(_("coba lagi pada"), null=True, blank=True, db_index=True)
    remote_id = models.CharField(_("ID di LAPOR!"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("status berubah pada"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiriman ke SP4N-LAPOR!")
        verbose_name_plural = _("antrean kirim SP4N-LAPOR!")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.lapor_id} ({self.get_state_display()})"


class ImportBatch(models.Model):
    """An uploaded export of the LAPOR! admin panel: parsed rows for the preview, then the report."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Pratinjau")
        DONE = "done", _("Diimpor")

    filename = models.CharField(_("nama berkas"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("diunggah oleh"))
    rows = models.JSONField(_("baris"), default=list)  # [{"row": n, "values": {...}} | {"row": n, "error": "..."}]
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PREVIEW)
    result = models.JSONField(_("hasil"), default=dict, blank=True)
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    imported_at = models.DateTimeField(_("diimpor"), null=True, blank=True)

    class Meta:
        verbose_name = _("impor ekspor LAPOR!")
        verbose_name_plural = _("impor ekspor LAPOR!")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class SkippedRecord(models.Model):
    """A record LAPOR! sent that could not be read: skipped (the pull goes on) but never hidden.

    Keyed by kind and remote id, so a record skipped on every pull is one row with a count.
    A report that later reads fine removes its row.
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("Laporan")
        FOLLOWUP = "followup", _("Tindak lanjut")
        MASTER = "master", _("Data master")

    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("ID di LAPOR!"), max_length=120)
    lapor_id = models.CharField(_("ID laporan"), max_length=40, blank=True, db_index=True)
    error = models.TextField(_("galat"))
    raw = models.JSONField(_("data mentah"), null=True, blank=True)
    times = models.PositiveIntegerField(_("kali dilewati"), default=1)
    first_seen = models.DateTimeField(_("pertama dilewati"), auto_now_add=True)
    last_seen = models.DateTimeField(_("terakhir dilewati"), auto_now=True)

    class Meta:
        verbose_name = _("data LAPOR! dilewati")
        verbose_name_plural = _("data LAPOR! dilewati")
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="lapor_skipped_kind_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class LaporInstitution(models.Model):
    """An institution of ``/masters/institutions/external``: a target of *bukan wewenang*."""

    remote_id = models.CharField(_("ID di LAPOR!"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=300, db_index=True)
    active = models.BooleanField(_("aktif"), default=True)  # gone from the last master list: False
    synced_at = models.DateTimeField(_("disinkronkan"), auto_now=True)

    class Meta:
        verbose_name = _("instansi SP4N-LAPOR!")
        verbose_name_plural = _("instansi SP4N-LAPOR!")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.remote_id})"


class LaporTemplate(models.Model):
    """A follow-up template of ``/masters/templates``; one may be the default of our follow-ups."""

    code = models.CharField(_("kode"), max_length=80, unique=True)
    remote_id = models.CharField(_("ID di LAPOR!"), max_length=40, blank=True)
    title = models.CharField(_("judul"), max_length=300, blank=True)
    kind = models.CharField(_("tipe"), max_length=80, blank=True)
    content = models.TextField(_("isi"), blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    is_followup_default = models.BooleanField(_("bawaan tindak lanjut"), default=False)
    synced_at = models.DateTimeField(_("disinkronkan"), auto_now=True)

    class Meta:
        verbose_name = _("templat SP4N-LAPOR!")
        verbose_name_plural = _("templat SP4N-LAPOR!")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title or self.code} ({self.code})"


class ConnectionCheck(models.Model):
    """What a "check connection" found: kept so the mapping can be adjusted to the real answers."""

    checked_at = models.DateTimeField(_("diperiksa"), auto_now_add=True)
    checked_by = models.CharField(_("oleh"), max_length=150, blank=True)
    ok = models.BooleanField(_("berhasil"), default=False)
    base_url = models.CharField(_("alamat API"), max_length=300)
    summary = models.TextField(_("ringkasan"), blank=True)
    findings = models.JSONField(_("temuan"), default=dict, blank=True)

    class Meta:
        verbose_name = _("pemeriksaan koneksi SP4N-LAPOR!")
        verbose_name_plural = _("pemeriksaan koneksi SP4N-LAPOR!")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.base_url} ({self.checked_at:%Y-%m-%d %H:%M})"
