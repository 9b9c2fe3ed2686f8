"""Pages: the queue on the portal home and the admin home with its count in the menu, follow and
unfollow, the preferences page."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Channel, Follow, Kind, NotificationPreference, NotificationRule
from tests.factories import TargetFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap(committee_a):
    committee_a.declared_member_count = 7
    committee_a.save(update_fields=["declared_member_count"])
    return committee_a


def test_it_shows_the_queue_on_the_portal_home_with_its_count_in_the_menu(
    client, secretariat_a, gap
):
    client.force_login(secretariat_a)
    response = client.get(reverse("portal:committee-list"))
    html = response.content.decode()
    assert "data-nav-queue" in html
    assert '<span class="nav-count"' in html
    assert "7 ghế theo quyết định còn 7 ghế chưa ghi tên thành viên." in html
    assert reverse("admin:committees_committee_roster", args=[gap.pk]) in html


def test_it_shows_the_queue_on_the_admin_home(client, secretariat_a, gap):
    client.force_login(secretariat_a)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Việc cần làm (1)" in html
    assert reverse("admin:committees_committee_roster", args=[gap.pk]) in html


def test_it_lets_a_leader_follow_and_unfollow_a_committee(client, leader, committee_a):
    TargetFactory(committee=committee_a, indicator="Tỷ lệ hồ sơ", deadline=dt.date(2022, 1, 1))
    client.force_login(leader)
    page = client.get(committee_a.get_absolute_url()).content.decode()
    assert "data-follow" in page
    assert "Theo dõi" in page
    response = client.post(
        reverse("notifications:follow", args=[committee_a.slug]), {"action": "follow"}
    )
    assert response.status_code == 302
    assert Follow.objects.filter(user=leader, committee=committee_a).exists()
    home = client.get(reverse("portal:committee-list")).content.decode()
    assert "Tỷ lệ hồ sơ: quá hạn" in home

    client.post(reverse("notifications:follow", args=[committee_a.slug]), {"action": "unfollow"})
    assert not Follow.objects.exists()
    assert "Tỷ lệ hồ sơ" not in client.get(reverse("notifications:queue")).content.decode()


def test_it_refuses_the_queue_to_someone_outside_the_registry(client, committee_a):
    client.force_login(UserFactory(username="nguoingoai"))
    assert client.get(reverse("notifications:queue")).status_code == 403
    response = client.post(reverse("notifications:follow", args=[committee_a.slug]))
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_it_saves_the_preferences_but_keeps_mandatory_rules_on(client, secretariat_a):
    client.force_login(secretariat_a)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Ngôn ngữ thư điện tử của tôi" in page
    optional = NotificationRule.objects.filter(active=True, mandatory=False, to_secretariat=True)
    keep = optional.get(kind=Kind.TERM_ENDING, channel=Channel.DIGEST)
    response = client.post(
        reverse("notifications:preferences"), {"language": "en", "receive": [keep.pk]}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=secretariat_a)
    assert preference.language == "en"
    muted = set(preference.muted_rules.values_list("pk", flat=True))
    assert muted == set(optional.exclude(pk=keep.pk).values_list("pk", flat=True))
    assert not preference.muted_rules.filter(mandatory=True).exists()


def test_it_refuses_a_bad_language_with_a_message_and_changes_nothing(client, secretariat_a):
    client.force_login(secretariat_a)
    response = client.post(reverse("notifications:preferences"), {"language": "xx"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_it_keeps_rules_and_the_outbox_to_administrators(client, superuser, secretariat_a):
    client.force_login(secretariat_a)
    assert client.get(reverse("admin:notifications_outbox_changelist")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("admin:notifications_outbox_changelist")).status_code == 200
    assert client.get(reverse("admin:notifications_notificationrule_changelist")).status_code == 200


def _fill(committee, agency, size: int) -> None:
    """Items of the kinds each persona sees, `size` of each: unnamed seats recorded without a
    decision, targets overdue, tasks overdue led by the agency."""
    from django.utils import timezone

    from tests.factories import MembershipFactory
    from tests.work.conftest import make_task

    today = timezone.localdate()
    for n in range(size):
        MembershipFactory(committee=committee, person=None, title_at_appointment=f"Ghế {n}")
        TargetFactory(committee=committee, deadline=dt.date(2022, 1, 1))
        make_task(committee, agency, deadline=today - dt.timedelta(days=n + 1), text=f"Việc {n}")


@pytest.mark.parametrize("who", ["secretariat_a", "leader", "focal_point"])
def test_the_queue_page_makes_the_same_number_of_queries_at_two_sizes(
    client, request, who, committee_a, lead_agency
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services

    user = request.getfixturevalue(who)
    if who == "leader":
        services.follow_set(user=user, committee=committee_a, following=True)
    client.force_login(user)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as log:
            response = client.get(reverse("notifications:queue"))
        assert response.status_code == 200
        return len(log.captured_queries), response.content.decode().count("<li data-kind=")

    _fill(committee_a, lead_agency, 2)
    small, small_items = count()
    _fill(committee_a, lead_agency, 12)
    large, large_items = count()
    assert large_items > small_items > 0
    assert large == small
