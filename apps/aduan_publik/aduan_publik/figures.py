"""Every figure the hub publishes, defined once: the desk dashboard, the portal's home, statistics
and public list, the CSV export and the monthly reports all read their numbers here.

Definitions (``docs/figures.md`` states them for readers):

* **Which complaints count** (:func:`counted`): everything received except *archived* ones (spam,
  unclear, general suggestions) and merged duplicates (their original counts). *Rahasia* complaints
  count — a total reveals nothing of them — but are never listed publicly. *Bukan wewenang* ones
  count: they were received and answered by forwarding; they are a figure of their own.
* **Status groups** partition the counted complaints: menunggu verifikasi (received, postponed),
  dalam proses (disposed, in progress, returned by an OPD), menunggu tanggapan pelapor (answered),
  selesai (closed), bukan wewenang. *Ditindaklanjuti* = an OPD published a follow-up.
* **Times** all start when the complaint was *received* (what the resident waits): verification
  (→ verified), first response (→ first OPD response), completion (→ closed). Per OPD, response
  runs from the disposition to the OPD's first reaction (accepted or answered), answer to answered.
* **Percentages** are over the counted complaints (per OPD: over its dispositions, cancelled ones
  left out), rounded **half up to one decimal** with exact decimal arithmetic: 2/3 is 66,7%.
* **Formatting** is Indonesian on every surface: ``1.234``, ``66,7%``, ``2 hari 4 jam``.

Where the numbers come from: day-aligned periods (every period a page asks for) are read from the
incrementally maintained aggregates (``selectors/figure_aggregates.py``, kept by a job after each
change); any other period is recounted from the complaints (``figures_recount.py``, the reference
the aggregates are checked against). Medians from the aggregates are exact to one bucket's width.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .figure_rules import (  # noqa: F401  (re-exported: every page reads them as figures.*)
    ALL_TIME,
    AWAITING_REPORTER,
    IN_PROCESS,
    OPD_ANSWER,
    OPD_RESPONSE,
    STATUS_FIGURE,
    TIMES,
    WAITING,
    D,
    Period,
    S,
    as_duration,
    counted,
    counted_q,
    finish,
    finish_opd,
    finish_triage,
    is_counted,
    month_period,
    one_decimal,
    percent,
    span,
    year_period,
)


def day_aligned(period: Period) -> bool:
    """Whether both ends of ``period`` fall on site-local midnights (or are open): the aggregates'
    day cells answer exactly such periods; any other period is recounted from the complaints."""
    tz = timezone.get_default_timezone()
    return all(moment is None or timezone.localtime(moment, tz).time() == time(0)
               for moment in (period.start, period.end))


def last_days(days: int) -> Period:
    """The last ``days`` site-local days, today included ("30 hari terakhir", "12 bulan terakhir")."""
    tz = timezone.get_default_timezone()
    first = timezone.localdate(timezone=tz) - timedelta(days=days - 1)
    return Period(start=datetime.combine(first, time(0), tzinfo=tz))


def _source(period: Period) -> Any:
    from . import figures_recount
    from .selectors import figure_aggregates

    return figure_aggregates if day_aligned(period) else figures_recount


def totals(period: Period = ALL_TIME, *, opd_id: int | None = None) -> dict[str, Any]:
    """The city's (or one OPD's) headline figures: counts per status group, %, mean and median times."""
    return _source(period).totals(period, opd_id=opd_id)  # type: ignore[no-any-return]


def per_channel(period: Period = ALL_TIME) -> list[dict[str, Any]]:
    """The same figures per channel, busiest first."""
    return _source(period).per_channel(period)  # type: ignore[no-any-return]


def totals_and_channels(period: Period = ALL_TIME) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """:func:`totals` of the city and :func:`per_channel`, read together (the dashboard, the statistics page)."""
    return _source(period).totals_and_channels(period)  # type: ignore[no-any-return]


def per_opd(period: Period = ALL_TIME, *, opd_id: int | None = None) -> list[dict[str, Any]]:
    """The OPD league table: dispositions of counted complaints, cancelled ones left out.

    Completion = answered / dispositions; on time = answered by the completion deadline / answered;
    satisfaction = mean rating of the complaints (1-5) the OPD worked on.
    """
    return _source(period).per_opd(period, opd_id=opd_id)  # type: ignore[no-any-return]


def triage_accuracy(period: Period = ALL_TIME) -> dict[str, Any]:
    """How often the admins kept the triage suggestion (issue 15), over complaints received in the period.

    ``triage_accepted``: the top suggested OPD was among those chosen; ``triage_top3``: one of the top
    three was; both out of ``triage_decided`` (decisions on complaints that had a suggestion).
    """
    return _source(period).triage_accuracy(period)  # type: ignore[no-any-return]



# ---- Indonesian formatting --------------------------------------------------------------------


def fmt_int(value: int | None) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".")


def fmt_decimal(value: Decimal | float | None) -> str:
    if value is None:
        return "–"
    whole, _dot, frac = f"{Decimal(str(value)):.1f}".partition(".")
    return f"{fmt_int(int(whole))},{frac}" if not whole.startswith("-") else f"-{fmt_int(-int(whole))},{frac}"


def fmt_pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{fmt_decimal(value)}%"


def fmt_duration(value: Any) -> str:
    """A duration as people read it: «2 hari 4 jam», «3 jam 20 menit», «45 menit»."""
    found = as_duration(value)
    if found is None:
        return "–"
    minutes = int(found.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return str(_("%(d)d hari %(h)d jam") % {"d": days, "h": hours})
    if hours:
        return str(_("%(h)d jam %(m)d menit") % {"h": hours, "m": mins})
    return str(_("%(m)d menit") % {"m": mins})


def fmt_count_pct(count: int | None, pct: Decimal | None) -> str:
    return f"{fmt_int(count)} ({fmt_pct(pct)})"


# ---- labelled figures: the same label shows the same text everywhere ------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str


LABELS = {
    "total": _("Aduan masuk"),
    "selesai": _("Selesai"),
    "followed_up": _("Ditindaklanjuti"),
    "in_process": _("Dalam proses"),
    "waiting": _("Menunggu verifikasi"),
    "awaiting_reporter": _("Menunggu tanggapan pelapor"),
    "not_authority": _("Bukan wewenang"),
    "median_verify": _("Median waktu verifikasi"),
    "avg_verify": _("Rata-rata waktu verifikasi"),
    "median_first_response": _("Median respons pertama"),
    "avg_first_response": _("Rata-rata respons pertama"),
    "median_close": _("Median waktu hingga selesai"),
    "avg_close": _("Rata-rata waktu hingga selesai"),
    "avg_rating": _("Rata-rata penilaian pelapor"),
    # A :func:`triage_accuracy` row (desk dashboard only), not part of a :func:`totals` row.
    "triage_accepted": _("Saran OPD diterima admin"),
    "triage_top3": _("Pilihan admin ada di 3 saran teratas"),
    "triage_decided": _("Aduan dengan saran triase yang sudah diputuskan"),
}
TOTALS_KEYS = tuple(key for key in LABELS if not key.startswith("triage_"))


def figure_value(key: str, row: dict[str, Any]) -> str:
    """The text of one figure from a :func:`totals` row."""
    if key in ("selesai", "followed_up", "in_process", "triage_accepted", "triage_top3"):
        return fmt_count_pct(row[key], row[f"pct_{key}"])
    if key.startswith(("median_", "avg_")) and key != "avg_rating":
        return fmt_duration(row[key])
    if key == "avg_rating":
        return fmt_decimal(one_decimal(row[key]))
    return fmt_int(row[key])


def labelled(row: dict[str, Any], keys: tuple[str, ...] | None = None) -> list[Figure]:
    """Figures ready to show, in the order of ``keys`` (all of a :func:`totals` row by default)."""
    return [Figure(key, str(LABELS[key]), figure_value(key, row)) for key in (keys or TOTALS_KEYS)]


def headline(row: dict[str, Any]) -> str:
    """The seeds' headline: «942 laporan, 904 selesai = 96,0%»."""
    return str(_("%(n)s laporan, %(m)s selesai = %(p)s") % {
        "n": fmt_int(row["total"]), "m": fmt_int(row["selesai"]), "p": fmt_pct(row["pct_selesai"])})
