"""Organisation documents: OPDs, areas, categories, staff profiles and the calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OPD(models.Model):
    """Organisasi Perangkat Daerah: a city agency that receives dispositions."""

    class Kind(models.TextChoices):
        SEKRETARIAT = "sekretariat", _("Sekretariat")
        DINAS = "dinas", _("Dinas")
        BADAN = "badan", _("Badan")
        INSPEKTORAT = "inspektorat", _("Inspektorat")
        SATPOL = "satpol", _("Satuan Polisi Pamong Praja")
        RSUD = "rsud", _("Rumah Sakit Daerah")
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")
        BUMD = "bumd", _("BUMD")
        LAINNYA = "lainnya", _("Lainnya")

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.DINAS)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("aktif"), default=True)
    # The head of the OPD usually has no desk account: escalations reach them by e-mail.
    head_email = models.EmailField(_("email kepala OPD"), blank=True)

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A kecamatan or kelurahan of the city, for locating complaints and the portal's pickers."""

    class Level(models.TextChoices):
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("kecamatan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A hierarchical topic; routes to a default OPD and may override stage durations."""

    name = models.CharField(_("nama"), max_length=150)
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    default_opd = models.ForeignKey(
        OPD, verbose_name=_("OPD tujuan bawaan"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="default_for_categories",
    )
    active = models.BooleanField(_("aktif"), default=True)
    # Per-category overrides of the site's stage durations; empty means the site default.
    verify_working_days = models.PositiveSmallIntegerField(_("verifikasi (hari kerja)"), null=True, blank=True)
    respond_working_days = models.PositiveSmallIntegerField(_("respons OPD (hari kerja)"), null=True, blank=True)
    complete_days = models.PositiveSmallIntegerField(_("penyelesaian (hari)"), null=True, blank=True)
    complete_field_check_days = models.PositiveSmallIntegerField(
        _("penyelesaian dengan cek lapangan (hari)"), null=True, blank=True
    )
    autoclose_working_days = models.PositiveSmallIntegerField(
        _("tutup otomatis (hari kerja)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin Diskominfo")
    LEADER = "leader", _("Pimpinan Diskominfo")
    LIAISON = "liaison", _("Pejabat Penghubung OPD")
    OPERATOR = "operator", _("Admin Penghubung OPD")
    INTEGRATOR = "integrator", _("Integrator (API)")


class StaffProfile(models.Model):
    """The hub role of a staff user; OPD roles are bound to exactly one OPD."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="aduan_profile"
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    opd = models.ForeignKey(
        OPD, verbose_name=_("OPD"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("telepon"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")
        constraints = [
            models.CheckConstraint(
                name="opd_roles_have_opd",
                condition=~models.Q(role__in=["liaison", "operator"]) | models.Q(opd__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class DayOff(models.Model):
    """An extra non-working day (cuti bersama, local holiday) on top of national holidays."""

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("keterangan"), max_length=150)

    class Meta:
        verbose_name = _("hari libur tambahan")
        verbose_name_plural = _("hari libur tambahan")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Counter(models.Model):
    """A named gap-free sequence (tracking numbers per year), advanced under a row lock."""

    name = models.CharField(max_length=60, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("penghitung")
        verbose_name_plural = _("penghitung")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
