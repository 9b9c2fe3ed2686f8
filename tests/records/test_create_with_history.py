"""create_with_history: a large batch goes in by COPY and comes back as bulk_create's would."""

import datetime as dt

import pytest
from django.db import IntegrityError

from committees.models import Agency
from members.models import Person
from records import writes
from records.writes import create_with_history, integrity_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _people(count: int, prefix: str) -> list[Person]:
    return [
        Person(
            full_name=f"Nguyễn Văn {prefix} {n}",
            slug=f"{prefix}-{n}",
            search_key=f"nguyen van {prefix} {n}",
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("threshold", [1, 10_000], ids=["copy", "bulk_create"])
def test_rows_come_back_with_keys_and_each_has_its_history_row(monkeypatch, threshold):
    monkeypatch.setattr(writes, "COPY_THRESHOLD", threshold)
    monkeypatch.setattr(writes, "COPY_BATCH", 7)  # several COPY statements
    clerk = UserFactory(username="thuky")
    people = _people(20, "p")
    recorded = dt.datetime(2021, 3, 4, 5, 6, tzinfo=dt.UTC)
    people[3]._history_date = recorded
    create_with_history(Person, people, reason="Nhập dữ liệu", by=clerk)

    assert all(person.pk for person in people)
    assert len({person.pk for person in people}) == 20
    stored = Person.objects.in_bulk([person.pk for person in people])
    assert stored[people[5].pk].full_name == "Nguyễn Văn p 5"  # diacritics kept
    assert not people[0]._state.adding
    history = Person.history.filter(id__in=stored)
    assert history.count() == 20
    assert set(history.values_list("history_type", "history_change_reason", "history_user")) == {
        ("+", "Nhập dữ liệu", clerk.pk)
    }
    assert history.get(id=people[3].pk).history_date == recorded
    # The sequence moved past the copied keys: the next ordinary insert takes a new one.
    later = Person.objects.create(
        full_name="Lê Thị Mai", slug="le-thi-mai", search_key="le thi mai"
    )
    assert later.pk > max(person.pk for person in people)


def test_foreign_keys_to_objects_saved_in_the_same_run_are_written(monkeypatch):
    monkeypatch.setattr(writes, "COPY_THRESHOLD", 1)
    parent = Agency(name="Sở Nội vụ", slug="so-noi-vu", search_key="so noi vu")
    create_with_history(Agency, [parent], reason="Nhập")
    children = [
        Agency(name=f"Phòng {n}", slug=f"phong-{n}", search_key=f"phong {n}", parent=parent)
        for n in range(3)
    ]
    create_with_history(Agency, children, reason="Nhập")
    assert set(Agency.objects.filter(parent=parent).values_list("slug", flat=True)) == {
        "phong-0", "phong-1", "phong-2",
    }  # fmt: skip


def test_a_refused_copy_is_an_integrity_error_in_the_users_words(monkeypatch):
    monkeypatch.setattr(writes, "COPY_THRESHOLD", 1)
    people = _people(3, "dup")
    people[2].slug = people[0].slug
    with pytest.raises(IntegrityError) as caught:
        create_with_history(Person, people, reason="Nhập")
    assert "constraint" not in integrity_message(caught.value).lower()
