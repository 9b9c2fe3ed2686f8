"""A canonical export of the whole registry: every row of every model, in a fixed order and a
fixed format, so two databases holding the same data give the same bytes (the restore drill
compares a backup restored into a fresh database with the database it was taken from).

Models are taken in the order of their labels, rows in the order of their primary keys, fields
by name; many-to-many lists are sorted; JSON values have sorted keys. One record a line.
"""

import json
from collections.abc import Iterator

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router


def _models():
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if not router.allow_migrate_model("default", model):
            continue
        yield model


def _records() -> Iterator[dict]:
    for model in _models():
        queryset = model._default_manager.using("default").order_by("pk")
        for record in serializers.serialize("python", queryset.iterator(chunk_size=2000)):
            fields = record["fields"]
            for name in [field.name for field in model._meta.many_to_many]:
                if name in fields:
                    fields[name] = sorted(fields[name], key=repr)
            yield {"model": record["model"], "pk": record["pk"], "fields": fields}


def canonical_lines() -> Iterator[str]:
    for record in _records():
        yield json.dumps(
            record, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )


def canonical_export() -> bytes:
    """The whole registry as UTF-8 bytes: one JSON record a line."""
    return "".join(f"{line}\n" for line in canonical_lines()).encode("utf-8")
