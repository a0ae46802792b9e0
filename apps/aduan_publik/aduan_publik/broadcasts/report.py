"""The delivery report of a broadcast (reads only): counts, failures by reason, per kecamatan, cost, exports.

Counts come from the recipient rows, which the engine and the status webhooks move forward
(queued → sending → sent → delivered → read, or failed / opted out / cancelled).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import config
from .models import Broadcast, Recipient

R = Recipient.State
REACHED = (R.SENT, R.DELIVERED, R.READ)


@dataclass(frozen=True)
class Report:
    total: int
    counts: dict[str, int]
    failures: list[tuple[str, int]]
    areas: list[dict[str, Any]]
    cost: Decimal
    price: Decimal

    @property
    def done(self) -> int:
        return self.total - self.counts.get(R.QUEUED, 0) - self.counts.get(R.SENDING, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        return [(state, str(label), self.counts.get(state, 0)) for state, label in R.choices]


def broadcast_report(broadcast: Broadcast) -> Report:
    rows = Recipient.objects.filter(broadcast=broadcast)
    counts = {r["state"]: r["n"] for r in rows.values("state").annotate(n=Count("id"))}
    failures = [(r["reason_code"] or "?", r["n"]) for r in rows.filter(state=R.FAILED)
                .values("reason_code").annotate(n=Count("id")).order_by("-n")]
    areas = _areas(rows)
    category = broadcast.template.category if broadcast.template else ""
    price = config.load().prices.get(category, Decimal(0))
    reached = sum(counts.get(s, 0) for s in REACHED)
    return Report(total=sum(counts.values()), counts=counts, failures=failures, areas=areas,
                  cost=price * reached, price=price)


def _areas(rows: Any) -> list[dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for r in rows.values("area_name", "state").annotate(n=Count("id")):
        entry = table.setdefault(r["area_name"] or "—", {"area": r["area_name"] or "—", "total": 0})
        entry["total"] += r["n"]
        entry[r["state"]] = entry.get(r["state"], 0) + r["n"]
    return sorted(table.values(), key=lambda e: e["area"])


COLUMNS = ("phone", "name", "area_name", "state", "reason_code", "reason", "attempts", "sent_at", "external_id")


def _header() -> list[str]:
    return [_("Nomor WhatsApp"), _("Nama"), _("Kecamatan"), _("Status"), _("Kode alasan"), _("Alasan"),
            _("Percobaan"), _("Terkirim pada"), _("ID pesan")]


def export_rows(broadcast: Broadcast) -> Iterator[list[str]]:
    """Header, then one row per recipient. Formula-like cells are defused for spreadsheets."""
    yield _header()
    labels = dict(R.choices)
    for row in Recipient.objects.filter(broadcast=broadcast).order_by("id").values_list(*COLUMNS).iterator(2000):
        values = list(row)
        values[3] = str(labels.get(values[3], values[3]))
        values[7] = timezone.localtime(values[7]).strftime("%Y-%m-%d %H:%M:%S") if values[7] else ""
        yield [_safe(str(v)) for v in values]


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_csv(broadcast: Broadcast) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(broadcast))
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(broadcast: Broadcast) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Penerima"))
    for row in export_rows(broadcast):
        sheet.append(row)
    summary = book.create_sheet(_("Ringkasan"))
    report = broadcast_report(broadcast)
    for _state, label, n in report.rows:
        summary.append([label, n])
    summary.append([_("Perkiraan biaya (Rp)"), float(report.cost)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
