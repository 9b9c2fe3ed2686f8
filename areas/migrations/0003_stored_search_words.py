"""On PostgreSQL only: the words of areas' search keys kept in a stored, GIN-indexed
column, `search_words` (committees/search_migrations.py says why and how)."""

from django.db import migrations

from committees.search_migrations import store_search_words


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0002_search_words_gin_and_trigram_indexes"),
    ]

    operations = [store_search_words("areas_area")]
