"""The search's database objects, per database: created by migrations 0012 and 0016, checked after every migrate.

PostgreSQL: the stored generated column :data:`DOCUMENT_COLUMN` (``tsvector`` of :data:`DOCUMENT_SQL`,
configuration ``indonesian``) with its GIN index :data:`DOCUMENT_INDEX` (migration 0016; 0012 had an
expression index instead), and trigram (``pg_trgm``) GIN indexes over ``UPPER(column)``, the form
Django's ``icontains`` compares. The column is stored, not an expression, so that a search for a
common word can walk a list's order index and test each row cheaply (no ``to_tsvector`` per row),
while a rare word is read from the GIN index: the planner chooses per query from the column's
statistics. The column is unknown to the Django model (PostgreSQL fills it on every write); a
migration that changes the type of ``title``, ``description`` or ``location_text`` must drop it first
(:func:`stored_document_remove`) and add it back after (:func:`stored_document_add`).
The search (``selectors/search.py``) must use exactly these expressions, or PostgreSQL cannot use
the indexes; ``tests/aduan_publik/selectors/test_list_plans.py`` checks the plans.

SQLite: an FTS5 external-content table over the same three columns with the ``trigram`` tokenizer
(SQLite >= 3.34; a word matches anywhere inside a word, as «lubang» in «berlubang»: SQLite has no
Indonesian stemmer), kept in sync by triggers.
A migration that rebuilds the complaint table (SQLite alters a table by copying it) drops its
triggers: :func:`ensure` (run after every ``migrate``) puts them back and rebuilds the index.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.utils import DatabaseError

CONFIG = "indonesian"
TABLE = "aduan_publik_complaint"
FTS_TABLE = "aduan_publik_complaint_fts"
TEXT_COLUMNS = ("title", "description", "location_text")
# Unqualified column names: used inside a query on the complaint table alone (and in the index).
DOCUMENT_SQL = (f"to_tsvector('{CONFIG}'::regconfig, "
                + " || ' ' || ".join(f"COALESCE({c}, '')" for c in TEXT_COLUMNS) + ")")
TRIGRAM_INDEXES = {
    "complaint_tracking_trgm": ("aduan_publik_complaint", "tracking_number"),
    "contact_name_trgm": ("aduan_publik_contact", "name"),
    "contact_email_trgm": ("aduan_publik_contact", "email"),
    "contact_phone_trgm": ("aduan_publik_contact", "phone"),
    "contact_address_trgm": ("aduan_publik_contact", "address"),
}
FULLTEXT_INDEX = "complaint_search_doc"  # migration 0012's expression index, replaced by the column's in 0016
DOCUMENT_COLUMN = "search_doc"  # a name no other table of the search's joins has: usable unqualified
DOCUMENT_INDEX = "complaint_search_vec"
EXTENSION_HELP = ("PostgreSQL extension pg_trgm is missing and this database role may not create it. "
                  "Run once as a superuser: CREATE EXTENSION IF NOT EXISTS pg_trgm; then migrate again.")


def create(connection: Any) -> None:
    if connection.vendor == "postgresql":
        _postgres_create(connection)
    elif connection.vendor == "sqlite":
        _sqlite_create(connection, rebuild=True)


def drop(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in (FULLTEXT_INDEX, DOCUMENT_INDEX, *TRIGRAM_INDEXES):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        elif connection.vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def ensure(connection: Any) -> bool:
    """Put back what a table rebuild removed (SQLite triggers); True when something was repaired."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        if not cursor.fetchone()[0]:
            return False  # migrations not run yet
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                       [f"{FTS_TABLE}_a_"])
        if cursor.fetchone()[0] == 3:
            return False
    _sqlite_create(connection, rebuild=True)
    return True


def stored_document_add(connection: Any) -> None:
    """PostgreSQL: the stored document column and its GIN index in place of 0012's expression index.

    Adding a stored generated column rewrites the table (and rebuilds its indexes) under an exclusive
    lock: at 1,000,000 complaints a few minutes (docs/production.md: a quiet hour).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {DOCUMENT_COLUMN} tsvector "
                       f"GENERATED ALWAYS AS ({DOCUMENT_SQL}) STORED")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {DOCUMENT_INDEX} ON {TABLE} USING GIN ({DOCUMENT_COLUMN})")
        cursor.execute(f"DROP INDEX IF EXISTS {FULLTEXT_INDEX}")
        # Statistics at once (the planner's choice between walking a list and the GIN index needs them),
        # not at autovacuum's next visit.
        cursor.execute(f"ANALYZE {TABLE}")


def stored_document_remove(connection: Any) -> None:
    """PostgreSQL: back to migration 0012's expression index."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {FULLTEXT_INDEX} ON {TABLE} USING GIN (({DOCUMENT_SQL}))")
        cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {DOCUMENT_COLUMN}")  # drops its index too


def _postgres_create(connection: Any) -> None:
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint: a refusal leaves the rest usable
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            if not cursor.fetchone()[0]:
                raise RuntimeError(EXTENSION_HELP) from None
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {FULLTEXT_INDEX} ON {TABLE} USING GIN (({DOCUMENT_SQL}))")
        for name, (table, column) in TRIGRAM_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                           f"USING GIN ((UPPER({column}::text)) gin_trgm_ops)")


def _sqlite_create(connection: Any, *, rebuild: bool) -> None:
    columns = ", ".join(TEXT_COLUMNS)
    new = ", ".join(f"new.{c}" for c in TEXT_COLUMNS)
    old = ", ".join(f"old.{c}" for c in TEXT_COLUMNS)
    # Only this module's constants go into the SQL (S608): no outside value.
    add = f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.id, {new});"  # noqa: S608
    remove = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) VALUES ('delete', old.id, {old});"  # noqa: S608
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({columns}, content='{TABLE}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {TABLE} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {TABLE} BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF {columns} ON {TABLE} "
        f"BEGIN {remove} {add} END",
    ]
    if rebuild:  # fill from the rows already there (or repair after lost triggers)
        statements.append(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
