"""The pipeline through a real Celery worker on Redis, including a worker killed mid-render."""

import datetime as dt
import hashlib
import io
import os
import signal
import unicodedata

import pypdf
import pytest
from django.utils import translation

from committees.models import Committee
from members.selectors import member_counts, roster_on
from reports import services
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
        declared = nfc(f"{translation.gettext('Declared')}: 32")
        recorded = nfc(f"{translation.gettext('Recorded')}: {counts.actual}")
    for needle in (
        "Nguyễn Văn Được",
        "Phó Trưởng ban Thường trực",
        committee.standing_agency.name,
        declared,
        recorded,
    ):
        assert nfc(needle) in text, needle
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


def test_it_finishes_once_when_the_whole_worker_is_killed_and_restarted(
    worker_factory, transactional_db
):
    doomed = worker_factory("doomed", REPORTS_TEST_RENDER_PAUSE=60)
    committee = _committee_with_members(3)
    requested = services.report_request(committee=committee, period=PERIOD)
    running = wait_for(requested.pk, {Report.Status.RUNNING})

    doomed.kill()
    # The message stays unacknowledged in Redis until its visibility timeout: the sweeper
    # queues the stuck report again, and a restarted worker makes it.
    replacement = worker_factory("replacement")
    assert services.sweep_stuck_reports(stuck_after=dt.timedelta(0)) == [requested.pk]
    report = wait_for(requested.pk, {Report.Status.READY, Report.Status.FAILED})
    replacement.stop()

    assert report.status == Report.Status.READY, report.error_message
    assert report.task_id != running.task_id
    assert report.attempts == 2
    assert ready_history(report.pk) == 1
    assert Report.objects.filter(committee=committee).count() == 1
