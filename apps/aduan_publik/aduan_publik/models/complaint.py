"""The complaint document and its reporter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .org import OPD, Area, Category


class Contact(models.Model):
    """A reporter as one channel knows them.

    ``address`` is what the channel sends to (a WhatsApp wa_id/phone, an email); ``user_id`` is a
    per-business id some channels issue instead (WhatsApp usernames arrive without a phone).
    """

    channel = models.CharField(_("kanal"), max_length=32)
    address = models.CharField(_("alamat kanal"), max_length=200, blank=True)
    user_id = models.CharField(_("ID pengguna kanal"), max_length=200, blank=True)
    name = models.CharField(_("nama"), max_length=200, blank=True)
    phone = models.CharField(_("telepon/WhatsApp"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    last_inbound_at = models.DateTimeField(_("pesan masuk terakhir"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # Set when the identity was removed (data-subject erasure or the retention policy, UU 27/2022).
    erased_at = models.DateTimeField(_("identitas dihapus"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kontak pelapor")
        verbose_name_plural = _("kontak pelapor")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], condition=~models.Q(address=""),
                name="contact_unique_channel_address",
            ),
            models.UniqueConstraint(
                fields=["channel", "user_id"], condition=~models.Q(user_id=""),
                name="contact_unique_channel_user_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address or self.user_id or f"#{self.pk}"


#: the statuses whose ``due_at`` the deadline sweep reports (received, returned, disposed, in progress)
SWEEP_STATUSES = ("received", "returned", "disposed", "in_progress")


def unflagged_q(due_field: str) -> models.Q:
    """Not yet flagged for the deadline in ``due_field`` (the sweep's rule and its partial indexes).

    A flag belongs to the deadline it was raised against: it is set after that deadline
    passed, so a flag older than the current deadline is stale (the deadline moved on:
    resumed, returned, reopened) and the row is due for a new flag once that one passes too.
    """
    return models.Q(overdue_flagged_at__isnull=True) | models.Q(overdue_flagged_at__lt=models.F(due_field))


class Complaint(models.Model):
    """One record per complaint, whatever door it came through."""

    class Kind(models.TextChoices):
        PENGADUAN = "pengaduan", _("Pengaduan")
        ASPIRASI = "aspirasi", _("Aspirasi")
        INFORMASI = "informasi", _("Permintaan informasi")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Belum terverifikasi")
        POSTPONED = "postponed", _("Ditunda")
        DISPOSED = "disposed", _("Terdisposisi")
        IN_PROGRESS = "in_progress", _("Dalam proses")
        RETURNED = "returned", _("Dikembalikan OPD")
        ANSWERED = "answered", _("Ditindaklanjuti")
        CLOSED = "closed", _("Selesai")
        ARCHIVED = "archived", _("Diarsipkan")
        NOT_AUTHORITY = "not_authority", _("Bukan wewenang")

    class Priority(models.TextChoices):
        LOW = "low", _("Rendah")
        NORMAL = "normal", _("Sedang")
        HIGH = "high", _("Tinggi")
        URGENT = "urgent", _("Darurat")

    class ArchiveReason(models.TextChoices):
        SPAM = "spam", _("Spam")
        UNCLEAR = "unclear", _("Tidak jelas")
        DUPLICATE = "duplicate", _("Duplikat")
        SUGGESTION = "suggestion", _("Saran umum")
        NO_RESPONSE = "no_response", _("Pelapor tidak melengkapi")
        OTHER = "other", _("Lainnya")

    tracking_number = models.CharField(_("nomor aduan"), max_length=20, unique=True)
    access_code_hash = models.CharField(_("sidik kode akses"), max_length=64, editable=False)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices, default=Kind.PENGADUAN)
    title = models.CharField(_("judul"), max_length=200)
    description = models.TextField(_("uraian"))
    category = models.ForeignKey(
        Category, verbose_name=_("kategori"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )
    location_text = models.CharField(_("lokasi"), max_length=300, blank=True)
    kecamatan = models.ForeignKey(
        Area, verbose_name=_("kecamatan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    kelurahan = models.ForeignKey(
        Area, verbose_name=_("kelurahan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    latitude = models.DecimalField(_("lintang"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=9, decimal_places=6, null=True, blank=True)

    channel = models.CharField(_("kanal"), max_length=32, db_index=True)
    # The channel instance (ChannelInstance.key) it came through: answers go out through the
    # same number or page. "" = the channel's default instance.
    channel_instance = models.CharField(_("instans kanal"), max_length=32, blank=True, default="")
    external_id = models.CharField(_("ID eksternal"), max_length=200, blank=True)
    contact = models.ForeignKey(
        Contact, verbose_name=_("pelapor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaints",
    )
    is_anonymous = models.BooleanField(_("anonim"), default=False)
    is_secret = models.BooleanField(_("rahasia"), default=False)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    priority = models.CharField(
        _("prioritas"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    field_check = models.BooleanField(_("perlu cek lapangan"), default=False)

    # Deadlines: ``due_at`` is the deadline of the stage the complaint is in now (verification,
    # or the auto-close after an answer); OPD deadlines live on each disposition.
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True, db_index=True)
    paused_working_days = models.PositiveSmallIntegerField(_("hari kerja tertunda"), null=True, blank=True,
                                                           editable=False)
    overdue_flagged_at = models.DateTimeField(_("ditandai terlambat"), null=True, blank=True)

    # Indexed as (received_at, id) in Meta.indexes: that index serves every "newest first" page.
    received_at = models.DateTimeField(_("diterima"))
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diverifikasi oleh"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_at = models.DateTimeField(_("respons pertama"), null=True, blank=True)
    answered_at = models.DateTimeField(_("ditindaklanjuti"), null=True, blank=True)
    closed_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    archive_reason = models.CharField(
        _("alasan arsip"), max_length=12, choices=ArchiveReason.choices, blank=True
    )
    status_note = models.TextField(_("catatan status"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplikat dari"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    forwarded_to = models.CharField(_("diteruskan ke"), max_length=200, blank=True)

    rating = models.PositiveSmallIntegerField(_("penilaian"), null=True, blank=True)
    rating_comment = models.TextField(_("komentar penilaian"), blank=True)
    rated_at = models.DateTimeField(_("dinilai pada"), null=True, blank=True)

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("aduan")
        verbose_name_plural = _("aduan")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~models.Q(external_id=""),
                name="complaint_unique_channel_external_id",
            ),
            models.CheckConstraint(
                name="complaint_rating_1_to_5",
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
            ),
        ]
        indexes = [
            # The admins' «Terlambat» queue (status, due_at range) sorted most urgent first: the sort
            # keys are in the index, so the page's ids come from it alone (no heap row per late complaint).
            models.Index(fields=["status", "due_at", "priority", "received_at", "id"], name="complaint_status_due"),
            # Integrators sync "what changed since" ordered by it (the API's ?ordering=updated_at).
            models.Index(fields=["updated_at", "id"], name="complaint_updated_id"),
            # The lists (desk, portal, API) page newest first: deep pages walk this index, never sort.
            models.Index(fields=["received_at", "id"], name="complaint_received_id"),
            models.Index(fields=["status", "received_at", "id"], name="complaint_status_received"),
            # The portal's public list (portal.selectors.public_complaints): only public rows.
            models.Index(fields=["received_at", "id"], name="complaint_public_received",
                         condition=models.Q(is_secret=False, verified_at__isnull=False, duplicate_of__isnull=True)
                         & ~models.Q(status="archived")),
            # The deadline sweep reads only open complaints not yet flagged for their deadline: a row
            # leaves this index when flagged, so the sweep never reads the flagged past again.
            models.Index(fields=["due_at"], name="complaint_sweep_unflagged",
                         condition=models.Q(status__in=SWEEP_STATUSES) & unflagged_q("due_at")),
        ]
        permissions = [("export_complaint", "Can export complaints")]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {Complaint.Status.CLOSED, Complaint.Status.ARCHIVED, Complaint.Status.NOT_AUTHORITY}
)


class Disposition(models.Model):
    """A complaint forwarded to one OPD, with its own state and deadlines."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu diterima")
        ACCEPTED = "accepted", _("Diproses")
        ANSWERED = "answered", _("Ditindaklanjuti")
        RETURNED = "returned", _("Dikembalikan")
        CANCELLED = "cancelled", _("Dibatalkan")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="dispositions", verbose_name=_("aduan")
    )
    opd = models.ForeignKey(OPD, on_delete=models.PROTECT, related_name="dispositions", verbose_name=_("OPD"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    instruction = models.TextField(_("instruksi"), blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("didisposisikan oleh"),
        null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("didisposisikan"))
    accepted_at = models.DateTimeField(_("diterima OPD"), null=True, blank=True)
    answered_at = models.DateTimeField(_("ditindaklanjuti"), null=True, blank=True)
    returned_at = models.DateTimeField(_("dikembalikan"), null=True, blank=True)
    return_reason = models.TextField(_("alasan pengembalian"), blank=True)
    # A returned part waits for the admins until they re-route it or decide no other OPD is needed
    # (No Wrong Door); set then, so the admin queue shows only the parts still waiting.
    return_handled_at = models.DateTimeField(_("pengembalian ditangani admin"), null=True, blank=True)
    respond_due = models.DateTimeField(_("batas respons"), null=True, blank=True)
    complete_due = models.DateTimeField(_("batas penyelesaian"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("ditandai terlambat"), null=True, blank=True)

    class Meta:
        verbose_name = _("disposisi")
        verbose_name_plural = _("disposisi")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "opd"],
                condition=models.Q(state__in=["pending", "accepted", "answered"]),
                name="disposition_one_active_per_opd",
            )
        ]
        indexes = [
            models.Index(fields=["opd", "state"]),
            # An OPD user's every list and filter asks "is there a disposition of my OPD for this one?".
            models.Index(fields=["opd", "complaint"], name="disposition_opd_complaint"),
            # The admins' queue «Dikembalikan OPD» (AWAITING_REROUTE, written out: defined below the class).
            models.Index(fields=["complaint"], name="disposition_awaiting_reroute",
                         condition=models.Q(state="returned", return_handled_at__isnull=True)),
            # The league table's "Terlambat" is counted live (it depends on now): open parts only.
            models.Index(fields=["opd", "complete_due", "respond_due"], name="disposition_open_due",
                         condition=models.Q(state__in=("pending", "accepted"))),
            # The dashboard's «Dikembalikan OPD» count of a period (selectors.dashboard): returned parts only.
            models.Index(fields=["returned_at"], name="disposition_returned_at",
                         condition=models.Q(state="returned")),
            # The deadline sweep: open work past a deadline it was not yet flagged for, one index per
            # deadline (a row leaves it when flagged); the sweep's query is their OR.
            models.Index(fields=["respond_due"], name="disposition_sweep_respond",
                         condition=models.Q(state="pending") & unflagged_q("respond_due")),
            models.Index(fields=["complete_due"], name="disposition_sweep_complete",
                         condition=models.Q(state__in=["pending", "accepted"]) & unflagged_q("complete_due")),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.tracking_number} → {self.opd.code}"


class OpdScope(models.Model):
    """One row per OPD and complaint ever disposed to it: what the OPD's staff may see.

    ``access.complaints_visible_to`` reads it (the one definition of an OPD's visibility); the
    disposition service writes it in the disposition's transaction, and nothing removes it (a
    returned or cancelled part stays visible, as before). ``received_at`` is the complaint's (set
    once at intake), so an OPD's list pages newest first along ``(opd, received_at, complaint)``
    without reading the complaint table for the rows it skips.
    """

    # No index of its own on opd: the unique (opd, complaint) index starts with it.
    opd = models.ForeignKey(OPD, on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD"), db_index=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="opd_scopes",
                                  verbose_name=_("aduan"))
    received_at = models.DateTimeField(_("diterima"))

    class Meta:
        verbose_name = _("cakupan OPD")
        verbose_name_plural = _("cakupan OPD")
        constraints = [models.UniqueConstraint(fields=["opd", "complaint"], name="opdscope_opd_complaint")]
        indexes = [models.Index(fields=["opd", "received_at", "complaint"], name="opdscope_opd_received")]

    def __str__(self) -> str:
        return f"{self.opd_id} → {self.complaint_id}"


ACTIVE_DISPOSITION_STATES = ("pending", "accepted", "answered")
# Returned parts the admins have not yet re-routed or settled (see ``Disposition.return_handled_at``).
AWAITING_REROUTE = models.Q(state="returned", return_handled_at__isnull=True)


class FollowUp(models.Model):
    """An OPD's answer (tindak lanjut): drafted by an operator, published by the liaison."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        PUBLISHED = "published", _("Terkirim")
        RETURNED = "returned", _("Dikembalikan ke penyusun")

    disposition = models.ForeignKey(
        Disposition, on_delete=models.CASCADE, related_name="followups", verbose_name=_("disposisi")
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="followups", verbose_name=_("aduan")
    )
    body = models.TextField(_("isi tindak lanjut"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("penulis"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    published_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    # The liaison's review of an operator's draft: who returned or edited it, when, and why.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("ditinjau oleh"),
    )
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)
    review_comment = models.TextField(_("catatan peninjau"), blank=True)

    class Meta:
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.complaint.tracking_number}: {self.body[:40]}"
