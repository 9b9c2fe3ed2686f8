"""Put every active focal point in the focal points group (the admin did not, before the work
queue looked for them there)."""

from django.db import migrations

FOCAL_POINTS_GROUP = "Focal points"


def join(apps, schema_editor):
    FocalPoint = apps.get_model("work", "FocalPoint")
    Group = apps.get_model("auth", "Group")
    user_ids = set(FocalPoint.objects.filter(active=True).values_list("user_id", flat=True))
    if not user_ids:
        return
    group, _ = Group.objects.get_or_create(name=FOCAL_POINTS_GROUP)
    group.user_set.add(*user_ids)


class Migration(migrations.Migration):
    dependencies = [("work", "0001_meetings_and_tasks"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(join, migrations.RunPython.noop)]
