"""The benchmark's own records, written the same way into each of its databases (demo size and
city scale), so each page compares like with like: a committee with a 32-member roster (its
meeting and ten tasks, then a series of meetings since 2025, each with its invitation list and
tasks: more than a page of the meetings and tasks APIs), a committee of 1,000 seats (the largest
at both sizes), fifty committees of twenty seats with their founding decisions, mandates and
targets (a full page of every list of committees, mandates, targets and decisions at demo size
too), a person on several committees, and three users: an administrator, a secretariat and a
focal point. Made once per database; looked up by slug afterwards (primary keys differ)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from committees.models import Agency, Committee, LegalInstrument
from committees.partial_dates import Precision
from committees.permissions import ensure_groups, grant_focal_point, grant_secretariat
from mandates.models import Mandate, Target
from mandates.services import measurement_add
from members.models import Person, Role
from members.roster_writer import SeatOpen, roster_apply
from members.services import membership_appoint
from records.writes import create_with_history, save_validated

REASON = "Benchmark fixture"
COMMITTEE_SLUG = "bench-committee"
BIG_SLUG = "bench-committee-1000"
BIG_SEATS = 1000
# A page of every list is 50 rows: more than that at demo size too, of the city's shapes.
DIRECTORY_SLUG, DIRECTORY, DIRECTORY_SEATS = "bench-directory", 50, 20
SERIES, SERIES_SEED = 100, 7  # meetings of the 32-member committee (60 of them since 2025)
ADMIN, SECRETARIAT, FOCAL_POINT = "bench.admin", "bench.secretariat", "bench.focal"

# Names the synthetic registry never makes (its given names differ, and "Đo" ends each), so an
# import row never meets a namesake at either size and the two sizes run the same import.
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quốc", "Thanh", "Kim", "Công"]
GIVEN = ["Khôi", "Tường", "Vỹ", "Đạt", "Thuận", "Luân", "Nhân", "Triết", "Hòa", "Khang"]
ROSTER_32 = [
    ("Trần Minh Triết", Role.HEAD),
    ("Lê Thị Ngọc Hòa", Role.STANDING_DEPUTY_HEAD),
    ("Phạm Quốc Khang", Role.DEPUTY_HEAD),
    ("Võ Thanh Luân", Role.DEPUTY_HEAD),
    *[
        (f"{SURNAMES[i % 10]} {MIDDLES[(i * 3) % 10]} {GIVEN[(i * 7) % 10]} Đo", Role.MEMBER)
        for i in range(27)
    ],
    ("Bùi Thị Thuận", Role.SECRETARY),
]


@dataclass(frozen=True)
class Fixtures:
    committee: Committee  # 32 members, a meeting, ten tasks (then a hundred meetings more)
    big: Committee  # 1,000 seats
    person: Person  # on several committees
    meeting_id: int
    agency: Agency  # the focal point's, leading some of the meeting's tasks
    users: dict  # "admin", "secretariat", "focal point" → user


def _committee(
    slug: str,
    name: str,
    short_name: str,
    declared: int,
    *,
    agency: Agency | None = None,
    decision: LegalInstrument | None = None,
) -> Committee:
    committee = Committee(
        name=name,
        short_name=short_name,
        slug=slug,
        kind=Committee.Kind.STEERING,
        level="city",
        standing_agency=agency or Agency.objects.filter(slug="cong-an-tphcm").first(),
        established_by=decision or LegalInstrument.objects.filter(number="944").first(),
        founded_on=dt.date(2024, 1, 1),
        founded_precision="year",
        declared_member_count=declared,
    )
    committee.full_clean()
    committee.save()
    return committee


def _roster_32() -> Committee:
    committee = _committee(
        COMMITTEE_SLUG, "Ban Chỉ đạo đo hiệu năng hệ thống", "BCĐ đo hiệu năng", 32
    )
    decision = committee.established_by
    others = list(Committee.objects.filter(dissolved_on__isnull=True).exclude(pk=committee.pk)[:3])
    for index, (name, role) in enumerate(ROSTER_32):
        person = Person(full_name=name, slug=f"bench-person-{index}")
        person.full_clean()
        person.save()
        membership_appoint(
            committee=committee,
            person=person,
            role=role,
            start=dt.date(2024, 3, 1),
            title="Phó Giám đốc Sở Khoa học và Công nghệ",
            decision=decision,
            reason=REASON,
        )
        if index == 0:
            for other in others:  # the person page lists several seats
                membership_appoint(
                    committee=other, person=person, start=dt.date(2024, 6, 1), reason=REASON
                )
    return committee


def _roster_1000() -> Committee:
    committee = _committee(
        BIG_SLUG, "Ban Chỉ đạo đo hiệu năng nghìn thành viên", "BCĐ nghìn", BIG_SEATS
    )
    roles = [Role.HEAD, Role.STANDING_DEPUTY_HEAD, *[Role.DEPUTY_HEAD] * 8]
    seats = []
    for index in range(BIG_SEATS):
        name = (
            f"{SURNAMES[index % 10]} {MIDDLES[(index // 10) % 10]} "
            f"{GIVEN[(index // 100) % 10]} Nghìn"
        )
        seats.append(
            SeatOpen(
                committee=committee,
                person=Person(full_name=name, slug=f"bench-big-{index}"),
                role=roles[index] if index < len(roles) else Role.MEMBER,
                title="Chuyên viên Sở Nội vụ",
                start=dt.date(2024, 3, 1),
                decision=committee.established_by,
            )
        )
    roster_apply(seats, reason=REASON)
    return committee


def _directory() -> None:
    """Fifty committees as seed_scale makes them: each founded by a decision of its own, with
    twenty seats (people of the 1,000-seat roster, each on one of them), three mandates on that
    decision and a target with two measurements."""
    from demo.scale import INDICATORS, MANDATES

    agencies = list(Agency.objects.order_by("pk")[:10])
    people = list(Person.objects.filter(slug__startswith="bench-big-").order_by("pk"))
    seats = []
    for n in range(DIRECTORY):
        name = f"Ban Chỉ đạo đo hiệu năng số {n + 1}"
        agency = agencies[n % len(agencies)]
        decision = save_validated(
            LegalInstrument(
                kind=LegalInstrument.Kind.DECISION,
                number=f"{n + 1}/QĐ-ĐHN",
                title=f"Quyết định thành lập {name}",
                issuer=agency,
                signed_on=dt.date(2024, 1, 1) - dt.timedelta(days=n),
            ),
            reason=REASON,
        )
        committee = _committee(
            f"{DIRECTORY_SLUG}-{n + 1}",
            name,
            f"BCĐ đo {n + 1}",
            DIRECTORY_SEATS,
            agency=agency,
            decision=decision,
        )
        mandates = []
        for order in range(3):
            category, text = MANDATES[(n + order) % len(MANDATES)]
            mandate = save_validated(
                Mandate(
                    committee=committee,
                    text=text.format(topic="đo hiệu năng"),
                    category=category,
                    order=order + 1,
                ),
                reason=REASON,
            )
            mandate.legal_basis.add(decision)
            mandates.append(mandate)
        indicator, unit, baseline, goal = INDICATORS[n % len(INDICATORS)]
        target = save_validated(
            Target(
                committee=committee,
                mandate=mandates[0],
                indicator=f"{indicator} ({name})",
                unit=unit,
                baseline=Decimal(baseline),
                baseline_date=dt.date(2024, 1, 1),
                target_value=Decimal(goal),
                deadline=dt.date(2027 + n % 4, 12, 31),
                deadline_precision=Precision.YEAR,
                responsible_agency=agency,
                source_instrument=decision,
            ),
            reason=REASON,
        )
        for step, day in enumerate((dt.date(2024, 12, 31), dt.date(2025, 12, 31)), start=1):
            value = Decimal(baseline) + (Decimal(goal) - Decimal(baseline)) * step / 3
            measurement_add(target=target, value=round(value, 3), on=day, by=None, reason=REASON)
        roles = [Role.HEAD, Role.DEPUTY_HEAD, *[Role.MEMBER] * (DIRECTORY_SEATS - 2)]
        for person, role in zip(people[n * DIRECTORY_SEATS :], roles, strict=False):
            seats.append(
                SeatOpen(
                    committee=committee,
                    person=person,
                    role=role,
                    title="Chuyên viên Sở Nội vụ",
                    start=dt.date(2024, 3, 1),
                    decision=decision,
                )
            )
    roster_apply(seats, reason=REASON)


class _Writer:
    """Bulk inserts with their history rows, as seed_scale writes (work.scale asks for one)."""

    def create(self, model, objects: list, *, history: bool = True) -> list:
        return create_with_history(model, objects, reason=REASON, history=history)


def _series(committee: Committee) -> None:
    """Meetings of the 32-member committee as seed_scale makes them (each with its invitation
    list from the roster on its day, its agenda and four tasks in the states the city's are),
    dated from its founding to mid-2026: more than a page of them since 2025."""
    from work.scale import work_scale

    agencies = list(Agency.objects.order_by("pk")[:5])
    work_scale(
        seed=SERIES_SEED,
        bodies=[committee],
        agencies=agencies,
        writer=_Writer(),
        per_committee=SERIES,
    )


def _user(username: str, *, superuser: bool = False):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_staff=superuser, is_superuser=superuser)
        user.set_password(uuid.uuid4().hex)
        user.save()
    return user


def ensure_fixtures() -> None:
    """Write the fixtures (once, when the database is built)."""
    from work.scale import bench_fixture

    with transaction.atomic():
        ensure_groups()
        committee = Committee.objects.filter(slug=COMMITTEE_SLUG).first() or _roster_32()
        big = Committee.objects.filter(slug=BIG_SLUG).first() or _roster_1000()
        meeting = bench_fixture(committee)
        if not Committee.objects.filter(slug=f"{DIRECTORY_SLUG}-1").exists():
            _directory()
        if committee.meetings.count() == 1:
            _series(committee)
        _user(ADMIN, superuser=True)
        for kept in (committee, big):
            grant_secretariat(_user(SECRETARIAT), kept)
        grant_focal_point(_user(FOCAL_POINT), _focal_agency(meeting))


def _focal_agency(meeting) -> Agency:
    return meeting.tasks.order_by("pk").first().lead_agency


def load_fixtures() -> Fixtures:
    """The fixtures of the active database (read only)."""
    committee = Committee.objects.get(slug=COMMITTEE_SLUG)
    meeting = committee.meetings.order_by("pk").first()
    users = get_user_model().objects.filter(username__in=[ADMIN, SECRETARIAT, FOCAL_POINT])
    by_name = {user.username: user for user in users}
    return Fixtures(
        committee=committee,
        big=Committee.objects.get(slug=BIG_SLUG),
        person=Person.objects.get(slug="bench-person-0"),
        meeting_id=meeting.pk,
        agency=_focal_agency(meeting),
        users={
            "admin": by_name[ADMIN],
            "secretariat": by_name[SECRETARIAT],
            "focal point": by_name[FOCAL_POINT],
        },
    )
