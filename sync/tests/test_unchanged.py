"""A client's pull when nothing changed: one statement instead of a query per table, and
never an empty answer while something did change."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.models import FormResponse
from coaching.tests.factories import FormAssignmentFactory, HabitCheckFactory, HabitFactory
from exercises.models import Exercise
from exercises.tests.factories import ExerciseFactory, ensure_library, global_exercise
from messaging.tests.factories import ConversationFactory, MessageFactory
from plans.tests.factories import PlanAssignmentFactory
from progress.tests.factories import (
    BodyStatFactory,
    CheckInFactory,
    MealLogFactory,
    ProgressPhotoFactory,
    WorkoutLogFactory,
)
from sync import selectors
from sync.models import SyncTombstone
from sync.selectors import to_ms
from sync.tables import TABLES
from sync.tests.helpers import NOW, pull

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

LATER = NOW + dt.timedelta(minutes=10)


@pytest.fixture(autouse=True)
def library_before(frozen):
    # The migrated library is stamped with the real clock, after the frozen one.
    ensure_library()
    Exercise.objects.filter(owner__isnull=True).update(updated_at=NOW - dt.timedelta(days=1))


@pytest.fixture
def every_table(client_link, trainer):
    """One row of the client's in every synced table."""
    assignment = FormAssignmentFactory(client=client_link)
    conversation = ConversationFactory(client=client_link)
    rows = {
        "assignments": PlanAssignmentFactory(client=client_link),
        "workout_logs": WorkoutLogFactory(client=client_link),
        "meal_logs": MealLogFactory(client=client_link),
        "check_ins": CheckInFactory(client=client_link),
        "habits": (habit := HabitFactory(client=client_link)),
        "habit_checks": HabitCheckFactory(habit=habit),
        "form_assignments": assignment,
        "form_responses": FormResponse.objects.create(
            client=client_link,
            assignment=assignment,
            form_version=assignment.form_version,
            date=NOW.date(),
            answers={},
        ),
        "photos": ProgressPhotoFactory(client=client_link),
        "body_stats": BodyStatFactory(client=client_link),
        "conversations": conversation,
        "messages": MessageFactory(conversation=conversation, sender=trainer),
        "exercises": ExerciseFactory(owner=trainer),
    }
    assert set(rows) == set(TABLES)  # a new sync table needs its row here
    return rows


def _unchanged_pull(client_api, since_ms):
    with CaptureQueriesContext(connection) as queries:
        response, body = pull(client_api, since_ms)
    assert response.status_code == 200
    return body, len(queries)


def test_nothing_changed_is_answered_empty_in_a_few_queries(client_api, every_table, frozen):
    since = to_ms(NOW + dt.timedelta(seconds=5))
    frozen.move_to(LATER)
    body, queries = _unchanged_pull(client_api, since)
    assert set(body["changes"]) == set(TABLES)
    assert all(body["changes"][t] == {"created": [], "updated": [], "deleted": []} for t in TABLES)
    assert body["timestamp"] == to_ms(LATER) - 1000
    # Authentication, the clock (PostgreSQL), the one check; never a query per table.
    assert queries <= 3, queries


@pytest.mark.parametrize("table", list(TABLES))
def test_a_change_in_any_table_is_never_hidden(client_api, every_table, frozen, table):
    since = NOW + dt.timedelta(seconds=5)
    row = every_table[table]
    frozen.move_to(LATER)
    columns = dict.fromkeys(TABLES[table].changed_columns[-1:], LATER)
    type(row).objects.filter(pk=row.pk).update(**columns)
    assert selectors.client_changed_since(client=every_table["workout_logs"].client, since=since)
    _, body = pull(client_api, to_ms(since))
    sent = body["changes"][table]
    assert sent["created"] or sent["updated"] or sent["deleted"], table


def test_a_tombstone_or_a_change_of_coach_is_never_hidden(
    client_api, client_link, other_trainer, frozen
):
    since = NOW + dt.timedelta(seconds=5)
    frozen.move_to(LATER)
    assert not selectors.client_changed_since(client=client_link, since=since)
    SyncTombstone.objects.create(table="workout_logs", object_id="x", client_id=client_link.pk)
    assert selectors.client_changed_since(client=client_link, since=since)
    _, body = pull(client_api, to_ms(since))
    assert body["changes"]["workout_logs"]["deleted"] == ["x"]


def test_the_global_library_and_other_clients_count_only_where_they_should(
    client_api, client_link, other_client_link, frozen
):
    since = NOW + dt.timedelta(seconds=5)
    frozen.move_to(LATER)
    WorkoutLogFactory(client=other_client_link)  # another studio's client
    assert not selectors.client_changed_since(client=client_link, since=since)
    Exercise.objects.filter(pk=global_exercise().pk).update(updated_at=LATER)  # every device
    assert selectors.client_changed_since(client=client_link, since=since)
