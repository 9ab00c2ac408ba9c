import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("coaching", "0002_automations")]

    operations = [
        migrations.AddField(
            model_name="formassignment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
