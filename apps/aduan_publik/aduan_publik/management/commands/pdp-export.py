"""``aduan --site S pdp-export CONTACT_ID [--out FILE]``: everything held about one reporter, as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...models import Contact
from ...services.privacy import contact_export_record


class Command(BaseCommand):
    help = _("Ekspor semua data pribadi seorang pelapor (UU 27/2022 PDP) sebagai JSON.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact", type=int, help=_("ID kontak pelapor"))
        parser.add_argument("--out", help=_("berkas tujuan (bawaan: keluaran standar)"))

    def handle(self, *args: Any, contact: int, out: str | None = None, **options: Any) -> None:
        found = Contact.objects.filter(pk=contact).first()
        if found is None:
            raise CommandError(_("Kontak #%(id)s tidak ada.") % {"id": contact})
        if out and Path(out).exists():
            raise CommandError(_("Berkas %(path)s sudah ada: pilih nama lain.") % {"path": out})
        text = json.dumps(contact_export_record(contact=found, by="cli"), indent=2, ensure_ascii=False)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(_("Data kontak #%(id)s ditulis ke %(path)s.") % {"id": contact, "path": out})
        else:
            self.stdout.write(text)
