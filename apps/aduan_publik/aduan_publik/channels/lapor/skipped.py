"""Records LAPOR! sent that could not be read: kept visible in the desk, never blocking a pull.

A skipped record is not an error of the run: the cursor moves on, and the record waits here
(with its raw JSON) until the mapping is adjusted (``fields``, ``date_formats``) and a full
re-sync reads it, which removes its row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F

from .models import SkippedRecord
from .wire import SkippedItem


@transaction.atomic
def skipped_record(*, kind: str, item: SkippedItem, lapor_id: str = "") -> None:
    """Keep (or count again) one unreadable record."""
    key = f"{lapor_id}:{item.key}" if kind == SkippedRecord.Kind.FOLLOWUP else item.key
    updated = SkippedRecord.objects.filter(kind=kind, key=key[:120]).update(
        times=F("times") + 1, error=item.error, raw=item.raw, lapor_id=lapor_id[:40])
    if not updated:
        SkippedRecord.objects.create(kind=kind, key=key[:120], lapor_id=lapor_id[:40], error=item.error,
                                     raw=item.raw)


def skipped_report_ids() -> set[str]:
    """Ids of the reports skipped so far (one query per run, so a clean re-sync stays cheap)."""
    return set(SkippedRecord.objects.filter(kind=SkippedRecord.Kind.REPORT).values_list("key", flat=True))


def skipped_clear(*, kind: str, keys: Iterable[str]) -> int:
    """Records that read fine now are no longer skipped."""
    wanted: list[Any] = list(keys)
    if not wanted:
        return 0
    return SkippedRecord.objects.filter(kind=kind, key__in=wanted).delete()[0]


def skipped_clear_conversation(*, lapor_id: str) -> int:
    """A conversation read without a skipped item: its earlier skipped items are gone."""
    return SkippedRecord.objects.filter(kind=SkippedRecord.Kind.FOLLOWUP, lapor_id=lapor_id).delete()[0]
