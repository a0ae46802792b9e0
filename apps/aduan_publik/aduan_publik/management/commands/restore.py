"""``aduan --site S restore ARCHIVE``: put a backup's database and private files back.

Stop the site's web, worker and scheduler first: the database is replaced underneath them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...backup import CONFIG_COPY, BackupError, backup_restore


class Command(BaseCommand):
    help = _("Pulihkan basis data dan berkas pribadi situs dari arsip cadangan.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help=_("berkas arsip dari `aduan backup`"))

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        try:
            manifest = backup_restore(archive=Path(archive).resolve(), by="cli")
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("Dipulihkan dari %(path)s (dibuat %(at)s): %(rows)d baris, %(files)d berkas. "
                            "Konfigurasi dari arsip (tanpa rahasia) ada di %(config)s.") % {
            "path": archive, "at": manifest.get("created_at"), "rows": sum(manifest["counts"].values()),
            "files": len(manifest["files"]), "config": CONFIG_COPY})
