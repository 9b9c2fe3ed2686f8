"""Request keys (the idempotency app): a roster write retried under the same key is done once;
the key is stored in the write's own transaction, or not at all."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from idempotency import services as idempotency
from idempotency.models import RequestKey
from members.models import Membership
from members.services import membership_appoint
from tests.factories import PersonFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_it_returns_the_first_seat_to_a_retry_and_writes_nothing(committee_a):
    person = PersonFactory()
    seat = membership_appoint(
        committee=committee_a, person=person, reason="Bổ sung", request_key="k-1"
    )
    again = membership_appoint(
        committee=committee_a, person=person, reason="Bổ sung", request_key="k-1"
    )
    assert again == seat
    assert Membership.objects.filter(person=person).count() == 1
    assert Membership.history.filter(id=seat.pk).count() == 1
    assert RequestKey.objects.get(key="k-1").object_id == seat.pk
    # Without a key, the same write is refused by the roster rules instead (a second seat).
    with pytest.raises(ValidationError):
        membership_appoint(committee=committee_a, person=person, reason="Bổ sung")


@pytest.mark.django_db
def test_a_failed_write_leaves_its_key_free(committee_a):
    person = PersonFactory()
    with pytest.raises(ValidationError):
        membership_appoint(committee=committee_a, person=person, reason=" ", request_key="k-2")
    assert not RequestKey.objects.exists()
    seat = membership_appoint(
        committee=committee_a, person=person, reason="Bổ sung", request_key="k-2"
    )
    assert RequestKey.objects.get(key="k-2").object_id == seat.pk


@pytest.mark.django_db
def test_a_key_used_for_another_kind_of_change_is_refused(committee_a):
    membership_appoint(
        committee=committee_a, person=PersonFactory(), reason="Bổ sung", request_key="k-3"
    )
    with pytest.raises(ValidationError, match="another kind of change"), transaction.atomic():
        idempotency.done(key="k-3", operation="membership_end", model=Membership)


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_request_at_once_write_one_seat(committee_a):
    """Two connections send the same request at the same moment: the key's unique constraint
    lets one commit; the other's write is rolled back with it."""
    people = [PersonFactory(), PersonFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send(person):
        translation.activate("en")
        barrier.wait(timeout=30)  # both send at the same moment
        try:
            with transaction.atomic():
                membership_appoint(
                    committee=committee_a, person=person, reason="Bổ sung", request_key="k-4"
                )
                time.sleep(1)  # still in flight when the copy arrives
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("saved") == 1, outcomes
    assert "already being saved" in next(o for o in outcomes if o != "saved")
    assert Membership.objects.filter(committee=committee_a).count() == 1
    assert RequestKey.objects.filter(key="k-4").count() == 1
