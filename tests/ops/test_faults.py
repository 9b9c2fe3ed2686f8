"""Faults on services of the tests' own: a PostgreSQL cluster restarted during a burst of roster
writes, a Redis stopped and started while reports render, and two editors saving one seat at
the same moment. The clusters are throwaway ones (tests/ops/throwaway.py) on free ports: the
shared PostgreSQL and Redis are never stopped, restarted or reconfigured."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from committees import permissions
from members.models import Membership
from members.services import membership_appoint
from tests.factories import CommitteeFactory, PersonFactory, UserFactory
from tests.ops.helpers import ROOT, child_database_url, run_script
from tests.ops.throwaway import ThrowawayPostgres, ThrowawayRedis

pytestmark = pytest.mark.django_db(transaction=True)


def _child_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "CELERY_"))
    }
    env.update(DATABASE_CONN_MAX_AGE="0", AXES_ENABLED="false", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


# --- PostgreSQL restarted during a burst of roster writes -------------------------------------

SETUP = """
from committees.models import Committee
from members.models import Person
from tests.factories import CommitteeFactory, PersonFactory
CommitteeFactory(name="Ban Chỉ đạo thử khởi động lại", slug="ban-khoi-dong-lai")
for i in range(150):
    PersonFactory(full_name=f"Người Ghi {i:03d}", slug=f"ghi-{i:03d}")
print("SET UP", Person.objects.count())
"""

# A client of the product: each write carries a request key; on a lost connection it sends the
# same request again, with the same key, and nothing else. It never looks before it writes.
WRITER = """
import os, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.db import connection, InterfaceError, OperationalError
from committees.models import Committee
from members.models import Person
from members.services import membership_appoint

committee = Committee.objects.get(slug="ban-khoi-dong-lai")
people = list(Person.objects.filter(slug__startswith="ghi-").order_by("slug"))
repeat = int(sys.argv[1])
deadline = time.monotonic() + 120
for person in people[:repeat] if repeat else people:
    while True:
        try:
            seat = membership_appoint(
                committee=committee, person=person, reason="burst",
                request_key=f"burst-{person.slug}",
            )
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


@pytest.fixture
def own_postgres():
    cluster = ThrowawayPostgres().start()
    try:
        yield cluster
    finally:
        cluster.stop()


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def test_every_acknowledged_roster_write_survives_a_postgresql_restart_once(own_postgres):
    # The cluster's database starts as a copy of the (migrated, empty) test database.
    url = own_postgres.copy_database(child_database_url(), "registry")
    env = _child_env(DATABASE_URL=url)
    made = run_script(env, SETUP)
    assert made.returncode == 0, made.stderr
    shared_before = Membership.objects.count()

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, "0"],
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
                    own_postgres.restart()
                    restarted = True
            elif parts[0] == "RETRY":
                retries += 1
        assert writer.wait(timeout=180) == 0, writer.stderr.read()[-3000:]
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert restarted
    assert retries > 0, "the restart did not interrupt the burst"
    assert len(acknowledged) == 150
    stored = dict(_rows(url, "SELECT id, person_id FROM members_membership"))
    # Every acknowledged write is there, once, for the right person.
    assert stored == acknowledged
    assert _rows(url, "SELECT count(*) FROM idempotency_requestkey") == [(150,)]

    # Answers lost after the commit: the client sends the same 40 requests again. The product
    # recognises every key and returns the seats it made; nothing is written.
    again = subprocess.run(
        [sys.executable, "-c", WRITER, "40"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    repeated = {
        int(parts[1]): int(parts[2])
        for parts in (line.split() for line in again.stdout.splitlines())
        if parts[0] == "ACK"
    }
    assert len(repeated) == 40
    assert repeated.items() <= acknowledged.items()
    assert dict(_rows(url, "SELECT id, person_id FROM members_membership")) == stored
    assert _rows(url, "SELECT count(*) FROM members_historicalmembership") == [(150,)]
    # The shared server's databases were not part of this.
    assert Membership.objects.count() == shared_before


# --- Two editors save the same seat at the same moment, in two processes ----------------------

EDITOR = """
import os, sys, time
from pathlib import Path
from django.core.exceptions import ValidationError
from django.contrib.auth import get_user_model
from django.utils import translation
from members.models import Membership
from members.services import membership_update

translation.activate("vi")
user = get_user_model().objects.get(username=sys.argv[1])
opened = Membership.objects.get(pk=int(sys.argv[2]))  # the form as the editor opened it
print("OPENED", opened.version, flush=True)
go = Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
try:
    saved = membership_update(
        membership=opened, expected_version=opened.version,
        changes={"title_at_appointment": sys.argv[3]}, reason="Sửa chức danh", by=user,
    )
    print("SAVED", saved.version, flush=True)
except ValidationError as exc:
    print("CONFLICT", exc.messages[0], flush=True)
"""


def test_two_editors_saving_one_seat_at_once_one_wins_the_other_is_told(tmp_path, committee_a):
    seat = membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Võ Văn Thưởng"),
        title="Phó Giám đốc Sở",
        reason="Bổ nhiệm",
    )
    editors = {}
    for username in ("thuky.mot", "thuky.hai"):
        user = UserFactory(username=username)
        permissions.grant_secretariat(user, committee_a)
        editors[username] = user
    titles = {"thuky.mot": "Giám đốc Sở Tài chính", "thuky.hai": "Giám đốc Sở Xây dựng"}
    go = tmp_path / "go"
    prelude = (
        "import os, sys\nsys.path.insert(0, os.getcwd())\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "import django\ndjango.setup()\n"
    )
    env = _child_env(DATABASE_URL=child_database_url())
    processes = {
        username: subprocess.Popen(
            [sys.executable, "-c", prelude + EDITOR, username, str(seat.pk), title, str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username, title in titles.items()
    }
    try:
        # Both have the seat open at version 1, then both press save at the same moment.
        for process in processes.values():
            assert process.stdout.readline().split() == ["OPENED", "1"], process.stderr.read()
        go.touch()
        results = {}
        for username, process in processes.items():
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err[-3000:]
            results[username] = out.strip()
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    winners = [name for name, out in results.items() if out.startswith("SAVED")]
    losers = [name for name, out in results.items() if out.startswith("CONFLICT")]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    (winner,), (loser,) = winners, losers
    # The loser is told plainly, in Vietnamese, that someone else saved first.
    message = results[loser]
    assert "Người khác đã sửa bản ghi thành viên này" in message, message
    assert "membership" not in message
    assert "version" not in message
    # Nothing lost: the winner's change stands, saved once, by the winner.
    seat.refresh_from_db()
    assert seat.title_at_appointment == titles[winner]
    assert seat.version == 2
    updates = Membership.history.filter(id=seat.pk, history_change_reason="Sửa chức danh")
    assert list(updates.values_list("history_user__username", flat=True)) == [winner]


# --- Redis stopped and started while reports render ---------------------------------------------


@contextlib.contextmanager
def _celery(tmp_path: Path, name: str, command: list[str], env: dict[str, str], ready: bytes):
    log_path = tmp_path / f"{name}.log"
    log = log_path.open("ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "config", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while ready not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


REQUEST = """
import json, sys
from committees.models import Committee
from reports import services
from reports.periods import parse_period
committee = Committee.objects.get(slug="ban-thu-redis")
ids = [services.report_request(committee=committee, period=parse_period(code)).pk
       for code in sys.argv[1:]]
print(json.dumps(ids))
"""

LEADER_ASKS = """
from django.test import Client
from django.contrib.auth import get_user_model
from committees.models import Committee
client = Client()
client.force_login(get_user_model().objects.get(username="lanhdao.redis"))
response = client.post(
    "/reports/",
    {"committee": Committee.objects.get(slug="ban-thu-redis").pk, "period": "2025-07",
     "language": "vi"},
    follow=True,
)
print(response.status_code)
print(response.content.decode())
"""


@pytest.fixture
def own_redis():
    server = ThrowawayRedis().start()
    try:
        yield server
    finally:
        server.cleanup()


@pytest.mark.worker
def test_reports_are_ready_after_redis_stops_and_starts(tmp_path, own_redis):
    from reports.models import Report

    private = tmp_path / "private"
    private.mkdir()
    CommitteeFactory(name="Ban Chỉ đạo thử Redis", slug="ban-thu-redis")
    UserFactory(username="lanhdao.redis", is_superuser=True, is_staff=True)
    env = _child_env(
        DATABASE_URL=child_database_url(),
        REDIS_URL=own_redis.url,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        CELERY_TASK_ALWAYS_EAGER="false",
        PRIVATE_STORAGE_ROOT=str(private),
        # Each render holds a moment, so Redis goes away while renders are in flight.
        REPORTS_TEST_RENDER_PAUSE="2",
    )
    periods = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    worker = ["worker", "--pool=prefork", "--concurrency=2", "--loglevel=INFO"]
    worker += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker += ["--hostname=ops-faults@%h", f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}"]
    beat = ["beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}"]
    with (
        _celery(tmp_path, "worker", worker, env, b" ready."),
        _celery(tmp_path, "beat", beat, env, b"beat: Starting..."),
    ):
        asked = run_script(env, REQUEST.replace("sys.argv[1:]", repr(periods)))
        assert asked.returncode == 0, asked.stderr
        deadline = time.monotonic() + 90
        while not Report.objects.filter(status=Report.Status.RUNNING).exists():
            assert time.monotonic() < deadline, "no render started"
            time.sleep(0.1)
        own_redis.stop()
        assert not own_redis.up()
        # A leader asks for a report while the queue is down: told so, and the row is kept.
        answer = run_script(env, LEADER_ASKS)
        assert answer.returncode == 0, answer.stderr[-3000:]
        assert "không đưa được vào hàng đợi" in answer.stdout
        assert Report.objects.get(period="2025-07").status == Report.Status.QUEUED
        time.sleep(3)
        own_redis.start()
        # Nobody sweeps by hand: beat's recovery re-queues what the outage lost.
        deadline = time.monotonic() + 240
        while Report.objects.exclude(status=Report.Status.READY).exists():
            assert time.monotonic() < deadline, list(
                Report.objects.values_list("period", "status", "attempts")
            )
            time.sleep(1)
    reports = list(Report.objects.all())
    assert sorted(report.period for report in reports) == [*periods, "2025-07"]
    for report in reports:
        assert report.status == Report.Status.READY, report.error_message
        assert (private / report.file_path).is_file()
        assert Report.history.filter(id=report.pk, status=Report.Status.READY).count() == 1
    assert json.loads(asked.stdout)  # the six were asked for in the child, on this Redis
