"""The package upload page (dry run, possible matches, confirm) and the package API."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import Committee
from members.models import Membership, Person
from packages.apply import import_packages
from packages.models import PackageImport
from packages.schema import read_packages

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/packages/packageimport/upload/"


def _file(data, name="goi.json"):
    handle = io.BytesIO(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    handle.name = name
    return handle


def _body(name="Ban Chỉ đạo A", members=()):
    return {
        "name": name,
        "level": "city",
        "established_by": {
            "number": "9/QĐ-UBND",
            "date": "01/11/2026",
            "issuer": "UBND TP.HCM",
            "title": "Kiện toàn",
        },
        "members": list(members),
    }


def test_it_shows_the_dry_run_and_imports_on_confirmation(client, superuser, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    client.force_login(superuser)
    seats = [
        {
            "person": "Phạm Thị Hoa",
            "role_in_committee": "Trưởng ban",
            "position_in_home_agency": "Chủ tịch UBND",
            "home_agency": "UBND TP.HCM",
        }
    ]
    response = client.post(UPLOAD, {"file": _file(_body("Ban Mới", seats)), "reason": "QĐ 9"})
    page = response.content.decode()
    assert "plan-bodies" in page
    assert "Ban Mới" in page
    assert not Committee.objects.filter(name="Ban Mới").exists()
    token = response.context["token"]
    response = client.post(UPLOAD, {"token": token})
    assert response.status_code == 302
    committee = Committee.objects.get(name="Ban Mới")
    assert committee.memberships.get().start_date.isoformat() == "2026-11-01"
    assert PackageImport.objects.get().by == superuser


def test_it_says_where_a_malformed_upload_breaks_and_saves_nothing(client, superuser):
    client.force_login(superuser)
    bad = _body(members=[{"person": "A", "role_in_committee": "Ủy viên", "agnecy": "x"}])
    response = client.post(UPLOAD, {"file": _file(bad), "reason": "x"})
    page = response.content.decode()
    assert "members[0].agnecy" in page
    assert not Committee.objects.exists()
    response = client.post(UPLOAD, {"file": _file("{"), "reason": "x"})
    assert "JSON" in response.content.decode()


def test_it_lets_a_secretariat_fill_its_own_body_and_no_other(
    client, secretariat_a, committee_a, committee_b, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    client.force_login(secretariat_a)
    seats = [
        {
            "person": "Lý Văn Bình",
            "role_in_committee": "Ủy viên",
            "position_in_home_agency": "",
            "home_agency": "",
        }
    ]
    response = client.post(UPLOAD, {"file": _file(_body(committee_a.name, seats)), "reason": "QĐ"})
    client.post(UPLOAD, {"token": response.context["token"]})
    assert committee_a.memberships.count() == 1
    response = client.post(UPLOAD, {"file": _file(_body(committee_b.name, seats)), "reason": "QĐ"})
    assert "Ban Chỉ đạo B" in response.content.decode()
    assert response.context["problems"]
    assert not committee_b.memberships.exists()
    response = client.post(UPLOAD, {"file": _file(_body("Ban Không Có", seats)), "reason": "QĐ"})
    assert response.context["problems"]
    assert not Committee.objects.filter(name="Ban Không Có").exists()


@pytest.mark.parametrize("who", ["city_staff", "leader"])
def test_it_keeps_readers_out_of_the_upload(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(UPLOAD).status_code in (302, 403)


def test_it_gives_a_body_back_through_the_api_in_fixed_queries(client, packages):
    import_packages(read_packages(packages), reason="test")
    committee = Committee.objects.get(name=packages[3]["name"])
    url = f"/api/committees/{committee.slug}/package.json"
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.json()["members"] == packages[3]["members"]
    extra = [
        {
            "person": f"Người Thứ {n}",
            "role_in_committee": "Ủy viên",
            "position_in_home_agency": f"Chuyên viên {n}",
            "home_agency": "Sở Nội vụ",
        }
        for n in range(12)
    ]
    packages[3]["members"] += extra
    import_packages(read_packages(packages[3]), reason="test")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.json()["members"]) == len(packages[3]["members"])
    assert len(large) == len(small)
    assert client.get(url + "?as_of=11/25/2026").status_code == 400
    assert client.get(url + "?as_of=01/01/2021").json()["members"] == []
    assert Membership.objects.filter(committee=committee).count() == len(packages[3]["members"])
    assert Person.objects.filter(full_name__startswith="Người Thứ").count() == 12
