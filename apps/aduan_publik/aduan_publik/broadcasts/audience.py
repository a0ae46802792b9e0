"""Who a broadcast reaches: active, double-opted-in subscribers of its topic, area and language.

The count is shown while drafting; at approval the list is materialised as one
:class:`~.models.Recipient` per subscriber (unique per broadcast), and frozen: residents who
subscribe later do not join, residents who leave later are skipped at send time.

Count and materialisation share one queryset, filtered entirely in SQL (the topic inside the
JSON list included, see :class:`ListHas`), and the materialisation is one
``INSERT … SELECT … ON CONFLICT DO NOTHING`` on both databases: 100,000 rows never pass through
Python, and a second run adds nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as db
from django.db.models import BooleanField, Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from ..portal.models import Subscription
from .models import Broadcast, Recipient, Template


class ListHas(Func):
    """``value`` is an element of the JSON list in ``field`` (a boolean usable in ``filter``).

    Django's ``topics__contains`` is PostgreSQL-only; SQLite needs ``json_each``. Exact element
    match on both, unlike a text search in the JSON.
    """

    output_field = BooleanField()
    arity = 2

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        (field, field_params), (value, value_params) = (compiler.compile(e) for e in self.source_expressions)
        # Compiled SQL of our own two expressions, not input.
        sql = f"EXISTS (SELECT 1 FROM json_each({field}) AS _e WHERE _e.value = {value})"  # noqa: S608
        return sql, (*field_params, *value_params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        (field, field_params), (value, value_params) = (compiler.compile(e) for e in self.source_expressions)
        return f"({field} @> jsonb_build_array(({value})::text))", (*field_params, *value_params)


def audience_queryset(broadcast: Broadcast) -> QuerySet[Subscription]:
    """Confirmed, active subscriptions of the broadcast's topic, area and language."""
    qs = Subscription.objects.filter(unsubscribed_at__isnull=True, confirmed_at__isnull=False)
    qs = qs.filter(ListHas(F("topics"), Value(broadcast.topic, output_field=CharField())))
    if broadcast.area_id:
        qs = qs.filter(Q(area_id=broadcast.area_id) | Q(area__parent_id=broadcast.area_id))
    if broadcast.language:
        qs = qs.filter(language=broadcast.language)
    template: Template | None = broadcast.template
    if template is not None and template.category == Template.Category.MARKETING:
        qs = qs.filter(marketing_stopped_at__isnull=True)
    return qs


def audience_count(broadcast: Broadcast) -> int:
    return audience_queryset(broadcast).count()


# The recipient columns written at materialisation, in the order of the SELECT below. Every
# NOT NULL column without a database default is named (Django's defaults live in Python).
_COLUMNS = ("broadcast_id", "subscription_id", "phone", "name", "area_name", "state", "attempts",
            "external_id", "reason_code", "reason")


def _select(broadcast: Broadcast) -> tuple[str, tuple[Any, ...]]:
    text = CharField()
    kecamatan = Case(When(area__level="kelurahan", then=F("area__parent__name")), default=F("area__name"),
                     output_field=text)
    values = {
        "c_broadcast": Value(broadcast.pk, output_field=IntegerField()), "c_subscription": F("pk"),
        "c_phone": F("phone"), "c_name": F("name"), "c_area": Coalesce(kecamatan, Value("", output_field=text)),
        "c_state": Value(Recipient.State.QUEUED.value, output_field=text),
        "c_attempts": Value(0, output_field=IntegerField()), "c_external": Value("", output_field=text),
        "c_code": Value("", output_field=text), "c_reason": Value("", output_field=text),
    }
    qs = audience_queryset(broadcast).order_by().annotate(**values).values_list(*values)
    return qs.query.sql_with_params()


def recipients_materialise(broadcast: Broadcast) -> int:
    """Insert one queued recipient per subscriber in one statement; returns how many were added.

    Runs inside the approval's transaction. ``ON CONFLICT DO NOTHING`` on the unique
    (broadcast, subscription) key: a second run adds no row.
    """
    select, params = _select(broadcast)
    table = db.ops.quote_name(Recipient._meta.db_table)
    columns = ", ".join(db.ops.quote_name(c) for c in _COLUMNS)
    with db.cursor() as cursor:
        # The table and columns are the model's own names; the SELECT is Django's, with its parameters.
        cursor.execute(f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)
