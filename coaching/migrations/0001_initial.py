# Placeholder on the automations branch: the habits/forms branch owns the real 0001.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = []
