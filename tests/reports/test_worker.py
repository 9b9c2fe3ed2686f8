"""The pipeline through a real Celery worker on Redis, including a worker killed mid-render."""

import datetime as dt
import hashlib
import io
import os
import re
import signal
import time
import unicodedata

import pypdf
import pytest
from django.utils import timezone, translation

from committees.models import Committee
from members.selectors import member_counts, roster_on
from reports import liveness, services
from reports.models import Report
from reports.periods import parse_period
from tests.factories import CommitteeFactory, MembershipFactory
from tests.reports.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PERIOD = parse_period("2026-Q4")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def ready_history(report_id: int) -> int:
    return Report.history.filter(id=report_id, status=Report.Status.READY).count()


def test_it_makes_the_data_committee_report_through_the_worker(seeded, celery_worker):
    committee = Committee.objects.select_related("standing_agency").get(slug="bcd-du-lieu-tphcm")

    requested = services.report_request(committee=committee, period=PERIOD)
    report = wait_for(requested.pk, {Report.Status.READY, Report.Status.FAILED})

    assert report.status == Report.Status.READY, report.error_message
    assert not report.worker.endswith(f":{os.getpid()}")  # rendered by the worker, not here
    content = services.report_file(report).read_bytes()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == report.sha256
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == report.page_count
    text = pdf_text(content)
    counts = member_counts(committee, PERIOD.end)
    with translation.override("vi"):
        declared = nfc(translation.gettext("members declared"))
        recorded = nfc(translation.gettext("named"))
    for needle in (
        "Nguyễn Văn Được",
        "Phó Trưởng ban Thường trực",
        committee.standing_agency.name,
    ):
        assert nfc(needle) in text, needle
    # The first page's summary: the declared and the named seats (figures over captions).
    first_page = re.sub(r"\s+", " ", nfc(reader.pages[0].extract_text()))
    assert f"32 {declared} {counts.named} {recorded}" in first_page, first_page[:600]
    # Every font is DejaVu Sans (the stylesheet applied) and embedded: no fallback font stood in for a Vietnamese letter.
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "DejaVu-Sans" in font["/BaseFont"]
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    # The snapshot is the roster on the period's last day.
    roster = roster_on(committee, PERIOD.end)
    assert [
        (line["person"], line["role"], line["start_uncertain"])
        for line in report.snapshot["roster"]
    ] == [(entry.person.full_name, entry.role, entry.start_uncertain) for entry in roster]
    assert report.snapshot["counts"] == {
        "declared": 32,
        "actual": counts.actual,
        "named": counts.named,
        "title_only": 0,
        "vacant": 0,
        "gap": 32 - counts.actual,
    }
    assert ready_history(report.pk) == 1


def _committee_with_members(count: int) -> Committee:
    committee = CommitteeFactory(
        name="Ban Chỉ đạo kiểm thử tiến trình", declared_member_count=count
    )
    for _ in range(count):
        MembershipFactory(committee=committee)
    return committee


def test_it_finishes_once_when_the_rendering_process_is_killed(worker_factory, transactional_db):
    worker = worker_factory("paused", REPORTS_TEST_RENDER_PAUSE=4)
    committee = _committee_with_members(5)

    requested = services.report_request(committee=committee, period=PERIOD)
    running = wait_for(requested.pk, {Report.Status.RUNNING})
    os.kill(int(running.worker.rsplit(":", 1)[1]), signal.SIGKILL)

    # Late acknowledgement + reject-on-worker-lost: the same message is delivered again.
    report = wait_for(requested.pk, {Report.Status.READY, Report.Status.FAILED})
    worker.stop()
    assert report.status == Report.Status.READY, report.error_message
    assert report.attempts == 2
    assert report.worker != running.worker
    assert ready_history(report.pk) == 1
    assert Report.objects.filter(committee=committee).count() == 1
    content = services.report_file(report).read_bytes()
    assert hashlib.sha256(content).hexdigest() == report.sha256


def _received(worker) -> int:
    return len(
        re.findall(r"reports\.tasks\.render_report\[\w+\] received", worker.log_path.read_text())
    )


def _recovered_at(report_id: int):
    row = (
        Report.history.filter(id=report_id, history_change_reason__startswith="Recovered")
        .order_by("history_date")
        .first()
    )
    return row.history_date if row is not None else None


def test_it_recovers_every_report_of_a_killed_worker_within_two_minutes(
    worker_factory, beat, transactional_db
):
    """Beat and workers as in production; the test kills one worker outright and never calls
    the recovery or the sweeper itself."""
    # The doomed worker holds four renders: one rendering (held in a long pause), three
    # received and waiting in it.
    doomed = worker_factory(
        "doomed", REPORTS_TEST_RENDER_PAUSE=600, CELERY_WORKER_PREFETCH_MULTIPLIER=4
    )
    committee = _committee_with_members(3)
    periods = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 11)]
    requested = [
        services.report_request(committee=committee, period=parse_period(code)).pk
        for code in periods
    ]
    assert len(requested) == 20
    deadline = time.monotonic() + 90
    while _received(doomed) < 4 or not Report.objects.filter(status="running").exists():
        assert time.monotonic() < deadline, doomed.output()
        time.sleep(0.2)
    running = Report.objects.get(status=Report.Status.RUNNING)
    doomed_identity = liveness.identity_of(running.worker)
    assert doomed_identity is not None
    tasks = dict(Report.objects.filter(pk__in=requested).values_list("task_id", "pk"))
    held = {
        tasks[task_id]
        for task_id, holder in liveness.holders(list(tasks)).items()
        if holder == doomed_identity
    }
    assert running.pk in held
    assert len(held) == 4

    survivor = worker_factory("survivor")
    doomed.kill()
    killed_at = timezone.now()

    deadline = time.monotonic() + 300
    while Report.objects.filter(pk__in=requested).exclude(status=Report.Status.READY).exists():
        assert time.monotonic() < deadline, list(
            Report.objects.filter(pk__in=requested).values_list("period", "status", "attempts")
        )
        assert not Report.objects.filter(status=Report.Status.FAILED).exists()
        time.sleep(0.5)
    survivor.stop()

    reports = {report.pk: report for report in Report.objects.filter(pk__in=requested)}
    assert all(report.status == Report.Status.READY for report in reports.values())
    # Exactly the four the dead worker held were recovered, each within two minutes, and
    # each was ready within two minutes of the kill too.
    recovered = {pk for pk in requested if _recovered_at(pk) is not None}
    assert recovered == held
    bound = dt.timedelta(minutes=2)
    for pk in held:
        assert _recovered_at(pk) - killed_at < bound
        assert reports[pk].finished_at - killed_at < bound
    # None rendered twice; nothing was made by the dead worker.
    for pk, report in reports.items():
        assert ready_history(pk) == 1
        assert liveness.identity_of(report.worker) != doomed_identity
        assert hashlib.sha256(services.report_file(report).read_bytes()).hexdigest() == (
            report.sha256
        )
    assert reports[running.pk].attempts == 2  # rendered once by the dead worker, once again
    assert Report.objects.filter(committee=committee).count() == 20


def test_a_stale_redelivered_message_changes_nothing(celery_worker):
    """What the broker redelivers after a worker died (the old message, its old task id) finds
    the report already made, or made again under a new task, and does nothing."""
    from reports.tasks import render_report

    committee = _committee_with_members(2)
    first = services.report_request(committee=committee, period=PERIOD)
    first = wait_for(first.pk, {Report.Status.READY, Report.Status.FAILED})
    assert first.status == Report.Status.READY, first.error_message
    regenerated = services.report_request(committee=committee, period=PERIOD, regenerate=True)
    regenerated = wait_for(regenerated.pk, {Report.Status.READY, Report.Status.FAILED})
    assert regenerated.generation == 2
    assert regenerated.task_id != first.task_id
    fields = ["status", "task_id", "generation", "attempts", "worker", "file_path", "sha256"]
    before = Report.objects.filter(pk=first.pk).values(*fields, "finished_at").get()
    history_before = Report.history.filter(id=first.pk).count()
    content_before = services.report_file(regenerated).read_bytes()

    # Both old messages come back (the first generation's and the current one's), then a
    # fresh report is asked for: once it is ready, the worker has taken the stale ones.
    render_report.apply_async(args=[first.pk], task_id=first.task_id, priority=6)
    render_report.apply_async(args=[first.pk], task_id=regenerated.task_id, priority=6)
    other = services.report_request(committee=committee, period=parse_period("2026-Q3"))
    assert wait_for(other.pk, {Report.Status.READY}).status == Report.Status.READY
    assert f"render_report[{first.task_id}] succeeded" in celery_worker.output()
    assert f"render_report[{regenerated.task_id}] succeeded" in celery_worker.output()

    assert Report.objects.filter(pk=first.pk).values(*fields, "finished_at").get() == before
    assert Report.history.filter(id=first.pk).count() == history_before
    assert services.report_file(regenerated).read_bytes() == content_before
    assert ready_history(first.pk) == 2  # one per generation, none from the stale messages
