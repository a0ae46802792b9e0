"""``aduan --site S figures-rebuild [--check]``: recount the figures' aggregates from the complaints.

Without ``--check`` it empties the aggregates and rebuilds them (after a bulk load, a change of the
site's time zone or of ``figure_cells``), printing counts. With ``--check`` it changes nothing: it
compares the figures read from the aggregates with the full recount for the usual periods and exits
with status 1 when they differ (medians may differ by one bucket's width, docs/figures.md).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Bangun ulang agregat angka statistik dari semua aduan (atau --check: bandingkan dengan hitung ulang).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true",
                            help=_("Hanya bandingkan agregat dengan hitung ulang penuh; keluar 1 bila berbeda."))
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._check()
            return
        from aduan_publik.services.figure_aggregates import figures_rebuild

        started = time.monotonic()
        counts = figures_rebuild(batch=options["batch"], say=lambda text: self.stdout.write(f"  … {text}"))
        self.stdout.write(self.style.SUCCESS(
            _("Agregat dibangun ulang: %(c)d aduan, %(s)d sel, %(t).1f detik.")
            % {"c": counts["complaints"], "s": counts["cells"], "t": time.monotonic() - started}))

    def _check(self) -> None:
        from aduan_publik.figures_check import figures_differences

        found = figures_differences()
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(_("Agregat berbeda dari hitung ulang: %(n)d perbedaan.") % {"n": len(found)})
        self.stdout.write(self.style.SUCCESS(_("Agregat sama dengan hitung ulang penuh.")))
