"""Metric types become their author's studio's (issue 15)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    MetricType = apps.get_model("progress", "MetricType")
    StudioMember = apps.get_model("accounts", "StudioMember")
    MetricType.objects.filter(studio__isnull=True).update(
        studio=Subquery(
            StudioMember.objects.filter(user_id=OuterRef("trainer_id")).values("studio_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0004_metric_type_studio"),
        ("accounts", "0005_solo_studios"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
