"""Print the report budget figures: a 32-member committee report end to end vs WeasyPrint alone,
and the city overview over 5,000 committees with the peak memory. Everything it creates is
rolled back; the PDFs go to a temporary directory.

`--throughput N`: reports per minute made by real Celery workers (1, then 2 worker processes)
on the database and Redis of DATABASE_URL and REDIS_URL. It needs committed data, so it keeps
its committee (made once) and its N reports (made again each run) in the database."""

import datetime as dt
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
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
        parser.add_argument(
            "--throughput",
            type=int,
            metavar="N",
            help="Only measure reports per minute: N reports rendered by 1, then 2, Celery "
            "worker processes (needs REDIS_URL).",
        )
        parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])

    def handle(self, *args, **options):
        if options["throughput"]:
            self.throughput(options["throughput"], options["workers"])
            return
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

    # --- Reports per minute with real Celery workers -------------------------------------

    def throughput(self, count: int, worker_counts: list[int]) -> None:
        if not settings.REDIS_URL:
            raise CommandError("--throughput needs REDIS_URL: the workers take renders from Redis.")
        committee = Committee.objects.filter(slug="bench-ban-chi-dao-throughput").first()
        if committee is None:
            with transaction.atomic():
                committee = self.committee(32, "throughput")
        # Distinct months, so each is its own report; made again (regenerated) on later runs.
        periods = [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(count + max(worker_counts))]
        from config.celery_app import app

        # Nothing left over from an interrupted run: no message waiting, no report half made.
        app.control.purge()
        Report.objects.filter(committee=committee).exclude(status=Report.Status.READY).update(
            status=Report.Status.FAILED
        )
        with tempfile.TemporaryDirectory() as storage:
            for processes in worker_counts:
                workers = [
                    self._start_worker(storage, f"bench{processes}-{i}") for i in range(processes)
                ]
                try:
                    # One render per process first: each loads WeasyPrint and its fonts once.
                    self._render_all(committee, periods[:processes])
                    seconds = self._render_all(committee, periods[processes : processes + count])
                finally:
                    for worker in workers:
                        self._stop_worker(worker)
                per_minute = count / seconds * 60
                self.stdout.write(
                    f"{processes} worker process{'es' if processes > 1 else ''}: {count} reports "
                    f"(32 members, 5 pages) in {seconds:.1f} s, {per_minute:.1f} reports/minute "
                    f"({seconds / count * processes:.2f} s per report per process) "
                    f"on {os.cpu_count()} CPUs (load {os.getloadavg()[0]:.1f}) "
                    f"at {timezone.localtime():%d/%m/%Y %H:%M}"
                )

    def _render_all(self, committee: Committee, periods: list[str]) -> float:
        """Queue the reports of the periods (made again when they exist) and wait until every
        one is ready: seconds from the first request to the last render's end."""
        started = time.monotonic()
        ids = [
            services.report_request(
                committee=committee, period=parse_period(code), regenerate=True
            ).pk
            for code in periods
        ]
        while True:
            statuses = list(Report.objects.filter(pk__in=ids).values_list("status", flat=True))
            if Report.Status.FAILED in statuses:
                failed = Report.objects.filter(pk__in=ids, status=Report.Status.FAILED).first()
                raise CommandError(f"A report failed: {failed.error_message}")
            if statuses.count(Report.Status.READY) == len(ids):
                return time.monotonic() - started
            if time.monotonic() - started > 60 * 30:
                raise CommandError("The workers did not finish within half an hour.")
            time.sleep(0.1)

    def _start_worker(self, storage: str, name: str) -> tuple[subprocess.Popen, Path]:
        log = Path(storage) / f"{name}.log"
        env = {
            **os.environ,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PRIVATE_STORAGE_ROOT": storage,
        }
        command = [
            *(str(Path(sys.executable).with_name("celery")), "-A", "config", "worker"),
            *("--pool=prefork", "--concurrency=1", "--loglevel=INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            f"--hostname={name}@%h",
            f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
        ]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - this project's own Celery, no user input
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                self._stop_worker((process, log))
                raise CommandError(f"The Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        return process, log

    def _stop_worker(self, worker: tuple[subprocess.Popen, Path]) -> None:
        process, _log = worker
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
