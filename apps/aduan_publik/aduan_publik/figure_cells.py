"""What one complaint adds to the figures' aggregate cells (pure functions, no queries).

A complaint's *snapshot* is the handful of inputs the figures read from it and its dispositions
(a small JSON stored in ``FigureContribution``); :func:`cells` turns a snapshot into the cells it
adds to. A refresh subtracts the cells of the stored snapshot and adds those of the new one, so the
aggregates always equal a full recount (``figures-rebuild --check`` and the recount test prove it).

Cells (``FigureCell``), each kept per site-local day (grain ``d``), per month (grain ``m``) and for
all time (grain ``a``, day 1970-01-01):

* ``c`` — counted complaints by received day; key ``"<channel>:<status>"`` for the city (``opd_id``
  0), ``":<status>"`` per OPD. ``t1``/``t2``/``t3`` = verification / first response / completion.
* ``d`` — dispositions (cancelled left out) per OPD: ``followed_up`` = answered, ``on_time``,
  ``returned``, ``open``, ``rated``/``rating_sum`` of the complaint; ``t1`` = response, ``t2`` = answer.
* ``closed`` — counted complaints closed, by the day they were **closed**.
* ``cat`` / ``kel`` — counted complaints per category id / kelurahan id.
* ``t`` — triage decisions (every complaint with a decided suggestion, counted or not):
  ``n`` decided, ``followed_up`` accepted, ``on_time`` top-3 hit.
* ``h:<measure>`` — histograms of durations; key ``"<channel>:<bucket>"`` (city) or ``":<bucket>"``.
  These are not stored as cells: :func:`split` gathers them into whole histograms, one
  ``FigureHistogram`` row per (grain, day, OPD, measure, channel) holding every bucket's count.

Durations are kept in milliseconds (sums) and in buckets (medians): whole minutes below one hour,
then buckets 2% wide. A median read from the buckets is within one bucket width of the exact one.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from .models.figures import VALUE_COLUMNS

Key = tuple[str, str, int, str, str]  # grain, day (ISO), opd_id, dim, key
Cells = dict[Key, list[int]]
HistKey = tuple[str, str, int, str, str]  # grain, day (ISO), opd_id, measure, channel
Hists = dict[HistKey, dict[int, int]]  # counts per bucket

COL = {name: i for i, name in enumerate(VALUE_COLUMNS)}
WIDTH = len(VALUE_COLUMNS)
COMPLAINT_TIMES = ("verify", "first_response", "close")  # t1, t2, t3 of dim "c"
OPD_TIMES = ("response", "answer")  # t1, t2 of dim "d"
STEP = 1.02  # relative width of a bucket above one hour
_LOG_STEP = math.log(STEP)
CANCELLED = "cancelled"
ARCHIVED, CLOSED = "archived", "closed"


# ---- buckets ---------------------------------------------------------------------------------


def bucket(ms: int) -> int:
    """The histogram bucket of a duration: whole minutes below an hour, then 2% wide.

    Negative spans (clocks of imported records) fall in the first bucket.
    """
    seconds = max(ms, 0) / 1000
    if seconds < 3600:
        return int(seconds // 60)
    return 60 + int(math.log(seconds / 3600) / _LOG_STEP)


def bucket_value(b: int) -> timedelta:
    """The value a bucket stands for: its minute below an hour, else the middle of its 2% span."""
    if b < 60:
        return timedelta(minutes=b)
    return timedelta(seconds=3600 * STEP ** (b - 60) * (1 + STEP) / 2)


def bucket_width(value: timedelta) -> timedelta:
    """How far a median read from the buckets may be from the exact one (tests, docs)."""
    return max(timedelta(minutes=1), value * (STEP - 1))


def median_of(hist: dict[int, int]) -> timedelta | None:
    """The median of a histogram: the middle value (odd count) or the mean of the two middle ones."""
    total = sum(hist.values())
    if total <= 0:
        return None
    ranks, seen = ((total + 1) // 2, total // 2 + 1), 0
    found: list[timedelta] = []
    for b in sorted(hist):
        seen += hist[b]
        while len(found) < 2 and seen >= ranks[len(found)]:
            found.append(bucket_value(b))
    return sum(found, timedelta()) / len(found)


def hist_median(counts: np.ndarray) -> timedelta | None:
    """:func:`median_of` for a dense histogram (index = bucket), as read from ``FigureHistogram``."""
    if not len(counts):
        return None
    cum = np.cumsum(counts, dtype=np.int64)
    total = int(cum[-1])
    if total <= 0:
        return None
    first, second = (int(np.searchsorted(cum, rank)) for rank in ((total + 1) // 2, total // 2 + 1))
    return (bucket_value(first) + bucket_value(second)) / 2


def hist_encode(counts: np.ndarray) -> bytes:
    """A histogram as stored: only the buckets from the first to the last non-empty one.

    A 4-byte header (little-endian uint16 first bucket, uint8 bytes per count, a zero byte), then
    the counts as int16 when they fit (a day's histograms: almost every row), else int32. Most of
    a day's buckets are empty at either end, so a row stays a few hundred bytes.
    """
    nonzero = np.flatnonzero(counts)
    if not len(nonzero):
        return b""
    first, last = int(nonzero[0]), int(nonzero[-1])
    part = counts[first:last + 1]
    width = 2 if int(part.min()) >= -32768 and int(part.max()) <= 32767 else 4
    return struct.pack("<HBx", first, width) + np.asarray(part, dtype=f"<i{width}").tobytes()


def hist_decode(data: bytes | memoryview | None) -> np.ndarray:
    """A stored histogram as a dense int64 array (index = bucket)."""
    raw = bytes(data or b"")
    if not raw:
        return np.zeros(0, dtype=np.int64)
    first, width = struct.unpack_from("<HBx", raw)
    part = np.frombuffer(raw, dtype=f"<i{width}", offset=4)
    dense = np.zeros(first + len(part), dtype=np.int64)
    dense[first:] = part
    return dense


def hist_add(total: np.ndarray | None, more: np.ndarray) -> np.ndarray:
    """``total + more`` for histograms of any lengths (``total`` may be reused)."""
    if total is None:
        return more.copy()
    if len(more) > len(total):
        total, more = more.copy(), total
    total[:len(more)] += more
    return total


def hist_dense(sparse: Mapping[int, int]) -> np.ndarray:
    """A ``{bucket: count}`` histogram as a dense array."""
    dense = np.zeros(max(sparse, default=-1) + 1, dtype=np.int64)
    for b, n in sparse.items():
        dense[b] += n
    return dense


# ---- snapshots -------------------------------------------------------------------------------


def ms_between(end: datetime | None, start: datetime | None) -> int | None:
    """``end - start`` in whole milliseconds (half up), ``None`` when either is missing."""
    if end is None or start is None:
        return None
    span = end - start
    return (span.days * 86_400_000_000 + span.seconds * 1_000_000 + span.microseconds + 500) // 1000


def local_day(moment: datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).date().isoformat()


def snapshot(row: dict[str, Any], dispositions: Iterable[dict[str, Any]],
             triage: Mapping[str, Any] | None) -> dict[str, Any]:
    """The inputs one complaint gives the figures (``row``: the complaint's fields as ``values()``)."""
    received = row["received_at"]
    closed = row["closed_at"] if row["status"] == CLOSED and row["closed_at"] else None
    plain = {
        "day": local_day(received), "channel": row["channel"], "status": row["status"],
        "dup": row["duplicate_of_id"] is not None, "secret": row["is_secret"], "fu": row["answered_at"] is not None,
        "rating": row["rating"], "cd": local_day(closed) if closed else None, "cat": row["category_id"],
        "kel": row["kelurahan_id"],
        "t": [ms_between(row["verified_at"], received), ms_between(row["first_response_at"], received),
              ms_between(row["closed_at"], received)],
    }
    return snapshot_of(plain, [_disposition(d) for d in dispositions if d["state"] != CANCELLED], triage)


def snapshot_of(c: Mapping[str, Any], parts: list[list[Any]], triage: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`snapshot` from plain values (local days as ISO text, spans in ms, the parts as
    :func:`_disposition` gives them): the rebuild computes these in SQL (``selectors/figure_inputs.py``)."""
    snap: dict[str, Any] = {"day": c["day"], "c": None, "t": None}
    if triage and triage["outcome"]:
        snap["t"] = [int(triage["outcome"] == "accepted"), int(bool(triage["top3_hit"]))]
    if c["status"] == ARCHIVED or c["dup"]:
        return snap
    snap["c"] = {"ch": c["channel"], "st": c["status"], "sec": int(c["secret"]), "fu": int(c["fu"]),
                 "r": c["rating"], "t": list(c["t"]), "cd": c["cd"], "cat": c["cat"], "kel": c["kel"], "d": parts}
    return snap


OPEN = ("pending", "accepted")


def overdue_at(d: dict[str, Any]) -> datetime | None:
    """When an open disposition becomes late (``figures_recount.overdue_now``): its response deadline
    while pending, its completion deadline while pending or accepted, whichever comes first."""
    if d["state"] not in OPEN:
        return None
    found = [d["complete_due"]] + ([d["respond_due"]] if d["state"] == "pending" else [])
    return min((due for due in found if due is not None), default=None)


def _disposition(d: dict[str, Any]) -> list[Any]:
    answered = d["answered_at"]
    on_time = answered is not None and (d["complete_due"] is None or answered <= d["complete_due"])
    reaction = d["accepted_at"] or answered
    return [d["opd_id"], int(answered is not None), int(on_time), int(d["state"] == "returned"),
            int(d["state"] in ("pending", "accepted")), ms_between(reaction, d["created_at"]),
            ms_between(answered, d["created_at"])]


# ---- cells -----------------------------------------------------------------------------------


def _month(day: str) -> str:
    return day[:8] + "01"


ALL_DAY = "1970-01-01"  # the one day of the all-time cells (grain ``a``)


class _Adder:
    """Adds values to cells: of the day, its month and all time, or (the rebuild) of the day only."""

    def __init__(self, found: Cells, months: bool):
        self.found, self.months = found, months

    def __call__(self, day: str, opd_id: int, dim: str, key: str, **values: int) -> None:
        for grain, at in (("d", day), ("m", _month(day)), ("a", ALL_DAY)) if self.months else (("d", day),):
            row = self.found.get((grain, at, opd_id, dim, key))
            if row is None:
                row = self.found[(grain, at, opd_id, dim, key)] = [0] * WIDTH
            for name, value in values.items():
                row[COL[name]] += value


def cells(snap: dict[str, Any] | None, into: Cells | None = None, *, months: bool = True) -> Cells:
    """Every cell a snapshot adds to (``None``: nothing), added into ``into`` when given."""
    found: Cells = {} if into is None else into
    _add = _Adder(found, months)
    if not snap:
        return found
    day = snap["day"]
    if snap["t"]:
        _add(day, 0, "t", "", n=1, followed_up=snap["t"][0], on_time=snap["t"][1])
    c = snap["c"]
    if c is None:
        return found
    opds = sorted({d[0] for d in c["d"]})
    values = {"n": 1, "followed_up": c["fu"], "secret": c["sec"], "rated": int(c["r"] is not None),
              "rating_sum": c["r"] or 0}
    for i, ms in enumerate(c["t"], start=1):
        if ms is not None:
            values[f"t{i}_n"], values[f"t{i}_ms"] = 1, ms
    for opd_id, channel in [(0, c["ch"]), *((o, "") for o in opds)]:
        _add(day, opd_id, "c", f"{channel}:{c['st']}", **values)
        for measure, ms in zip(COMPLAINT_TIMES, c["t"], strict=True):
            if ms is not None:
                _add(day, opd_id, f"h:{measure}", f"{channel}:{bucket(ms)}", n=1)
        if c["cd"]:
            _add(c["cd"], opd_id, "closed", "", n=1)
        for dim, ref in (("cat", c["cat"]), ("kel", c["kel"])):
            if ref is not None:
                _add(day, opd_id, dim, str(ref), n=1)
    for d in c["d"]:
        _disposition_cells(_add, day, d, c["r"])
    return found


def _disposition_cells(_add: _Adder, day: str, d: list[Any], rating: int | None) -> None:
    opd_id, answered, on_time, returned, is_open, response, answer = d
    values = {"n": 1, "followed_up": answered, "on_time": on_time, "returned": returned, "open": is_open,
              "rated": int(rating is not None), "rating_sum": rating or 0}
    for i, ms in ((1, response), (2, answer)):
        if ms is not None:
            values[f"t{i}_n"], values[f"t{i}_ms"] = 1, ms
    _add(day, opd_id, "d", "", **values)
    for measure, ms in zip(OPD_TIMES, (response, answer), strict=True):
        if ms is not None:
            _add(day, opd_id, f"h:{measure}", f":{bucket(ms)}", n=1)


def _bump(plain: Cells, key: Key, pairs: Iterable[tuple[int, int]]) -> None:
    row = plain.get(key)
    if row is None:
        row = plain[key] = [0] * WIDTH
    for i, value in pairs:
        row[i] += value


def _count(hists: Hists, key: HistKey, b: int) -> None:
    hist = hists.get(key)
    if hist is None:
        hist = hists[key] = {}
    hist[b] = hist.get(b, 0) + 1


def day_parts(snap: dict[str, Any] | None, plain: Cells, hists: Hists) -> None:
    """``split(cells(snap, months=False))`` added into ``plain`` and ``hists``, without the general
    adder: the rebuild's hot loop (a million complaints). The tests compare it with :func:`cells`."""
    if not snap:
        return
    day = snap["day"]
    if snap["t"]:
        _bump(plain, ("d", day, 0, "t", ""), ((0, 1), (COL["followed_up"], snap["t"][0]),
                                              (COL["on_time"], snap["t"][1])))
    c = snap["c"]
    if c is None:
        return
    rating = c["r"]
    pairs = [(COL["n"], 1), (COL["followed_up"], c["fu"]), (COL["secret"], c["sec"]),
             (COL["rated"], int(rating is not None)), (COL["rating_sum"], rating or 0)]
    times = [(i, measure, ms) for i, (measure, ms) in enumerate(zip(COMPLAINT_TIMES, c["t"], strict=True), start=1)
             if ms is not None]
    pairs += [pair for i, _measure, ms in times for pair in ((COL[f"t{i}_n"], 1), (COL[f"t{i}_ms"], ms))]
    buckets = [(measure, bucket(ms)) for _i, measure, ms in times]
    refs = [(dim, str(ref)) for dim, ref in (("cat", c["cat"]), ("kel", c["kel"])) if ref is not None]
    for opd_id, channel in [(0, c["ch"]), *((o, "") for o in sorted({d[0] for d in c["d"]}))]:
        _bump(plain, ("d", day, opd_id, "c", f"{channel}:{c['st']}"), pairs)
        for measure, b in buckets:
            _count(hists, ("d", day, opd_id, measure, channel), b)
        if c["cd"]:
            _bump(plain, ("d", c["cd"], opd_id, "closed", ""), ((0, 1),))
        for dim, ref in refs:
            _bump(plain, ("d", day, opd_id, dim, ref), ((0, 1),))
    rated = int(rating is not None)
    for opd_id, answered, on_time, returned, is_open, response, answer in c["d"]:
        values = [(COL["n"], 1), (COL["followed_up"], answered), (COL["on_time"], on_time),
                  (COL["returned"], returned), (COL["open"], is_open), (COL["rated"], rated),
                  (COL["rating_sum"], rating or 0)]
        for i, measure, ms in ((1, "response", response), (2, "answer", answer)):
            if ms is not None:
                values += [(COL[f"t{i}_n"], 1), (COL[f"t{i}_ms"], ms)]
                _count(hists, ("d", day, opd_id, measure, ""), bucket(ms))
        _bump(plain, ("d", day, opd_id, "d", ""), values)


def roll_up(days: Cells, into: Cells) -> None:
    """The rebuild's fast path: add day cells (``cells(..., months=False)``) into ``into``, with their
    months and all time."""
    for (_grain, day, opd_id, dim, key), values in days.items():
        for at_key in (("d", day, opd_id, dim, key), ("m", _month(day), opd_id, dim, key),
                       ("a", ALL_DAY, opd_id, dim, key)):
            row = into.get(at_key)
            if row is None:
                into[at_key] = list(values)
            else:
                for i, value in enumerate(values):
                    row[i] += value


def difference(old: Cells, new: Cells) -> Cells:
    """``new - old`` per cell, cells that do not change left out."""
    found: Cells = {}
    for key in old.keys() | new.keys():
        a, b = old.get(key), new.get(key)
        delta = [y - x for x, y in zip(a or [0] * WIDTH, b or [0] * WIDTH, strict=True)]
        if any(delta):
            found[key] = delta
    return found


def split(found: Cells) -> tuple[Cells, Hists]:
    """The plain cells and the histograms (``h:<measure>`` cells gathered per channel) of ``found``."""
    plain: Cells = {}
    hists: Hists = {}
    n = COL["n"]
    for (grain, day, opd_id, dim, key), values in found.items():
        if dim.startswith("h:"):
            channel, _colon, b = key.rpartition(":")
            hist = hists.setdefault((grain, day, opd_id, dim[2:], channel), {})
            hist[int(b)] = hist.get(int(b), 0) + values[n]
        else:
            plain[(grain, day, opd_id, dim, key)] = values
    return plain, hists


def month_of(day: str) -> str:
    return _month(day)


def merge_into(total: Cells, more: Cells) -> None:
    for key, values in more.items():
        row = total.setdefault(key, [0] * WIDTH)
        for i, value in enumerate(values):
            row[i] += value


def parse_day(value: str) -> date:
    return date.fromisoformat(value)
