"""Database guards that only PostgreSQL can hold; a no-op on SQLite.

- An exclusion constraint: at most one *active* assignment per client and kind covers any
  date (the services also lock the client row; this catches anything that bypasses them).
- A trigger that refuses any UPDATE changing an assignment's snapshot, even raw SQL.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE plans_planassignment
    ADD CONSTRAINT plans_assignment_one_active_per_day
    EXCLUDE USING gist (
        client_id WITH =,
        kind WITH =,
        daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (status = 'active')
    """,
    """
    CREATE OR REPLACE FUNCTION plans_assignment_snapshot_immutable() RETURNS trigger AS $$
    BEGIN
        IF NEW.snapshot IS DISTINCT FROM OLD.snapshot THEN
            RAISE EXCEPTION 'the snapshot of a plan assignment is immutable'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER plans_assignment_snapshot_immutable
    BEFORE UPDATE ON plans_planassignment
    FOR EACH ROW EXECUTE FUNCTION plans_assignment_snapshot_immutable()
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS plans_assignment_snapshot_immutable ON plans_planassignment",
    "DROP FUNCTION IF EXISTS plans_assignment_snapshot_immutable()",
    "ALTER TABLE plans_planassignment DROP CONSTRAINT IF EXISTS "
    "plans_assignment_one_active_per_day",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
