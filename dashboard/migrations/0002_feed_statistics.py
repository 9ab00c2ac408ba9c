from django.db import migrations

# A client belongs to one trainer, so `trainer_id = X AND client_id = Y` is far more likely
# than the planner assumes by multiplying both selectivities; without this it underestimates
# a client's events by orders of magnitude and sorts instead of walking the feed index.
CREATE = (
    "CREATE STATISTICS IF NOT EXISTS dashboard_feed_trainer_client_stats (dependencies) "
    "ON trainer_id, client_id FROM dashboard_activityevent"
)
DROP = "DROP STATISTICS IF EXISTS dashboard_feed_trainer_client_stats"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
