"""Fill the folded search key of existing mandates and targets (and their history rows)."""

from django.db import migrations
from django.db.models import Q

from committees.text import fold

BATCH = 500


def _fill(model, source: str, limit: int | None) -> None:
    rows = []
    missing = model.objects.filter(Q(search_key__isnull=True) | Q(search_key=""))
    for row in missing.only("pk", source).iterator(BATCH):
        key = fold(getattr(row, source))
        row.search_key = key[:limit] if limit else key
        rows.append(row)
        if len(rows) >= BATCH:
            model.objects.bulk_update(rows, ["search_key"])
            rows = []
    if rows:
        model.objects.bulk_update(rows, ["search_key"])


def fill(apps, schema_editor):
    for name in ("Mandate", "HistoricalMandate"):
        _fill(apps.get_model("mandates", name), "text", None)
    for name in ("Target", "HistoricalTarget"):
        _fill(apps.get_model("mandates", name), "indicator", 500)


class Migration(migrations.Migration):
    dependencies = [
        ("mandates", "0002_add_search_key"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
