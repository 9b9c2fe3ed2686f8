"""Report requests are limited per user (REPORTS_REQUESTS_PER_HOUR): the next one is refused
with a clear message in the user's language and nothing is queued or changed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import services
from reports.models import Report
from reports.periods import parse_period

pytestmark = pytest.mark.django_db

MONTHS = [parse_period(f"2025-{month:02d}") for month in range(1, 13)]


@pytest.fixture(autouse=True)
def _three_an_hour(settings):
    settings.REPORTS_REQUESTS_PER_HOUR = 3


def _state():
    return Report.objects.count(), Report.history.count()


def test_it_refuses_the_request_after_the_limit_and_changes_nothing(leader, committee_a):
    for period in MONTHS[:3]:
        services.report_request(committee=committee_a, period=period, by=leader)
    before = _state()
    with pytest.raises(services.ReportRateLimited) as refused:
        services.report_request(committee=committee_a, period=MONTHS[3], by=leader)
    assert isinstance(refused.value, ValidationError)
    assert "3 báo cáo" in refused.value.messages[0]
    assert "60 phút" in refused.value.messages[0]
    assert _state() == before


def test_regenerating_and_retrying_count_too(leader, committee_a):
    report = services.report_request(committee=committee_a, period=MONTHS[0], by=leader)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    services.report_request(committee=committee_a, period=MONTHS[0], by=leader, regenerate=True)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED)
    services.report_request(committee=committee_a, period=MONTHS[0], by=leader)  # a retry
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    generation = Report.objects.get(pk=report.pk).generation
    with pytest.raises(services.ReportRateLimited):
        services.report_request(committee=committee_a, period=MONTHS[0], by=leader, regenerate=True)
    assert Report.objects.get(pk=report.pk).generation == generation


def test_a_report_already_made_is_returned_without_counting(leader, committee_a):
    report = services.report_request(committee=committee_a, period=MONTHS[0], by=leader)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY)
    for _ in range(5):
        assert services.report_request(committee=committee_a, period=MONTHS[0], by=leader) == report


def test_the_limit_is_per_user_and_frees_up_after_an_hour(
    leader, city_staff, superuser, committee_a
):
    for period in MONTHS[:3]:
        services.report_request(committee=committee_a, period=period, by=leader)
    # Another user, and an administrator, are not held back by the leader's requests.
    services.report_request(committee=committee_a, period=MONTHS[3], by=city_staff)
    for period in MONTHS[4:9]:
        services.report_request(committee=committee_a, period=period, by=superuser)
    # The scheduler (no user) is never limited.
    services.report_request(committee=committee_a, period=MONTHS[9], by=None)
    # An hour after the leader's first request, one place is free again.
    first = Report.history.filter(history_user=leader).order_by("history_date").first()
    Report.history.filter(pk=first.pk).update(
        history_date=timezone.now() - dt.timedelta(hours=1, seconds=1)
    )
    services.report_request(committee=committee_a, period=MONTHS[10], by=leader)
    with pytest.raises(services.ReportRateLimited):
        services.report_request(committee=committee_a, period=MONTHS[11], by=leader)


def test_the_page_answers_429_with_the_message_and_queues_nothing(client, leader, committee_a):
    client.force_login(leader)
    for code in ("2025-01", "2025-02", "2025-03"):
        response = client.post(
            "/reports/", {"committee": committee_a.pk, "period": code, "language": "vi"}
        )
        assert response.status_code == 302
    before = _state()
    response = client.post(
        "/reports/", {"committee": committee_a.pk, "period": "2025-04", "language": "vi"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Bạn đã yêu cầu 3 báo cáo trong một giờ qua" in page
    assert "rate_limited" not in page
    assert "Traceback" not in page
    assert _state() == before
