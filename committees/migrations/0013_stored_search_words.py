"""On PostgreSQL only: the words of the bodies', agencies' and decisions' search keys kept in a stored column,
`search_words`, generated from `search_key` by the database, with the GIN index on it (in place
of the index on the same expression).

Word-prefix search (committees/search.py) asks `search_words @@ to_tsquery('simple', 'ban:* &
chi:*')`. With the words only in an expression index, a list walked in its own order (the admin's
lists, 50 rows a page) had to compute the words of every row it looked at; stored, each row is a
cheap test, and PostgreSQL walks the list's ordering index and stops at the page's last row. The
column holds the same words as the former index, without their positions (a prefix match does not
read them, and the table stays smaller). No model field names it: Django's writes (save,
bulk_create, COPY in records/writes.py) list their columns and the database fills it. A later
change of `search_key`'s type must drop the column first and add it again (PostgreSQL refuses to
alter a column that a generated column reads). SQLite searches without it.
"""

from django.db import migrations

WORDS = "to_tsvector('simple'::regconfig, regexp_replace(search_key, '[^[:alnum:]]+', ' ', 'g'))"
# Stored without the words' positions, which a prefix match does not read: a third smaller.
STORED = f"strip({WORDS})"
TABLES = ['committees_committee', 'committees_agency', 'committees_legalinstrument']

FORWARD = [
    statement
    for t in TABLES
    for statement in (
        f"ALTER TABLE {t} ADD COLUMN search_words tsvector GENERATED ALWAYS AS ({STORED}) STORED",
        f"DROP INDEX IF EXISTS {t}_search_words",
        f"CREATE INDEX {t}_search_words ON {t} USING gin (search_words)",
        # The planner's figures for the new column, so the first searches are planned on them.
        f"ANALYZE {t} (search_words)",
    )
]
BACKWARD = [
    statement
    for t in TABLES
    for statement in (
        f"ALTER TABLE {t} DROP COLUMN IF EXISTS search_words",
        f"CREATE INDEX IF NOT EXISTS {t}_search_words ON {t} USING gin ({WORDS})",
    )
]


def _run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0012_name_keys"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
