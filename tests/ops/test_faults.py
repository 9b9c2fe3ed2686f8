"""Faults on the real services: PostgreSQL restarted during a burst of roster writes, Redis
stopped and started while reports render. They disturb the shared services for a few seconds."""

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from members.models import Membership
from tests.factories import CommitteeFactory, PersonFactory, UserFactory
from tests.ops.helpers import ROOT, child_database_url

pytestmark = pytest.mark.django_db(transaction=True)

PG_VERSION = sorted(os.listdir("/etc/postgresql"))[0]
PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"]
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
REDIS_STOP = ["redis-cli", "shutdown", "nosave"]

WRITER = """
import os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.db import connection, InterfaceError, OperationalError
from committees.models import Committee
from members.models import Membership, Person
from members.services import membership_appoint

committee = Committee.objects.get(slug=sys.argv[1])
people = list(Person.objects.filter(slug__startswith="ghi-").order_by("slug"))
deadline = time.monotonic() + 90
for person in people:
    while True:
        try:
            # A retried write whose first commit went through is found, not written twice.
            seat = Membership.objects.filter(committee=committee, person=person).first()
            if seat is None:
                seat = membership_appoint(committee=committee, person=person, reason="burst")
            print("ACK", seat.pk, person.pk, flush=True)
            break
        except (OperationalError, InterfaceError) as exc:
            print("RETRY", person.pk, type(exc).__name__, flush=True)
            connection.close()
            if time.monotonic() > deadline:
                print("GAVE UP", flush=True)
                sys.exit(1)
            time.sleep(0.3)
print("DONE", flush=True)
"""


def _wait_for_postgres(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.close()
        try:
            connection.ensure_connection()
            return
        except Exception:
            time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


def test_every_acknowledged_roster_write_survives_a_postgresql_restart():
    committee = CommitteeFactory(name="Ban Chỉ đạo thử khởi động lại", slug="ban-khoi-dong-lai")
    people = [
        PersonFactory(full_name=f"Người Ghi {i:03d}", slug=f"ghi-{i:03d}") for i in range(150)
    ]
    env = {**os.environ, "DATABASE_URL": child_database_url(), "DATABASE_CONN_MAX_AGE": "0"}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, committee.slug],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged: dict[int, int] = {}
    retries = 0
    restarted = False
    try:
        for line in writer.stdout:
            parts = line.split()
            if parts[0] == "ACK":
                acknowledged[int(parts[1])] = int(parts[2])
                if len(acknowledged) == 30 and not restarted:
                    subprocess.run(PG_RESTART, check=True, capture_output=True, timeout=120)
                    restarted = True
            elif parts[0] == "RETRY":
                retries += 1
        assert writer.wait(timeout=120) == 0, writer.stderr.read()[-3000:]
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        _wait_for_postgres()
    assert restarted
    assert retries > 0, "the restart did not interrupt the burst"
    assert len(acknowledged) == len(people)
    stored = dict(Membership.objects.filter(committee=committee).values_list("pk", "person_id"))
    # Every acknowledged write is there, once, for the right person.
    assert stored == acknowledged


def _redis_up() -> bool:
    result = subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, check=False)
    return result.stdout.strip() == "PONG"


def _start_redis() -> None:
    if not _redis_up():
        subprocess.run(REDIS_START, check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 30
    while not _redis_up():
        if time.monotonic() > deadline:
            raise AssertionError("Redis did not come back")
        time.sleep(0.2)


@contextlib.contextmanager
def _worker(tmp_path: Path, private: Path):
    log = (tmp_path / "worker.log").open("ab")
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_STORAGE_ROOT": str(private),
        "DATABASE_CONN_MAX_AGE": "0",
        "AXES_ENABLED": "false",
        # Each render holds a moment, so Redis goes away while renders are in flight.
        "REPORTS_TEST_RENDER_PAUSE": "2",
    }
    command = [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker"]
    command += ["--pool=prefork", "--concurrency=2", "--loglevel=INFO", "--without-gossip"]
    command += ["--without-mingle", "--without-heartbeat", "--hostname=ops-faults@%h"]
    command += [f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in (tmp_path / "worker.log").read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "worker.log").read_text()[-3000:])
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


@pytest.mark.worker
def test_reports_end_ready_or_failed_when_redis_stops_and_starts(tmp_path, settings):
    from reports import services
    from reports.models import Report
    from reports.periods import parse_period

    private = tmp_path / "private"
    private.mkdir()
    settings.PRIVATE_STORAGE_ROOT = private
    settings.CELERY_TASK_ALWAYS_EAGER = False
    committee = CommitteeFactory(name="Ban Chỉ đạo thử Redis", slug="ban-thu-redis")
    periods = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    try:
        with _worker(tmp_path, private):
            for code in periods:
                services.report_request(committee=committee, period=parse_period(code))
            deadline = time.monotonic() + 60
            while not Report.objects.filter(status=Report.Status.RUNNING).exists():
                assert time.monotonic() < deadline, "no render started"
                time.sleep(0.1)
            subprocess.run(REDIS_STOP, capture_output=True, timeout=30, check=False)
            assert not _redis_up()
            # A leader asks for a report while the queue is down: told so, and the row is kept.
            leader = UserFactory(username="lanhdao.redis", is_superuser=True)
            client = Client()
            client.force_login(leader)
            response = client.post(
                "/reports/",
                {"committee": committee.pk, "period": "2025-07", "language": "vi"},
                follow=True,
            )
            assert "không đưa được vào hàng đợi" in response.content.decode()
            assert Report.objects.get(period="2025-07").status == Report.Status.QUEUED
            _start_redis()
            # What beat's sweeper does on its next rounds: re-queue what the outage stranded.
            deadline = time.monotonic() + 150
            while Report.objects.exclude(
                status__in=[Report.Status.READY, Report.Status.FAILED]
            ).exists():
                assert time.monotonic() < deadline, list(
                    Report.objects.values_list("period", "status", "attempts")
                )
                services.sweep_stuck_reports(
                    now=timezone.now(), stuck_after=dt.timedelta(seconds=20)
                )
                time.sleep(2)
    finally:
        _start_redis()
    statuses = dict(Report.objects.values_list("period", "status"))
    assert set(statuses) == {*periods, "2025-07"}
    assert set(statuses.values()) <= {Report.Status.READY, Report.Status.FAILED}
    for report in Report.objects.filter(status=Report.Status.READY):
        assert services.report_file(report).is_file()
