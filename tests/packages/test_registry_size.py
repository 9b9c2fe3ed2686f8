"""The committee package import asks as many queries of a crowded registry as of an empty one.

Its lookups (the people of each name and what the registry knows them by, agencies, bodies,
decisions, free slugs) are read in batches per package, so their number depends on the
package only, never on how many namesakes or similar names the registry holds.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from packages.apply import import_packages
from packages.samples import seed_packages
from packages.schema import read_packages
from records.writes import slug_base
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    HoldingFactory,
    InstrumentFactory,
    MembershipFactory,
    PersonFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Quyết định thành lập"


def _seats(package: dict) -> list[dict]:
    return package["members"] + ((package["support_group"] or {}).get("members") or [])


def _crowd(copies: int) -> None:
    """`copies` of a crowd around the package: for each person it names, a namesake known by
    another post, seated on another body, holding the slug a new person of that name would
    take, and someone whose name begins with theirs; for each agency, body and decision, one
    of a similar name or number (a body of the same name at another level), holding the slug
    the import would give a new one. None of them is the package's."""
    packages = seed_packages()
    people = {seat["person"] for package in packages for seat in _seats(package)}
    agencies = {seat["home_agency"] for package in packages for seat in _seats(package)}
    agencies |= {p["standing_agency"] for p in packages} | {
        p["established_by"]["issuer"] for p in packages
    }
    bodies = {p["name"] for p in packages} | {
        p["support_group"]["name"] for p in packages if p["support_group"]
    }
    bodies |= {name for p in packages for name in p["predecessors"]}
    numbers = {p["established_by"]["number"] for p in packages} - {""}
    elsewhere = CommitteeFactory(name="Ban Chỉ đạo ở nơi khác")
    for copy in range(copies):
        suffix = f"-{copy + 1}" if copy else ""
        for name in people:
            namesake = PersonFactory(full_name=name, slug=slug_base(name, max_length=220) + suffix)
            HoldingFactory(person=namesake, position=PositionFactory(title=f"Chuyên viên {copy}"))
            MembershipFactory(
                person=namesake, committee=elsewhere, title_at_appointment=f"Cố vấn {copy}"
            )
            PersonFactory(full_name=f"{name} {copy}")
        for name in agencies - {""}:
            AgencyFactory(
                name=f"{name} (cơ sở {copy})", slug=slug_base(name, max_length=120) + suffix
            )
        for name in bodies:
            CommitteeFactory(
                name=name, level="district", slug=slug_base(name, max_length=150) + suffix
            )
            CommitteeFactory(name=f"{name} (khóa {copy})")
        for number in numbers:
            InstrumentFactory(number=f"{number}/{copy}", title=f"Quyết định {number} bản {copy}")


def _imports(copies: int) -> tuple[list[int], int]:
    """The queries of importing the demo packages twice (new bodies, then the same file
    again) into the registry with `copies` of the crowd, and the possible matches the first
    import found; all rolled back."""
    with transaction.atomic():
        _crowd(copies)
        counts, asked = [], []
        for _time in range(2):
            with CaptureQueriesContext(connection) as log:
                report = import_packages(read_packages(seed_packages()), reason=REASON)
            counts.append(len(log.captured_queries))
            asked.append(len(report.possible_matches))
        transaction.set_rollback(True)
    return counts, asked[0]


def test_the_package_import_asks_as_many_queries_of_a_crowded_registry():
    _imports(0)  # the first import in a process fills caches (content types) once
    empty, asked_of_empty = _imports(0)
    crowded, asked_of_crowd = _imports(12)
    # The crowd's namesakes were found, and asked about.
    assert asked_of_crowd > asked_of_empty
    assert crowded == empty
