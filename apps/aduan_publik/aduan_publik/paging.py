"""Pagination of big lists without an exact ``COUNT(*)`` over the whole table.

:class:`CappedPaginator` counts exactly only up to :data:`EXACT_LIMIT` rows
(``SELECT count(*) FROM (… LIMIT 10001)``). Above that the count is PostgreSQL's planner estimate
for the same query (``EXPLAIN`` through the function ``aduan_count_estimate``, in the same query as
the capped count), never below the limit, and ``count_is_exact`` is False: pages
say «lebih dari 10.000» instead of a number. Every page number stays reachable: a page past the
estimated end is simply empty, never an error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

EXACT_LIMIT = 10_000


class CappedPage(Page):
    """A page that knows a next page exists when it is full, while the count is only an estimate."""

    def has_next(self) -> bool:
        if getattr(self.paginator, "count_is_exact", True):
            return super().has_next()
        return len(self) == self.paginator.per_page


class CappedPaginator(Paginator):
    """A paginator whose count is exact up to :data:`EXACT_LIMIT` and estimated beyond."""

    exact_limit = EXACT_LIMIT
    #: True for an order no index gives (the work queues' urgency order): every matching row is sorted,
    #: so even the first page picks its ids first. False: the first page reads its rows in index order.
    sorted_whole = False

    def __init__(self, object_list: Any, per_page: Any, orphans: int = 0, allow_empty_first_page: bool = True,
                 *, ids: Any = None) -> None:
        """``ids``: optionally, the ids of ``object_list``'s rows in its order from a narrower query
        (``access.visible_ids``): counted and sliced instead of ``object_list`` itself."""
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.ids = ids

    @cached_property
    def count(self) -> int:
        source = self.ids if self.ids is not None else self.object_list.values("pk")  # type: ignore[attr-defined]
        capped, estimate = _count_capped(source.order_by(), self.exact_limit)
        self._exact = capped <= self.exact_limit
        return capped if self._exact else max(self.exact_limit + 1, estimate or 0)

    @property
    def count_is_exact(self) -> bool:
        """False when :attr:`count` is an estimate (more rows than :data:`EXACT_LIMIT`)."""
        return self.count is not None and self._exact

    @property
    def count_label(self) -> str:
        """The count as pages show it: the number, or «lebih dari 10.000»."""
        from django.utils.formats import number_format

        if self.count_is_exact:
            return number_format(self.count, force_grouping=True)
        return _("lebih dari %(n)s") % {"n": number_format(self.exact_limit, force_grouping=True)}

    def validate_number(self, number: Any) -> int:
        """Past the estimated end is allowed while the count is an estimate (the table goes on)."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.count_is_exact:
                raise
            value = int(number)
            if value < 1:
                raise
            return value

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_is_exact and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int) -> Any:
        """The rows ``bottom:top``. Past the first page, and on the first page of a list sorted
        outside any index (:attr:`sorted_whole`), the page's ids are chosen first, in a subquery
        that reads only the ordering's keys (``WHERE id IN (SELECT id … ORDER BY … LIMIT n OFFSET m)``):
        rows skipped by OFFSET or sorted past the page never load their columns, joins or
        annotations (a deferred join).
        """
        if self.ids is not None:
            return self.object_list.filter(pk__in=self.ids[bottom:top])  # type: ignore[attr-defined]  # a queryset
        rows = self.object_list[bottom:top]
        first_in_index_order = bottom == 0 and not self.sorted_whole
        if first_in_index_order or not isinstance(self.object_list, QuerySet) or not self.object_list.ordered:
            return rows
        ids = self.object_list.prefetch_related(None).values("pk")[bottom:top]
        return self.object_list.filter(pk__in=ids)

    def _get_page(self, *args: Any, **kwargs: Any) -> CappedPage:
        return CappedPage(*args, **kwargs)

    def get_page(self, number: Any) -> Any:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


class DeskPaginator(CappedPaginator):
    """The desk's changelists: unfold includes the paginator's own template (the count label)."""

    template_name = "desk/capped_pagination.html"


#: ``aduan_count_estimate(query text)``: the planner's row estimate of a query (migration 0020).
ESTIMATE_FUNCTION = "aduan_count_estimate"


def _count_capped(ids: QuerySet[Any], limit: int) -> tuple[int, int | None]:
    """``(n, estimate)`` in one query, whatever the size: ``n`` counts the rows of ``ids`` up to
    ``limit + 1``; only when it passes ``limit`` is ``estimate`` asked for — PostgreSQL's planner
    estimate of the whole query (planned, never run); elsewhere its exact count (SQLite sites are
    small). One query either way, so a page costs as many queries at 10,000 complaints as at a million.
    """
    connection = connections[ids.db]
    try:
        capped_sql, capped_params = ids[: limit + 1].query.sql_with_params()
        whole_sql, whole_params = ids.query.sql_with_params()
    except EmptyResultSet:  # ``.none()`` (a queue the user does not have): nothing to ask
        return 0, None
    if connection.vendor == "postgresql":
        # The function runs EXPLAIN on the text: the parameters are bound into it the way Django's
        # client-side binding sends them anyway (quoted literals), never pasted.
        text = connection.ops.compose_sql(whole_sql, whole_params)  # type: ignore[attr-defined]
        estimate, estimate_params = f"{ESTIMATE_FUNCTION}(%s)", [text]
    else:
        estimate, estimate_params = f"(SELECT COUNT(*) FROM ({whole_sql}) whole_list)", list(whole_params)  # noqa: S608
    # Only the compiled SQL of Django querysets is pasted; every value stays a parameter.
    sql = (f"WITH capped AS (SELECT COUNT(*) AS n FROM ({capped_sql}) subquery) "  # noqa: S608
           f"SELECT n, CASE WHEN n > %s THEN {estimate} END FROM capped")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*capped_params, limit, *estimate_params])
        n, estimated = cursor.fetchone()
    return int(n), None if estimated is None else int(estimated)
