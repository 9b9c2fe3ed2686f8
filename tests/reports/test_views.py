"""The report list with "generate now", and the permission-checked, logged download."""

import hashlib

import pytest
from django.urls import reverse

from reports import selectors, services
from reports.models import Report, ReportDownload
from reports.periods import parse_period
from tests.factories import CommitteeFactory, UserFactory

PERIOD = parse_period("2026-Q4")
pytestmark = pytest.mark.django_db


def ready_report(committee) -> Report:
    report = services.report_request(committee=committee, period=PERIOD)
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    return report


@pytest.fixture
def committee_report(committee_a):
    return ready_report(committee_a)


@pytest.fixture
def city_report(db):
    return ready_report(None)


@pytest.mark.parametrize("persona", ["leader", "city_staff", "secretariat_a", "superuser"])
def test_it_serves_the_file_to_those_with_rights_and_logs_it(
    client, request, committee_report, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("reports:download", args=[committee_report.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == committee_report.sha256
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert ReportDownload.objects.filter(report=committee_report, user=user).count() == 1


@pytest.mark.parametrize("persona", ["secretariat_b", "outsider"])
def test_it_hides_the_file_from_those_without_rights(client, request, committee_report, persona):
    user = (
        UserFactory(username="nguoi.ngoai")
        if persona == "outsider"
        else request.getfixturevalue(persona)
    )
    client.force_login(user)
    response = client.get(reverse("reports:download", args=[committee_report.pk]))
    assert response.status_code in (403, 404)
    assert not ReportDownload.objects.exists()


def test_the_city_overview_is_not_for_a_secretariat(client, secretariat_a, leader, city_report):
    client.force_login(secretariat_a)
    assert client.get(reverse("reports:download", args=[city_report.pk])).status_code == 404
    client.force_login(leader)
    assert client.get(reverse("reports:download", args=[city_report.pk])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, committee_report):
    response = client.get(reverse("reports:download", args=[committee_report.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_report_not_ready_has_no_download(client, leader, committee_b):
    report = services.report_request(committee=committee_b, period=PERIOD)
    client.force_login(leader)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_no_public_url_reaches_the_files(client, leader, committee_report):
    import config.settings as configured

    # The configured private root lies outside every publicly served directory...
    private = configured.PRIVATE_STORAGE_ROOT.resolve()
    for public in [configured.MEDIA_ROOT, configured.STATIC_ROOT, *configured.STATICFILES_DIRS]:
        assert not private.is_relative_to(public.resolve())
    # ...and no URL but the checked view serves a report file.
    client.force_login(leader)
    for url in (
        f"/media/{committee_report.file_path}",
        f"/static/{committee_report.file_path}",
        f"/private/{committee_report.file_path}",
        f"/reports/{committee_report.file_path}",
    ):
        assert client.get(url).status_code == 404


def test_the_list_shows_reports_with_a_fixed_number_of_queries(
    client, leader, django_assert_num_queries
):
    committees = CommitteeFactory.create_batch(3)

    def fill(count: int) -> None:
        periods = [parse_period(f"{1900 + i // 12}-{i % 12 + 1:02d}") for i in range(count)]
        Report.objects.bulk_create(
            Report(
                committee=committees[index % 3],
                kind=Report.Kind.COMMITTEE_REVIEW,
                period=periods[index].code,
                period_start=periods[index].start,
                period_end=periods[index].end,
                status=[Report.Status.READY, Report.Status.FAILED][index % 2],
                file_path=f"reports/{index}.pdf",
                page_count=3,
                requested_by=leader,
            )
            for index in range(Report.objects.count(), count)
        )

    client.force_login(leader)
    client.get(reverse("reports:list"))  # warm the session
    fill(10)
    # The page's reads and the menu's work queue count (a leader following nothing: one query).
    with django_assert_num_queries(7) as small:
        assert client.get(reverse("reports:list")).status_code == 200
    fill(200)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:list"))
    assert response.status_code == 200


def test_latest_reports_for_a_committee_is_one_query(committee_a, django_assert_num_queries):
    for period in ("2026-Q1", "2026-Q2"):
        report = services.report_request(committee=committee_a, period=parse_period(period))
        services.report_render(report_id=report.pk, task_id=report.task_id)
    services.report_request(committee=committee_a, period=parse_period("2026-Q3"))  # queued
    with django_assert_num_queries(1):
        latest = selectors.latest_reports_for(committee_a, limit=5)
        urls = [report.get_download_url() for report in latest]
    assert [report.period for report in latest] == ["2026-Q2", "2026-Q1"]
    assert urls[0] == reverse("reports:download", args=[latest[0].pk])


def test_generate_now_queues_the_report(
    client, leader, committee_a, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("reports:list"),
            {"committee": committee_a.pk, "period": "2026-Q4", "language": "vi"},
        )
    assert response.status_code == 302
    report = Report.objects.get(committee=committee_a, period="2026-Q4")
    assert report.status == Report.Status.QUEUED
    assert report.requested_by == leader
    assert len(callbacks) == 1
    page = client.get(reverse("reports:list"))
    assert '<meta http-equiv="refresh"' in page.content.decode()


def test_generate_now_with_in_process_tasks_says_the_report_is_ready(
    client, leader, committee_a, transactional_db, monkeypatch
):
    """Without Redis (SQLite, `make run`) the task runs as the request commits: the message
    must tell the status the list shows (ready), not the one it had when queued."""
    from config.celery_app import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    client.force_login(leader)
    response = client.post(
        reverse("reports:list"),
        {"committee": committee_a.pk, "period": "2026-Q4", "language": "vi"},
        HTTP_ACCEPT_LANGUAGE="vi",
        follow=True,
    )
    report = Report.objects.get(committee=committee_a, period="2026-Q4")
    assert report.status == Report.Status.READY
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.endswith(": sẵn sàng."), message


def test_generate_now_refuses_a_bad_period_in_vietnamese(client, leader, committee_a):
    client.force_login(leader)
    response = client.post(
        reverse("reports:list"),
        {"committee": committee_a.pk, "period": "quý 4", "language": "vi"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    assert "không phải là một kỳ" in response.content.decode()
    assert not Report.objects.exists()


def test_a_secretariat_cannot_generate_another_committees_report(
    client, secretariat_b, committee_a
):
    client.force_login(secretariat_b)
    response = client.post(
        reverse("reports:list"),
        {"committee": committee_a.pk, "period": "2026-Q4", "language": "vi"},
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_secretariat_sees_only_its_committees_reports(
    client, secretariat_a, committee_a, committee_b
):
    for committee in (committee_a, committee_b):
        services.report_request(committee=committee, period=PERIOD)
    client.force_login(secretariat_a)
    page = client.get(reverse("reports:list")).content.decode()
    assert committee_a.name in page
    assert committee_b.name not in page.split("<table")[1]
