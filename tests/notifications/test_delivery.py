"""E-mail delivery against a real SMTP server on a free local port: the Vietnamese digest arrives
intact, a refusing or absent server leads to retries and a visible failed state, and a second run
the same day sends nothing."""

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications import services
from notifications.models import Channel, NotificationSchedule, Outbox
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap(committee_a):
    committee_a.name = "Ban Chỉ đạo về dữ liệu"
    committee_a.declared_member_count = 32
    committee_a.save(update_fields=["name", "declared_member_count"])
    return committee_a


@pytest.fixture
def thu_ky(secretariat_a, gap):
    secretariat_a.email = "thuky.a@example.vn"
    secretariat_a.save(update_fields=["email"])
    return secretariat_a


def _digest_due(now=None) -> None:
    NotificationSchedule.objects.filter(channel=Channel.DIGEST).update(
        next_run_at=(now or timezone.now()) - dt.timedelta(minutes=1)
    )


def test_it_delivers_the_digest_in_vietnamese_with_diacritics_intact(thu_ky, mailbox):
    [message] = services.digests_build()
    [outbox_id] = services.outbox_store(messages=[message], send=False)
    row = services.outbox_deliver(outbox_id=outbox_id)

    assert row.status == Outbox.Status.SENT
    assert row.attempts == 1
    [(recipients, email)] = mailbox.messages
    assert recipients == ["thuky.a@example.vn"]
    today = timezone.localdate().strftime("%d/%m/%Y")
    # Django folds a long encoded subject right after "Subject:"; readers drop that space.
    assert email["Subject"].strip() == f"[Sổ đăng ký Ban Chỉ đạo] 1 việc cần làm ngày {today}"
    body = email.get_content()
    assert "Ban Chỉ đạo về dữ liệu" in body
    assert "32 ghế theo quyết định còn 32 ghế chưa ghi tên thành viên." in body
    assert "/admin/committees/committee/" in body

    # Delivered once: another call does nothing.
    services.outbox_deliver(outbox_id=outbox_id)
    assert len(mailbox.messages) == 1


def test_it_builds_nothing_new_on_a_second_run_the_same_day(thu_ky, mailbox):
    _digest_due()
    first = services.dispatch_due_notifications()
    assert Outbox.objects.filter(pk__in=first, channel=Channel.DIGEST).count() == 1
    schedule = NotificationSchedule.objects.get(channel=Channel.DIGEST)
    assert schedule.next_run_at > timezone.now()

    _digest_due()  # a dispatcher run again the same day (an administrator moved the schedule)
    assert services.dispatch_due_notifications() == []
    call_command("notify")
    assert Outbox.objects.filter(channel=Channel.DIGEST).count() == 1


def test_it_picks_a_due_schedule_once_when_two_dispatchers_race(thu_ky):
    """The second dispatcher skips the row the first holds (select_for_update skip_locked)."""
    _digest_due()
    services.dispatch_due_notifications()
    assert services.dispatch_due_notifications() == []
    assert Outbox.objects.count() == 1


def test_it_delivers_a_focal_points_digest_of_its_agencys_tasks(
    focal_point, lead_agency, other_agency, committee_a, mailbox
):
    from tests.work.conftest import make_task

    focal_point.email = "daumoi.tttt@example.vn"
    focal_point.save(update_fields=["email"])
    late = timezone.localdate() - dt.timedelta(days=4)
    make_task(committee_a, lead_agency, deadline=late, text="Kết nối sàn dữ liệu thành phố")
    make_task(committee_a, other_agency, deadline=late, text="Việc của cơ quan khác")
    [message] = services.digests_build()
    [outbox_id] = services.outbox_store(messages=[message], send=False)
    assert services.outbox_deliver(outbox_id=outbox_id).status == Outbox.Status.SENT

    [(recipients, email)] = mailbox.messages
    assert recipients == ["daumoi.tttt@example.vn"]
    assert email["Subject"].strip().endswith(f"1 việc cần làm ngày {timezone.localdate():%d/%m/%Y}")
    body = email.get_content()
    assert "Nhiệm vụ của cơ quan mình quá hạn hoặc sắp đến hạn: Quá hạn từ" in body
    assert "Kết nối sàn dữ liệu thành phố (chủ trì: Sở TT&TT)" in body
    assert "Việc của cơ quan khác" not in body
    assert services.outbox_store(messages=services.digests_build(), send=False) == []


# --- through the real Celery worker -----------------------------------------------------------


def _wait(outbox_id: int, statuses: set[str], timeout: float = 60) -> Outbox:
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        row = Outbox.objects.get(pk=outbox_id)
        if row.status in statuses:
            return row
        time.sleep(0.2)
    raise AssertionError(f"Outbox {outbox_id} stayed {row.status if row else '?'}.")


def _mail_worker(worker_factory, name: str, port: int):
    return worker_factory(
        name,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=5,
        NOTIFY_MAX_ATTEMPTS=3,
        NOTIFY_RETRY_BASE_SECONDS=0.3,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_delivers_the_digest_through_the_worker_once_a_day(
    thu_ky, mailbox, smtp_server, worker_factory
):
    worker = _mail_worker(worker_factory, "mail-ok", smtp_server.port)
    try:
        _digest_due()
        [outbox_id] = services.dispatch_due_notifications()
        row = _wait(outbox_id, {Outbox.Status.SENT, Outbox.Status.FAILED})
        assert row.status == Outbox.Status.SENT, row.last_error
        [(_, email)] = mailbox.messages
        assert "việc cần làm" in email["Subject"]
        assert "Ban Chỉ đạo về dữ liệu" in email.get_content()

        call_command("notify")  # a second run the same day
        _digest_due()
        assert services.dispatch_due_notifications() == []
        time.sleep(2)
        assert len(mailbox.messages) == 1
        assert Outbox.objects.count() == 1
    finally:
        worker.stop()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_retries_a_refusing_server_then_shows_the_message_failed(
    thu_ky, mailbox, smtp_server, worker_factory
):
    mailbox.refuse = True
    worker = _mail_worker(worker_factory, "mail-refused", smtp_server.port)
    try:
        [outbox_id] = services.outbox_store(messages=services.digests_build())
        row = _wait(outbox_id, {Outbox.Status.FAILED, Outbox.Status.SENT})
    finally:
        worker.stop()
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == 3
    assert "550" in row.last_error
    assert mailbox.attempts == 3
    assert mailbox.messages == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_retries_when_the_server_is_down_then_shows_the_message_failed(thu_ky, worker_factory):
    worker = _mail_worker(worker_factory, "mail-down", free_port())  # nothing listens there
    try:
        [outbox_id] = services.outbox_store(messages=services.digests_build())
        row = _wait(outbox_id, {Outbox.Status.FAILED, Outbox.Status.SENT})
    finally:
        worker.stop()
    assert row.status == Outbox.Status.FAILED
    assert row.attempts == 3
    assert "refused" in row.last_error.lower()


def test_it_mails_a_pending_change_at_once_when_it_waited_too_long_and_only_once(
    pending_change, thu_ky, mailbox
):
    assert services.immediates_build() == []  # a fresh change waits for the digest
    later = timezone.now() + dt.timedelta(days=8)
    [message] = services.immediates_build(now=later)
    assert message.subject.startswith("[Sổ đăng ký Ban Chỉ đạo] Cần xử lý ngay: ")
    assert "Nguyễn Thị Mới" in message.subject
    [outbox_id] = services.outbox_store(messages=[message], send=False)
    assert services.outbox_deliver(outbox_id=outbox_id).status == Outbox.Status.SENT
    [(_, email)] = mailbox.messages
    assert "Việc này cần bạn xử lý ngay:" in email.get_content()

    # The next runs (minutes or days later) find the same event already in the outbox.
    again = services.immediates_build(now=later + dt.timedelta(days=1))
    assert services.outbox_store(messages=again, send=False) == []


def test_an_administrator_sends_a_failed_message_again(thu_ky, superuser, client):
    [outbox_id] = services.outbox_store(messages=services.digests_build(), send=False)
    Outbox.objects.filter(pk=outbox_id).update(
        status=Outbox.Status.FAILED, attempts=5, last_error="SMTPDataError: 550"
    )
    client.force_login(superuser)
    response = client.post(
        "/admin/notifications/outbox/",
        {"action": "send_again", "_selected_action": [outbox_id]},
    )
    assert response.status_code == 302
    row = Outbox.objects.get(pk=outbox_id)
    assert (row.status, row.attempts) == (Outbox.Status.QUEUED, 0)
