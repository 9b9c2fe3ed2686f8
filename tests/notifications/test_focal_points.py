"""An agency focal point's own work queue: its agency's tasks overdue or due within the lead days,
whatever their committee, and nothing else (no other agency's tasks, no roster items); on the
portal home with its count in the menu, on the admin home of a focal point who keeps a roster,
and in its settings; the rule reaches focal points only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from committees.permissions import grant_focal_point, revoke_focal_point
from notifications import selectors, services
from notifications.models import Channel, Kind, NotificationRule
from tests.factories import MembershipFactory, UserFactory
from tests.work.conftest import make_task
from work.models import Task
from work.services import task_progress_add

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def task_ids(queue, kind=Kind.AGENCY_TASK_DUE) -> list[int]:
    return [int(item.key.split(":")[1]) for item in queue.items if item.kind == kind]


@pytest.fixture
def tasks(committee_a, committee_b, lead_agency, other_agency):
    """The focal point's agency leads a late task on A, one due soon on B, one without a committee
    and one due next year; the other agency leads a late task on A."""
    return {
        "late": make_task(committee_a, lead_agency, deadline=days(-5), text="Cơ sở dữ liệu dân cư"),
        "soon": make_task(
            committee_b, lead_agency, deadline=days(10), text="Sàn dữ liệu thành phố"
        ),
        "loose": make_task(None, lead_agency, deadline=days(-1), text="Cơ sở dữ liệu ngành"),
        "later": make_task(committee_a, lead_agency, deadline=days(200), text="Đánh giá năm sau"),
        "other": make_task(committee_a, other_agency, deadline=days(-5), text="Việc của Sở Nội vụ"),
    }


@pytest.mark.usefixtures("english")
def test_a_focal_point_sees_its_agencys_tasks_due_or_overdue_and_nothing_else(
    client, focal_point, tasks, committee_a
):
    committee_a.declared_member_count = 9  # roster items for the secretariat, never for it
    committee_a.save(update_fields=["declared_member_count"])
    MembershipFactory(committee=committee_a, person=None, title_at_appointment="Giám đốc Sở")
    queue = selectors.work_queue(focal_point)
    assert {item.kind for item in queue.items} == {Kind.AGENCY_TASK_DUE}
    assert sorted(task_ids(queue)) == sorted(tasks[k].pk for k in ("late", "soon", "loose"))
    by_task = {int(item.key.split(":")[1]): item for item in queue.items}
    assert by_task[tasks["late"].pk].text.startswith("Overdue since ")
    assert "Cơ sở dữ liệu dân cư" in by_task[tasks["late"].pk].text
    assert by_task[tasks["soon"].pk].text.startswith("Due ")
    assert by_task[tasks["loose"].pk].committee_name == "Tasks without a committee"
    # Each item leads to the task page, where the focal point reports progress.
    client.force_login(focal_point)
    for item in queue.items:
        assert item.url == reverse("work:task-detail", args=[int(item.key.split(":")[1])])
        assert client.get(item.url).status_code == 200

    task_progress_add(
        task=tasks["late"],
        date=days(0),
        text="Đã hoàn thành",
        state=Task.State.DONE,
        by=focal_point,
    )
    assert tasks["late"].pk not in task_ids(selectors.work_queue(focal_point))


def test_the_secretariat_gets_its_committees_tasks_not_the_agency_kind(secretariat_a, tasks):
    queue = selectors.work_queue(secretariat_a)
    assert Kind.AGENCY_TASK_DUE not in {item.kind for item in queue.items}
    assert set(task_ids(queue, Kind.TASK_DUE)) == {tasks["late"].pk, tasks["other"].pk}


def test_the_focal_points_queue_is_on_the_portal_home_with_its_count_in_the_menu(
    client, focal_point, tasks
):
    client.force_login(focal_point)
    html = client.get(reverse("portal:home")).content.decode()
    assert "data-nav-queue" in html
    assert '<span class="nav-count"' in html
    assert ">3</span>" in html
    assert "Quá hạn từ" in html
    assert "Cơ sở dữ liệu dân cư" in html
    assert "Việc của Sở Nội vụ" not in html
    page = client.get(reverse("notifications:queue"))
    assert page.status_code == 200
    assert "Sàn dữ liệu thành phố" in page.content.decode()


def test_a_focal_point_may_turn_its_agency_kind_off(client, focal_point, tasks):
    client.force_login(focal_point)
    settings_page = client.get(reverse("notifications:preferences"))
    assert settings_page.status_code == 200
    assert "nhiệm vụ của cơ quan mình quá hạn hoặc sắp đến hạn" in settings_page.content.decode()
    digest = NotificationRule.objects.get(kind=Kind.AGENCY_TASK_DUE, channel=Channel.DIGEST)
    response = client.post(
        reverse("notifications:preferences"), {"language": "vi", "receive": [digest.pk]}
    )
    assert response.status_code == 302
    assert selectors.work_queue(focal_point).items == []
    assert selectors.work_queue(focal_point, channel=Channel.DIGEST).count == 3


def test_a_secretariat_who_is_also_a_focal_point_sees_both_on_the_admin_home(
    client, secretariat_a, other_agency, tasks
):
    grant_focal_point(secretariat_a, other_agency)
    elsewhere = make_task(tasks["soon"].committee, other_agency, deadline=days(-2), text="Ở ban B")
    queue = selectors.work_queue(secretariat_a)
    # Its committee's tasks, and its agency's task on a committee it does not keep; the task of
    # its committee its agency leads is listed once.
    listed = [int(item.key.split(":")[1]) for item in queue.items if "task_due" in item.kind]
    assert sorted(listed) == sorted([tasks["late"].pk, tasks["other"].pk, elsewhere.pk])
    client.force_login(secretariat_a)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Ở ban B" in html
    assert reverse("work:task-detail", args=[elsewhere.pk]) in html
    assert html.count(reverse("work:task-detail", args=[tasks["other"].pk])) == 1


def test_a_revoked_focal_point_has_no_queue(client, focal_point, lead_agency, tasks):
    revoke_focal_point(focal_point, lead_agency)
    focal_point = type(focal_point).objects.get(pk=focal_point.pk)
    assert selectors.work_queue(focal_point).items == []
    client.force_login(focal_point)
    assert client.get(reverse("notifications:queue")).status_code == 403
    assert client.get(reverse("notifications:preferences")).status_code == 403


def test_a_focal_point_made_in_the_admin_has_its_queue(client, superuser, lead_agency, tasks):
    user = UserFactory(username="daumoi.moi")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:work_focalpoint_add"),
        {"user": user.pk, "agency": lead_agency.pk, "active": "on"},
    )
    assert response.status_code == 302
    assert selectors.work_queue(type(user).objects.get(pk=user.pk)).count == 3


def test_the_agency_kind_reaches_focal_points_only():
    rule = NotificationRule(
        kind=Kind.AGENCY_TASK_DUE, channel=Channel.IMMEDIATE, to_focal_points=True
    )
    rule.full_clean()
    rule.to_leaders = True
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert "to_leaders" in refused.value.message_dict
    gap = NotificationRule(kind=Kind.MEMBER_GAP, channel=Channel.IMMEDIATE, to_focal_points=True)
    with pytest.raises(ValidationError) as refused:
        gap.full_clean()
    assert "to_focal_points" in refused.value.message_dict


def test_the_digest_of_a_focal_point_lists_its_agencys_tasks(focal_point, tasks):
    focal_point.email = "daumoi@example.vn"
    focal_point.save(update_fields=["email"])
    [message] = [m for m in services.digests_build() if m.username == focal_point.username]
    assert {item.kind for item in message.items} == {Kind.AGENCY_TASK_DUE}
    assert "Cơ sở dữ liệu dân cư" in message.body
    assert "Việc của Sở Nội vụ" not in message.body
