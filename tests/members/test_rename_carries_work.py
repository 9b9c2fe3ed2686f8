"""A renamed body carries its continuing work (mandates, targets, open tasks, followers) with
history citing the decision; what ended stays with the body under its old name."""

import datetime as dt

import pytest
from django.utils import timezone

from members.services import committee_rename
from notifications import selectors, services
from notifications.models import Channel, Follow, Kind, NotificationRule
from tests.factories import (
    AgencyFactory,
    InstrumentFactory,
    MandateFactory,
    MeasurementFactory,
    TargetFactory,
)
from work.models import Task
from work.services import TaskItem, task_create, task_progress_add

pytestmark = pytest.mark.django_db


def test_a_renamed_body_carries_its_continuing_work_and_keeps_what_ended(
    client, superuser, leader, committee_a
):
    NotificationRule.objects.update_or_create(
        kind=Kind.TASK_DUE,
        channel=Channel.QUEUE,
        defaults={"to_leaders": True, "lead_days": 30, "active": True},
    )
    today = timezone.localdate()
    plan = InstrumentFactory(number="88/KH-UBND")
    police = AgencyFactory(name="Công an Thành phố")

    def task(text: str, deadline: dt.date) -> Task:
        return task_create(
            committee=committee_a,
            item=TaskItem(text=text, lead_agency=police, deadline=deadline),
            source_kind=Task.SourceKind.PLAN,
            source_instrument=plan,
            assigned_on=today - dt.timedelta(days=60),
            reason="Kế hoạch",
        )

    going = task("Lập sàn dữ liệu thành phố", today + dt.timedelta(days=10))
    done = task("Khảo sát hiện trạng", today - dt.timedelta(days=20))
    task_progress_add(task=done, date=today - dt.timedelta(days=25), text="Xong", state="done")
    remit = MandateFactory(committee=committee_a, text="Chỉ đạo chuyển đổi số")
    spent = MandateFactory(committee=committee_a, text="Tổng kết đề án cũ")
    open_target = TargetFactory(
        committee=committee_a, mandate=remit, indicator="Tỷ lệ hồ sơ trực tuyến"
    )
    reached = TargetFactory(committee=committee_a, mandate=remit, indicator="Phủ sóng 5G")
    MeasurementFactory(target=reached, value=90, date=today - dt.timedelta(days=5))
    past = TargetFactory(
        committee=committee_a,
        mandate=spent,
        indicator="Số hóa hồ sơ cũ",
        deadline=today - dt.timedelta(days=40),
    )
    services.follow_set(user=leader, committee=committee_a, following=True)
    decision = InstrumentFactory(number="99/QĐ-UBND")

    renamed = committee_rename(
        committee=committee_a,
        name="Ban Chỉ đạo chuyển đổi số và đổi mới sáng tạo",
        on=today,
        decision=decision,
        reason="Quyết định 99/QĐ-UBND",
        by=superuser,
    ).committee

    going.refresh_from_db()
    assert going.committee == renamed
    moved = going.history.first()
    assert (moved.history_user, moved.history_change_reason) == (
        superuser,
        "Quyết định 99/QĐ-UBND",
    )
    done.refresh_from_db()
    assert done.committee == committee_a
    assert set(renamed.mandates.all()) == {remit}
    assert set(committee_a.mandates.all()) == {spent}
    assert set(renamed.targets.all()) == {open_target}
    assert set(committee_a.targets.all()) == {reached, past}
    reached.full_clean()  # an ended target keeps its mandate, gone on under the new name
    follow = Follow.objects.get(user=leader)
    assert follow.committee == renamed
    assert follow.history.first().history_change_reason == "Quyết định 99/QĐ-UBND"

    client.force_login(superuser)
    page = client.get(f"/committees/{renamed.slug}/").content.decode()
    assert "Chỉ đạo chuyển đổi số" in page
    assert "Tỷ lệ hồ sơ trực tuyến" in page
    assert "Tổng kết đề án cũ" not in page
    board = client.get(f"/committees/{renamed.slug}/tasks/").content.decode()
    assert "Lập sàn dữ liệu thành phố" in board
    old_board = client.get(f"/committees/{committee_a.slug}/tasks/").content.decode()
    assert "Khảo sát hiện trạng" in old_board
    assert "Lập sàn dữ liệu thành phố" not in old_board

    items = [i for i in selectors.work_queue(leader).items if i.kind == Kind.TASK_DUE]
    assert [(i.committee_id, i.key.split(":")[1]) for i in items] == [(renamed.pk, str(going.pk))]
