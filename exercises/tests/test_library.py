"""The global library is in every fresh database (SQLite and PostgreSQL), by migration."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from exercises.data import library_v1
from exercises.models import Equipment, Exercise, Muscle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def migrated(db):
    """The library as `migrate` leaves it. A transactional test that ran earlier in this
    process (the PostgreSQL concurrency tests) flushed every table, migrated rows included;
    then replay the data migration's own function."""
    applied = MigrationRecorder(connection).applied_migrations()
    assert ("exercises", "0003_global_library") in applied
    if not Exercise.objects.filter(owner__isnull=True).exists():
        # The latest state: the library migration's function with today's columns (a
        # column added later, such as `scope`, has no database default to fill it in).
        state = MigrationExecutor(connection).loader.project_state()
        import_module("exercises.migrations.0003_global_library").load(state.apps, None)


def test_the_global_library_is_present_after_migrate():
    library = Exercise.objects.filter(owner__isnull=True)
    assert library.count() == len(library_v1.EXERCISES) >= 150
    assert Muscle.objects.count() == len(library_v1.MUSCLES)
    assert Equipment.objects.count() == len(library_v1.EQUIPMENT)


def test_every_muscle_group_and_equipment_has_exercises():
    for muscle in Muscle.objects.all():
        assert Exercise.objects.filter(primary_muscles=muscle).exists(), muscle.slug
    for equipment in Equipment.objects.all():
        assert Exercise.objects.filter(equipment=equipment).exists(), equipment.slug


def test_library_rows_are_complete_and_searchable():
    squat = Exercise.objects.get(owner__isnull=True, slug="back-squat")
    assert set(squat.primary_muscles.values_list("slug", flat=True)) == {"quads", "glutes"}
    assert set(squat.equipment.values_list("slug", flat=True)) == {"barbell"}
    assert squat.instructions and squat.level == "intermediate"
    assert "high-bar squat" in squat.search_text
    assert not Exercise.objects.filter(owner__isnull=True, instructions="").exists()


def test_trigram_search_is_installed_on_postgresql_only():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() == (1,)
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'exercises_search_trgm'")
            assert cursor.fetchone() == (1,)
        else:
            names = connection.introspection.get_constraints(cursor, "exercises_exercise")
            assert "exercises_search_trgm" not in names
