"""``manage.py seed_demo``: a demo city modelled on Kota Pontianak, its staff and complaints."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aduan_publik.demo import DEMO_PASSWORD
from aduan_publik.demo.complaints import Seeder, demo_complaints, demo_complaints_delete
from aduan_publik.demo.guard import demo_logins_allowed, real_data_found
from aduan_publik.demo.reference import seed_reference
from aduan_publik.models import Complaint, Event, Message


class Command(BaseCommand):
    help = _("Isi situs dengan data demo (OPD, wilayah, kategori, akun petugas dan aduan).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--complaints", type=int, default=300, help=_("jumlah aduan demo (bawaan 300)"))
        parser.add_argument("--seed", type=int, default=2026, help=_("benih acak: hasil sama setiap kali"))
        parser.add_argument("--reset", action="store_true", help=_("hapus aduan demo lalu buat ulang"))
        parser.add_argument("--allow-production", action="store_true",
                            help=_("buat akun demo walau situs tidak dalam mode pengembang (debug)"))

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["complaints"]
        if count < 0:
            raise CommandError(_("--complaints tidak boleh negatif."))
        self._refuse_unless_safe(allow_production=options["allow_production"])
        ref = seed_reference()
        self.stdout.write(_("Data acuan: %(o)d OPD, %(a)d wilayah, %(c)d kategori, %(u)d akun (%(n)d baru).")
                          % {"o": ref.opds, "a": ref.areas, "c": ref.categories, "u": ref.users,
                             "n": len(ref.created_users)})
        if options["reset"]:
            self.stdout.write(_("Aduan demo dihapus: %(n)d.") % {"n": demo_complaints_delete()})
        if demo_complaints().exists():
            self._figures()
            self.stdout.write(_("Data demo sudah ada; tidak ada aduan yang ditambahkan (pakai --reset)."))
            return
        self._complaints(count, options["seed"])
        self._figures()
        self.stdout.write(_("Semua akun demo memakai kata sandi «%(p)s».") % {"p": DEMO_PASSWORD})

    def _figures(self) -> None:
        """The seeder swallows jobs, so the figures' refresh jobs too: refresh the marked complaints now."""
        from aduan_publik.services.figure_aggregates import figures_settle

        figures_settle()

    def _refuse_unless_safe(self, *, allow_production: bool) -> None:
        """Checked before anything is written: a refusal leaves the site exactly as it was."""
        found = real_data_found()
        if found:
            raise CommandError(
                _("Situs ini berisi data yang bukan data demo (%(found)s): data demo tidak dibuat, "
                  "tidak ada yang diubah.") % {"found": "; ".join(found)})
        if not demo_logins_allowed(allow_production=allow_production):
            raise CommandError(
                _("Situs ini tidak dalam mode pengembang (debug) dan tidak ditandai sebagai situs demo: "
                  "akun demo berkata sandi umum «%(p)s» tidak dibuat. Buat situs demo dengan "
                  "`aduan new-site NAMA --demo`, atau pakai --allow-production bila memang disengaja.")
                % {"p": DEMO_PASSWORD})

    def _complaints(self, count: int, seed: int) -> None:
        if count == 0:
            return
        started = time.monotonic()
        seeder = Seeder(count=count, seed=seed)
        statuses = seeder.run()
        complaints = demo_complaints()
        self.stdout.write(self.style.SUCCESS(
            _("%(n)d aduan demo dibuat dalam %(s).1f detik: %(e)d jejak audit, %(m)d pesan.")
            % {"n": complaints.count(), "s": time.monotonic() - started,
               "e": Event.objects.filter(complaint__in=complaints).count(),
               "m": Message.objects.filter(complaint__in=complaints).count()}
        ))
        labels = dict(Complaint.Status.choices)
        for status, n in statuses.most_common():
            self.stdout.write(f"  {labels[status]:<22} {n:>4}")
        for failure in seeder.failures:
            self.stderr.write(_("Langkah dilewati: %(f)s") % {"f": failure})
