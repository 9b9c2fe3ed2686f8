"""The benchmark's two PostgreSQL databases, side by side, and switching between them.

`<base>_demo` holds the demo data and the benchmark's fixtures; `<base>_scale` the same plus
`seed_scale` (or a clone of a template that has them, `--scale-template`). The demo database
starts empty and is migrated, or starts as a copy of a database that is only migrated
(`--migrated`, e.g. the test database before any test ran), which saves the migrations. Each database
carries a fingerprint of what built it (the migrations, the seeding code and data, the
fixtures, the seed_scale parameters) as its comment; a run reuses a database whose fingerprint
matches and builds it again otherwise (`--fresh`: always).

One process measures both: each size has its own open connection, its own cache (a key
prefix of its own, so the public-page cache and the registry revision never leak from one
size to the other) and its own private storage folder; `activate` points Django's default
connection, cache and storage at one of them.
"""

import copy
import hashlib
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend
from django.test import Client
from django.utils.module_loading import import_string
from psycopg import sql

from demo.bench_fixtures import Fixtures, ensure_fixtures, load_fixtures

SIZES = ("demo", "scale")
USERS = (None, "admin", "secretariat", "focal point")  # None: an anonymous visitor
# The files whose content decides the data: a change to any of them builds the databases again.
DATA_SOURCES = [
    "demo/seeding.py",
    "demo/scale.py",
    "demo/bench_fixtures.py",
    "work/scale.py",
    "areas/seeding.py",
    "demo/seeds",
]
# A statement running longer than this while measuring is a stall: the page fails, the run goes on.
STATEMENT_TIMEOUT_MS = 300_000


@dataclass
class Size:
    name: str
    database: str
    connection: object
    cache: object
    storage: Path
    fixtures: Fixtures | None = None
    build: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)

    def client(self, user: str | None) -> Client:
        """A test client signed in as one of the fixture users (None: an anonymous visitor)."""
        if user not in self.clients:
            client = Client()
            if user is not None:
                client.force_login(self.fixtures.users[user])
            self.clients[user] = client
        return self.clients[user]


def activate(size: Size) -> None:
    connections["default"] = size.connection
    caches["default"] = size.cache
    settings.PRIVATE_STORAGE_ROOT = size.storage
    ContentType.objects.clear_cache()


def database_url(database: str) -> str:
    """The DATABASE_URL of one of the databases, for a child process (the password, if any,
    travels in DATABASE_PASSWORD as the settings allow)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{database}"


def _maintenance():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _wrapper(database: str, *, timeout_ms: int | None = None):
    """A Django connection to another database, under the default alias."""
    params = copy.deepcopy(connections.settings["default"])
    params["NAME"] = database
    if timeout_ms:
        params.setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={timeout_ms}"
    return load_backend(params["ENGINE"]).DatabaseWrapper(params, "default")


def _cache(name: str):
    """The default cache under a key prefix of this size and run."""
    params = copy.deepcopy(settings.CACHES["default"])
    backend = import_string(params.pop("BACKEND"))
    location = params.pop("LOCATION", f"bench-{name}")
    params["KEY_PREFIX"] = f"bench-{name}-{uuid.uuid4().hex[:8]}"
    return backend(location, params)


def fingerprint(*, scale: dict | None, template: str | None) -> dict:
    digest = hashlib.sha256()
    for source in DATA_SOURCES:
        path = settings.BASE_DIR / source
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.name.encode() + file.read_bytes())
    migrations = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations)
    return {
        "migrations": hashlib.sha256("\n".join(migrations).encode()).hexdigest()[:16],
        "data": digest.hexdigest()[:16],
        "seed_scale": scale,
        "template": template,
    }


def stored_fingerprint(database: str) -> dict | None:
    with _maintenance() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (database,),
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def drop(database: str) -> None:
    with _maintenance() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def clone(template: str, database: str) -> None:
    """`database` made anew as a copy of `template` (to which nobody may be connected)."""
    drop(database)
    with _maintenance() as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database), sql.Identifier(template)
            )
        )


def _build(
    name: str,
    database: str,
    wanted: dict,
    *,
    template: str | None,
    seeds: bool,
    seed: dict | None,
    progress: Callable[[str], None],
) -> dict:
    """Create the database (empty, or a copy of `template`), migrate it, load the demo data
    (`seeds`), seed_scale (`seed`), the fixtures (kept when copied), VACUUM ANALYZE; the
    fingerprint is written last, so a build cut short is built again next time. Returns the
    database it copied and the seconds of each step."""
    from demo.scale import seed_scale
    from demo.seeding import load_seeds

    steps: dict = {"template": template}

    def step(label: str, work: Callable[[], object]) -> None:
        progress(f"{name}: {label}…")
        started = time.monotonic()
        work()
        steps[label] = round(time.monotonic() - started, 1)
        progress(f"{name}: {label} {steps[label]} s")

    if template:
        step("create database", lambda: clone(template, database))
    else:
        drop(database)
        with _maintenance() as admin:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
            step("create database", lambda: admin.execute(create))
    connection = _wrapper(database)
    connections["default"] = connection
    step("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
    if seeds:
        if template and _holds_records():
            connection.close()
            drop(database)
            raise ValueError(
                f"{template} holds records: the demo database is copied only from a database "
                "that is migrated and holds nothing else."
            )
        step("load_seeds", load_seeds)
    if seed:
        # Committed as a step of its own: the foreign keys are checked at commit (deferred),
        # millions of them at city scale.
        transaction.set_autocommit(False)
        try:
            step("seed_scale", lambda: seed_scale(**seed, progress=progress))
            step("commit", transaction.commit)
        except BaseException:
            transaction.rollback()
            raise
        finally:
            transaction.set_autocommit(True)
    step("fixtures", ensure_fixtures)
    # Bulk-written tables have no planner statistics and no visibility map yet: without this,
    # the first pages at scale pay for them (and plan as if the tables were empty).
    step("vacuum analyze", lambda: _execute(connection, "VACUUM (ANALYZE)"))
    connection.close()
    with _maintenance() as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(database), sql.Literal(json.dumps(wanted, sort_keys=True))
            )
        )
    return steps


def _execute(connection, statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _holds_records() -> bool:
    from committees.models import Agency, Committee
    from members.models import Person

    return any(model.objects.exists() for model in (Agency, Committee, Person))


def _counts() -> dict[str, int]:
    from committees.models import Committee
    from members.models import Membership, Person
    from work.models import Meeting, Task

    models = {"committees": Committee, "people": Person, "memberships": Membership}
    models |= {"meetings": Meeting, "tasks": Task}
    return {label: model.objects.count() for label, model in models.items()}


def prepare(
    *,
    base: str,
    scale: dict,
    fresh: bool,
    template: str | None,
    storage: Path,
    progress: Callable[[str], None],
    migrated: str | None = None,
) -> list[Size]:
    """The two sizes, each database reused when its fingerprint matches, built otherwise
    (the demo one from a copy of `migrated` when given)."""
    if connections["default"].vendor != "postgresql" or "bench" not in base:
        raise ValueError(
            f"The benchmark builds and drops its own PostgreSQL databases ({base}_demo, "
            f"{base}_scale): the configured database name must contain 'bench' (got {base!r})."
        )
    names = {name: f"{base}_{name}" for name in SIZES}
    # What builds each, (template, demo data?, seed_scale parameters): the demo database is
    # migrated (or copied migrated) plus the demo data; the city-scale database is a copy of
    # the demo one plus seed_scale, or a copy of the given template plus the fixtures.
    plans = {
        "demo": (migrated, True, None),
        "scale": (template, False, None) if template else (names["demo"], False, scale),
    }
    builds = {}
    for name in SIZES:
        database = names[name]
        wanted = fingerprint(
            scale=scale if name == "scale" else None, template=template if name == "scale" else None
        )
        # A new demo database makes a new copy of it at scale (the same fixtures, same keys).
        copied_demo_anew = name == "scale" and not template and not builds["demo"]["reused"]
        if fresh or copied_demo_anew or stored_fingerprint(database) != wanted:
            started = time.monotonic()
            source, seeds, seed = plans[name]
            steps = _build(
                name, database, wanted, template=source, seeds=seeds, seed=seed, progress=progress
            )
            builds[name] = {"reused": False, "seconds": round(time.monotonic() - started, 1)}
            builds[name] |= steps
        else:
            builds[name] = {"reused": True}
            progress(f"{name}: {database} reused (same migrations, data and seed_scale parameters)")
    sizes = []
    for name in SIZES:  # connected once both are built: a template must have no connection
        size = Size(
            name=name,
            database=names[name],
            connection=_wrapper(names[name], timeout_ms=STATEMENT_TIMEOUT_MS),
            cache=_cache(name),
            storage=Path(tempfile.mkdtemp(prefix=f"{name}-", dir=storage)),
            build=builds[name],
        )
        activate(size)
        size.fixtures = load_fixtures()
        for user in USERS:  # signed in now, not while measuring
            size.client(user)
        size.counts = _counts()
        sizes.append(size)
    return sizes


def close(sizes: list[Size], default) -> None:
    for size in sizes:
        size.connection.close()
    connections["default"] = default
