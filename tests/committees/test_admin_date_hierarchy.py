"""Every admin list with a date hierarchy asks for the first and last date of its field on
each page: an index answers that, so the page does not read the whole table (a country's
seats, tasks, decisions)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Max, Min

pytestmark = pytest.mark.django_db

HIERARCHIES = sorted(
    (
        (model, model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
    ),
    key=lambda pair: pair[0]._meta.label,
)


def test_the_registry_has_date_hierarchies():
    assert {model._meta.label for model, _ in HIERARCHIES} >= {
        "committees.Committee",
        "committees.LegalInstrument",
        "members.PositionHolding",
    }


@pytest.mark.parametrize(
    ("model", "field"), HIERARCHIES, ids=[f"{m._meta.label}.{f}" for m, f in HIERARCHIES]
)
def test_first_and_last_date_come_from_an_index(model, field):
    """The first and last date, as the admin's date hierarchy asks them, with sequential
    scans priced out: an index that holds the column is taken, else the plan still scans."""
    queryset = model._default_manager.order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    sql, params = queryset.values(first=Min(field), last=Max(field)).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan
