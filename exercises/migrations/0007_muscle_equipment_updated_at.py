import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("exercises", "0006_exercise_studio_required")]

    operations = [
        migrations.AddField(
            model_name="muscle",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="equipment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
