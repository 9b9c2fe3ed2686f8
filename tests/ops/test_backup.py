"""make backup / make restore: a backup restored into a fresh database has every record and file."""

import hashlib
import uuid

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from demo.seeding import load_seeds
from members.models import Person
from reports.models import Report
from tests.factories import CommitteeFactory
from tests.ops.helpers import PYTHON, ROOT, child_database_url, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def _backup_script(env, *args):
    import subprocess

    return subprocess.run(
        [PYTHON, "scripts/backup.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _server_url(name: str) -> str:
    return child_database_url().rsplit("/", 1)[0] + f"/{name}"


def _table_counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


@pytest.fixture
def fresh_database():
    name = f"registry_h7_restore_{uuid.uuid4().hex[:8]}"
    admin = _server_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report_with_file(private, committee, period: str, content: bytes) -> Report:
    relative = f"reports/{committee.slug}-{period}.pdf"
    path = private / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    from reports.periods import parse_period

    span = parse_period(period)
    return Report.objects.create(
        committee=committee,
        kind=Report.Kind.COMMITTEE_REVIEW,
        period=period,
        period_start=span.start,
        period_end=span.end,
        status=Report.Status.READY,
        file_path=relative,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        finished_at=timezone.now(),
    )


def test_a_backup_restores_every_record_and_report_file(tmp_path, fresh_database):
    load_seeds()
    committee = CommitteeFactory(name="Ban Chỉ đạo sao lưu Đắk Lắk", slug="ban-sao-luu")
    private = tmp_path / "private"
    reports = [
        _report_with_file(private, committee, "2025-Q1", b"%PDF-1.7 bao cao quy 1"),
        _report_with_file(private, committee, "2025-Q2", "%PDF-1.7 báo cáo quý 2".encode()),
    ]
    # A half-written render is not a report and is left out.
    (private / "reports" / "99-x.part").write_bytes(b"partial")
    source_counts = _table_counts(child_database_url())
    assert source_counts["members_membership"] > 0
    assert source_counts["reports_report"] == 2

    env = production_env(
        tmp_path,
        DJANGO_ENV="development",
        DATABASE_URL=child_database_url(),
        PRIVATE_STORAGE_ROOT=str(private),
    )
    made = _backup_script(env, "backup", "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    archive = next((tmp_path / "backups").glob("registry-*.tar.gz"))

    restored = tmp_path / "restored-private"
    env.update(DATABASE_URL=_server_url(fresh_database), PRIVATE_STORAGE_ROOT=str(restored))
    loaded = _backup_script(env, "restore", str(archive))
    assert loaded.returncode == 0, loaded.stderr
    assert "2 private files" in loaded.stdout

    # Every table has every row, and the rows read back the same.
    assert _table_counts(_server_url(fresh_database)) == source_counts
    with psycopg.connect(_server_url(fresh_database)) as conn:
        names = {row[0] for row in conn.execute("SELECT full_name FROM members_person ORDER BY id")}
        files = dict(conn.execute("SELECT file_path, sha256 FROM reports_report").fetchall())
    assert names == set(Person.objects.values_list("full_name", flat=True))
    assert "Nguyễn Văn Được" in names
    for report in reports:
        copy = restored / report.file_path
        assert copy.is_file()
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == files[report.file_path]
    assert not (restored / "reports" / "99-x.part").exists()

    # Restoring over a database that has data is refused unless forced; nothing changes.
    again = _backup_script(env, "restore", str(archive))
    assert again.returncode == 1
    assert "already holds tables" in again.stderr
    assert _table_counts(_server_url(fresh_database)) == source_counts


def test_a_damaged_backup_is_refused(tmp_path):
    import tarfile

    archive = tmp_path / "broken.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        manifest = tmp_path / "manifest.json"
        manifest.write_text(
            '{"format": 1, "engine": "postgresql", "database": "database.pgdump", '
            '"created_at": "x", "files": [{"path": "reports/a.pdf", "sha256": "00", "size": 1}]}'
        )
        tar.add(manifest, arcname="manifest.json")
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(b"%PDF")
        tar.add(pdf, arcname="private/reports/a.pdf")
    env = production_env(tmp_path, DJANGO_ENV="development", DATABASE_URL=child_database_url())
    result = _backup_script(env, "restore", str(archive))
    assert result.returncode == 1
    assert "does not match its checksum" in result.stderr
    assert connection.vendor == "postgresql"
