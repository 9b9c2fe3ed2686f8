"""Long lists on the portal at city scale: a large committee's roster and its changes come a page at
a time (current seats only on the roster, history on demand), and the directory counts the seats
of the committees on its page only."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from members.models import Membership, Role
from portal import selectors
from tests.factories import CommitteeFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _big_committee(current: int, ended: int):
    committee = CommitteeFactory(slug="ban-rat-lon", name="Ban Chỉ đạo rất lớn")
    for index in range(current):
        MembershipFactory(
            committee=committee,
            person=PersonFactory(full_name=f"Thành Viên {index:04d}"),
            start_date=D(2020, 1, 1) + dt.timedelta(days=index),
        )
    for index in range(ended):
        MembershipFactory(
            committee=committee,
            person=PersonFactory(full_name=f"Cựu Thành Viên {index:04d}"),
            start_date=D(2010, 1, 1),
            end_date=D(2015, 1, 1) + dt.timedelta(days=index),
            end_reason=Membership.EndReason.OTHER,
        )
    return committee


def _roster_names(html: str) -> list[str]:
    table = html.split('class="data-table roster-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'class="strong">([^<]+)</a>', table)


def _timeline_items(html: str) -> int:
    return html.split('id="changes"', 1)[1].count('class="timeline__item')


def test_the_roster_comes_a_page_at_a_time_with_current_seats_only(client, leader):
    committee = _big_committee(current=selectors.ROSTER_PAGE + 5, ended=3)
    client.force_login(leader)
    first = client.get(committee.get_absolute_url()).content.decode()
    names = _roster_names(first)
    assert len(names) == selectors.ROSTER_PAGE
    assert names[0] == "Thành Viên 0000"  # by role, then name
    assert not any(name.startswith("Cựu") for name in names)
    assert f'data-count="actual">{selectors.ROSTER_PAGE + 5}<' in first  # the whole roster
    assert "?members=2#roster" in first
    second = client.get(committee.get_absolute_url() + "?members=2").content.decode()
    assert _roster_names(second) == [f"Thành Viên {i:04d}" for i in range(100, 105)]
    assert "members=2" not in second.split('data-pager="members"', 1)[1].split("</nav>", 1)[0]
    # A page past the end shows the last one, not an empty roster.
    assert _roster_names(client.get(committee.get_absolute_url() + "?members=9").content.decode())


def test_the_roster_changes_come_on_demand_the_latest_first(client, leader):
    committee = _big_committee(current=20, ended=10)  # 30 appointments and 10 endings
    client.force_login(leader)
    url = committee.get_absolute_url()
    first = client.get(url + "?as_of=01/01/2021").content.decode()
    assert _timeline_items(first) == selectors.TIMELINE_PAGE
    changes = first.split('id="changes"', 1)[1]
    assert changes.index("Thành Viên 0019") < changes.index("Thành Viên 0018")  # latest first
    pager = changes.split('data-pager="changes"', 1)[1].split("</nav>", 1)[0]
    assert "as_of=01%2F01%2F2021" in pager
    assert "changes=2#changes" in pager
    second = client.get(url + "?changes=2").content.decode()
    assert _timeline_items(second) == 40 - selectors.TIMELINE_PAGE
    assert "Thay đổi mới hơn" in second  # the link back, in Vietnamese


def test_the_directory_counts_the_seats_of_each_committee_on_its_page(client, leader):
    committee = CommitteeFactory(slug="ban-dem", name="Ban Chỉ đạo đếm")
    for _index in range(3):
        MembershipFactory(committee=committee, role=Role.MEMBER)
    MembershipFactory(
        committee=committee, end_date=D(2020, 1, 1), end_reason=Membership.EndReason.OTHER
    )
    client.force_login(leader)
    html = client.get(reverse("portal:committee-list"), {"q": "ban chi dao dem"}).content.decode()
    row = html.split("Ban Chỉ đạo đếm", 1)[1].split("</tr>", 1)[0]
    assert re.search(r'<td class="num">3</td>', row)
