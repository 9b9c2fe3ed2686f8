"""The one migration operation that keeps each search key's words in a stored column (the
`*_stored_search_words` migrations of five apps ask it): on PostgreSQL only, `search_words`,
generated from `search_key` by the database, with the GIN index on it (in place of the index on
the same expression).

Word-prefix search (committees/search.py) asks `search_words @@ to_tsquery('simple', 'ban:* &
chi:*')`. With the words only in an expression index, a list walked in its own order (the admin's
lists, 50 rows a page) had to compute the words of every row it looked at; stored, each row is a
cheap test, and PostgreSQL walks the list's ordering index and stops at the page's last row. The
column holds the same words as the former index, without their positions (a prefix match does not
read them, and the table stays smaller). No model field names it: Django's writes (save,
bulk_create, COPY in records/writes.py) list their columns and the database fills it. A later
change of `search_key`'s type must drop the column first and add it again (PostgreSQL refuses to
alter a column that a generated column reads). SQLite searches without it.

Applied migrations use this module: change it only in a way that gives the same database.
"""

from django.db import migrations

WORDS = "to_tsvector('simple'::regconfig, regexp_replace(search_key, '[^[:alnum:]]+', ' ', 'g'))"
# Stored without the words' positions, which a prefix match does not read: a third smaller.
STORED = f"strip({WORDS})"


def _forward(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN search_words tsvector "
        f"GENERATED ALWAYS AS ({STORED}) STORED",
        f"DROP INDEX IF EXISTS {table}_search_words",
        f"CREATE INDEX {table}_search_words ON {table} USING gin (search_words)",
        # The planner's figures for the new column, so the first searches are planned on them.
        f"ANALYZE {table} (search_words)",
    ]


def _backward(table: str) -> list[str]:
    return [
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_words",
        f"CREATE INDEX IF NOT EXISTS {table}_search_words ON {table} USING gin ({WORDS})",
    ]


def _run(statements: list[str]):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


def store_search_words(*tables: str) -> migrations.RunPython:
    """The operation for these tables (their `search_key` column's words)."""
    forward = [statement for table in tables for statement in _forward(table)]
    backward = [statement for table in tables for statement in _backward(table)]
    return migrations.RunPython(_run(forward), _run(backward), elidable=False)
