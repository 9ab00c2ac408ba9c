"""Exercises and metric types move into their author's studio (issue 15), run on rows
written by the schema before."""

import pytest

from accounts.tests.test_studio_migration import back_to_the_latest_schema, migrate  # noqa: F401
from exercises.tests.factories import ensure_library

BEFORE = [
    ("accounts", "0006_studio_invite_email"),
    ("exercises", "0003_global_library"),
    ("progress", "0003_photos_and_body_metrics"),
]
AFTER = [
    ("exercises", "0006_exercise_studio_required"),
    ("progress", "0006_metric_type_studio_required"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_members_rows_join_their_studio_and_the_global_library_stays_studio_less():
    ensure_library()  # an earlier transactional test may have flushed it
    old = migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Studio = old.get_model("accounts", "Studio")
    StudioMember = old.get_model("accounts", "StudioMember")
    Exercise = old.get_model("exercises", "Exercise")
    MetricType = old.get_model("progress", "MetricType")
    coach = User.objects.create(email="t@example.com", full_name="Coach", role="trainer")
    studio = Studio.objects.create(name="Gym")
    StudioMember.objects.create(user=coach, studio=studio, role="owner")
    own = Exercise.objects.create(
        owner=coach, name="Sled push", slug="sled-push", category="strength"
    )
    # A global row of its own: the shipped library may have been flushed by an earlier
    # transactional test in the same database.
    shared = Exercise.objects.create(
        owner=None, name="Migration row", slug="migration-test-row", category="strength"
    )
    metric = MetricType.objects.create(
        trainer=coach, name="Grip", slug="grip", kind="number", unit="kg"
    )

    new = migrate(AFTER)
    Exercise = new.get_model("exercises", "Exercise")
    MetricType = new.get_model("progress", "MetricType")
    assert Exercise.objects.get(pk=own.pk).studio_id == studio.pk
    assert Exercise.objects.get(pk=own.pk).scope == "personal"
    assert not Exercise.objects.filter(owner__isnull=True, studio__isnull=False).exists()
    assert Exercise.objects.get(pk=shared.pk).studio_id is None
    assert MetricType.objects.get(pk=metric.pk).studio_id == studio.pk
