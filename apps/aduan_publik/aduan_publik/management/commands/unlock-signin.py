"""``aduan --site S unlock-signin USERNAME [--ip ADDRESS]``: lift a sign-in lock from the shell.

For the admin who locked themselves out (the desk's «Keamanan masuk» list needs a signed-in admin).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...selectors.signin import failures
from ...services.signin import signin_unlock


class Command(BaseCommand):
    help = _("Buka kunci masuk sebuah akun (dan/atau alamat IP) setelah terlalu banyak percobaan gagal.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help=_("nama pengguna yang dikunci"))
        parser.add_argument("--ip", help=_("alamat IP yang dikunci"))

    def handle(self, *args: Any, username: str | None = None, ip: str | None = None, **options: Any) -> None:
        if not username and not ip:
            raise CommandError(_("Sebutkan nama pengguna atau --ip ALAMAT."))
        account = failures(username=username) if username else 0
        address = failures(ip=ip) if ip else 0
        removed = signin_unlock(username=username, ip=ip, by="cli")
        self.stdout.write(_("Kunci dibuka (akun: %(username)s, alamat: %(ip)s): %(removed)d catatan dihapus; "
                            "kegagalan sebelumnya: akun %(account)d, alamat %(address)d.") % {
            "username": username or "-", "ip": ip or "-", "removed": removed, "account": account,
            "address": address})
