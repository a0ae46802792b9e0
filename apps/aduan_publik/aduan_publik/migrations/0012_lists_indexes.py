"""Indexes of the complaint lists and the search (issue 14 points 1-2).

Plain indexes (both databases) come from the models' ``Meta.indexes``. The search indexes differ
per database and are created here with SQL from ``aduan_publik.search_schema``:

* PostgreSQL: the ``pg_trgm`` extension (created when the migrating role may; otherwise a
  superuser runs ``CREATE EXTENSION pg_trgm`` once, docs/production.md), a GIN full-text index
  (configuration ``indonesian``) over title, description and place, and trigram GIN indexes for
  tracking numbers and the reporter's name, e-mail, phone and address;
* SQLite: an FTS5 external-content table kept in sync by triggers, filled from the existing rows.
"""

from django.db import migrations, models

from aduan_publik import search_schema


def forwards(apps, schema_editor):
    search_schema.create(schema_editor.connection)


def backwards(apps, schema_editor):
    search_schema.drop(schema_editor.connection)


class Migration(migrations.Migration):

    # CREATE INDEX on a big table is run by the deployment's migrate; the extension needs no transaction.
    atomic = True

    dependencies = [
        ("aduan_publik", "0011_hooks_webhooks"),
    ]

    operations = [
        # (received_at, id) below replaces the single-column index: one index for every newest-first page.
        # On SQLite this rebuilds the table, so it runs before the search triggers are created.
        migrations.AlterField(
            model_name="complaint",
            name="received_at",
            field=models.DateTimeField(verbose_name="diterima"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["received_at", "id"], name="complaint_received_id"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "received_at", "id"], name="complaint_status_received"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    ("duplicate_of__isnull", True), ("is_secret", False), ("verified_at__isnull", False),
                    models.Q(("status", "archived"), _negated=True),
                ),
                fields=["received_at", "id"], name="complaint_public_received",
            ),
        ),
        migrations.AddIndex(
            model_name="disposition",
            index=models.Index(fields=["opd", "complaint"], name="disposition_opd_complaint"),
        ),
        migrations.AddIndex(
            model_name="disposition",
            index=models.Index(
                condition=models.Q(("return_handled_at__isnull", True), ("state", "returned")),
                fields=["complaint"], name="disposition_awaiting_reroute",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
