"""Seats still open on a body that was dissolved, merged or replaced end on its last day.

Ends now follow a body's dissolution (members.services.committee_dissolve); this brings
records made before that rule into line, with a history row saying why."""

from django.db import migrations
from django.utils import timezone

NOTE = "Kết thúc cùng cơ quan (cơ quan đã giải thể hoặc hợp nhất)"


def end_open_seats(apps, schema_editor):
    Membership = apps.get_model("members", "Membership")
    History = apps.get_model("members", "HistoricalMembership")
    fields = [
        field.attname
        for field in Membership._meta.concrete_fields
    ]
    seats = Membership.objects.filter(
        end_date__isnull=True, committee__dissolved_on__isnull=False
    ).select_related("committee")
    now = timezone.now()
    for seat in seats.iterator():
        last_day = seat.committee.dissolved_on
        seat.end_date = max(last_day, seat.start_date) if seat.start_date else last_day
        seat.end_precision = "day"
        seat.end_reason = "dissolved"
        seat.end_note = NOTE
        seat.version += 1
        seat.save(update_fields=["end_date", "end_precision", "end_reason", "end_note", "version"])
        History.objects.create(
            **{name: getattr(seat, name) for name in fields},
            history_date=now,
            history_type="~",
            history_change_reason=NOTE,
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0008_roster_rules_speak_the_users_language")]

    operations = [migrations.RunPython(end_open_seats, migrations.RunPython.noop)]
