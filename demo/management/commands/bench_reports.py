"""Print the report budget figures: a 32-member committee report end to end vs WeasyPrint alone,
and the city overview over 5,000 committees with the peak memory. Everything it creates is
rolled back; the PDFs go to a temporary directory."""

import datetime as dt
import resource
import statistics
import tempfile
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from committees.models import Agency, Committee, LegalInstrument
from committees.text import fold
from mandates.models import Measurement, Target
from members.models import Person, Position, Role
from members.roster_writer import SeatOpen, roster_apply
from reports import services
from reports.models import Report
from reports.pdf import weasyprint_only
from reports.periods import parse_period
from reports.rendering import render_report_html

RATIO_BUDGET = 1.3
MEMORY_BUDGET_MIB = 1024
PERIOD = parse_period("2026-Q4")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


REASON = "Benchmark data (bench_reports)"


class Command(BaseCommand):
    help = "Benchmark the report pipeline against the budget (prints figures; changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--committees", type=int, default=5000)
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, **options):
        with (
            tempfile.TemporaryDirectory() as storage,
            override_settings(PRIVATE_STORAGE_ROOT=storage),
            transaction.atomic(),
        ):
            self.committee_report(options["rounds"])
            self.city_overview(options["committees"])
            transaction.set_rollback(True)

    def _agency(self, slug: str) -> Agency:
        name = f"Sở Đo kiểm {slug}"
        return Agency.objects.create(name=name, slug=slug, search_key=fold(name))

    def committee(self, members: int, tag: str) -> Committee:
        """A committee as the registry holds them: founded by a decision of an issuing agency, each
        seat appointed by a decision, half of them held ex officio through a post, a support
        group, targets with their measurements."""
        agency = self._agency(f"bench-so-do-kiem-{tag}")
        issuer = self._agency(f"bench-ubnd-{tag}")
        decision = LegalInstrument.objects.create(
            kind=LegalInstrument.Kind.DECISION,
            number=f"{members}/QĐ-UBND-{tag}",
            title="Quyết định thành lập Ban Chỉ đạo đo kiểm hiệu năng",
            issuer=issuer,
            signed_on=dt.date(2025, 1, 1),
            search_key=f"quyet dinh {tag}",
        )
        committee = Committee.objects.create(
            name=f"Ban Chỉ đạo đo kiểm hiệu năng {tag}",
            slug=f"bench-ban-chi-dao-{tag}",
            standing_agency=agency,
            established_by=decision,
            declared_member_count=members,
            search_key=f"ban chi dao do kiem hieu nang {tag}",
        )
        group = Committee.objects.create(
            name=f"Tổ giúp việc đo kiểm {tag}",
            slug=f"bench-to-giup-viec-{tag}",
            kind=Committee.Kind.SUPPORT_GROUP,
            parent=committee,
            declared_member_count=4,
            search_key=f"to giup viec do kiem {tag}",
        )
        roles = [Role.HEAD, Role.STANDING_DEPUTY_HEAD, *[Role.DEPUTY_HEAD] * 4]
        roles = [*roles, *[Role.MEMBER] * (members - len(roles))][:members]
        people = Person.objects.bulk_create(
            Person(
                full_name=f"Nguyễn Văn Được {tag} {i}",
                slug=f"bench-nguoi-{tag}-{i}",
                search_key=f"nguyen van duoc {tag} {i}",
            )
            for i in range(members + 4)
        )
        posts = Position.objects.bulk_create(
            Position(title=f"Giám đốc Sở số {i}", agency=agency, search_key=f"giam doc so {i}")
            for i in range(0, members, 2)
        )
        roster_apply(
            [
                SeatOpen(
                    committee=committee,
                    person=person,
                    role=role,
                    title="Phó Giám đốc Sở",
                    home_agency=agency,
                    position=posts[i // 2] if i % 2 == 0 else None,
                    decision=decision,
                    start=dt.date(2025, 1, 1),
                )
                for i, (person, role) in enumerate(zip(people, roles, strict=False))
            ]
            + [
                SeatOpen(
                    committee=group,
                    person=person,
                    role=Role.GROUP_LEADER if i == 0 else Role.MEMBER,
                    decision=decision,
                    start=dt.date(2025, 1, 1),
                )
                for i, person in enumerate(people[members:])
            ],
            reason=REASON,
        )
        for index in range(6):
            target = Target.objects.create(
                committee=committee,
                indicator=f"Tỷ lệ hồ sơ trực tuyến {index}",
                target_value=80,
                baseline=20,
                baseline_date=dt.date(2025, 1, 1),
                deadline=dt.date(2027, 12, 31),
            )
            Measurement.objects.create(target=target, value=40 + index, date=dt.date(2026, 6, 30))
        return committee

    def pipeline(self, committee: Committee, period: str) -> tuple[Report, float, int]:
        """Request and render one report: the report, seconds, and the statements it sent
        (savepoints apart: the benchmark runs inside a transaction it rolls back)."""
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = services.report_request(committee=committee, period=parse_period(period))
            report = services.report_render(report_id=report.pk, task_id=report.task_id)
            seconds = time.perf_counter() - started
        assert report.status == Report.Status.READY, report.error_message
        statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        return report, seconds, len(statements)

    def committee_report(self, rounds: int) -> None:
        small, large = self.committee(10, "10"), self.committee(40, "40")
        committee = self.committee(32, "32")
        _report, _seconds, small_count = self.pipeline(small, "2026-01")
        _report, _seconds, large_count = self.pipeline(large, "2026-01")
        self.stdout.write(
            f"Queries per report (request and render): {small_count} for 10 members, "
            f"{large_count} for 40 members"
        )

        warm = services.report_request(committee=committee, period=parse_period("2025"))
        services.report_render(report_id=warm.pk, task_id=warm.task_id)  # fonts, templates

        end_to_end, conversion = [], []
        for round_ in range(rounds):
            report, seconds, count = self.pipeline(committee, f"2026-{round_ + 1:02d}")
            end_to_end.append(seconds)
            html = render_report_html(snapshot=report.snapshot, language=report.language)
            started = time.perf_counter()
            weasyprint_only(html)
            conversion.append(time.perf_counter() - started)
        e2e, alone = statistics.median(end_to_end), statistics.median(conversion)
        ratio = e2e / alone
        verdict = "within budget" if ratio <= RATIO_BUDGET else "OVER BUDGET"
        self.stdout.write(
            f"32-member committee report: end to end {e2e * 1000:.0f} ms, "
            f"WeasyPrint alone {alone * 1000:.0f} ms, ratio {ratio:.2f} "
            f"(budget {RATIO_BUDGET}x: {verdict}; median of {rounds}, {report.page_count} pages, "
            f"{count} queries)"
        )

    def city_overview(self, count: int) -> None:
        agency = self._agency("bench-so-thanh-pho")
        started = time.perf_counter()
        committees = Committee.objects.bulk_create(
            (
                Committee(
                    name=f"Ban Chỉ đạo đo kiểm số {i:05d}",
                    slug=f"bench-ban-{i:05d}",
                    standing_agency=agency,
                    declared_member_count=12,
                    search_key=f"ban chi dao do kiem so {i:05d}",
                )
                for i in range(count)
            ),
            batch_size=1000,
        )
        heads = Person.objects.bulk_create(
            (
                Person(
                    full_name=f"Trần Thị Ánh {i:05d}",
                    slug=f"bench-truong-ban-{i:05d}",
                    search_key=f"tran thi anh {i:05d}",
                )
                for i in range(count)
            ),
            batch_size=1000,
        )
        roster_apply(
            [
                SeatOpen(committee=committee, person=head, role=Role.HEAD, title="Chủ tịch UBND")
                for committee, head in zip(committees, heads, strict=True)
            ],
            reason=REASON,
        )
        # Someone on many committees at once, and targets (some with a deadline soon).
        roster_apply(
            [
                SeatOpen(committee=committee, person=heads[0], role=Role.MEMBER, title="Ủy viên")
                for committee in committees[1:40]
            ],
            reason=REASON,
        )
        Target.objects.bulk_create(
            (
                Target(
                    committee=committee,
                    indicator=f"Chỉ tiêu số hóa {i}",
                    search_key=fold(f"Chỉ tiêu số hóa {i}"),
                    target_value=90,
                    deadline=PERIOD.end - dt.timedelta(days=i % 120),
                )
                for i, committee in enumerate(committees)
            ),
            batch_size=1000,
        )
        self.stdout.write(f"Created {count} committees in {time.perf_counter() - started:.1f} s")
        before = peak_mib()
        started = time.perf_counter()
        report = services.report_request(committee=None, period=PERIOD, regenerate=True)
        report = services.report_render(report_id=report.pk, task_id=report.task_id)
        seconds = time.perf_counter() - started
        assert report.status == Report.Status.READY, report.error_message
        peak = peak_mib()
        verdict = "within budget" if peak <= MEMORY_BUDGET_MIB else "OVER BUDGET"
        self.stdout.write(
            f"City overview over {count} committees: {seconds:.1f} s, {report.page_count} pages, "
            f"{report.size_bytes / 1024:.0f} KiB; peak memory {peak:.0f} MiB "
            f"(before {before:.0f} MiB; budget {MEMORY_BUDGET_MIB} MiB: {verdict}) "
            f"at {timezone.localtime():%d/%m/%Y %H:%M}"
        )
