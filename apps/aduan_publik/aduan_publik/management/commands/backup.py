"""``aduan --site S backup [ARCHIVE]``: database, private files and secret-free config in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ...backup import BackupError, backup_create


class Command(BaseCommand):
    help = _("Cadangkan basis data, berkas pribadi dan konfigurasi (tanpa rahasia) situs ke satu arsip.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", nargs="?", help=_("berkas arsip (bawaan: SITE-WAKTU.tar.gz di folder kini)"))

    def handle(self, *args: Any, archive: str | None = None, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        target = Path(archive or f"{settings.SITE_NAME}-{stamp}.tar.gz").resolve()
        try:
            summary = backup_create(target=target, by="cli")
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("Cadangan ditulis ke %(path)s: %(rows)d baris, %(files)d berkas.") % {
            "path": summary.path, "rows": sum(summary.counts.values()), "files": len(summary.files)})
        if summary.bucket_files:
            self.stdout.write(_("Termasuk %(count)d objek dari bucket penyimpanan situs.") % {
                "count": len(summary.bucket_files)})
