"""The reports admin asks the permission module: a secretariat sees and regenerates only
its own committees' reports, schedules and downloads; city-wide readers see them all."""

import datetime as dt

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Report, ReportDownload, ReportSchedule
from reports.periods import Cadence, parse_period
from tests.factories import UserFactory

PERIOD = parse_period("2026-Q4")
pytestmark = pytest.mark.django_db


def url(model, view: str, *args) -> str:
    return reverse(f"admin:reports_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def reports(committee_a, committee_b):
    """A report of each committee and the city overview; B's carries a snapshot to keep secret."""
    made = {
        "a": services.report_request(committee=committee_a, period=PERIOD),
        "b": services.report_request(committee=committee_b, period=PERIOD),
        "city": services.report_request(committee=None, period=PERIOD),
    }
    Report.objects.filter(pk=made["b"].pk).update(
        status=Report.Status.READY, snapshot={"note": "bí mật của ban B"}
    )
    return made


@pytest.fixture
def schedules(committee_a, committee_b):
    due = timezone.now() + dt.timedelta(days=30)
    return {
        key: ReportSchedule.objects.create(
            committee=committee, cadence=Cadence.QUARTERLY, next_run_at=due
        )
        for key, committee in (("a", committee_a), ("b", committee_b), ("city", None))
    }


def listed_pks(response) -> set[int]:
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_a_secretariat_lists_only_its_committees_reports(client, secretariat_a, reports):
    client.force_login(secretariat_a)
    assert listed_pks(client.get(url(Report, "changelist"))) == {reports["a"].pk}


@pytest.mark.parametrize("persona", ["city_staff", "superuser"])
def test_city_wide_readers_list_every_report(client, request, persona, reports):
    client.force_login(request.getfixturevalue(persona))
    assert listed_pks(client.get(url(Report, "changelist"))) == {r.pk for r in reports.values()}


def test_a_secretariat_cannot_open_another_committees_report_or_its_history(
    client, secretariat_a, reports
):
    client.force_login(secretariat_a)
    other = reports["b"]
    change = client.get(url(Report, "change", other.pk))
    assert change.status_code == 302  # the admin's "does not exist" redirect
    assert "bí mật" not in client.get(change["Location"], follow=True).content.decode()
    assert client.get(url(Report, "history", other.pk)).status_code == 403
    version = other.history.order_by("history_id").first()
    history_form = client.get(url(Report, "simple_history", other.pk, version.history_id))
    assert history_form.status_code == 403
    own = client.get(url(Report, "change", reports["a"].pk))
    assert own.status_code == 200
    assert b'name="_save"' not in own.content


def test_an_outsider_with_a_staff_account_sees_no_reports(client, reports):
    outsider = UserFactory(username="nhanvien.ngoai", is_staff=True)
    client.force_login(outsider)
    assert client.get(url(Report, "changelist")).status_code == 403
    assert client.get(url(ReportSchedule, "changelist")).status_code == 403
    assert client.get(url(ReportDownload, "changelist")).status_code == 403


def run_action(client, model, action: str, pks) -> None:
    response = client.post(
        url(model, "changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
    )
    assert response.status_code in (200, 302)


def test_generate_again_is_offered_on_and_applies_to_own_reports_only(
    client, secretariat_a, reports
):
    client.force_login(secretariat_a)
    page = client.get(url(Report, "changelist"))
    assert "generate_again" in dict(page.context["action_form"].fields["action"].choices)
    Report.objects.filter(pk=reports["a"].pk).update(status=Report.Status.READY)

    run_action(client, Report, "generate_again", [reports["b"].pk])
    other = Report.objects.get(pk=reports["b"].pk)
    assert (other.generation, other.status) == (1, Report.Status.READY)
    assert other.snapshot == {"note": "bí mật của ban B"}

    run_action(client, Report, "generate_again", [reports["a"].pk])
    own = Report.objects.get(pk=reports["a"].pk)
    assert (own.generation, own.status) == (2, Report.Status.QUEUED)
    assert own.requested_by == secretariat_a


def test_the_report_admin_changes_nothing_and_reverts_nothing(client, superuser, reports):
    client.force_login(superuser)
    report = reports["b"]
    assert client.post(url(Report, "change", report.pk), {"period": "2020"}).status_code == 403
    version = report.history.order_by("history_id").first()
    response = client.post(url(Report, "simple_history", report.pk, version.history_id), {})
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).snapshot == {"note": "bí mật của ban B"}


def test_a_secretariat_sees_and_runs_only_its_committees_schedules(
    client, secretariat_a, schedules
):
    client.force_login(secretariat_a)
    assert listed_pks(client.get(url(ReportSchedule, "changelist"))) == {schedules["a"].pk}
    assert client.get(url(ReportSchedule, "change", schedules["b"].pk)).status_code == 302
    assert client.get(url(ReportSchedule, "add")).status_code == 403

    run_action(client, ReportSchedule, "generate_now", [schedules["b"].pk, schedules["a"].pk])
    assert list(Report.objects.values_list("committee_id", flat=True)) == [
        schedules["a"].committee_id
    ]


def test_city_staff_see_every_schedule_but_change_none(client, city_staff, schedules):
    client.force_login(city_staff)
    assert listed_pks(client.get(url(ReportSchedule, "changelist"))) == {
        s.pk for s in schedules.values()
    }
    page = client.get(url(ReportSchedule, "change", schedules["b"].pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_a_secretariat_sees_only_the_downloads_of_its_reports(client, secretariat_a, reports):
    for report in reports.values():
        for _ in range(3):
            ReportDownload.objects.create(report=report, user=UserFactory(), ip_address="127.0.0.1")
    client.force_login(secretariat_a)
    with CaptureQueriesContext(connection) as queries:
        listed = listed_pks(client.get(url(ReportDownload, "changelist")))
    # The users are read with the rows, not one by one.
    assert sum('FROM "auth_user"' in q["sql"] for q in queries.captured_queries) <= 1
    assert listed == set(
        ReportDownload.objects.filter(report=reports["a"]).values_list("pk", flat=True)
    )


def test_the_report_changelist_makes_a_fixed_number_of_queries(
    client, secretariat_a, committee_a, django_assert_num_queries
):
    def add(n: int, start: int) -> None:
        Report.objects.bulk_create(
            Report(
                committee=committee_a,
                kind=Report.Kind.COMMITTEE_REVIEW,
                period=str(2000 + start + i),
                period_start=dt.date(2000 + start + i, 1, 1),
                period_end=dt.date(2000 + start + i, 12, 31),
                status=Report.Status.READY,
                requested_by=secretariat_a,
            )
            for i in range(n)
        )

    client.force_login(secretariat_a)
    add(10, 0)
    client.get(url(Report, "changelist"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(Report, "changelist")).status_code == 200
    add(190, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url(Report, "changelist"))
    assert len(response.context["cl"].result_list) == 50
