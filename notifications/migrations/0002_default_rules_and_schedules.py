"""Seed the default notification rules and the two schedules (daily digest, immediate e-mails)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

S, L, C, A = "to_secretariat", "to_leaders", "to_city_staff", "to_administrators"

# kind, lead days, roles, mandatory — for the work queue and the daily digest alike.
QUEUE_AND_DIGEST = [
    ("pending_change", 0, (S, A), True),
    ("member_gap", 0, (S,), False),
    ("seat_without_person", 0, (S,), False),
    ("seat_post_left", 0, (S, A), False),
    ("term_ending", 60, (S,), False),
    ("target_off_track", 0, (S, L), False),
    ("report_ready", 14, (S, L, C), False),
    ("report_failed", 0, (S, A), True),
]
# What cannot wait: a report failed; a pending change left for more than 7 days.
IMMEDIATE = [
    ("report_failed", 0, (S, A), True),
    ("pending_change", 7, (S, A), True),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("notifications", "NotificationRule")
    Schedule = apps.get_model("notifications", "NotificationSchedule")
    rows = [("queue", *row) for row in QUEUE_AND_DIGEST]
    rows += [("digest", *row) for row in QUEUE_AND_DIGEST]
    rows += [("immediate", *row) for row in IMMEDIATE]
    for channel, kind, lead_days, roles, mandatory in rows:
        defaults = {"lead_days": lead_days, "mandatory": mandatory, "active": True}
        defaults.update({role: role in roles for role in (S, L, C, A)})
        Rule.objects.get_or_create(kind=kind, channel=channel, defaults=defaults)
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    now = dt.datetime.now(tz=zone)
    seven = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(7, 0), tzinfo=zone)
    Schedule.objects.get_or_create(
        channel="digest", defaults={"interval_minutes": 1440, "next_run_at": seven}
    )
    Schedule.objects.get_or_create(
        channel="immediate", defaults={"interval_minutes": 5, "next_run_at": now}
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_work_queue_rules_outbox_and_follows")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
