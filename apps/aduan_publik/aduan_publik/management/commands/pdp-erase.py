"""``aduan --site S pdp-erase CONTACT_ID --reason TEXT``: remove a reporter's identity, keep the records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...models import Contact
from ...services.privacy import contact_erase


class Command(BaseCommand):
    help = _("Hapus identitas seorang pelapor (UU 27/2022 PDP); aduan dan pesannya tetap tersimpan.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact", type=int, help=_("ID kontak pelapor"))
        parser.add_argument("--reason", required=True, help=_("alasan, mis. nomor surat permohonan"))

    def handle(self, *args: Any, contact: int, reason: str, **options: Any) -> None:
        found = Contact.objects.filter(pk=contact).first()
        if found is None:
            raise CommandError(_("Kontak #%(id)s tidak ada.") % {"id": contact})
        if not reason.strip():
            raise CommandError(_("Sebutkan alasan penghapusan."))
        erased = contact_erase(contact=found, by="cli", reason=reason.strip())
        self.stdout.write(_("Identitas kontak #%(id)s dihapus pada %(at)s.") % {"id": contact, "at": erased.erased_at})
