"""Shared fixtures: the real PostgreSQL check, a copy of the migrated database, the demo data,
and the personas of the permission matrix."""

import pytest
from django.db import connection, connections

from committees.permissions import CITY_STAFF_GROUP, LEADERS_GROUP, ensure_groups, grant_secretariat
from tests.factories import CommitteeFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def _real_postgresql(django_db_setup, django_db_blocker):
    """The suite tests PostgreSQL behaviour: refuse to run it on anything else."""
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql":
        pytest.exit(
            "The suite runs on PostgreSQL: run `make test` (or set DATABASE_URL to a PostgreSQL server).",
            returncode=2,
        )


@pytest.fixture(autouse=True, scope="session")
def _migrated_copy(request, django_db_setup, django_db_blocker):
    """When a test asks for `migrated_database`: a copy of the test database as the migrations
    left it, taken before any test runs (a transactional test's flush empties the tables the
    data migrations fill). Dropped at the end of the session."""
    if not any("migrated_database" in item.fixturenames for item in request.session.items):
        yield None
        return
    from demo.bench_databases import clone, drop

    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME']}_migrated"
        connections.close_all()  # a database is copied only while nobody is connected to it
        clone(connection.settings_dict["NAME"], name)
    yield name
    drop(name)


@pytest.fixture(scope="session")
def migrated_database(_migrated_copy) -> str:
    """The name of a database at the project's migrations and nothing else."""
    return _migrated_copy


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: Playwright's sync API runs one instance at
    a time, so every app's browser tests share this one (page fixtures: tests/portal/conftest)."""
    from playwright.sync_api import sync_playwright

    from tests.portal.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, chromium_sandbox=False, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password properly takes a third of a second; the suite creates many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    """The demo data of the five source articles."""
    from demo.seeding import load_seeds

    load_seeds()


@pytest.fixture
def groups(db):
    ensure_groups()


@pytest.fixture
def committee_a(db):
    return CommitteeFactory(name="Ban Chỉ đạo A", slug="ban-a")


@pytest.fixture
def committee_b(db):
    return CommitteeFactory(name="Ban Chỉ đạo B", slug="ban-b")


@pytest.fixture
def superuser(db):
    return UserFactory(username="quantri", is_staff=True, is_superuser=True)


@pytest.fixture
def city_staff(groups):
    from django.contrib.auth.models import Group

    user = UserFactory(username="canbo", is_staff=True)
    user.groups.add(Group.objects.get(name=CITY_STAFF_GROUP))
    return user


@pytest.fixture
def leader(groups):
    from django.contrib.auth.models import Group

    user = UserFactory(username="lanhdao")
    user.groups.add(Group.objects.get(name=LEADERS_GROUP))
    return user


@pytest.fixture
def secretariat_a(groups, committee_a):
    user = UserFactory(username="thuky.a")
    grant_secretariat(user, committee_a)
    return user


@pytest.fixture
def secretariat_b(groups, committee_b):
    user = UserFactory(username="thuky.b")
    grant_secretariat(user, committee_b)
    return user
