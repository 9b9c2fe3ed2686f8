"""On PostgreSQL only: GIN indexes over the words of meetings' and tasks' search keys, and their
trigram indexes.

Word-prefix search (committees/search.py) asks `KeyWords(search_key) @@ to_tsquery('simple',
'ban:* & chi:*')`; these GIN indexes hold that same expression, so a common word is an index
scan rather than a look at every row. The typo fallback's trigram index is added where it was
missing. SQLite searches without them.
"""

from django.db import migrations

WORDS = "to_tsvector('simple'::regconfig, regexp_replace(search_key, '[^[:alnum:]]+', ' ', 'g'))"
WORD_TABLES = ['work_meeting', 'work_task']
TRIGRAM_TABLES = ['work_meeting', 'work_task']

FORWARD = [
    *(f"CREATE INDEX IF NOT EXISTS {t}_search_words ON {t} USING gin ({WORDS})" for t in WORD_TABLES),
    *(
        f"CREATE INDEX IF NOT EXISTS {t}_search_trgm ON {t} USING gin (search_key gin_trgm_ops)"
        for t in TRIGRAM_TABLES
    ),
]
BACKWARD = [
    *(f"DROP INDEX IF EXISTS {t}_search_trgm" for t in TRIGRAM_TABLES),
    *(f"DROP INDEX IF EXISTS {t}_search_words" for t in WORD_TABLES),
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
        ("work", "0002_focal_points_in_their_group"),
        # pg_trgm is created there.
        ("members", "0002_postgres_range_rules_and_trigram_search"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
