import datetime

import pytest

from plans.selectors import assignment_day, assignments_covering
from plans.tests.factories import PlanAssignmentFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)
DAY = datetime.timedelta(days=1)


def test_days_repeat_as_a_cycle_from_the_start_date():
    assignment = PlanAssignmentFactory(start_date=MONDAY)  # a three-day plan
    names = [assignment_day(assignment, MONDAY + n * DAY)[1]["name"] for n in range(7)]
    assert names == ["Push", "Rest", "Legs", "Push", "Rest", "Legs", "Push"]
    assert assignment_day(assignment, MONDAY + 5 * DAY)[0] == 2


def test_no_day_outside_the_assignment_dates():
    assignment = PlanAssignmentFactory(start_date=MONDAY, end_date=MONDAY + 6 * DAY)
    assert assignment_day(assignment, MONDAY - DAY) is None
    assert assignment_day(assignment, MONDAY + 7 * DAY) is None
    assert assignment_day(assignment, MONDAY + 6 * DAY) is not None


def test_only_active_assignments_covering_the_date_are_returned():
    covering = PlanAssignmentFactory(start_date=MONDAY, end_date=MONDAY)
    client = covering.client
    PlanAssignmentFactory(client=client, start_date=MONDAY - 9 * DAY, end_date=MONDAY - DAY)
    PlanAssignmentFactory(
        client=client, start_date=MONDAY, status="ended", template__trainer=client.trainer
    )
    PlanAssignmentFactory(client=client, start_date=MONDAY + DAY)
    found = assignments_covering(client_ids=[client.pk], on_date=MONDAY)
    assert list(found) == [covering]
