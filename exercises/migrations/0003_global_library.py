"""Load the first edition of the global exercise library (exercises/data/library_v1.py)."""

from django.db import migrations
from django.utils.text import slugify

from exercises.data import library_v1

CHOICES = {
    "mechanics": {"c": "compound", "i": "isolation", "-": ""},
    "level": {"b": "beginner", "i": "intermediate", "a": "advanced"},
}


def load(apps, schema_editor):
    Muscle = apps.get_model("exercises", "Muscle")
    Equipment = apps.get_model("exercises", "Equipment")
    Exercise = apps.get_model("exercises", "Exercise")
    muscles = {}
    for slug, name, region in library_v1.MUSCLES:
        muscles[slug], _ = Muscle.objects.get_or_create(
            slug=slug, defaults={"name": name, "region": region}
        )
    equipment = {}
    for slug, name in library_v1.EQUIPMENT:
        equipment[slug], _ = Equipment.objects.get_or_create(slug=slug, defaults={"name": name})
    for row in library_v1.EXERCISES:
        name, category, primary, secondary, kit, mechanics, force, level, cues, aliases = row
        slug = slugify(name)
        if Exercise.objects.filter(owner__isnull=True, slug=slug).exists():
            continue  # curated by staff since: theirs wins
        exercise = Exercise.objects.create(
            owner=None,
            name=name,
            slug=slug,
            category=category,
            mechanics=CHOICES["mechanics"][mechanics],
            force=force,
            level=CHOICES["level"][level],
            instructions=cues,
            aliases=list(aliases),
            # The historical model has no save() override: derive the search text here.
            search_text=" | ".join([name, *aliases]).lower(),
        )
        exercise.primary_muscles.set([muscles[s] for s in primary.split()])
        exercise.secondary_muscles.set([muscles[s] for s in secondary.split()])
        exercise.equipment.set([equipment[s] for s in kit.split()])


def unload(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    slugs = [slugify(row[0]) for row in library_v1.EXERCISES]
    Exercise.objects.filter(owner__isnull=True, slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("exercises", "0002_trigram_search")]

    operations = [migrations.RunPython(load, unload)]
