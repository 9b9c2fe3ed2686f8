"""Each person's names folded (full name and other names, each once), for the possible
duplicates the database groups; existing people filled in batches."""

from django.db import migrations, models

from committees.text import fold

BATCH = 1000


def fill(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    rows = []
    for person in Person.objects.only("pk", "full_name", "other_names").iterator(BATCH):
        names = [person.full_name]
        for item in person.other_names or []:
            names.append(item.get("name", "") if isinstance(item, dict) else str(item))
        person.name_keys = [key for key in dict.fromkeys(fold(name) for name in names) if key]
        rows.append(person)
        if len(rows) >= BATCH:
            Person.objects.bulk_update(rows, ["name_keys"])
            rows = []
    if rows:
        Person.objects.bulk_update(rows, ["name_keys"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0012_search_words_gin_indexes_and_post_trigram_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalperson",
            name="name_keys",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="folded names"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="name_keys",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="folded names"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
