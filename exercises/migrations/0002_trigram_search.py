"""Typo-tolerant search on PostgreSQL: the pg_trgm extension and a trigram index over the
derived `search_text` (name and aliases). Nothing on other databases (SQLite searches with
a plain substring match)."""

from django.db import DatabaseError, migrations, transaction

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS exercises_search_trgm ON exercises_exercise "
    "USING gin (search_text gin_trgm_ops)",
]
# A planner hint: word_similarity() is far dearer than its default cost of 1, and at that cost
# PostgreSQL filters the whole table by similarity instead of first taking the caller's
# scope (global + one trainer's rows) through the owner index (31 ms vs 9 ms at 10k private
# exercises). Best effort: a role that does not own the extension's functions (some managed
# databases) skips it; the search stays correct, only slower at scale.
HINT = "ALTER FUNCTION word_similarity(text, text) COST 200"
BACKWARD = ["DROP INDEX IF EXISTS exercises_search_trgm"]  # the extension may serve others


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
        if statements is FORWARD:
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    schema_editor.execute(HINT)
            except DatabaseError:
                pass

    return run


class Migration(migrations.Migration):
    dependencies = [("exercises", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
