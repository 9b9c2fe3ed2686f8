"""The name keys of agencies and bodies (committees/names.py), kept in columns and filled for
the rows already kept (and their history rows), so the committee package reads the agencies
and bodies it names by key instead of every row. The indexes are built after the filling."""

from django.db import migrations, models

from committees.names import name_key

BATCH = 1000


def _fill(model, keys: dict[str, str]) -> None:
    """`keys` maps each key column to the name column it is the key of."""
    rows = []
    for row in model.objects.only("pk", *keys.values()).order_by("pk").iterator(BATCH):
        for column, source in keys.items():
            setattr(row, column, name_key(getattr(row, source)))
        rows.append(row)
        if len(rows) >= BATCH:
            model.objects.bulk_update(rows, list(keys))
            rows = []
    if rows:
        model.objects.bulk_update(rows, list(keys))


def fill(apps, schema_editor):
    for name in ("Agency", "HistoricalAgency"):
        _fill(
            apps.get_model("committees", name),
            {"name_key": "name", "short_name_key": "short_name"},
        )
    for name in ("Committee", "HistoricalCommittee"):
        _fill(apps.get_model("committees", name), {"name_key": "name"})


class Migration(migrations.Migration):

    dependencies = [
        ('committees', '0011_committee_founded_on_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='name_key',
            field=models.TextField(default='', editable=False, verbose_name='name key'),
        ),
        migrations.AddField(
            model_name='agency',
            name='short_name_key',
            field=models.TextField(default='', editable=False, verbose_name='short name key'),
        ),
        migrations.AddField(
            model_name='committee',
            name='name_key',
            field=models.TextField(default='', editable=False, verbose_name='name key'),
        ),
        migrations.AddField(
            model_name='historicalagency',
            name='name_key',
            field=models.TextField(default='', editable=False, verbose_name='name key'),
        ),
        migrations.AddField(
            model_name='historicalagency',
            name='short_name_key',
            field=models.TextField(default='', editable=False, verbose_name='short name key'),
        ),
        migrations.AddField(
            model_name='historicalcommittee',
            name='name_key',
            field=models.TextField(default='', editable=False, verbose_name='name key'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='agency',
            index=models.Index(fields=['name_key'], name='committees_agency_name_key'),
        ),
        migrations.AddIndex(
            model_name='agency',
            index=models.Index(fields=['short_name_key'], name='committees_agency_short_key'),
        ),
        migrations.AddIndex(
            model_name='committee',
            index=models.Index(fields=['name_key'], name='committees_committee_name_key'),
        ),
    ]
