"""Every existing trainer becomes the owner of a studio of one (issue 15).

Tenant ids change meaning from trainer ids to studio ids, so the response cache's
generations are dropped: the next write of each studio starts a fresh one from the clock,
above every number an old cache entry carries."""

from django.db import migrations

BATCH = 2000


def create_solo_studios(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Studio = apps.get_model("accounts", "Studio")
    StudioMember = apps.get_model("accounts", "StudioMember")
    trainers = (
        User.objects.filter(role="trainer", membership__isnull=True)
        .order_by("pk")
        .values_list("pk", "full_name", "email", "date_joined")
    )
    batch = list(trainers[:BATCH])
    while batch:
        studios = Studio.objects.bulk_create(
            [Studio(name=(name or email)[:150], created_at=joined) for _, name, email, joined in batch]
        )
        StudioMember.objects.bulk_create(
            [
                StudioMember(studio_id=studio.pk, user_id=pk, role="owner", joined_at=joined)
                for studio, (pk, _, _, joined) in zip(studios, batch, strict=True)
            ]
        )
        batch = list(trainers[:BATCH])
    TenantGeneration = apps.get_model("fitbud_api", "TenantGeneration")
    TenantGeneration.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_studios"),
        ("fitbud_api", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_solo_studios, migrations.RunPython.noop)]
