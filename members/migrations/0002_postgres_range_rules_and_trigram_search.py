"""On PostgreSQL only: exclusion constraints over membership date ranges, and trigram search.

The partial unique constraints of 0001 hold on every database; these add what only
PostgreSQL can hold: no two overlapping terms of one single-seat role (head,
standing deputy head, group leader) on a committee, and no two overlapping seats of
one person on one committee, whatever the dates. The trigram indexes make the folded
search keys fast for "nguyen van duoc"-style searches. SQLite skips both; the
services check the same rules there.
"""

from django.db import migrations

SINGLE_SEAT = "('head', 'standing_deputy_head', 'group_leader')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"""ALTER TABLE members_membership ADD CONSTRAINT members_membership_single_seat_no_overlap
        EXCLUDE USING gist (committee_id WITH =, role WITH =,
                            daterange(start_date, end_date, '[]') WITH &&)
        WHERE (role IN {SINGLE_SEAT})""",
    """ALTER TABLE members_membership ADD CONSTRAINT members_membership_person_no_overlap
        EXCLUDE USING gist (committee_id WITH =, person_id WITH =,
                            daterange(start_date, end_date, '[]') WITH &&)""",
    "CREATE INDEX members_person_search_trgm ON members_person USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX committees_committee_search_trgm ON committees_committee USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX committees_agency_search_trgm ON committees_agency USING gin (search_key gin_trgm_ops)",
    "CREATE INDEX committees_instrument_search_trgm ON committees_legalinstrument USING gin (search_key gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS committees_instrument_search_trgm",
    "DROP INDEX IF EXISTS committees_agency_search_trgm",
    "DROP INDEX IF EXISTS committees_committee_search_trgm",
    "DROP INDEX IF EXISTS members_person_search_trgm",
    "ALTER TABLE members_membership DROP CONSTRAINT IF EXISTS members_membership_person_no_overlap",
    "ALTER TABLE members_membership DROP CONSTRAINT IF EXISTS members_membership_single_seat_no_overlap",
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
        ("members", "0001_initial"),
        ("committees", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
