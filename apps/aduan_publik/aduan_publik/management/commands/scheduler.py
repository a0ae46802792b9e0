"""``aduan --site S scheduler``: the Procfile's ``scheduler`` process, one per site (see ``scheduler.py``).

It loads ``aduan_publik.cron`` (and the plugins' jobs) like ``rqcron aduan_publik.cron`` and runs them,
but only while it holds the site's scheduler lock in Redis: a second scheduler started anywhere waits.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ...scheduler import SchedulerLockLost, SingleCronScheduler


class Command(BaseCommand):
    help = _("Jalankan penjadwal tugas berkala situs ini (hanya satu penjadwal per situs; yang kedua menunggu).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("config_path", nargs="?", default="aduan_publik.cron",
                            help=_("modul konfigurasi jadwal (bawaan: aduan_publik.cron)"))
        parser.add_argument("--logging-level", "-l", default="INFO",
                            choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])

    def handle(self, *args: Any, config_path: str = "aduan_publik.cron", **options: Any) -> None:
        level = getattr(logging, options["logging_level"])
        logging.getLogger("aduan_publik.scheduler").setLevel(level)
        scheduler = SingleCronScheduler(logging_level=level)
        scheduler.load_config_from_file(config_path)
        self.stdout.write(_("Penjadwal %(name)s: %(count)d tugas berkala; menunggu kunci penjadwal situs.") % {
            "name": scheduler.name, "count": len(scheduler.get_jobs())})
        try:
            scheduler.start()
        except SchedulerLockLost as exc:  # the process manager restarts it; it then waits its turn
            raise CommandError(str(exc)) from None
