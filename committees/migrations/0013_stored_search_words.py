"""On PostgreSQL only: the words of the bodies', agencies' and decisions' search keys kept in a
stored, GIN-indexed column, `search_words` (committees/search_migrations.py says why and how)."""

from django.db import migrations

from committees.search_migrations import store_search_words


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0012_name_keys"),
    ]

    operations = [
        store_search_words(
            "committees_committee",
            "committees_agency",
            "committees_legalinstrument",
        )
    ]
