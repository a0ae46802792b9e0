"""``aduan --site S triage-eval FILE.jsonl``: measure the site's triage model on a labelled set.

Prints one line ``top1=… top3=… category_top1=… dup_precision=… dup_recall=… n=…`` (``n/a`` where
the file has nothing to measure). The set may be one the model never saw (docs/triage.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Ukur model triase situs ini pada berkas JSONL berlabel (teks, opd, kategori, duplikat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL (boleh .gz): text, opd, category[, dup_of / not_dup_of]")

    def handle(self, *args: Any, **options: Any) -> None:
        from aduan_publik.triage import starter, store
        from aduan_publik.triage.evaluate import EvalFileError, evaluate
        from aduan_publik.triage.gazetteer import site_gazetteer

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: file not found")
        try:
            rows = starter.read(path)
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise CommandError(f"{path}: not JSON lines ({exc})") from exc
        if not rows:
            raise CommandError(f"{path}: no lines to evaluate")
        try:
            scores = evaluate(store.load(), site_gazetteer(store.site_dir()), rows)
        except EvalFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(scores.line())
