"""On PostgreSQL only: trigram indexes, so the admin's "contains" search on folded keys stays fast."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS mandates_mandate_search_trgm "
    "ON mandates_mandate USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS mandates_target_search_trgm "
    "ON mandates_target USING gin (search_key gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS mandates_target_search_trgm",
    "DROP INDEX IF EXISTS mandates_mandate_search_trgm",
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
        ("mandates", "0004_enforce_search_key"),
        # pg_trgm is created there.
        ("members", "0002_postgres_range_rules_and_trigram_search"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
