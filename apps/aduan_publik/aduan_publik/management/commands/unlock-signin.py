"""``aduan --site S unlock-signin USERNAME [--ip ADDRESS]``: lift a sign-in lock from the shell.

For the admin who locked themselves out (the desk's «Keamanan masuk» list needs a signed-in admin).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...selectors.signin import failures
from ...services.signin import signin_unlock


class Command(BaseCommand):
    help = "Buka kunci masuk sebuah akun (dan/atau alamat IP) setelah terlalu banyak percobaan gagal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="nama pengguna yang dikunci")
        parser.add_argument("--ip", help="alamat IP yang dikunci")

    def handle(self, *args: Any, username: str | None = None, ip: str | None = None, **options: Any) -> None:
        if not username and not ip:
            raise CommandError("Sebutkan nama pengguna atau --ip ALAMAT.")
        before = {"akun": failures(username=username) if username else 0, "alamat": failures(ip=ip) if ip else 0}
        removed = signin_unlock(username=username, ip=ip, by="cli")
        target = " dan ".join(filter(None, [f"akun «{username}»" if username else "", f"alamat {ip}" if ip else ""]))
        self.stdout.write(f"Kunci dibuka untuk {target}: {removed} catatan dihapus "
                          f"(kegagalan sebelumnya: akun {before['akun']}, alamat {before['alamat']}).")
