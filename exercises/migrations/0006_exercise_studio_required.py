# The global library keeps no studio; every member's exercise has one (issue 15).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0005_fill_studio'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='exercise',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('owner__isnull', True), ('studio__isnull', True)), models.Q(('owner__isnull', False), ('studio__isnull', False)), _connector='OR'), name='exercises_exercise_studio_iff_owner'),
        ),
    ]
