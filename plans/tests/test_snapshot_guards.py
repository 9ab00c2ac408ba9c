"""Nothing can change an assignment's snapshot after creation: not the ORM, not raw SQL on
PostgreSQL. (API and admin paths are covered in their own modules.)"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from plans.models import PlanAssignment, SnapshotImmutable
from plans.tests.factories import PlanAssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return PlanAssignmentFactory()


def stored(assignment):
    return PlanAssignment.objects.values_list("snapshot", flat=True).get(pk=assignment.pk)


def test_saving_a_changed_snapshot_raises(assignment):
    original = stored(assignment)
    loaded = PlanAssignment.objects.get(pk=assignment.pk)
    loaded.snapshot["days"][0]["name"] = "Tampered"
    with pytest.raises(SnapshotImmutable):
        loaded.save()
    with pytest.raises(SnapshotImmutable):
        loaded.save(update_fields=["snapshot"])
    assert stored(assignment) == original


def test_replacing_the_snapshot_of_a_fresh_instance_raises(assignment):
    assignment.snapshot = {"days": []}
    with pytest.raises(SnapshotImmutable):
        assignment.save()


def test_a_deferred_snapshot_set_later_is_still_checked(assignment):
    original = stored(assignment)
    loaded = PlanAssignment.objects.defer("snapshot").get(pk=assignment.pk)
    loaded.snapshot = {"days": []}
    with pytest.raises(SnapshotImmutable):
        loaded.save()
    assert stored(assignment) == original


def test_other_fields_still_save_and_the_snapshot_column_is_not_rewritten(
    assignment, django_assert_num_queries
):
    loaded = PlanAssignment.objects.get(pk=assignment.pk)
    loaded.status = PlanAssignment.Status.ENDED
    # The UPDATE, and the response cache looking up whose tenant the row is in (its
    # generation was already moved in this test's transaction by the rows the fixtures
    # wrote: once per tenant and transaction, so no second INSERT ... ON CONFLICT).
    with django_assert_num_queries(2) as queries:
        loaded.save()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(writes) == 1
    assert "snapshot" not in writes[0].split("WHERE")[0]
    assert PlanAssignment.objects.get(pk=assignment.pk).status == "ended"


def test_queryset_update_of_the_snapshot_raises(assignment):
    original = stored(assignment)
    with pytest.raises(SnapshotImmutable):
        PlanAssignment.objects.filter(pk=assignment.pk).update(snapshot={"days": []})
    with pytest.raises(SnapshotImmutable):
        assignment.client.assignments.update(snapshot={})
    assert stored(assignment) == original


def test_bulk_update_of_the_snapshot_raises(assignment):
    assignment.snapshot = {"days": []}
    with pytest.raises(SnapshotImmutable):
        PlanAssignment.objects.bulk_update([assignment], ["snapshot"])


def test_queryset_update_of_other_fields_works(assignment):
    PlanAssignment.objects.filter(pk=assignment.pk).update(name="Renamed")
    assert PlanAssignment.objects.get(pk=assignment.pk).name == "Renamed"


@pytest.mark.postgres
def test_postgres_refuses_a_raw_sql_update_of_the_snapshot(assignment):
    original = stored(assignment)
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE plans_planassignment SET snapshot = '{\"days\": []}'::jsonb WHERE id = %s",
            [assignment.pk],
        )
    # Other columns stay writable in raw SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE plans_planassignment SET name = 'Raw' WHERE id = %s", [assignment.pk]
        )
    assert stored(assignment) == original


@pytest.mark.postgres
def test_postgres_refuses_two_active_assignments_covering_the_same_day(assignment):
    start = assignment.start_date
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAssignmentFactory(
            client=assignment.client,
            template=assignment.template,
            start_date=start + datetime.timedelta(days=3),
        )
    # Ended ones, other kinds and disjoint ranges are fine.
    PlanAssignmentFactory(
        client=assignment.client, template=assignment.template, start_date=start, status="ended"
    )
    PlanAssignmentFactory(
        client=assignment.client,
        template__trainer=assignment.client.trainer,
        template__kind="diet",
        start_date=start,
    )
