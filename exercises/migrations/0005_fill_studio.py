"""Members' exercises join their author's studio (issue 15); the global library (no owner)
keeps no studio."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    StudioMember = apps.get_model("accounts", "StudioMember")
    Exercise.objects.filter(owner__isnull=False, studio__isnull=True).update(
        studio=Subquery(
            StudioMember.objects.filter(user_id=OuterRef("owner_id")).values("studio_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0004_exercise_studio"),
        ("accounts", "0005_solo_studios"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
