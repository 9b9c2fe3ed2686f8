"""Back up and restore the registry: the database and the private report files, in one archive.

    python scripts/backup.py backup [--output DIR]        (make backup)
    python scripts/backup.py restore FILE [--force]       (make restore FILE=...)

The database is the one the settings use (DATABASE_URL, else the embedded SQLite file); the
files are everything under PRIVATE_STORAGE_ROOT. The archive holds a manifest listing every
file with its SHA-256, and restore checks them. Restore refuses a database that already holds
tables unless --force is given (then the archive's objects replace the existing ones).
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT_VERSION = 1
PG_DUMP_NAME = "database.pgdump"
SQLITE_NAME = "database.sqlite3"
FILES_DIR = "private"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _database() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def _private_root() -> Path:
    from django.conf import settings

    return Path(settings.PRIVATE_STORAGE_ROOT)


def _pg_env(db: dict) -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or 5432),
        PGUSER=str(db.get("USER") or ""),
        PGDATABASE=str(db["NAME"]),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _dump_database(db: dict, target: Path) -> str:
    engine = db["ENGINE"]
    if engine == "django.db.backends.postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            _pg_env(db),
        )
        return "postgresql"
    if engine == "django.db.backends.sqlite3":
        source = sqlite3.connect(str(db["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return "sqlite"
    raise BackupError(f"Unsupported database engine: {engine}")


def backup(output_dir: Path) -> Path:
    """Write registry-<UTC time>.tar.gz into output_dir and return its path."""
    db = _database()
    private = _private_root()
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = output_dir / f"registry-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="registry-backup-") as work:
        work_dir = Path(work)
        dump_name = PG_DUMP_NAME if db["ENGINE"].endswith("postgresql") else SQLITE_NAME
        engine = _dump_database(db, work_dir / dump_name)
        files = []
        if private.is_dir():
            for path in sorted(private.rglob("*")):
                # Half-written renders (*.part) are not reports yet.
                if path.is_file() and not path.name.endswith(".part"):
                    files.append(
                        {
                            "path": path.relative_to(private).as_posix(),
                            "sha256": _sha256(path),
                            "size": path.stat().st_size,
                        }
                    )
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "engine": engine,
            "database": dump_name,
            "files": files,
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        partial = archive.with_suffix(".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work_dir / "manifest.json", arcname="manifest.json")
            tar.add(work_dir / dump_name, arcname=dump_name)
            for item in files:
                tar.add(private / item["path"], arcname=f"{FILES_DIR}/{item['path']}")
        partial.replace(archive)
    return archive


def _pg_has_tables(db: dict) -> bool:
    import psycopg

    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        connect_timeout=10,
    ) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    return row[0] > 0


def restore(archive: Path, *, force: bool = False) -> dict:
    """Load the archive's database into the configured database and its files into
    PRIVATE_STORAGE_ROOT; return the manifest. Every file's checksum is verified."""
    if not archive.is_file():
        raise BackupError(f"No such backup file: {archive}")
    db = _database()
    private = _private_root()
    with tempfile.TemporaryDirectory(prefix="registry-restore-") as work:
        work_dir = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work_dir, filter="data")
        manifest = json.loads((work_dir / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"Unknown backup format: {manifest.get('format')!r}")
        for item in manifest["files"]:
            if _sha256(work_dir / FILES_DIR / item["path"]) != item["sha256"]:
                raise BackupError(f"Damaged backup: {item['path']} does not match its checksum.")
        if manifest["engine"] == "postgresql":
            if db["ENGINE"] != "django.db.backends.postgresql":
                raise BackupError("This backup is of PostgreSQL; set DATABASE_URL to restore it.")
            if _pg_has_tables(db) and not force:
                raise BackupError(
                    f"The database {db['NAME']} already holds tables; restore into a fresh "
                    "database, or pass --force (FORCE=1) to replace its contents."
                )
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
            command += ["--single-transaction", f"--dbname={db['NAME']}"]
            if force:
                command += ["--clean", "--if-exists"]
            _run([*command, str(work_dir / manifest["database"])], _pg_env(db))
        else:
            if db["ENGINE"] != "django.db.backends.sqlite3":
                raise BackupError("This backup is of the embedded SQLite database.")
            target = Path(db["NAME"])
            if target.exists() and target.stat().st_size > 0 and not force:
                raise BackupError(f"{target} already exists; pass --force (FORCE=1) to replace it.")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work_dir / manifest["database"], target)
        for item in manifest["files"]:
            destination = private / item["path"]
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work_dir / FILES_DIR / item["path"], destination)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup archive")
    make.add_argument("--output", type=Path, default=ROOT / "var" / "backups")
    load = commands.add_parser("restore", help="restore a backup archive")
    load.add_argument("file", type=Path)
    load.add_argument("--force", action="store_true", help="replace a database that has tables")
    args = parser.parse_args(argv)
    _setup_django()
    try:
        if args.command == "backup":
            archive = backup(args.output)
            print(f"Backup written: {archive}")
        else:
            manifest = restore(args.file, force=args.force)
            print(
                f"Restored {args.file} ({manifest['engine']} database, "
                f"{len(manifest['files'])} private files, made {manifest['created_at']})."
            )
    except BackupError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
