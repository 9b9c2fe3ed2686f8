"""seed_scale: a synthetic registry that keeps every model rule, the same for the same seed."""

import hashlib
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from committees.models import Agency, Committee, Succession
from committees.names import name_key
from committees.text import fold
from mandates.models import Measurement, Target
from members.models import ROLE_RANK, SINGLE_SEAT_ROLES, Membership, Person, PositionHolding

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = {"committees": 60, "people": 400, "memberships": 1500}


def _seed(seed: int) -> None:
    call_command("seed_scale", seed=seed, verbosity=0, **SIZE)


def _digest() -> str:
    """The registry by natural keys (slugs, names, dates), independent of primary keys."""
    digest = hashlib.sha256()
    for row in Committee.objects.order_by("slug").values_list(
        "slug", "name", "kind", "level", "parent__slug", "founded_on", "founded_precision",
        "dissolved_on", "standing_agency__slug", "established_by__number",
    ):  # fmt: skip
        digest.update(repr(row).encode())
    for row in Person.objects.order_by("slug").values_list("slug", "full_name", "gender", "rank"):
        digest.update(repr(row).encode())
    for row in Membership.objects.order_by("committee__slug", "person__slug", "start_date").values_list(
        "committee__slug", "person__slug", "role", "start_date", "start_precision", "end_date",
        "end_reason", "position__title", "title_at_appointment", "appointed_by__number",
    ):  # fmt: skip
        digest.update(repr(row).encode())
    for row in Succession.objects.order_by("predecessor__slug", "successor__slug").values_list(
        "predecessor__slug", "successor__slug", "kind", "date"
    ):
        digest.update(repr(row).encode())
    for row in Measurement.objects.order_by("target__indicator", "date").values_list(
        "target__committee__slug", "target__indicator", "date", "value"
    ):
        digest.update(repr(row).encode())
    for model in (Membership, Person, Committee, Target):
        digest.update(repr(model.history.order_by().values_list("history_date").count()).encode())
    history = Membership.history.order_by("history_date", "person__slug").values_list(
        "history_date", "history_type", "person__slug", "end_date"
    )
    for row in history:
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_same_seed_writes_the_same_registry_and_another_seed_does_not():
    _seed(5)
    first = _digest()
    call_command("flush", interactive=False, verbosity=0)
    _seed(5)
    assert _digest() == first
    call_command("flush", interactive=False, verbosity=0)
    _seed(6)
    assert _digest() != first


def test_the_same_seed_twice_in_one_database_is_refused_and_changes_nothing():
    from django.core.management.base import CommandError

    _seed(9)
    count = Membership.objects.count()
    with pytest.raises(CommandError, match="already in this database"):
        _seed(9)
    assert Membership.objects.count() == count


def test_the_registry_keeps_every_model_rule():
    _seed(11)
    assert Committee.objects.count() == SIZE["committees"]
    assert Person.objects.count() == SIZE["people"]
    assert Membership.objects.count() == SIZE["memberships"]

    # Names: NFC, with diacritics, and a search key folded from them.
    names = list(Person.objects.values_list("full_name", "search_key"))
    assert all(unicodedata.is_normalized("NFC", name) for name, _key in names)
    assert all(key == fold(name) for name, key in names)
    assert any(set(name) & set("ễừđĐưạộ") for name, _key in names)
    for name, key, matched_by in Committee.objects.values_list("name", "search_key", "name_key"):
        assert unicodedata.is_normalized("NFC", name)
        assert key == fold(name)
        assert matched_by == name_key(name)  # the committee package finds bodies by it
    agencies = Agency.objects.values_list("name", "short_name", "name_key", "short_name_key")
    assert any(short for _name, short, _key, _short_key in agencies)
    for name, short, key, short_key in agencies:
        assert (key, short_key) == (name_key(name), name_key(short))

    # Seats: role ranks, reasons for every end, one holder at a time of a single seat.
    for role, rank in Membership.objects.values_list("role", "role_rank").distinct():
        assert ROLE_RANK[role] == rank
    assert not Membership.objects.filter(end_date__isnull=False, end_reason="").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM members_membership a JOIN members_membership b
               ON a.committee_id = b.committee_id AND a.id < b.id
               AND (a.person_id = b.person_id OR (a.role = b.role AND a.role = ANY(%s)))
               AND daterange(a.start_date, a.end_date, '[]') && daterange(b.start_date, b.end_date, '[]')""",
            [list(SINGLE_SEAT_ROLES)],
        )
        assert cursor.fetchone()[0] == 0
    active = set(Committee.objects.filter(dissolved_on__isnull=True).values_list("pk", flat=True))
    led = set(
        Membership.objects.filter(
            end_date__isnull=True, role__in=["head", "group_leader"]
        ).values_list("committee_id", flat=True)
    )
    assert active == led  # every active body has exactly one head (or group leader)
    assert not Membership.objects.filter(
        end_date__isnull=True, committee__dissolved_on__isnull=False
    ).exists()

    # Shapes the articles show: support groups, lineage, posts changing holders, targets.
    assert Committee.objects.filter(kind="support_group", parent__isnull=False).exists()
    assert not Committee.objects.filter(kind="support_group", parent__isnull=True).exists()
    assert Succession.objects.exists()
    assert (
        PositionHolding.objects.values("position").order_by().distinct().count()
        < PositionHolding.objects.count()
    )
    assert not PositionHolding.objects.filter(end_date__isnull=False, ended=False).exists()
    open_per_post = (
        PositionHolding.objects.filter(position__single_holder=True, end_date__isnull=True)
        .values("position")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not open_per_post.exists()  # a single-holder post has one holder at a time
    assert Measurement.objects.exists()
    for target in Target.objects.select_related("mandate"):
        assert target.mandate.committee_id == target.committee_id

    # History: every record has its '+' row; a term already over went in with its end (as
    # an import records one), its day of record the day it began.
    assert Membership.history.filter(history_type="+").count() == SIZE["memberships"]
    assert not Membership.history.exclude(history_type="+").exists()
    ended = Membership.history.filter(end_date__isnull=False)
    assert ended.count() == Membership.objects.filter(end_date__isnull=False).count() > 0
    assert Person.history.count() == SIZE["people"]

    # The models' own validation accepts a sample, overlap checks included.
    for membership in Membership.objects.order_by("pk")[:: SIZE["memberships"] // 40]:
        membership.full_clean()
    for committee in Committee.objects.order_by("pk")[:: SIZE["committees"] // 20]:
        committee.full_clean()
    for holding in PositionHolding.objects.order_by("pk"):
        holding.full_clean()


def test_a_named_size_takes_the_figures_given_in_its_place():
    from work.models import Meeting

    call_command(
        "seed_scale", size="national", committees=12, people=40, memberships=90,
        meetings_per_committee=1, seed=21, verbosity=0,
    )  # fmt: skip
    assert Committee.objects.filter(slug__startswith="scale21-").count() == 12
    assert Membership.objects.filter(source="seed_scale").count() == 90
    assert Meeting.objects.filter(committee__slug__startswith="scale21-").count() == 12
