"""The benchmark: the main pages and operations timed in-process at demo size and at city scale.

One run loads the demo data, adds the benchmark's own fixtures (a committee with a 32-member
roster, a person, a report), measures; then adds the seed_scale registry and measures the same
things again. Server time is the time of a full request through the middleware stack
(django.test.Client), median and 95th percentile over repeated requests after a warm-up; the
query count comes from one more request with the query log on. The floor is a bare view that
returns a constant: every page is also shown as a multiple of it.

Budgets (from the one run): the query count of each page is the same at both sizes, and each
page at scale costs at most BUDGET_RATIO times the same page at demo size.
"""

import datetime as dt
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from committees.models import Agency, Committee, LegalInstrument
from committees.text import fold
from members.models import Person, Role
from members.services import membership_appoint
from work.scale import bench_fixture

BUDGET_RATIO = 2.0
FLOOR = "floor (constant view)"
BENCH_SLUG = "bench-committee"
BENCH_USER = "bench.admin"
BENCH_FOCAL_POINT = "bench.daumoi"
SEARCH_QUERY = "nguyen van duoc"
IMPORT_ROWS = 1000
PACKAGE_BODIES = 14
# The workbook whose import's peak memory is measured: as large as an upload may be, the most
# rows a roster file may have, each with a long note in an extra column.
WORKBOOK_BYTES = 5 * 1024 * 1024 - 64 * 1024
WORKBOOK_ROWS = 10_000
WORKBOOK_MEMORY_BUDGET_MIB = 200
RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results.json"
REASON = "Benchmark fixture"

# Names the synthetic registry never makes (its given names differ), so an import row never
# meets a namesake at either size and the two sizes run the same import.
IMPORT_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi"]
IMPORT_MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quốc", "Thanh", "Kim", "Công"]
IMPORT_GIVEN = ["Khôi", "Tường", "Vỹ", "Đạt", "Thuận", "Luân", "Nhân", "Triết", "Hòa", "Khang"]
ROSTER_32 = [
    ("Trần Minh Triết", Role.HEAD),
    ("Lê Thị Ngọc Hòa", Role.STANDING_DEPUTY_HEAD),
    ("Phạm Quốc Khang", Role.DEPUTY_HEAD),
    ("Võ Thanh Luân", Role.DEPUTY_HEAD),
    *[
        (
            f"{IMPORT_SURNAMES[i % 10]} {IMPORT_MIDDLES[(i * 3) % 10]} {IMPORT_GIVEN[(i * 7) % 10]} Đo",
            Role.MEMBER,
        )
        for i in range(27)
    ],
    ("Bùi Thị Thuận", Role.SECRETARY),
]


@dataclass
class Measurement:
    median_ms: float
    p95_ms: float
    min_ms: float
    queries: int
    runs: int
    slowest_queries: list[dict] = field(default_factory=list)


@dataclass
class Fixtures:
    committee: Committee
    person: Person
    user_id: int
    report_id: int


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _measure(
    call: Callable[[], None],
    *,
    repeat: int,
    warmup: int = 2,
    prepare: Callable[[], None] | None = None,
) -> Measurement:
    for _ in range(warmup):
        if prepare:
            prepare()
        call()
    times = []
    for _ in range(repeat):
        if prepare:
            prepare()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    if prepare:
        prepare()
    with CaptureQueriesContext(connection) as log:
        call()
    slowest = sorted(log.captured_queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    return Measurement(
        median_ms=round(statistics.median(times), 2),
        p95_ms=round(_percentile(times, 0.95), 2),
        min_ms=round(min(times), 2),
        queries=len(log.captured_queries),
        runs=repeat,
        slowest_queries=[
            {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:600]} for q in slowest
        ],
    )


def ensure_fixtures() -> Fixtures:
    """The benchmark's own records, made once before the demo-size run and kept for the scale run."""
    from reports.models import Report
    from reports.periods import Cadence, period_containing

    user_model = get_user_model()
    user = user_model.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = user_model.objects.create_superuser(BENCH_USER, password=uuid.uuid4().hex)
    committee = Committee.objects.filter(slug=BENCH_SLUG).first()
    if committee is None:
        agency = Agency.objects.filter(slug="cong-an-tphcm").first()
        decision = LegalInstrument.objects.filter(number="944").first()
        committee = Committee(
            name="Ban Chỉ đạo đo hiệu năng hệ thống",
            short_name="BCĐ đo hiệu năng",
            slug=BENCH_SLUG,
            kind=Committee.Kind.STEERING,
            level="city",
            standing_agency=agency,
            established_by=decision,
            founded_on=dt.date(2024, 1, 1),
            founded_precision="year",
            declared_member_count=32,
        )
        committee.full_clean()
        committee.save()
        others = list(
            Committee.objects.filter(dissolved_on__isnull=True).exclude(pk=committee.pk)[:3]
        )
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
    person = Person.objects.get(slug="bench-person-0")
    period = period_containing(dt.date(2025, 12, 31), Cadence.QUARTERLY)
    report, _created = Report.objects.get_or_create(
        committee=committee,
        kind=Report.Kind.COMMITTEE_REVIEW,
        period=period.code,
        language="vi",
        defaults={"period_start": period.start, "period_end": period.end},
    )
    return Fixtures(committee=committee, person=person, user_id=user.pk, report_id=report.pk)


def _focal_point_of_the_busiest_agency():
    """The benchmark's focal point, reporting for the agency that leads the most tasks."""
    from django.db.models import Count

    from committees.permissions import grant_focal_point
    from work.models import Task

    user, _created = get_user_model().objects.get_or_create(username=BENCH_FOCAL_POINT)
    busiest = (
        Task.objects.filter(lead_agency__isnull=False)
        .values("lead_agency")
        .annotate(tasks=Count("pk"))
        .order_by("-tasks", "lead_agency")
        .first()
    )
    if busiest is not None:
        grant_focal_point(user, Agency.objects.get(pk=busiest["lead_agency"]))
    return user


def _digests() -> None:
    from notifications.services import digests_build

    digests_build()


def _import_file() -> bytes:
    roles = ["Trưởng ban", "Phó Trưởng ban Thường trực", "Phó Trưởng ban", "Phó Trưởng ban"]
    lines = ["Full name,Rank,Role,Post,Home agency,Start date,Decision number"]
    for index in range(IMPORT_ROWS):
        name = (
            f"{IMPORT_SURNAMES[index % 10]} {IMPORT_MIDDLES[(index // 10) % 10]} "
            f"{IMPORT_GIVEN[(index // 100) % 10]}"
        )
        role = roles[index] if index < len(roles) else ("Thư ký" if index == 4 else "Thành viên")
        lines.append(f"{name},,{role},,,01/01/2026,944")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _workbook(path: Path, note_length: int) -> int:
    """Write the measured roster workbook (10,000 distinct people, a random note each) and
    return its size."""
    from openpyxl import Workbook

    rng = random.Random(10)  # noqa: S311 (reproducible synthetic notes, not secrets)
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ    "
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(
        [
            *("Họ và tên", "Cấp bậc", "Vai trò", "Chức vụ", "Cơ quan", "Ngày bắt đầu"),
            *("Số quyết định", "Ghi chú"),
        ]
    )
    for index in range(WORKBOOK_ROWS):
        # Two given names: no other name of the benchmark (nor of the synthetic registry)
        # has that shape, so no row meets a namesake to decide on.
        name = (
            f"{IMPORT_SURNAMES[index % 10]} {IMPORT_MIDDLES[(index // 10) % 10]} "
            f"{IMPORT_GIVEN[(index // 100) % 10]} {IMPORT_GIVEN[(index // 1000) % 10]}"
        )
        role = "Trưởng ban" if index == 0 else "Thành viên"
        note = "".join(rng.choices(letters, k=note_length))
        sheet.append([name, "", role, "Chuyên viên", "", "01/01/2026", "944", note])
    workbook.save(path)
    return path.stat().st_size


def measure_workbook_import(*, label: str, progress) -> dict:
    """The peak memory (resident set) of a fresh `manage.py import_roster` process importing
    a workbook of just under the 5 MB upload limit, measured by the kernel (wait4)."""
    with tempfile.TemporaryDirectory(prefix="registry-bench-xlsx-") as folder:
        path = Path(folder) / "danh-sach.xlsx"
        note_length = 600
        size = _workbook(path, note_length)
        for _attempt in range(4):  # the notes' length, until the file is just under the limit
            if WORKBOOK_BYTES * 0.97 <= size <= WORKBOOK_BYTES:
                break
            note_length = int(note_length * WORKBOOK_BYTES * 0.985 / size)
            size = _workbook(path, note_length)
        slug = f"bench-workbook-{label}-{uuid.uuid4().hex[:6]}"
        target = Committee(
            name=f"Ban Chỉ đạo nhập bảng tính {label}", slug=slug, founded_on=dt.date(2025, 1, 1)
        )
        target.search_key = fold(target.name)
        target.save()
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_roster"]
        command += [str(path), "--committee", slug, "--as-of", "2026-01-01", "--reason", REASON]
        started = time.monotonic()
        with (Path(folder) / "stderr.txt").open("w+b") as errors:
            child = subprocess.Popen(  # noqa: S603 (this interpreter and manage.py)
                command, stdout=subprocess.DEVNULL, stderr=errors, cwd=settings.BASE_DIR
            )
            _pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
            if child.returncode != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"The workbook import failed: {message}")
    peak_mib = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    seats = Committee.objects.get(slug=slug).memberships.count()
    progress(f"{label}: workbook import peak {peak_mib} MiB in {seconds:.1f} s")
    return {
        "bytes": size,
        "rows": WORKBOOK_ROWS,
        "seats_imported": seats,
        "peak_rss_mib": peak_mib,
        "seconds": round(seconds, 1),
        "budget_mib": WORKBOOK_MEMORY_BUDGET_MIB,
        "budget_met": peak_mib < WORKBOOK_MEMORY_BUDGET_MIB and seats == WORKBOOK_ROWS,
    }


def measure_all(fixtures: Fixtures, *, repeat: int, label: str, progress) -> dict[str, Measurement]:
    from members.roster_import import roster_import
    from reports import services as report_services
    from reports.models import Report

    client = Client()
    client.force_login(get_user_model().objects.get(pk=fixtures.user_id))
    focal_client = Client()
    focal_client.force_login(_focal_point_of_the_busiest_agency())

    def page(url: str, client: Client = client) -> Callable[[], None]:
        def call() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)

        return call

    committee = fixtures.committee
    meeting = bench_fixture(committee)
    pages: list[tuple[str, Callable[[], None]]] = [
        (FLOOR, page("/bench/floor/")),
        ("admin membership list", page("/admin/members/membership/")),
        (
            "admin committee, 32 members",
            page(f"/admin/committees/committee/{committee.pk}/change/"),
        ),
        ("portal committee page", page(f"/committees/{committee.slug}/")),
        ("person page", page(f"/people/{fixtures.person.slug}/")),
        ("search", page(f"/search/?q={SEARCH_QUERY.replace(' ', '+')}")),
        ("API membership list", page("/api/memberships/")),
        ("API committee list", page("/api/committees/")),
        ("task board", page(f"/committees/{committee.slug}/tasks/")),
        ("meeting page", page(f"/meetings/{meeting.pk}/")),
        ("API task list", page("/api/tasks/")),
        ("work queue (administrator)", page("/notifications/")),
        ("work queue (focal point of the busiest agency)", page("/notifications/", focal_client)),
        ("admin home with the work queue", page("/admin/")),
        ("daily digests of every user (not sent)", _digests),
    ]
    results: dict[str, Measurement] = {}
    for name, call in pages:
        results[name] = _measure(call, repeat=repeat)
        progress(f"{label}: {name} {results[name].median_ms} ms")

    # Public pages (issue 14): an anonymous visitor, rendered (the registry just changed) and
    # from the page cache; the open-data page, and the rebuild of the files it offers.
    from opendata.services import open_data_build
    from portal.revision import registry_revision_bump

    anonymous = Client()

    def public(url: str) -> Callable[[], None]:
        def call() -> None:
            response = anonymous.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        return call

    public_page = f"/committees/{committee.slug}/"
    results["public committee page, rendered"] = _measure(
        public(public_page), prepare=registry_revision_bump, repeat=repeat
    )
    results["public committee page, cached"] = _measure(public(public_page), repeat=repeat)
    open_data_build()
    results["open data page"] = _measure(public("/open-data/"), repeat=repeat)
    results["open data rebuild (all files)"] = _measure(
        open_data_build, repeat=max(1, repeat // 10), warmup=0
    )
    for name in (
        "public committee page, rendered",
        "public committee page, cached",
        "open data page",
        "open data rebuild (all files)",
    ):
        progress(f"{label}: {name} {results[name].median_ms} ms")

    def reset_report() -> None:
        Report.objects.filter(pk=fixtures.report_id).update(
            status=Report.Status.QUEUED,
            snapshot=None,
            task_id=uuid.uuid4().hex,
            generation=F("generation") + 1,
            attempts=0,
            file_path="",
        )

    def render_report() -> None:
        task_id = Report.objects.values_list("task_id", flat=True).get(pk=fixtures.report_id)
        report = report_services.report_render(report_id=fixtures.report_id, task_id=task_id)
        if report is None or report.status != Report.Status.READY:
            raise RuntimeError(f"The report did not render: {report and report.error_message}")

    results["committee report (PDF)"] = _measure(
        render_report, prepare=reset_report, repeat=max(3, repeat // 3), warmup=1
    )
    progress(f"{label}: report {results['committee report (PDF)'].median_ms} ms")

    data = _import_file()
    targets: list[Committee] = []
    from members.roster_import import NEW_PERSON

    NEW_PEOPLE = {line: NEW_PERSON for line in range(2, IMPORT_ROWS + 2)}

    def new_committee() -> None:
        target = Committee(
            name=f"Ban Chỉ đạo nhập danh sách {label} {len(targets) + 1}",
            slug=f"bench-import-{label}-{len(targets) + 1}",
            founded_on=dt.date(2025, 1, 1),
        )
        target.search_key = fold(target.name)
        target.save()
        targets.append(target)

    def run_import() -> None:
        plan = roster_import(
            committee=targets[-1],
            data=data,
            filename="danh-sach.csv",
            on=dt.date(2026, 1, 1),
            dry_run=False,
            reason=REASON,
            # Each round imports the same people into a new body: the names are then known to
            # the registry, and a clerk would say whether they are new (never merged by name).
            choices=NEW_PEOPLE,
        )
        if not plan.applied:
            raise RuntimeError(f"The import was not applied: {plan.errors[:3]}")

    results[f"roster import, {IMPORT_ROWS} rows"] = _measure(
        run_import, prepare=new_committee, repeat=3, warmup=1
    )
    progress(f"{label}: import {results[f'roster import, {IMPORT_ROWS} rows'].median_ms} ms")

    # A committee package file of 14 bodies (the demo bodies twice, under new names), read and
    # imported all or nothing as `import_committee FILE` does.
    from packages.apply import import_packages
    from packages.reading import read_file
    from packages.samples import renamed_packages

    package_files: list[bytes] = []

    def new_package_file() -> None:
        bodies = renamed_packages(f"bench {label} {len(package_files) + 1}")
        package_files.append(json.dumps(bodies, ensure_ascii=False).encode("utf-8"))

    def run_package_import() -> None:
        report = import_packages(read_file(package_files[-1]), reason=REASON)
        if len([c for c in report.committees if c["action"] == "created"]) < PACKAGE_BODIES:
            raise RuntimeError("The package import did not create its bodies.")

    name = f"package import, {PACKAGE_BODIES} bodies"
    results[name] = _measure(run_package_import, prepare=new_package_file, repeat=3, warmup=1)
    progress(f"{label}: {name} {results[name].median_ms} ms")
    return results


def run(
    *,
    committees: int,
    people: int,
    memberships: int,
    seed: int,
    repeat: int,
    output: Path = RESULTS,
    progress: Callable[[str], None] = print,
) -> dict:
    """Load the demo, measure; add the scale registry, measure again; write the results."""
    from demo.scale import seed_scale
    from demo.seeding import load_seeds

    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="registry-bench-") as private,
        override_settings(
            ROOT_URLCONF="demo.bench_urls", PRIVATE_STORAGE_ROOT=Path(private), DEBUG=False
        ),
    ):
        load_seeds()
        fixtures = ensure_fixtures()
        demo_sizes = _counts()
        _analyze()
        demo = measure_all(fixtures, repeat=repeat, label="demo", progress=progress)
        seeding = time.monotonic()
        seed_scale(
            committees=committees,
            people=people,
            memberships=memberships,
            seed=seed,
            progress=progress,
        )
        seeding = time.monotonic() - seeding
        _analyze()
        scale = measure_all(fixtures, repeat=repeat, label="scale", progress=progress)
        workbook = measure_workbook_import(label="scale", progress=progress)
    report = _compare(demo, scale)
    results = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "sizes": {
            "demo": demo_sizes,
            "scale": {
                "committees": committees,
                "people": people,
                "memberships": memberships,
                "seed": seed,
            },
        },
        "seed_scale_seconds": round(seeding, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "budget_ratio": BUDGET_RATIO,
        "pages": report,
        "workbook_import": workbook,
        "budgets_met": all(row["budget_met"] for row in report.values()) and workbook["budget_met"],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return results


def _counts() -> dict[str, int]:
    from members.models import Membership

    return {
        "committees": Committee.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
    }


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them on a live database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _compare(demo: dict[str, Measurement], scale: dict[str, Measurement]) -> dict:
    floor_demo = demo[FLOOR].median_ms
    floor_scale = scale[FLOOR].median_ms
    rows = {}
    for name, small in demo.items():
        big = scale[name]
        ratio = big.median_ms / small.median_ms if small.median_ms else float("inf")
        same_queries = small.queries == big.queries
        rows[name] = {
            "demo": asdict(small),
            "scale": asdict(big),
            "scale_to_demo": round(ratio, 2),
            "demo_to_floor": round(small.median_ms / floor_demo, 1) if floor_demo else None,
            "scale_to_floor": round(big.median_ms / floor_scale, 1) if floor_scale else None,
            "same_query_count": same_queries,
            # The floor is the yardstick, not a page: it has no budget of its own.
            "budget_met": name == FLOOR or (same_queries and ratio <= BUDGET_RATIO),
        }
    return rows


def table(results: dict) -> str:
    header = (
        f"{'page':32} {'demo ms':>9} {'p95':>8} {'q':>4} {'x floor':>7} │ "
        f"{'scale ms':>9} {'p95':>8} {'q':>4} {'x floor':>7} │ {'scale/demo':>10}  budget"
    )
    lines = [header, "─" * len(header)]
    for name, row in results["pages"].items():
        demo, scale = row["demo"], row["scale"]
        verdict = (
            "ok"
            if row["budget_met"]
            else ("MISS (queries)" if not row["same_query_count"] else "MISS (time)")
        )
        if name == FLOOR:
            verdict = "(yardstick)"
        lines.append(
            f"{name:32} {demo['median_ms']:9.1f} {demo['p95_ms']:8.1f} {demo['queries']:4d} "
            f"{row['demo_to_floor']:7.1f} │ {scale['median_ms']:9.1f} {scale['p95_ms']:8.1f} "
            f"{scale['queries']:4d} {row['scale_to_floor']:7.1f} │ {row['scale_to_demo']:10.2f}  {verdict}"
        )
    sizes = results["sizes"]
    lines.append("")
    lines.append(
        f"demo: {sizes['demo'].get('committees')} committees, {sizes['demo'].get('people')} people, "
        f"{sizes['demo'].get('memberships')} memberships; scale: +{sizes['scale']['committees']} "
        f"committees, +{sizes['scale']['people']} people, +{sizes['scale']['memberships']} "
        f"memberships (seed_scale {results['seed_scale_seconds']} s); budget: same queries, "
        f"scale ≤ {results['budget_ratio']:g}x demo."
    )
    workbook = results.get("workbook_import")
    if workbook:
        lines.append(
            f"roster import of a {workbook['bytes'] / 1024 / 1024:.1f} MB workbook "
            f"({workbook['rows']:,} rows, {workbook['seats_imported']:,} seats imported): peak "
            f"memory {workbook['peak_rss_mib']:.0f} MiB (budget {workbook['budget_mib']} MiB), "
            f"{workbook['seconds']:.1f} s — {'ok' if workbook['budget_met'] else 'MISS'}"
        )
    misses = [name for name, row in results["pages"].items() if not row["budget_met"]]
    if workbook and not workbook["budget_met"]:
        misses.append("workbook import memory")
    if misses:
        lines.append("Budget missed: " + ", ".join(misses) + " (slowest queries in the JSON).")
    else:
        lines.append("Every budget met.")
    return "\n".join(lines)


def recreate_database() -> None:
    """Drop and create the configured database (a benchmark database only)."""
    import psycopg

    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    if connection.vendor != "postgresql" or "bench" not in name:
        raise ValueError(
            f"--fresh recreates the database, so its name must contain 'bench' (got {name!r})."
        )
    connection.close()
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0, interactive=False)
