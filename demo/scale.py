"""A synthetic registry at city scale (seed_scale): deterministic for a seed, bulk-written.

The data follows every rule the models keep: NFC names with folded search keys, one holder
at a time of a single-seat role (terms of a seat follow each other, never overlap), no person
twice on one committee at once, role ranks from ROLE_RANK, ended seats with a reason and a
decision, support groups under a committee, lineage between dissolved bodies and their
successors, posts that change holders, targets with dated measurements, and a history row
for every record (plus one for every seat that ended). Dates are fixed by the seed, never by
the clock, so two runs with one seed write the same registry.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone, translation

from committees.models import Agency, Committee, LegalInstrument, Level, Succession
from committees.partial_dates import Precision, normalise
from committees.text import fold, nfc
from mandates.models import Mandate, Measurement, Target
from members.models import Membership, Person, Position, PositionHolding, Role, name_keys
from members.roster_writer import SeatOpen, roster_apply
from members.rules import SINGLE_SEAT_ROLES
from records.writes import create_with_history
from work.scale import MEETINGS_PER_COMMITTEE, work_scale

# The registry's "now" for synthetic data: open terms run past it, nothing starts after it.
HORIZON = dt.date(2026, 6, 30)
# The sizes `seed_scale --size` names: a city (Ho Chi Minh City's order of magnitude) and the
# whole country (34 provinces and some 3,300 communes, each with its steering committees).
SIZES = {
    "city": {"committees": 5_000, "people": 20_000, "memberships": 100_000,
             "meetings_per_committee": MEETINGS_PER_COMMITTEE},
    "national": {"committees": 50_000, "people": 200_000, "memberships": 1_000_000,
                 "meetings_per_committee": 2},
}  # fmt: skip
EARLIEST = dt.date(2010, 1, 1)
SEATS_PER_PLAN = 20_000  # seats the roster writer checks and writes at once
REASON = "Synthetic scale data (seed_scale, seed {seed})"

SURNAMES = [
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 4),
    ("Phan", 4), ("Vũ", 3), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Lâm", 1), ("Trương", 1), ("Đinh", 1), ("Tạ", 1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Hoàng", "Công", "Đình", "Mạnh", "Anh"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Hồng", "Phương", "Bích", "Diệu"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Được", "Đức", "Hải", "Hiếu", "Hùng", "Huy", "Khoa", "Khánh",
    "Long", "Mãi", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thắng",
    "Thông", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Dương", "Lộc", "Hưng", "Kiên",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Châu", "Diễm", "Giang", "Hà", "Hạnh", "Hằng", "Hương", "Lan", "Liên", "Linh", "Loan",
    "Mai", "Nga", "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Thủy", "Trang", "Trinh",
    "Tuyết", "Uyên", "Vân", "Xuân", "Yến", "Ánh", "Ngọc",
]  # fmt: skip
RANKS = ["Đại tá", "Thượng tá", "Trung tá", "Thiếu tướng"]
DEPARTMENTS = [
    ("Kế hoạch và Đầu tư", "KH&ĐT"), ("Tài chính", "TC"), ("Khoa học và Công nghệ", "KH&CN"),
    ("Thông tin và Truyền thông", "TT&TT"), ("Nội vụ", "NV"), ("Tư pháp", "TP"),
    ("Công Thương", "CT"), ("Xây dựng", "XD"), ("Giao thông vận tải", "GTVT"),
    ("Tài nguyên và Môi trường", "TN&MT"), ("Y tế", "YT"), ("Giáo dục và Đào tạo", "GD&ĐT"),
    ("Lao động - Thương binh và Xã hội", "LĐTB&XH"), ("Văn hóa và Thể thao", "VH&TT"),
    ("Du lịch", "DL"), ("Nông nghiệp và Phát triển nông thôn", "NN&PTNT"),
    ("Quy hoạch - Kiến trúc", "QH-KT"), ("Ngoại vụ", "NgV"), ("An toàn thực phẩm", "ATTP"),
]  # fmt: skip
WARDS = [
    "Bến Thành", "Sài Gòn", "Tân Định", "Đa Kao", "Cầu Ông Lãnh", "Bàn Cờ", "Xuân Hòa",
    "Nhiêu Lộc", "Chợ Quán", "An Đông", "Chợ Lớn", "Bình Tây", "Phú Lâm", "Tân Sơn Nhất",
    "Thủ Đức", "Linh Xuân", "Tam Bình", "Hiệp Bình", "Long Bình", "Tăng Nhơn Phú", "Phước Long",
    "Bình Trưng", "Cát Lái", "An Khánh", "Thảo Điền", "Gò Vấp", "Hạnh Thông", "An Nhơn",
    "Thông Tây Hội", "An Hội Tây", "Bình Thạnh", "Gia Định", "Thạnh Mỹ Tây", "Bình Lợi Trung",
    "Phú Nhuận", "Đức Nhuận", "Cầu Kiệu", "Tân Bình", "Bảy Hiền", "Tân Hòa", "Tân Sơn Hòa",
    "Tân Phú", "Phú Thọ Hòa", "Tây Thạnh", "Bình Hưng Hòa", "Bình Tân", "An Lạc", "Tân Tạo",
    "Phú Định", "Bình Đông", "Chánh Hưng", "Phú Thuận", "Tân Thuận", "Tân Mỹ", "Tân Hưng",
    "Nhà Bè", "Hiệp Phước", "Bình Chánh", "Tân Nhựt", "Hưng Long", "Củ Chi", "Tân An Hội",
    "Phú Hòa Đông", "Hóc Môn", "Đông Thạnh", "Bà Điểm", "Cần Giờ", "Thạnh An", "Bình Khánh",
    "An Thới Đông", "Vĩnh Lộc", "Xuân Thới Sơn", "Long Phước", "Trường Thạnh", "Đông Hưng Thuận",
]  # fmt: skip
DIVISIONS = ["Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Thanh tra",
             "Phòng Pháp chế", "Phòng Chuyển đổi số"]  # fmt: skip
TOPICS = [
    "chuyển đổi số", "cải cách hành chính", "phòng, chống tham nhũng, tiêu cực",
    "an toàn thực phẩm", "phát triển kinh tế tư nhân", "xây dựng nông thôn mới",
    "phòng, chống thiên tai và tìm kiếm cứu nạn", "giảm nghèo bền vững", "về dữ liệu",
    "đề án đô thị thông minh", "vì sự tiến bộ của phụ nữ", "an toàn giao thông",
    "phổ biến, giáo dục pháp luật", "thi hành án dân sự", "phòng, chống dịch bệnh",
    "khoa học, công nghệ, đổi mới sáng tạo", "chống buôn lậu, gian lận thương mại",
    "thực hiện Đề án 06", "phát triển du lịch", "chăm sóc sức khỏe nhân dân",
    "xây dựng chính quyền điện tử", "cải thiện môi trường đầu tư", "quản lý trật tự đô thị",
    "phòng, chống ma túy", "công tác dân tộc, tôn giáo", "phát triển nhà ở xã hội",
    "ứng phó biến đổi khí hậu", "phát triển kinh tế số", "tổng điều tra dân số",
    "bảo vệ bí mật nhà nước",
]  # fmt: skip
MANDATES = [
    ("policy", "Nghiên cứu, đề xuất chủ trương, chính sách về {topic}."),
    ("advice", "Cho ý kiến về chiến lược, đề án, kế hoạch liên quan đến {topic}."),
    ("oversight", "Đôn đốc, kiểm tra, điều phối các sở, ngành, địa phương thực hiện nhiệm vụ {topic}."),
    ("review", "Tổ chức sơ kết, tổng kết, đánh giá kết quả thực hiện nhiệm vụ {topic}."),
    ("implementation", "Chỉ đạo triển khai các chương trình, kế hoạch về {topic}."),
]  # fmt: skip
INDICATORS = [
    ("Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến", "%", 40, 95),
    ("Tỷ lệ người dân có điện thoại thông minh", "%", 60, 90),
    ("Tỷ lệ hộ gia đình có cáp quang băng rộng", "%", 40, 80),
    ("Kinh tế số trong GRDP", "%", 8, 25),
    ("Chỉ tiêu thống kê được cung cấp dưới dạng dữ liệu số", "%", 10, 100),
    ("Số cơ sở dữ liệu chuyên ngành hoàn thành", "cơ sở dữ liệu", 2, 12),
    ("Tỷ lệ hộ nghèo", "%", 6, 1),
    ("Số vụ tai nạn giao thông", "vụ", 900, 600),
]  # fmt: skip


@dataclass
class ScaleResult:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, count: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + count


def _slugify(text: str) -> str:
    folded = fold(text)
    return "-".join("".join(ch if ch.isalnum() else " " for ch in folded).split())


def _stamp(day: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours time on a day, for history rows: when the record was made."""
    when = dt.datetime.combine(day, dt.time(8 + rng.randrange(9), rng.randrange(60)))
    return timezone.make_aware(when, timezone.get_default_timezone())


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _partial(rng: random.Random, day: dt.date, weights=(80, 12, 8)) -> tuple[dt.date, str]:
    precision = rng.choices([Precision.DAY, Precision.MONTH, Precision.YEAR], weights)[0]
    return normalise(day, precision), precision


class _Writer:
    """Bulk inserts with their history rows (by COPY on PostgreSQL: records.writes)."""

    def __init__(self, *, reason: str, result: ScaleResult, progress: Callable[[str], None]):
        self.reason = reason
        self.result = result
        self.progress = progress

    @staticmethod
    def analyze(model: type[models.Model]) -> None:
        """Statistics for a table just filled, inside the seeding transaction (ANALYZE counts
        its own uncommitted rows): the next batch's checks are planned for the table as it is
        now, not as it was empty (a plan for an empty table walks an index per committee)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def create(self, model: type[models.Model], objects: list, *, history: bool = True) -> list:
        create_with_history(model, objects, reason=self.reason, history=history)
        self.analyze(model)
        with translation.override("en"):
            label = str(model._meta.verbose_name_plural)
        self.result.add(label, len(objects))
        if history:
            self.result.add("history rows", len(objects))
        self.progress(f"{len(objects)} {label}")
        return objects


def _person_name(rng: random.Random) -> tuple[str, str]:
    female = rng.random() < 0.38
    surname = rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    if rng.random() < 0.25:
        middle = f"{middle} {rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)}"
    return nfc(f"{surname} {middle} {given}"), ("female" if female else "male")


def seed_scale(
    *,
    committees: int,
    people: int,
    memberships: int,
    seed: int = 1,
    meetings_per_committee: int = MEETINGS_PER_COMMITTEE,
    progress: Callable[[str], None] = lambda message: None,
) -> ScaleResult:
    """Write a synthetic registry of the given size in one transaction."""
    if committees < 2 or people < 10 or memberships < committees:
        raise ValueError("Need at least 2 committees, 10 people and one seat per committee.")
    prefix = f"scale{seed}"
    if Committee.objects.filter(slug__startswith=f"{prefix}-").exists():
        raise ValueError(
            f"Scale data for seed {seed} is already in this database; use another seed "
            "or a fresh database."
        )
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic data, not secrets)
    result = ScaleResult()
    writer = _Writer(reason=REASON.format(seed=seed), result=result, progress=progress)
    with transaction.atomic():
        agencies, city_pc = _agencies(rng, prefix, max(20, committees // 20), writer)
        positions = _positions(rng, agencies, writer)
        persons = _people(rng, prefix, people, writer)
        _holdings(rng, positions, persons, writer)
        bodies, decisions = _committees(rng, prefix, committees, agencies, city_pc, writer)
        _memberships(
            rng, bodies, persons, positions, agencies, decisions, city_pc, memberships, writer
        )
        _mandates_and_targets(rng, bodies, agencies, decisions, writer)
        work_scale(  # meetings, their invitation lists and tasks
            seed=seed,
            bodies=bodies,
            agencies=agencies,
            writer=writer,
            per_committee=meetings_per_committee,
        )
    return result


def _agencies(rng, prefix, count, writer) -> tuple[list[Agency], Agency]:
    rows: list[tuple[str, str, str, str]] = [
        ("Ủy ban nhân dân Thành phố (dữ liệu tổng hợp)", "UBND TP", "peoples_committee", "city")
    ]
    rows += [(f"Sở {name}", f"Sở {short}", "department", "city") for name, short in DEPARTMENTS]
    for ward in WARDS:
        rows.append(
            (f"Ủy ban nhân dân phường {ward}", f"UBND P. {ward}", "peoples_committee", "ward")
        )
        rows.append((f"Công an phường {ward}", f"CA P. {ward}", "police", "ward"))
    for division in DIVISIONS:
        for name, short in DEPARTMENTS:
            rows.append((f"{division} Sở {name}", f"{division} Sở {short}", "division", "city"))
    rows = rows[:count]
    agencies = []
    for index, (name, short, kind, level) in enumerate(rows):
        agency = Agency(
            name=nfc(name),
            short_name=nfc(short),
            slug=f"{prefix}-agency-{index}",
            kind=kind,
            level=level,
            source="seed_scale",
        )
        agency.fill_keys()
        agency._history_date = _stamp(EARLIEST, rng)
        agencies.append(agency)
    writer.create(Agency, agencies)
    return agencies, agencies[0]


def _positions(rng, agencies, writer) -> list[Position]:
    titles = {
        "peoples_committee": [("Chủ tịch", True), ("Phó Chủ tịch", False)],
        "department": [("Giám đốc", True), ("Phó Giám đốc", False)],
        "police": [("Trưởng Công an", True), ("Phó Trưởng Công an", False)],
        "division": [("Trưởng phòng", True), ("Phó Trưởng phòng", False)],
    }
    positions = []
    for agency in agencies:
        for title, single in titles.get(agency.kind, [("Thủ trưởng", True)]):
            position = Position(
                title=nfc(title), agency=agency, single_holder=single, source="seed_scale"
            )
            position.search_key = fold(position.title)
            position._history_date = _stamp(EARLIEST, rng)
            positions.append(position)
    return writer.create(Position, positions)


def _people(rng, prefix, count, writer) -> list[Person]:
    persons = []
    for index in range(count):
        full_name, gender = _person_name(rng)
        person = Person(
            full_name=full_name,
            gender=gender,
            rank=rng.choice(RANKS) if rng.random() < 0.03 else "",
            slug=f"{_slugify(full_name)}-{prefix}-{index}",
            other_names=[],
            source="seed_scale",
        )
        person.search_key = fold(person.full_name)[:600]
        person.name_keys = name_keys(person.full_name, [])
        person._history_date = _stamp(_day_between(rng, EARLIEST, HORIZON), rng)
        persons.append(person)
    return writer.create(Person, persons)


def _holdings(rng, positions, persons, writer) -> None:
    """Posts change holders: each single-holder post has one to three successive holders."""
    holdings = []
    for position in positions:
        holders = rng.choices([1, 2, 3], [40, 40, 20])[0] if position.single_holder else 2
        cuts = sorted(_day_between(rng, EARLIEST, HORIZON) for _ in range(holders))
        for number in range(holders):
            start = cuts[number]
            end = cuts[number + 1] - dt.timedelta(days=1) if number + 1 < holders else None
            if end is not None and end < start:
                end = start
            holding = PositionHolding(
                person=rng.choice(persons),
                position=position,
                start_date=start,
                end_date=end,
                ended=end is not None,
                source="seed_scale",
            )
            holding._history_date = _stamp(start, rng)
            holdings.append(holding)
    writer.create(PositionHolding, holdings)


def _committees(rng, prefix, count, agencies, city_pc, writer):
    """Steering committees, their support groups and councils; some dissolved into successors."""
    decisions: list[LegalInstrument] = []
    bodies: list[Committee] = []
    used_names: set[str] = set()
    steering: list[Committee] = []
    for index in range(count):
        kind = Committee.Kind.STEERING
        parent = None
        if steering and rng.random() < 0.22:
            kind, parent = Committee.Kind.SUPPORT_GROUP, rng.choice(steering)
        elif rng.random() < 0.05:
            kind = Committee.Kind.COUNCIL
        agency = rng.choice(agencies)
        if parent is not None:
            name = f"Tổ giúp việc {parent.name}"
            topic = parent._topic
            level = parent.level
            founded = _day_between(
                rng, parent.founded_on or EARLIEST, HORIZON - dt.timedelta(days=60)
            )
            standing = parent.standing_agency
        else:
            topic = rng.choice(TOPICS)
            scope = (
                "Thành phố"
                if agency.level == Level.CITY
                else agency.name.replace("Ủy ban nhân dân ", "").replace("Công an ", "")
            )
            word = "Hội đồng" if kind == Committee.Kind.COUNCIL else "Ban Chỉ đạo"
            name = f"{word} {topic} {scope}"
            level = Level.CITY if agency.level == Level.CITY else Level.WARD
            founded = _day_between(rng, EARLIEST, HORIZON - dt.timedelta(days=120))
            standing = agency
        if name in used_names:
            name = f"{name} giai đoạn {founded.year}-{founded.year + 5}"
        used_names.add(name)
        founded, founded_precision = _partial(rng, founded)
        issuer = city_pc if level == Level.CITY else agency
        decision = LegalInstrument(
            kind=LegalInstrument.Kind.DECISION,
            number=f"{1000 + index}/QĐ-{'UBND' if issuer.kind == 'peoples_committee' else 'BCĐ'}",
            title=nfc(f"Quyết định thành lập {name}"),
            issuer=issuer,
            signed_on=founded,
            signed_precision=founded_precision,
            source="seed_scale",
        )
        decision.search_key = fold(f"{decision.number} {decision.title}")
        decision._history_date = _stamp(founded, rng)
        decisions.append(decision)
        body = Committee(
            name=nfc(name),
            short_name="",
            slug=f"{prefix}-{index}-{_slugify(name)[:100]}",
            kind=kind,
            level=level,
            parent=parent,
            standing_agency=standing,
            founded_on=founded,
            founded_precision=founded_precision,
            declared_member_count=rng.choice([None, 10, 15, 19, 23, 25, 32, 40]),
            description="",
            source="seed_scale",
        )
        body.fill_keys()
        body._history_date = _stamp(founded, rng)
        body._decision_index = len(decisions) - 1
        body._topic = topic
        bodies.append(body)
        if kind != Committee.Kind.SUPPORT_GROUP:
            steering.append(body)
    writer.create(LegalInstrument, decisions)
    for body in bodies:
        body.established_by = decisions[body._decision_index]
        body.declared_by = body.established_by if body.declared_member_count else None

    # Lineage: a later committee succeeds one or two earlier ones, which end the day before.
    successions = []
    taken: set[int] = set()
    candidates = [body for body in bodies if body.kind != Committee.Kind.SUPPORT_GROUP]
    for position, successor in enumerate(candidates):
        if position == 0 or rng.random() > 0.12:
            continue
        earlier = [
            other
            for other in rng.sample(candidates[:position], min(position, 6))
            if id(other) not in taken
            and other.founded_on is not None
            and successor.founded_on is not None
            and other.founded_on + dt.timedelta(days=2) < successor.founded_on
        ]
        if not earlier:
            continue
        kind = rng.choices(
            [Succession.Kind.MERGED_INTO, Succession.Kind.RENAMED_TO, Succession.Kind.REPLACED_BY],
            [40, 30, 30],
        )[0]
        predecessors = earlier[:2] if kind == Succession.Kind.MERGED_INTO else earlier[:1]
        for predecessor in predecessors:
            taken.add(id(predecessor))
            predecessor.dissolved_on = successor.founded_on - dt.timedelta(days=1)
            predecessor.dissolved_precision = Precision.DAY
            succession = Succession(
                predecessor=predecessor,
                successor=successor,
                kind=kind,
                date=successor.founded_on,
                date_precision=successor.founded_precision,
                instrument=successor.established_by,
                source="seed_scale",
            )
            succession._history_date = _stamp(successor.founded_on, rng)
            successions.append(succession)
    # A support group ends with the committee it assists.
    for body in bodies:
        if body.parent is not None and body.parent.dissolved_on is not None:
            if body.founded_on and body.founded_on > body.parent.dissolved_on:
                body.founded_on = normalise(body.parent.founded_on, body.parent.founded_precision)
                body.founded_precision = body.parent.founded_precision
            body.dissolved_on = body.parent.dissolved_on
            body.dissolved_precision = Precision.DAY
    # Committees first, then the support groups that point at them.
    writer.create(Committee, [body for body in bodies if body.parent is None])
    writer.create(Committee, [body for body in bodies if body.parent is not None])
    writer.create(Succession, successions)
    return bodies, decisions


def _seat_plan(body: Committee, size: int, rng: random.Random) -> list[str]:
    """The roles of a committee's seats (each seat then has one or more successive terms)."""
    if body.kind == Committee.Kind.SUPPORT_GROUP:
        roles = [Role.GROUP_LEADER] + [Role.DEPUTY_GROUP_LEADER] * rng.randint(1, 2)
    else:
        roles = [Role.HEAD, Role.STANDING_DEPUTY_HEAD] + [Role.DEPUTY_HEAD] * rng.randint(1, 3)
    roles.append(Role.SECRETARY)
    roles += [Role.MEMBER] * max(0, size - len(roles))
    return roles


def _memberships(rng, bodies, persons, positions, agencies, decisions, city_pc, total, writer):
    # Seats per committee: a spread around the mean that adds up to exactly `total` terms.
    weights = [rng.lognormvariate(0, 0.6) for _ in bodies]
    scale = total / sum(weights)
    sizes = [max(1, int(weight * scale)) for weight in weights]
    difference = total - sum(sizes)
    step = 1 if difference > 0 else -1
    index = 0
    while difference != 0:
        if step > 0 or sizes[index % len(sizes)] > 1:
            sizes[index % len(sizes)] += step
            difference -= step
        index += 1
    # Officials sit on many committees: a tenth of the people hold about half the seats.
    officials = persons[: max(1, len(persons) // 10)]
    reason = writer.reason
    seats: list[SeatOpen] = []
    renewals: list[LegalInstrument] = []
    renewal_of: dict[int, LegalInstrument] = {}
    for body, size in zip(bodies, sizes, strict=True):
        start_limit = body.founded_on or EARLIEST
        end_limit = body.dissolved_on or HORIZON
        window = (end_limit - start_limit).days
        chosen: set[int] = set()
        plan = _seat_plan(body, size, rng)
        remaining = size
        seat = 0
        while remaining > 0:
            role = plan[seat] if seat < len(plan) else Role.MEMBER
            seat += 1
            terms = min(remaining, rng.choices([1, 2, 3], [60, 30, 10])[0], 1 + window // 90)
            remaining -= terms
            cuts = sorted(
                start_limit + dt.timedelta(days=30 + rng.randrange(max(1, window - 30)))
                for _ in range(terms - 1)
            )
            starts = [start_limit, *cuts]
            for number in range(terms):
                person = _distinct_person(rng, persons, officials, chosen)
                start = starts[number]
                end = starts[number + 1] - dt.timedelta(days=1) if number + 1 < terms else None
                if end is not None and end < start:
                    end = start
                    starts[number + 1] = start + dt.timedelta(days=1)
                start_precision = Precision.DAY
                if number == 0:
                    start_precision = body.founded_precision
                    start = normalise(start, start_precision)
                    if role not in SINGLE_SEAT_ROLES and rng.random() < 0.05:
                        start = None  # the source did not say when this member joined
                ex_officio = rng.random() < 0.35
                position = rng.choice(positions) if ex_officio else None
                home = position.agency if position else rng.choice(agencies)
                title = (
                    f"{position.title} {position.agency.name}"
                    if position
                    else f"{rng.choice(['Phó Giám đốc', 'Trưởng phòng', 'Chuyên viên'])} {home.name}"
                )
                decision = decisions[body._decision_index]
                if number > 0:
                    decision = renewal_of.get(id(body)) or _renewal(
                        body, start, city_pc, renewals, renewal_of, rng
                    )
                end_reason = ""
                if end is None and body.dissolved_on is not None:
                    end, end_reason = body.dissolved_on, Membership.EndReason.COMMITTEE_DISSOLVED
                elif end is not None:
                    end_reason = rng.choice(
                        [
                            Membership.EndReason.REPLACED,
                            Membership.EndReason.POST_CHANGED,
                            Membership.EndReason.TERM_ENDED,
                            Membership.EndReason.RESIGNED,
                        ]
                    )
                seats.append(
                    SeatOpen(
                        committee=body,
                        person=person,
                        role=role,
                        start=start,
                        start_precision=start_precision,
                        end=end,
                        end_reason=end_reason,
                        end_note="Kiện toàn Ban Chỉ đạo theo quyết định mới" if end else "",
                        position=position,
                        title=nfc(title),
                        home_agency=home,
                        decision=decision,
                        source="seed_scale",
                        recorded_at=_stamp(start or start_limit, rng),
                    )
                )
    writer.create(LegalInstrument, renewals)
    for seat in seats:  # the decision that ended a term: the body's renewal, else its own
        if seat.end is not None:
            seat.ended_by = renewal_of.get(id(seat.committee)) or seat.decision
    # Every term of a body in one plan, whole bodies at a time: the roster writer checks the
    # rules over each plan and writes it (by COPY at this size), one history row per seat.
    start = 0
    while start < len(seats):
        stop = min(len(seats), start + SEATS_PER_PLAN)
        while stop < len(seats) and seats[stop].committee is seats[stop - 1].committee:
            stop += 1
        roster_apply(seats[start:stop], reason=reason)
        writer.analyze(Membership)
        writer.progress(f"{stop} memberships")
        start = stop
    ended = sum(1 for seat in seats if seat.end is not None)
    writer.result.add("memberships", len(seats))
    writer.result.add("history rows", len(seats))
    writer.progress(f"{len(seats)} memberships, {ended} of them ended")


def _distinct_person(rng, persons, officials, chosen: set[int]) -> Person:
    """Someone not yet on this committee: no one holds two seats of one committee."""
    while True:
        person = rng.choice(officials) if rng.random() < 0.5 else rng.choice(persons)
        if id(person) not in chosen:
            chosen.add(id(person))
            return person


def _renewal(body, start, city_pc, renewals, renewal_of, rng) -> LegalInstrument:
    """The decision that reorganised a committee's membership (one per committee)."""
    decision = LegalInstrument(
        kind=LegalInstrument.Kind.DECISION,
        number=f"{5000 + len(renewals)}/QĐ-UBND",
        title=nfc(f"Quyết định kiện toàn {body.name}"),
        issuer=city_pc,
        signed_on=start,
        signed_precision=Precision.DAY,
        source="seed_scale",
    )
    decision.search_key = fold(f"{decision.number} {decision.title}")
    decision._history_date = _stamp(start or HORIZON, rng)
    renewals.append(decision)
    renewal_of[id(body)] = decision
    return decision


def _mandates_and_targets(rng, bodies, agencies, decisions, writer) -> None:
    mandates, targets, measurements = [], [], []
    links = []
    for body in bodies:
        topic = body._topic
        for order, (category, text) in enumerate(rng.sample(MANDATES, rng.randint(2, 4)), start=1):
            mandate_text = nfc(text.format(topic=topic))
            mandate = Mandate(
                committee=body,
                text=mandate_text,
                search_key=fold(mandate_text),
                category=category,
                order=order,
                source="seed_scale",
            )
            mandate._history_date = _stamp(body.founded_on or EARLIEST, rng)
            mandate._basis = decisions[body._decision_index]
            mandates.append(mandate)
    writer.create(Mandate, mandates)
    through = Mandate.legal_basis.through
    for mandate in mandates:
        links.append(through(mandate_id=mandate.pk, legalinstrument_id=mandate._basis.pk))
    writer.create(through, links, history=False)
    by_committee: dict[int, list[Mandate]] = {}
    for mandate in mandates:
        by_committee.setdefault(id(mandate.committee), []).append(mandate)
    for body in bodies:
        if rng.random() > 0.8:
            continue
        indicator, unit, baseline, goal = rng.choice(INDICATORS)
        base_day = body.founded_on or EARLIEST
        deadline = _day_between(rng, base_day + dt.timedelta(days=365), dt.date(2030, 12, 31))
        deadline, deadline_precision = _partial(rng, deadline, (30, 20, 50))
        target = Target(
            committee=body,
            mandate=rng.choice(by_committee[id(body)]),
            indicator=nfc(f"{indicator} ({body.name[:120]})"),
            search_key=fold(nfc(f"{indicator} ({body.name[:120]})"))[:500],
            unit=unit,
            direction=Target.Direction.AT_LEAST if goal >= baseline else Target.Direction.AT_MOST,
            baseline=Decimal(baseline),
            baseline_date=base_day,
            target_value=Decimal(goal),
            deadline=deadline,
            deadline_precision=deadline_precision,
            responsible_agency=body.standing_agency or rng.choice(agencies),
            source_instrument=decisions[body._decision_index],
            source="seed_scale",
        )
        target._history_date = _stamp(base_day, rng)
        targets.append(target)
    writer.create(Target, targets)
    for target in targets:
        days = sorted(
            {
                _day_between(rng, target.baseline_date, min(HORIZON, target.deadline))
                for _ in range(rng.randint(1, 4))
            }
        )
        for number, day in enumerate(days, start=1):
            share = Decimal(number) / Decimal(len(days) + 1)
            value = target.baseline + (target.target_value - target.baseline) * share
            measurement = Measurement(
                target=target,
                value=value.quantize(Decimal("0.001")),
                date=day,
                note="",
                source="seed_scale",
            )
            measurement._history_date = _stamp(day, rng)
            measurements.append(measurement)
    writer.create(Measurement, measurements)
