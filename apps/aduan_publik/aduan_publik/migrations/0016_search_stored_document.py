"""The search's document as a stored column (issue 14: search at 1,000,000 complaints).

PostgreSQL: ``search_doc``, a ``tsvector`` column generated from title, description and place and
stored, with a GIN index, in place of 0012's expression index (``search_schema.stored_document_add``).
A common word is then searched by walking the list's own order and testing each row's stored
document; a rare word through the GIN index. Adding the column rewrites the complaint table: at
1,000,000 complaints it takes minutes and blocks the table meanwhile (docs/production.md).
SQLite: nothing (its FTS5 table stays).
"""

from django.db import migrations

from aduan_publik import search_schema


def forwards(apps, schema_editor):
    search_schema.stored_document_add(schema_editor.connection)


def backwards(apps, schema_editor):
    search_schema.stored_document_remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("aduan_publik", "0015_clean_desk_wording"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
