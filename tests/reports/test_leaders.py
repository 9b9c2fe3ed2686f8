"""Reports where leaders look: the menu, the committee page's reports and request, the list's
filters and live status, outdated reports made again, the default period."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Committee
from members.models import Membership
from reports import selectors, services
from reports.models import Report
from reports.periods import last_complete_period, parse_period
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
DATA = "bcd-du-lieu-tphcm"


def made(committee, period="2026-Q2", language="vi") -> Report:
    report = services.report_request(
        committee=committee, period=parse_period(period), language=language
    )
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error_message
    return report


def test_the_default_period_is_the_last_complete_one():
    assert last_complete_period(dt.date(2026, 12, 2)).code == "2026-Q3"
    assert last_complete_period(dt.date(2026, 9, 30)).code == "2026-Q3"
    assert last_complete_period(dt.date(2026, 1, 1)).code == "2025-Q4"
    assert last_complete_period(dt.date(2026, 12, 2), "yearly").code == "2025"


def test_the_menu_offers_reports_to_signed_in_users_only(client, leader):
    assert 'data-nav="reports"' not in client.get("/").content.decode()
    client.force_login(leader)
    html = client.get("/").content.decode()
    assert f'href="{reverse("reports:list")}" data-nav="reports"' in html


def test_a_leader_requests_the_current_report_from_the_committee_page(client, leader, seeded):
    committee = Committee.objects.get(slug=DATA)
    client.force_login(leader)
    page = client.get(committee.get_absolute_url()).content.decode()
    assert "data-request-report" in page
    response = client.post(reverse("reports:request-current", args=[DATA]))
    assert response.status_code == 302
    assert response["Location"].endswith("#reports")
    report = Report.objects.get(committee=committee)
    assert report.period == last_complete_period(timezone.localdate()).code
    assert report.language == "vi"
    page = client.get(committee.get_absolute_url()).content.decode()
    assert f'data-report-id="{report.pk}"' in page


def test_only_who_may_download_may_request(client, secretariat_a, seeded):
    client.force_login(secretariat_a)  # keeps another committee's roster
    assert client.post(reverse("reports:request-current", args=[DATA])).status_code == 403
    page = client.get(Committee.objects.get(slug=DATA).get_absolute_url()).content.decode()
    assert "data-request-report" not in page


def test_the_status_endpoint_answers_for_visible_reports_only(
    client, leader, secretariat_a, committee_a, committee_b
):
    own = made(committee_a)
    other = services.report_request(committee=committee_b, period=parse_period("2026-Q2"))
    client.force_login(leader)
    data = client.get(reverse("reports:status"), {"ids": f"{own.pk},{other.pk}"}).json()
    lines = {line["id"]: line for line in data["reports"]}
    assert lines[own.pk]["status"] == "ready"
    assert lines[own.pk]["download_url"]
    assert lines[other.pk]["status"] == "queued"
    assert not lines[other.pk]["download_url"]
    client.force_login(secretariat_a)
    data = client.get(reverse("reports:status"), {"ids": f"{own.pk},{other.pk}"}).json()
    assert [line["id"] for line in data["reports"]] == [own.pk]


def test_the_list_has_a_proper_table_and_filters(client, leader, committee_a, committee_b):
    made(committee_a, language="vi")
    made(committee_b, language="en")
    client.force_login(leader)
    html = client.get(reverse("reports:list")).content.decode()
    for header in ("Ban", "Kỳ báo cáo", "Ngôn ngữ", "Ngày lập", "Trạng thái", "Dung lượng"):
        assert f">{header}</th>" in html, header
    assert html.count("data-report-id=") == 2
    filtered = client.get(reverse("reports:list"), {"language": "en"}).content.decode()
    assert filtered.count("data-report-id=") == 1
    assert committee_b.name in filtered
    by_committee = client.get(reverse("reports:list"), {"committee": committee_a.pk})
    assert by_committee.content.decode().count("data-report-id=") == 1
    assert 'src="/static/reports/status.js"' in html
    assert 'http-equiv="refresh"' not in html


def test_a_report_whose_data_changed_is_marked_outdated_and_made_again(client, leader, committee_a):
    report = made(committee_a)
    assert not selectors.report_is_outdated(report)
    MembershipFactory(committee=committee_a, start_date=dt.date(2026, 4, 1))
    assert selectors.report_is_outdated(report)
    client.force_login(leader)
    assert "data-outdated" in client.get(reverse("reports:list")).content.decode()
    again = services.report_request(committee=committee_a, period=parse_period("2026-Q2"))
    assert again.pk == report.pk
    assert again.status == Report.Status.QUEUED
    assert again.generation == report.generation + 1
    services.report_render(report_id=again.pk, task_id=again.task_id)
    again.refresh_from_db()
    assert again.status == Report.Status.READY
    assert len(again.snapshot["roster"]) == len(report.snapshot["roster"]) + 1
    assert not selectors.report_is_outdated(again)


def test_an_unchanged_report_is_not_made_again(committee_a):
    report = made(committee_a)
    again = services.report_request(committee=committee_a, period=parse_period("2026-Q2"))
    assert again.status == Report.Status.READY
    assert again.generation == report.generation


def test_another_committees_change_does_not_outdate_a_report(committee_a, committee_b):
    report = made(committee_a)
    MembershipFactory(committee=committee_b)
    assert not selectors.report_is_outdated(report)


def test_a_translated_forbidden_page(client):
    client.force_login(UserFactory(username="khach"))
    response = client.get(reverse("reports:list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Bạn không có quyền mở trang này" in html
    assert "403 Forbidden" not in html


def test_membership_history_counts_for_outdated(committee_a):
    """A seat ended after the snapshot is a change too."""
    seat = MembershipFactory(committee=committee_a, start_date=dt.date(2026, 1, 1))
    report = made(committee_a)
    Membership.objects.filter(pk=seat.pk).update(end_note="x")  # no history: not counted
    assert not selectors.report_is_outdated(report)
    seat.refresh_from_db()
    seat.end_note = "Nghỉ hưu"
    seat.save()
    assert selectors.report_is_outdated(report)
