"""On PostgreSQL only: the words of people's and posts' search keys kept in a stored, GIN-indexed
column, `search_words` (committees/search_migrations.py says why and how)."""

from django.db import migrations

from committees.search_migrations import store_search_words


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0015_seats_by_holder_and_post_index"),
    ]

    operations = [store_search_words("members_person", "members_position")]
