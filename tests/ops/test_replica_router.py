"""The database router (config/db_router.py): with a read replica configured, the portal's and
the API's reads go to it; writes, reads after a write or inside a transaction, accounts and
sessions, and every other page stay on the primary.

The replica is configured as DATABASE_REPLICA_URL configures it, a second alias whose TEST
MIRROR is the primary: Django points it at the primary's test database, so it is a second
connection that sees what the primary committed (these tests commit, TransactionTestCase)."""

from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from committees.models import Committee
from committees.permissions import LEADERS_GROUP, ensure_groups
from config import db_router
from config.db_router import REPLICA, PrimaryReplicaRouter
from members.models import Person
from tests.factories import CommitteeFactory, MembershipFactory, PersonFactory, UserFactory


def _tables(queries) -> set[str]:
    """The tables whose rows a list of captured queries read (a join from a table read on the
    primary, such as a user's follows with their committees, counts for that table only)."""
    found = set()
    for query in queries:
        for table in ("committees_committee", "members_membership", "auth_user", "django_session"):
            if f'FROM "{table}"' in query["sql"]:
                found.add(table)
    return found


class TestWithAReplica(TransactionTestCase):
    databases = {DEFAULT_DB_ALIAS, REPLICA}

    @classmethod
    def setUpClass(cls):
        # What DATABASE_REPLICA_URL adds to the settings, pointed at the test database as
        # Django points a TEST MIRROR (unless the suite runs with a replica configured).
        cls.added = REPLICA not in connections.settings
        if cls.added:
            connections.settings[REPLICA] = {
                **connections.settings[DEFAULT_DB_ALIAS],
                "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
            }
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.added:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]

    def setUp(self):
        ensure_groups()
        self.committee = CommitteeFactory(name="Ban Chỉ đạo nhân bản", slug="ban-nhan-ban")
        MembershipFactory(committee=self.committee)
        self.leader = UserFactory(username="lanhdao.nhanban")
        self.leader.groups.add(Group.objects.get(name=LEADERS_GROUP))
        self.client.force_login(self.leader)

    def _get(self, url: str):
        with (
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
            CaptureQueriesContext(connections[REPLICA]) as replica,
        ):
            response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.primary_sql = [query["sql"] for query in primary.captured_queries]
        return _tables(primary.captured_queries), _tables(replica.captured_queries)

    def test_a_portal_page_reads_the_registry_from_the_replica(self):
        primary, replica = self._get(f"/committees/{self.committee.slug}/")
        assert {"committees_committee", "members_membership"} <= replica
        assert "committees_committee" not in primary, self.primary_sql
        # Who is signed in is read where the login wrote it.
        assert "django_session" in primary
        assert not {"auth_user", "django_session"} & replica

    def test_an_api_list_reads_from_the_replica(self):
        primary, replica = self._get("/api/committees/")
        assert "committees_committee" in replica
        assert "committees_committee" not in primary

    def test_the_admin_reads_from_the_primary(self):
        self.client.force_login(
            UserFactory(username="quantri.nhanban", is_staff=True, is_superuser=True)
        )
        primary, replica = self._get(f"/admin/committees/committee/{self.committee.pk}/change/")
        assert "committees_committee" in primary
        assert replica == set()

    def test_writes_go_to_the_primary_and_the_request_then_reads_its_own_writes(self):
        state = db_router.ReadState(replica=True)
        token = db_router._state.set(state)
        try:
            assert Committee.objects.get(pk=self.committee.pk)._state.db == REPLICA
            person = PersonFactory(full_name="Trần Văn Ghi", slug="tran-van-ghi")
            assert person._state.db == DEFAULT_DB_ALIAS
            assert state.wrote
            assert Committee.objects.get(pk=self.committee.pk)._state.db == DEFAULT_DB_ALIAS
            assert Person.objects.filter(pk=person.pk).exists()
        finally:
            db_router._state.reset(token)
        assert Person.objects.using(DEFAULT_DB_ALIAS).filter(slug="tran-van-ghi").exists()

    def test_reads_inside_a_transaction_and_locks_are_on_the_primary(self):
        token = db_router._state.set(db_router.ReadState(replica=True))
        try:
            with transaction.atomic():
                assert Committee.objects.get(pk=self.committee.pk)._state.db == DEFAULT_DB_ALIAS
                locked = Committee.objects.select_for_update().get(pk=self.committee.pk)
                assert locked._state.db == DEFAULT_DB_ALIAS
            assert router.db_for_write(Committee) == DEFAULT_DB_ALIAS
        finally:
            db_router._state.reset(token)

    def test_tasks_and_commands_read_from_the_primary(self):
        # No request marked them: a report's snapshot, an import, a migration.
        assert router.db_for_read(Committee) == DEFAULT_DB_ALIAS
        assert not router.allow_migrate(REPLICA, "committees")
        assert router.allow_migrate(DEFAULT_DB_ALIAS, "committees")


def test_without_a_replica_the_router_leaves_everything_on_default(monkeypatch, settings):
    monkeypatch.delitem(settings.DATABASES, REPLICA, raising=False)
    token = db_router._state.set(db_router.ReadState(replica=True))
    try:
        assert PrimaryReplicaRouter().db_for_read(Committee) is None
        assert PrimaryReplicaRouter().db_for_write(Committee) is None
        assert router.db_for_read(Committee) == DEFAULT_DB_ALIAS
    finally:
        db_router._state.reset(token)
