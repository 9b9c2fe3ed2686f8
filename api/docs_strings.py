"""The endpoint descriptions the documentation page shows, as the schema gives them (from the
views' docstrings), listed so they have a Vietnamese translation: the page is in one language."""

from django.utils.translation import gettext_noop

ENDPOINT_DESCRIPTIONS = (
    gettext_noop(
        "Agencies: the People's Committee, departments, the police, Party bodies, parties…"
    ),
    gettext_noop(
        "Committees, national committees, support groups and councils, with lineage and member "
        "counts.\n\n`actual_member_count` counts the seats held today; `declared_member_count` "
        "is what\nthe founding decision says."
    ),
    gettext_noop(
        "A Popolo JSON document (persons, organizations, memberships, posts, events). Extra "
        "fields: registry_type, kind, level, standing_agency_id, declared_member_count, "
        "actual_member_count, lineage, end_reason, home_agency_id, single_holder."
    ),
    gettext_noop("Decisions, resolutions, laws, schemes and plans."),
    gettext_noop("What each committee is charged with, and on which legal basis."),
    gettext_noop(
        "Seats: a person in a role on a committee, dated. `active_on=YYYY-MM-DD` gives a roster "
        "on a day\n(a seat whose start is unknown counts)."
    ),
    gettext_noop("Every recorded version of the seat, with who changed it and why (readers only)."),
    gettext_noop("People, with other names and identifiers. `q` searches without diacritics."),
    gettext_noop("Posts in agencies that give ex officio seats."),
    gettext_noop("Targets with their measurements (newest first) and today's status."),
    # Django REST framework's parameter descriptions, which its catalogue lacks in Vietnamese.
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("A {value_type} identifying this {name}."),
    gettext_noop("unique integer value"),
    gettext_noop("unique value"),
)
