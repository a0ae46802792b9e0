"""Incrementally maintained aggregates behind every published figure (docs/figures.md).

``FigureCell`` rows are sums over complaints, one row per (grain, day, OPD, dimension, key); each
complaint's share is recorded in ``FigureContribution`` so a refresh can take the old share out and
put the new one in. ``FigureDirty`` marks a complaint whose share must be refreshed (written in the
same transaction as the change; the job or the sweep clears it).
"""

from __future__ import annotations

from django.db import models

#: value columns of a cell; what each means depends on the dimension (``figure_cells.COLUMNS``)
VALUE_COLUMNS = ("n", "followed_up", "secret", "rated", "rating_sum", "open", "on_time", "returned",
                 "t1_n", "t1_ms", "t2_n", "t2_ms", "t3_n", "t3_ms")


class FigureCell(models.Model):
    """One cell of the figures: sums over the counted complaints received on ``day`` (or its month).

    ``grain`` is ``d`` (a site-local day) or ``m`` (a month; ``day`` is its first day). ``opd_id``
    is 0 for the city, else an OPD (complaints ever disposed to it, cancelled dispositions left out).
    """

    grain = models.CharField(max_length=1)
    day = models.DateField()
    opd_id = models.IntegerField()
    dim = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    n = models.BigIntegerField(default=0)
    followed_up = models.BigIntegerField(default=0)
    secret = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    open = models.BigIntegerField(default=0)
    on_time = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    t1_n = models.BigIntegerField(default=0)
    t1_ms = models.BigIntegerField(default=0)
    t2_n = models.BigIntegerField(default=0)
    t2_ms = models.BigIntegerField(default=0)
    t3_n = models.BigIntegerField(default=0)
    t3_ms = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grain", "dim", "opd_id", "day", "key"],
                                               name="figurecell_unique_key")]

    def __str__(self) -> str:
        return f"{self.grain}:{self.day}:{self.opd_id}:{self.dim}:{self.key}"


class FigureHistogram(models.Model):
    """A whole histogram of one duration in one cell (``figure_cells.HistKey``): counts per bucket.

    ``counts`` holds the buckets from the first to the last non-empty one (``figure_cells.hist_encode``:
    a small header, then int16 or int32 little-endian counts). One row per (grain, day, OPD, measure,
    channel) instead of one per bucket: a period reads a few thousand small rows, not hundreds of
    thousands (issue 14).
    """

    grain = models.CharField(max_length=1)
    day = models.DateField()
    opd_id = models.IntegerField()
    measure = models.CharField(max_length=20)
    channel = models.CharField(max_length=64)
    counts = models.BinaryField(default=b"")

    class Meta:
        # Day before OPD: a period's days are one index range for the city and for every OPD alike.
        constraints = [models.UniqueConstraint(fields=["grain", "measure", "day", "opd_id", "channel"],
                                               name="figurehistogram_unique_key")]

    def __str__(self) -> str:
        return f"{self.grain}:{self.day}:{self.opd_id}:{self.measure}:{self.channel}"


class FigureOpenDue(models.Model):
    """An open disposition of a counted complaint that has a deadline: *Terlambat* once ``overdue_at`` passes.

    ``overdue_at`` is the earliest deadline that makes it late (the response deadline while pending,
    the completion deadline while pending or accepted). Kept by the figures' refresh with the cells,
    so "late now" is an index-only count of this narrow table, never a join of the dispositions
    with the complaints (issue 14).
    """

    disposition_id = models.BigIntegerField(primary_key=True)
    complaint_id = models.BigIntegerField(db_index=True)
    opd_id = models.IntegerField()
    received_at = models.DateTimeField()
    overdue_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["overdue_at", "received_at", "opd_id"], name="figureopendue_overdue")]

    def __str__(self) -> str:
        return f"#{self.disposition_id}"


class FigureContribution(models.Model):
    """What one complaint last added to the cells: the inputs it was counted with (a compact JSON).

    ``complaint_id`` is a plain integer, not a foreign key: a deleted complaint's share must still
    be taken out by the next refresh.
    """

    complaint_id = models.BigIntegerField(primary_key=True)
    data = models.JSONField(null=True)

    def __str__(self) -> str:
        return f"#{self.complaint_id}"


class FigureDirty(models.Model):
    """A complaint whose share of the figures waits for a refresh (job on commit, or the sweep)."""

    complaint_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.complaint_id}"
