"""The rule "no one holds two seats of one body at once" keeps its exclusion constraint, with the
person as its first column: the constraint's GiST index then also answers "this person's seats"
(the search page's people, a person's page) instead of being read whole for it, and a body's
seats are found through the roster index (committee, role rank)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE members_membership DROP CONSTRAINT IF EXISTS members_membership_person_no_overlap",
    """ALTER TABLE members_membership ADD CONSTRAINT members_membership_person_no_overlap
        EXCLUDE USING gist (person_id WITH =, committee_id WITH =,
                            daterange(start_date, end_date, '[]') WITH &&)""",
]
BACKWARD = [
    "ALTER TABLE members_membership DROP CONSTRAINT IF EXISTS members_membership_person_no_overlap",
    """ALTER TABLE members_membership ADD CONSTRAINT members_membership_person_no_overlap
        EXCLUDE USING gist (committee_id WITH =, person_id WITH =,
                            daterange(start_date, end_date, '[]') WITH &&)""",
]


def _run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("members", "0013_person_folded_names")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
