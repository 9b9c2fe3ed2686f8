"""`manage.py notify`: on the demo data, --dry-run lists the data committee's unnamed seats for
its secretariat and every pending change; nothing is sent or stored."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from committees.models import Committee
from members.models import PendingSeatChange, Position
from members.services import position_holder_change
from notifications.models import Outbox
from tests.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def demo(seeded, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("create_demo_accounts", stdout=StringIO())


def test_it_lists_the_data_committees_unnamed_seats_for_its_secretariat(demo):
    out = StringIO()
    call_command("notify", "--dry-run", stdout=out)
    text = out.getvalue()
    block = text.split("To: thuky.dulieu ")[1].split("\n\n")[0]
    assert "Ban Chỉ đạo về dữ liệu TPHCM" in block
    assert "28 of 32 declared seats have no member recorded." in block
    assert "nothing sent (dry run)" in text
    assert not Outbox.objects.exists()


def test_it_lists_every_pending_change_the_demo_holds(demo):
    """A post that gives seats changes holder: each committee's secretariat sees its change."""
    post = (
        Position.objects.filter(
            single_holder=True,
            seats__end_date__isnull=True,
            seats__committee__slug="bcd-du-lieu-tphcm",
        )
        .order_by("pk")
        .first()
    )
    position_holder_change(
        position=post,
        person=PersonFactory(full_name="Trần Văn Mới"),
        on=dt.date(2026, 6, 1),
        reason="Quyết định bổ nhiệm",
    )
    pending = list(PendingSeatChange.objects.filter(status="pending").select_related("committee"))
    assert pending
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser

    out = StringIO()
    call_command("notify", "--dry-run", stdout=out)
    text = out.getvalue()
    for change in pending:
        assert (
            f"{change.committee.name}: pending ex officio change: {post.title} now held by Trần Văn Mới"
            in text
        )
    secretariat = text.split("To: thuky.dulieu ")[1].split("\n\n")[0]
    data_committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    assert f"{data_committee.name}: pending ex officio change" in secretariat


def test_it_lists_every_seat_held_through_a_post_left_that_the_demo_holds(demo):
    from members.models import Membership
    from members.selectors import with_post_left

    seats = list(
        with_post_left(
            Membership.objects.filter(
                end_date__isnull=True, position__isnull=False, person__isnull=False
            ).select_related("person", "position", "committee")
        ).filter(post_held=False, post_ended=True)
    )
    assert seats  # the demo's articles show holders who have since left their posts
    out = StringIO()
    call_command("notify", "--dry-run", "--user", "admin", stdout=out)
    text = out.getvalue()
    for seat in seats:
        assert (
            f"{seat.committee.name}: seat held through a post its holder left: "
            f"{seat.person.full_name}" in text
        )


def test_it_builds_one_users_digest_with_user(demo):
    out = StringIO()
    call_command("notify", "--dry-run", "--user", "thuky.dulieu", stdout=out)
    assert out.getvalue().count("To: ") == 1
    with pytest.raises(CommandError, match="No active registry user"):
        call_command("notify", "--dry-run", "--user", "nobody")


def test_it_lists_the_focal_points_late_task_and_nothing_else(demo):
    from django.utils import timezone

    from work.models import Agency, Task
    from work.services import task_update

    agency = Agency.objects.get(slug="so-tttt-tphcm")
    task = Task.objects.filter(lead_agency=agency).order_by("pk").first()
    task_update(
        task=task,
        deadline=timezone.localdate() - dt.timedelta(days=3),
        deadline_precision="day",
        reason="Kế hoạch đặt hạn",
    )
    out = StringIO()
    call_command("notify", "--dry-run", stdout=out)
    block = out.getvalue().split("To: daumoi.tttt ")[1].split("\n\n")[0]
    lines = [line for line in block.splitlines() if line.startswith("  - ")]
    assert len(lines) == 1
    assert "your agency's task overdue or due soon: Overdue since" in lines[0]
    assert task.text[:60] in lines[0]
    one = StringIO()
    call_command("notify", "--dry-run", "--user", "daumoi.tttt", stdout=one)
    assert one.getvalue().count("To: ") == 1


def test_it_lists_the_data_committees_seats_without_a_decision(demo):
    out = StringIO()
    call_command("notify", "--dry-run", "--user", "thuky.dulieu", stdout=out)
    assert (
        "Ban Chỉ đạo về dữ liệu TPHCM: roster change without a decision: 4 seats were recorded "
        "without a decision" in out.getvalue()
    )
