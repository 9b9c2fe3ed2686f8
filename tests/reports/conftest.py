"""Fixtures of the report tests: private storage in a temporary directory, and a real Celery
worker (a subprocess) on the test database and the suite's Redis."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports.models import Report

WORKER_READY_TIMEOUT = 60


@pytest.fixture(scope="session")
def private_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _private_storage(settings, private_root):
    settings.PRIVATE_STORAGE_ROOT = private_root


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Worker:
    """A `celery -A config worker` subprocess with its own log; always stopped by its fixture."""

    def __init__(self, log_dir: Path, database_url: str, name: str, extra_env: dict | None = None):
        self.log_path = log_dir / f"{name}.log"
        self.database_url = database_url
        self.name = name
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    ready_marker = b" ready."

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={self.name}@%h",
            f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
        ]

    def start(self) -> "Worker":
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
            "DATABASE_CONN_MAX_AGE": "0",
            "AXES_ENABLED": "false",
            **self.extra_env,
        }
        self.log = self.log_path.open("ab")
        start = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            self.command(),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited:\n{self.output()}")
            with self.log_path.open("rb") as handle:
                handle.seek(start)
                if self.ready_marker in handle.read():
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"The Celery worker did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        else:
            # The main process is gone; make sure no orphaned pool child lingers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()
        self.process = None


class Beat(Worker):
    """`celery -A config beat` with the production schedule, its state file in a temporary
    directory: the periodic tasks (dispatch, recovery, sweep) go out as they would in service."""

    ready_marker = b"beat: Starting..."

    def command(self) -> list[str]:
        return [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.log_path.with_suffix('.schedule')}",
        ]


def purge_queue() -> None:
    from config.celery_app import app

    app.control.purge()


@pytest.fixture(scope="session")
def worker_factory(django_db_setup, django_db_blocker, tmp_path_factory, private_root):
    """Start workers (or beat, `beat=True`) on the test database; every one started is stopped
    at the end."""
    if not settings.REDIS_URL:
        pytest.fail("The worker tests need REDIS_URL (run them like `make test` does).")
    with django_db_blocker.unblock():
        database_url = _database_url()
    log_dir = tmp_path_factory.mktemp("celery")
    started: list[Worker] = []

    def start(name: str = "reports", *, beat: bool = False, **extra_env) -> Worker:
        settings.PRIVATE_STORAGE_ROOT = private_root
        kind = Beat if beat else Worker
        worker = kind(log_dir, database_url, name, {k: str(v) for k, v in extra_env.items()})
        started.append(worker)
        return worker.start()

    purge_queue()
    yield start
    for worker in started:
        worker.stop()
    purge_queue()


@pytest.fixture
def celery_worker(worker_factory, transactional_db):
    """A plain worker for one test (tests with workers need committed data)."""
    worker = worker_factory("plain")
    yield worker
    worker.stop()


@pytest.fixture
def beat(worker_factory, transactional_db):
    """Celery beat for one test, stopped after it: no periodic task reaches a later test."""
    started = worker_factory("beat", beat=True)
    yield started
    started.stop()


def wait_for(report_id: int, statuses: set[str], timeout: float = 90) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = Report.objects.get(pk=report_id)
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"Report {report_id} stayed {report.status} (wanted {statuses}).")


@pytest.fixture(autouse=True)
def _no_leftover_messages():
    """Renders queued by a test that has no worker must not reach a later test's worker."""
    yield
    if settings.REDIS_URL:
        purge_queue()
