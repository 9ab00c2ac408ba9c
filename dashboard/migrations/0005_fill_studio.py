"""Rows of trainers become rows of their (solo) studios (issue 15)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def studio_of(apps, column):
    StudioMember = apps.get_model("accounts", "StudioMember")
    return Subquery(
        StudioMember.objects.filter(user_id=OuterRef(column)).values("studio_id")[:1]
    )

KIND_DOMAINS = {
    "workout.logged": "workouts",
    "workout.updated": "workouts",
    "meal.logged": "nutrition",
    "meal.updated": "nutrition",
    "checkin.submitted": "checkins",
    "checkin.updated": "checkins",
}


def fill(apps, schema_editor):
    """One UPDATE over the feed table (each row written once: on the 10x benchmark copy,
    nine separate UPDATEs took 71 s)."""
    from django.db.models import CharField, Value, When
    from django.db.models import Case as CaseWhen
    from django.db.models.functions import Cast

    ActivityEvent = apps.get_model("dashboard", "ActivityEvent")
    PlanAssignment = apps.get_model("plans", "PlanAssignment")
    diet_ids = (
        PlanAssignment.objects.filter(kind="diet")
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    domain = CaseWhen(
        When(kind="plan.assigned", object_id__in=diet_ids, then=Value("nutrition")),
        When(kind="plan.assigned", then=Value("workouts")),
        *(When(kind=kind, then=Value(value)) for kind, value in KIND_DOMAINS.items()),
        default=Value(""),
        output_field=CharField(),
    )
    ActivityEvent.objects.filter(studio__isnull=True).update(
        studio=studio_of(apps, "trainer_id"), domain=domain
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_event_studio"),
        ("plans", "0005_fill_studio"),
        ("accounts", "0005_solo_studios"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
