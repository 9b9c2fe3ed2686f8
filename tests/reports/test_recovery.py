"""The recovery beat runs every few seconds (services.recover_orphaned_reports), judged from
worker heartbeats and the broker's queue on the real Redis: what it takes up again, and what it
leaves alone."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from reports import liveness, services
from reports.models import Report
from reports.periods import parse_period
from reports.tasks import render_report

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _redis(settings):
    if not settings.REDIS_URL:
        pytest.fail("The recovery tests need REDIS_URL (run them like `make test` does).")


def _identity(alive: bool) -> str:
    own = f"test-host#{uuid.uuid4().hex[:12]}"
    if alive:
        liveness._client().set(liveness.HEARTBEAT_PREFIX + own, "1", ex=30)
    return own


def _report(committee, period: str, **fields) -> Report:
    report = services.report_request(committee=committee, period=parse_period(period))
    Report.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report


def _running_on(committee, period: str, identity: str) -> Report:
    return _report(
        committee,
        period,
        status=Report.Status.RUNNING,
        attempts=1,
        started_at=timezone.now() - dt.timedelta(seconds=5),
        worker=f"{identity}:4242",
    )


def test_a_report_running_on_a_dead_worker_is_queued_again_ahead(committee_a):
    dead = _running_on(committee_a, "2025-01", _identity(alive=False))
    alive = _running_on(committee_a, "2025-02", _identity(alive=True))
    # Rendered in-process (a shell, the web): not a worker's, liveness does not judge it.
    local = _running_on(committee_a, "2025-03", "web-host")
    local.worker = "web-host:99"
    Report.objects.filter(pk=local.pk).update(worker="web-host:99")

    assert services.recover_orphaned_reports() == [dead.pk]
    recovered = Report.objects.get(pk=dead.pk)
    assert recovered.status == Report.Status.QUEUED
    assert recovered.task_id != dead.task_id
    assert Report.history.filter(id=dead.pk, history_change_reason__startswith="Recovered").exists()
    for untouched in (alive, local):
        row = Report.objects.get(pk=untouched.pk)
        assert (row.status, row.task_id) == (Report.Status.RUNNING, untouched.task_id)
    # The old render, if it was still going somewhere, can no longer finish it.
    assert services._claim(dead.pk, dead.task_id) is None


def test_a_queued_report_whose_message_is_nowhere_is_queued_again(committee_a):
    long_ago = timezone.now() - LONG_AGO
    lost = _report(committee_a, "2025-04", queued_at=long_ago)
    waiting = _report(committee_a, "2025-05", queued_at=long_ago)
    render_report.apply_async(args=[waiting.pk], task_id=waiting.task_id, priority=6)
    held_alive = _report(committee_a, "2025-06", queued_at=long_ago)
    held_dead = _report(committee_a, "2025-07", queued_at=long_ago)
    client = liveness._client()
    client.set(liveness.HOLDER_PREFIX + held_alive.task_id, _identity(alive=True), ex=60)
    client.set(liveness.HOLDER_PREFIX + held_dead.task_id, _identity(alive=False), ex=60)
    just_asked = _report(committee_a, "2025-08")  # within the grace: its message is on its way

    assert sorted(services.recover_orphaned_reports()) == sorted([lost.pk, held_dead.pk])
    for report in (waiting, held_alive, just_asked):
        assert Report.objects.get(pk=report.pk).task_id == report.task_id


def test_a_report_rendered_too_often_fails_instead(committee_a):
    report = _running_on(committee_a, "2025-09", _identity(alive=False))
    Report.objects.filter(pk=report.pk).update(attempts=services.MAX_ATTEMPTS)
    assert services.recover_orphaned_reports() == [report.pk]
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error_message


def test_with_redis_away_it_judges_nothing(committee_a, settings):
    report = _running_on(committee_a, "2025-10", _identity(alive=False))
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert services.recover_orphaned_reports() == []
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING
