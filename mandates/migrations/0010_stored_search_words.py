"""On PostgreSQL only: the words of mandates' and targets' search keys kept in a stored,
GIN-indexed column, `search_words` (committees/search_migrations.py says why and how)."""

from django.db import migrations

from committees.search_migrations import store_search_words


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0009_mandate_and_target_listing_indexes"),
    ]

    operations = [store_search_words("mandates_mandate", "mandates_target")]
