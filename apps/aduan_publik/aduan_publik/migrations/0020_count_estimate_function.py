"""``aduan_count_estimate(query text)``: the planner's row estimate of a query, on PostgreSQL.

The paginators ask for it in the same query as their capped count (``paging._count_capped``), so a
list page costs the same number of queries above 10.000 rows as below. The query is only planned
(``EXPLAIN``), never run. Other databases need nothing (SQLite sites count exactly).
"""

from django.db import migrations

# Volatile (the default): PostgreSQL refuses EXPLAIN inside a STABLE function, and a volatile call is
# never folded at plan time, so ``CASE WHEN n > limit THEN aduan_count_estimate(…) END`` plans only past the limit.
CREATE = """
CREATE OR REPLACE FUNCTION aduan_count_estimate(query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END
$$
"""
DROP = "DROP FUNCTION IF EXISTS aduan_count_estimate(text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('aduan_publik', '0019_queue_status_due_index'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
