"""``aduan --site S triage-train``: retrain the site's triage model now (the nightly job does it too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Latih ulang model triase situs ini dari riwayat aduan terverifikasi (dan set awal bila sedikit)."

    def handle(self, *args: Any, **options: Any) -> None:
        from aduan_publik.triage import store

        model = store.retrain()
        info = model.info
        self.stdout.write(f"source={info.get('source')} rows={info.get('n_train')} "
                          f"history={info.get('history_rows')} seconds={info.get('seconds')} "
                          f"memory_mb={model.memory_bytes() / 1e6:.1f} path={store.model_path()}")
