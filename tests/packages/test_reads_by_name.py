"""The committee package import reads only the agencies and bodies its names may mean.

A printed name is matched by its key (abbreviations spelled out, a trailing place dropped:
committees/names.py), and agencies and bodies keep their names' keys in columns, so the import
asks for those keys: a registry holding thousands of agencies and bodies the file does not
name costs it nothing, however alike their names are.
"""

import re
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_init

from committees.models import Agency, Committee
from packages.apply import import_packages
from packages.samples import seed_packages
from packages.schema import read_packages
from tests.factories import AgencyFactory, CommitteeFactory

pytestmark = pytest.mark.django_db

REASON = "Quyết định thành lập"
TABLES = (Agency._meta.db_table, Committee._meta.db_table)
_FROM = re.compile(r'^SELECT .*? FROM "(\w+)"', re.DOTALL)


@contextmanager
def _reads():
    """Counts, while open, of the Agency and Committee objects built (rows read into Python)
    and of the rows any SELECT on their tables returned (values() reads too)."""
    counts: Counter = Counter()

    def built(sender, **kwargs):
        counts[f"{sender.__name__} objects"] += 1

    def rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = _FROM.match(sql)
        if table and table.group(1) in TABLES:
            counts[f"{table.group(1)} rows"] += max(context["cursor"].rowcount, 0)
        return result

    for model in (Agency, Committee):
        post_init.connect(built, sender=model)
    try:
        with connection.execute_wrapper(rows):
            yield counts
    finally:
        for model in (Agency, Committee):
            post_init.disconnect(built, sender=model)


def _crowd(size: int) -> None:
    """`size` bodies and agencies the packages do not name, at their level, some with words
    of the packages' own names ("… quận 7"), some with short names."""
    packages = seed_packages()
    bodies = [p["name"] for p in packages]
    agencies = sorted({seat["home_agency"] for p in packages for seat in p["members"]} - {""})
    for n in range(size):
        CommitteeFactory(name=f"{bodies[n % len(bodies)]} quận {n}", level="city")
        CommitteeFactory(level="city")
        AgencyFactory(name=f"{agencies[n % len(agencies)]} quận {n}")
        AgencyFactory(short_name=f"STN {n}")


def _imports(size: int) -> list[Counter]:
    """What importing the demo packages twice (new bodies, then the same file again) read
    from a registry with a crowd of `size`; all rolled back."""
    with transaction.atomic():
        _crowd(size)
        counts = []
        for _time in range(2):
            with _reads() as read:
                import_packages(read_packages(seed_packages()), reason=REASON)
            counts.append(read)
        transaction.set_rollback(True)
    return counts


def test_it_reads_no_agency_or_body_the_file_does_not_name():
    empty = _imports(0)
    crowded = _imports(50)
    assert Agency.objects.count() == Committee.objects.count() == 0
    # The second import read back the agencies and bodies the first one wrote, by their names.
    for key in ("Agency objects", "Committee objects", *(f"{t} rows" for t in TABLES)):
        assert empty[1][key] > 0, key
    # Not one of the 200 others was read, as rows or as objects.
    assert crowded == empty


def test_it_finds_an_agency_kept_without_its_keys(packages):
    """An agency written past clean() (its name keys never computed) is still the one a
    package names by its abbreviation."""
    kept = Agency.objects.create(name="Sở Thông tin và Truyền thông", slug="so-tt-tt")
    assert kept.name_key == ""
    packages[0]["members"][0]["home_agency"] = "Sở TT&TT"
    report = import_packages(read_packages(packages[:1]), reason=REASON)
    assert {"as_printed": "Sở TT&TT", "agency": kept.name} in report.matched_agencies
    assert not Agency.objects.filter(name="Sở TT&TT").exists()
