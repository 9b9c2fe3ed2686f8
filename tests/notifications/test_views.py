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
