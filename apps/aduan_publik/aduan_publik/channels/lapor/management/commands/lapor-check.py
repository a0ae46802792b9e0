"""``aduan --site S lapor-check``: check the SP4N-LAPOR! connection of a site from the command line.

Calls a harmless master list with the site's credentials and prints what came back (auth,
base URL, wrapper shape, paging, date formats); the answer is kept for the desk
(*Pemeriksaan koneksi SP4N-LAPOR!*). Exit status 1 when the check failed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aduan_publik.channels.lapor.check import connection_check


class Command(BaseCommand):
    help = "Periksa koneksi SP4N-LAPOR! situs ini (panggilan baca yang aman ke daftar master)."

    def handle(self, *args: Any, **options: Any) -> None:
        check = connection_check(by="lapor-check")
        for line in check.summary.splitlines():
            self.stdout.write(line)
        if not check.ok:
            raise CommandError("pemeriksaan koneksi SP4N-LAPOR! gagal")
        self.stdout.write(self.style.SUCCESS("OK"))
