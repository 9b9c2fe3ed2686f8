"""Requests, renders, failures, dispatchers and the sweeper (in-process, real WeasyPrint)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import services
from reports.models import Report, ReportSchedule
from reports.periods import Cadence, parse_period, period_containing
from tests.factories import (
    AgencyFactory,
    CommitteeFactory,
    InstrumentFactory,
    MandateFactory,
    MeasurementFactory,
    MembershipFactory,
    PositionFactory,
    SupportGroupFactory,
    TargetFactory,
    UserFactory,
)

PERIOD = parse_period("2026-Q4")


def aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def render(report: Report) -> Report:
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    return report


class TestPeriods:
    def test_it_reads_quarters_months_and_years(self):
        assert parse_period("2026-Q4").start == dt.date(2026, 10, 1)
        assert parse_period("2026-q4").end == dt.date(2026, 12, 31)
        assert parse_period("2024-02").end == dt.date(2024, 2, 29)
        assert parse_period("2026").code == "2026"
        assert parse_period("2026-Q1").previous().code == "2025-Q4"
        assert parse_period("2026-12").next().code == "2027-01"

    @pytest.mark.parametrize("text", ["", "2026-Q5", "2026-13", "Q4-2026", "26"])
    def test_it_refuses_what_is_not_a_period(self, text):
        with pytest.raises(ValueError, match="2026-Q4"):
            parse_period(text)


@pytest.mark.django_db
class TestRequest:
    def test_it_returns_the_existing_report_unless_regeneration_is_asked(
        self, committee_a, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            first = services.report_request(committee=committee_a, period=PERIOD)
        assert len(callbacks) == 1
        first = render(first)
        assert first.status == Report.Status.READY

        with django_capture_on_commit_callbacks() as callbacks:
            again = services.report_request(committee=committee_a, period=PERIOD)
        assert again.pk == first.pk
        assert again.status == Report.Status.READY
        assert callbacks == []

        with django_capture_on_commit_callbacks() as callbacks:
            regenerated = services.report_request(
                committee=committee_a, period=PERIOD, regenerate=True
            )
        assert len(callbacks) == 1
        assert regenerated.pk == first.pk
        assert regenerated.generation == 2
        assert regenerated.snapshot is None
        assert render(regenerated).file_path.endswith("-g2.pdf")
        assert Report.objects.count() == 1

    def test_it_refuses_an_unknown_language_and_changes_nothing(self, committee_a):
        with pytest.raises(ValidationError):
            services.report_request(committee=committee_a, period=PERIOD, language="fr")
        assert not Report.objects.exists()

    def test_it_refuses_a_user_without_download_rights(self, committee_a, groups):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.report_request(committee=committee_a, period=PERIOD, by=UserFactory())
        assert not Report.objects.exists()

    def test_a_stale_task_renders_nothing(self, committee_a):
        report = services.report_request(committee=committee_a, period=PERIOD)
        assert services.report_render(report_id=report.pk, task_id="not-the-current-task") is None
        report.refresh_from_db()
        assert report.status == Report.Status.QUEUED
        assert report.attempts == 0

    def test_a_ready_report_is_not_rendered_twice(self, committee_a):
        report = render(services.report_request(committee=committee_a, period=PERIOD))
        assert services.report_render(report_id=report.pk, task_id=report.task_id) is None
        assert Report.history.filter(id=report.pk, status=Report.Status.READY).count() == 1


@pytest.mark.django_db
def test_a_failed_render_records_its_error_and_a_retry_succeeds(committee_a, settings, tmp_path):
    MembershipFactory(committee=committee_a)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("storage is broken")
    settings.PRIVATE_STORAGE_ROOT = blocker / "private"

    report = render(services.report_request(committee=committee_a, period=PERIOD))
    assert report.status == Report.Status.FAILED
    assert "NotADirectoryError" in report.error_message
    assert not report.file_path
    assert not report.sha256
    failed_task = report.task_id

    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    retried = services.report_request(committee=committee_a, period=PERIOD)
    assert retried.pk == report.pk
    assert retried.status == Report.Status.QUEUED
    assert retried.task_id != failed_task
    retried = render(retried)
    assert retried.status == Report.Status.READY
    assert retried.error_message == ""
    assert services.report_file(retried).is_relative_to(tmp_path / "private")
    statuses = list(
        Report.history.filter(id=report.pk).order_by("history_id").values_list("status", flat=True)
    )
    assert statuses.count(Report.Status.FAILED) == 1
    assert statuses[-1] == Report.Status.READY


@pytest.mark.django_db
class TestSchedules:
    def test_it_makes_the_report_of_the_period_just_ended_and_advances(self):
        committee = CommitteeFactory()
        schedule = ReportSchedule.objects.create(
            committee=committee, cadence=Cadence.QUARTERLY, next_run_at=aware(2026, 1, 1, 2, 0)
        )
        made = services.dispatch_due_reports(now=aware(2026, 1, 1, 3, 0))
        report = Report.objects.get(pk=made[0])
        assert report.period == "2025-Q4"
        assert report.committee == committee
        schedule.refresh_from_db()
        assert timezone.localtime(schedule.next_run_at) == aware(2026, 4, 1, 2, 0)
        assert schedule.last_report == report
        assert services.dispatch_due_reports(now=aware(2026, 1, 1, 4, 0)) == []

    def test_a_city_schedule_makes_the_city_overview(self):
        ReportSchedule.objects.create(
            committee=None, cadence=Cadence.YEARLY, next_run_at=aware(2026, 1, 1, 0, 0)
        )
        made = services.dispatch_due_reports(now=aware(2026, 1, 2, 0, 0))
        report = Report.objects.get(pk=made[0])
        assert report.kind == Report.Kind.CITY_OVERVIEW
        assert report.period == "2025"

    def test_an_inactive_or_future_schedule_is_not_run(self):
        ReportSchedule.objects.create(
            committee=CommitteeFactory(),
            cadence=Cadence.MONTHLY,
            next_run_at=aware(2026, 1, 1, 0, 0),
            active=False,
        )
        ReportSchedule.objects.create(
            committee=CommitteeFactory(),
            cadence=Cadence.MONTHLY,
            next_run_at=aware(2027, 1, 1, 0, 0),
        )
        assert services.dispatch_due_reports(now=aware(2026, 6, 1, 0, 0)) == []


@pytest.mark.django_db(transaction=True)
class TestTwoDispatchersAtOnce:
    def _dispatch_in_thread(self, now, results, barrier=None):
        def run():
            try:
                if barrier is not None:
                    barrier.wait()
                results.append(services.dispatch_due_reports(now=now))
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def test_the_second_skips_the_schedules_the_first_holds(self):
        committee = CommitteeFactory()
        now = aware(2026, 1, 1, 6, 0)
        # Two schedules for the same scope: still one report per scope and period.
        for _ in range(2):
            ReportSchedule.objects.create(
                committee=committee, cadence=Cadence.QUARTERLY, next_run_at=aware(2026, 1, 1, 1, 0)
            )
        results: list[list[int]] = []
        with transaction.atomic():
            first = services.dispatch_due_reports(now=now)
            # The first dispatcher's transaction is still open: the second runs meanwhile.
            self._dispatch_in_thread(now, results).join(timeout=30)
        assert results == [[]]
        assert len(first) == 2
        assert len(set(first)) == 1
        assert Report.objects.filter(committee=committee, period="2025-Q4").count() == 1
        assert all(
            timezone.localtime(s.next_run_at) == aware(2026, 4, 1, 1, 0)
            for s in ReportSchedule.objects.all()
        )

    def test_racing_dispatchers_make_one_report_per_scope_and_period(self):
        committees = [CommitteeFactory() for _ in range(12)]
        for committee in committees:
            ReportSchedule.objects.create(
                committee=committee, cadence=Cadence.MONTHLY, next_run_at=aware(2026, 3, 1, 0, 0)
            )
        now = aware(2026, 3, 1, 0, 5)
        results: list[list[int]] = []
        barrier = threading.Barrier(2)
        threads = [self._dispatch_in_thread(now, results, barrier) for _ in range(2)]
        for thread in threads:
            thread.join(timeout=60)
        made = [pk for batch in results for pk in batch]
        assert len(made) == 12
        assert len(set(made)) == 12
        assert Report.objects.filter(period="2026-02").count() == 12
        assert all(
            timezone.localtime(s.next_run_at) == aware(2026, 4, 1, 0, 0)
            for s in ReportSchedule.objects.all()
        )


@pytest.mark.django_db
class TestSweeper:
    def test_it_queues_again_a_report_stuck_running(self, committee_a):
        report = services.report_request(committee=committee_a, period=PERIOD)
        services._claim(report.pk, report.task_id)
        Report.objects.filter(pk=report.pk).update(
            started_at=timezone.now() - dt.timedelta(hours=1)
        )
        assert services.sweep_stuck_reports() == [report.pk]
        report.refresh_from_db()
        assert report.status == Report.Status.QUEUED
        assert render(report).status == Report.Status.READY

    def test_it_leaves_a_report_that_is_still_within_its_time_limit(self, committee_a):
        report = services.report_request(committee=committee_a, period=PERIOD)
        services._claim(report.pk, report.task_id)
        assert services.sweep_stuck_reports() == []

    def test_it_gives_up_after_too_many_attempts(self, committee_a):
        report = services.report_request(committee=committee_a, period=PERIOD)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.RUNNING,
            attempts=services.MAX_ATTEMPTS,
            started_at=timezone.now() - dt.timedelta(hours=1),
        )
        assert services.sweep_stuck_reports() == [report.pk]
        report.refresh_from_db()
        assert report.status == Report.Status.FAILED
        assert report.error_message


def test_the_default_period_of_generate_now_is_the_last_complete_quarter():
    """Not the unfinished one, whose "as of" day would be in the future."""
    from reports.forms import GenerateReportForm

    form = GenerateReportForm()
    current = period_containing(timezone.localdate(), Cadence.QUARTERLY)
    assert form.fields["period"].initial == current.previous().code


@pytest.mark.django_db
def test_a_failed_report_asked_again_starts_its_attempts_afresh(seeded):
    """Otherwise the sweeper could give up on the new try before it ever ran."""
    from committees.models import Committee
    from reports.models import Report
    from reports.periods import parse_period

    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    period = parse_period("2025-Q1")
    report = services.report_request(committee=committee, period=period, send=False)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.FAILED, attempts=3, error_message="broken storage"
    )
    again = services.report_request(committee=committee, period=period, send=False)
    assert again.pk == report.pk
    assert again.status == Report.Status.QUEUED
    assert again.attempts == 0
    assert again.error_message == ""


def _committee_of(members: int):
    """A committee as the registry holds them: each seat appointed by its own decision (with its
    issuer), every other one held ex officio through a post, a support group, a mandate with
    its legal basis, targets measured, a seat ended within the period."""
    committee = CommitteeFactory(declared_member_count=members, established_by=InstrumentFactory())
    group = SupportGroupFactory(parent=committee)
    start = dt.date(2025, 1, 1)
    for index in range(members):
        MembershipFactory(
            committee=committee,
            appointed_by=InstrumentFactory(),
            home_agency=AgencyFactory(),
            position=PositionFactory() if index % 2 else None,
            start_date=start,
        )
    for _ in range(members // 4):
        MembershipFactory(committee=group, appointed_by=InstrumentFactory(), start_date=start)
    MembershipFactory(
        committee=committee,
        start_date=start,
        end_date=dt.date(2026, 11, 30),
        end_reason="term_ended",
        ended_by=InstrumentFactory(),
    )
    MandateFactory(committee=committee).legal_basis.add(InstrumentFactory())
    for _ in range(3):
        MeasurementFactory(
            target=TargetFactory(committee=committee, responsible_agency=AgencyFactory()),
            date=dt.date(2026, 6, 30),
        )
    return committee


@pytest.mark.django_db
def test_a_report_costs_the_same_queries_for_10_members_as_for_40():
    """The request and the render read and write in a fixed number of queries, whatever the
    size of the roster: no query per member, per decision or per support group."""
    counts, rosters = [], []
    for members in (10, 40):
        committee = _committee_of(members)
        with CaptureQueriesContext(connection) as queries:
            report = services.report_request(committee=committee, period=PERIOD)
            report = services.report_render(report_id=report.pk, task_id=report.task_id)
        assert report.status == Report.Status.READY, report.error_message
        counts.append(len(queries.captured_queries))
        rosters.append(
            (
                len(report.snapshot["roster"]),
                len(report.snapshot["support_groups"][0]["roster"]),
                report.snapshot["counts"]["named"],
                len(report.snapshot["changes"]),
                all(line["appointed_by"]["issuer"] for line in report.snapshot["roster"]),
            )
        )
    assert rosters == [(10, 2, 10, 1, True), (40, 10, 40, 1, True)]
    assert counts[0] == counts[1], counts
    # About twenty statements (and the savepoints of the test's own transaction), down from 125
    # at 40 members when every seat's decision fetched its issuer.
    assert counts[0] <= 30, counts
