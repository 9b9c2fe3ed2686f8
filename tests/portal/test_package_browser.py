"""A secretariat enters a 29-member body from its decision in one upload and one confirmation,
title-only seats and namesakes included (a real browser)."""

import json

import pytest
from playwright.sync_api import expect

from members.models import Membership, Person
from members.services import membership_appoint, save_validated
from tests.factories import CommitteeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["Chủ tịch", "Phó Chủ tịch Thường trực", "Phó Chủ tịch", "Phó Chủ tịch"]


def decision_package(name: str, level: str) -> dict:
    members = []
    for index in range(29):
        role = ROLES[index] if index < len(ROLES) else "Ủy viên"
        members.append(
            {
                "person": f"Phạm Văn Thành {index:02d}",
                "role_in_committee": role,
                "position_in_home_agency": f"Vụ trưởng Vụ {index:02d}",
                "home_agency": "Bộ Khoa học và Công nghệ",
            }
        )
    # Two seats named by their title only, two namesakes, one name already in the registry.
    members[10] = {
        "person": "",
        "role_in_committee": "Ủy viên",
        "position_in_home_agency": "Thứ trưởng Bộ Tư pháp",
        "home_agency": "Bộ Tư pháp",
    }
    members[11] = {
        "person": "",
        "role_in_committee": "Ủy viên",
        "position_in_home_agency": "Thứ trưởng Bộ Tài chính",
        "home_agency": "Bộ Tài chính",
    }
    members[12] = {
        "person": "Nguyễn Văn Hùng",
        "role_in_committee": "Ủy viên",
        "position_in_home_agency": "Phó Giám đốc Sở Y tế",
        "home_agency": "Sở Y tế",
    }
    members[13] = {
        "person": "Nguyễn Văn Hùng",
        "role_in_committee": "Ủy viên",
        "position_in_home_agency": "Phó Giám đốc Sở Nội vụ",
        "home_agency": "Sở Nội vụ",
    }
    members[14] = {
        "person": "Đỗ Thị Lan",
        "role_in_committee": "Ủy viên",
        "position_in_home_agency": "Giám đốc Sở Tài chính",
        "home_agency": "Sở Tài chính",
    }
    return {
        "name": name,
        "level": level,
        "established_by": {
            "number": "598/QĐ-TTg",
            "date": "13/03/2025",
            "issuer": "Thủ tướng Chính phủ",
            "title": "Kiện toàn Hội đồng",
        },
        "declared_member_count": 29,
        "members": members,
    }


def test_a_secretariat_enters_a_29_member_body_in_one_upload_and_one_confirmation(
    page, log_in, secretariat_a, committee_a, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    known = save_validated(Person(full_name="Đỗ Thị Lan", slug="do-thi-lan"), reason="test")
    membership_appoint(
        committee=CommitteeFactory(name="Ban khác"),
        person=known,
        title="Phó Giám đốc Sở Tài chính",
        reason="test",
    )
    package = decision_package(committee_a.name, committee_a.level)

    log_in("thuky.a")
    page.goto("/admin/packages/packageimport/")
    page.locator("#upload-package").click()
    page.set_input_files(
        "#id_file",
        {
            "name": "quyet-dinh-598.json",
            "mimeType": "application/json",
            "buffer": json.dumps(package, ensure_ascii=False).encode("utf-8"),
        },
    )
    page.fill("#id_reason", "Quyết định 598/QĐ-TTg kiện toàn Hội đồng")
    page.locator("#check-package").click()
    expect(page.locator("#plan-seats")).to_contain_text("29")
    match = page.locator(".possible-match")
    expect(match).to_have_count(1)
    expect(match).to_contain_text("Đỗ Thị Lan")
    page.screenshot(path="/tmp/wt11-package-dry-run.png", full_page=True)
    assert not Membership.objects.filter(committee=committee_a).exists()
    match.get_by_label("Đỗ Thị Lan", exact=False).check()
    page.locator("#confirm-import").click()
    expect(page.locator(".messagelist")).to_contain_text("29")
    page.screenshot(path="/tmp/wt11-package-done.png", full_page=True)

    seats = Membership.objects.filter(committee=committee_a, end_date__isnull=True)
    assert seats.count() == 29
    assert seats.filter(person__isnull=True).count() == 2
    namesakes = seats.filter(person__full_name="Nguyễn Văn Hùng")
    assert namesakes.values("person").distinct().count() == 2
    assert seats.get(person__full_name="Đỗ Thị Lan").person == known
    assert Person.objects.filter(full_name="Đỗ Thị Lan").count() == 1
