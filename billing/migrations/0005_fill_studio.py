"""Rows of trainers become rows of their (solo) studios (issue 15)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def studio_of(apps, column):
    StudioMember = apps.get_model("accounts", "StudioMember")
    return Subquery(
        StudioMember.objects.filter(user_id=OuterRef(column)).values("studio_id")[:1]
    )

def fill(apps, schema_editor):
    SubscriptionPlan = apps.get_model("billing", "SubscriptionPlan")
    SubscriptionPlan.objects.filter(studio__isnull=True).update(
        studio=studio_of(apps, "trainer_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_plan_studio"),
        ("accounts", "0005_solo_studios"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
