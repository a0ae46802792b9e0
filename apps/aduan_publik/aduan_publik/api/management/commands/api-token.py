"""``aduan --site S api-token USERNAME [--scope …] [--opd CODE] [--expires-days N] [--name NAME]``.

Prints the new token once: only its hash is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik.api.models import SCOPES
from aduan_publik.api.tokens import token_create
from aduan_publik.models import OPD


class Command(BaseCommand):
    help = _("Buat token API untuk seorang pengguna (token hanya ditampilkan sekali).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--scope", action="append", default=[], help=", ".join(SCOPES))
        parser.add_argument("--opd", default="", help=_("kode OPD: token hanya melihat OPD ini"))
        parser.add_argument("--expires-days", type=int, default=0, help=_("masa berlaku dalam hari (0: tanpa batas)"))
        parser.add_argument("--name", default="", help=_("nama token, mis. dasbor command center"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("Pengguna %(u)s tidak ditemukan.") % {"u": options["username"]})
        opd = None
        if options["opd"]:
            opd = OPD.objects.filter(code=options["opd"]).first()
            if opd is None:
                raise CommandError(_("OPD %(c)s tidak ditemukan.") % {"c": options["opd"]})
        days = options["expires_days"]
        if days < 0:
            raise CommandError(_("--expires-days tidak boleh negatif."))
        scopes = [s for raw in options["scope"] for s in raw.split(",")]
        try:
            token, raw = token_create(user=user, name=options["name"], scopes=scopes, opd=opd,
                                      expires_at=timezone.now() + timedelta(days=days) if days else None)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(raw)
        self.stderr.write(_("Token %(n)s untuk %(u)s, cakupan: %(s)s. Simpan sekarang: token tidak dapat "
                            "ditampilkan lagi.") % {"n": token.name, "u": user.get_username(),
                                                   "s": ", ".join(token.scopes)})
