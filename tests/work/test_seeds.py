"""The demo meetings and tasks come from the articles, cite them, and invent no date."""

import datetime as dt

import pytest

from demo.seeding import load_seeds
from work.models import Meeting, Task

pytestmark = pytest.mark.django_db


def test_the_articles_meeting_and_tasks_are_loaded_once(seeded):
    conference = Meeting.objects.get(committee__slug="bcd-khcn-dmst-cds-tphcm")
    assert conference.date == dt.date(2026, 1, 14)
    assert conference.kind == "conference"
    assert conference.source == "004_4453090140c8f5cd.txt"
    assert conference.time is None
    assert conference.invitees.get(person__slug="dang-minh-thong").attendance == "present"
    campaign = Task.objects.filter(source_meeting=conference).order_by("number")
    assert [t.text for t in campaign] == [
        "Tập trung xây dựng 12 cơ sở dữ liệu quốc gia theo chỉ đạo của Trung ương",
        "Tập trung xây dựng các cơ sở dữ liệu chuyên ngành theo chỉ đạo của Trung ương",
        "Sớm hình thành Sàn dữ liệu Thành phố",
    ]
    assert campaign[0].target.indicator.startswith("Số cơ sở dữ liệu quốc gia")
    centre = Task.objects.get(text__startswith="Nghiên cứu thành lập Trung tâm chuyển đổi số")
    assert centre.lead_agency.slug == "so-tttt-tphcm"
    assert [a.slug for a in centre.coordinating_agencies.all()] == ["so-noi-vu-tphcm"]
    assert centre.deadline is None  # "the first six months" of a year the article does not give
    assert "6 tháng đầu năm" in centre.deadline_as_written
    assert (
        Task.objects.filter(
            lead_agency__slug__in=["ubnd-cac-quan-huyen", "ubnd-tp-thu-duc"]
        ).count()
        == 2
    )
    assert all(
        t.source in ("001_3477c4dc97e2d7e3.txt", "004_4453090140c8f5cd.txt")
        for t in Task.objects.all()
    )
    assert not Task.objects.filter(deadline__isnull=False).exists()
    counts = (Meeting.objects.count(), Task.objects.count(), Task.history.count())
    load_seeds()
    assert (Meeting.objects.count(), Task.objects.count(), Task.history.count()) == counts
