import uuid
from unittest import mock

import pytest
from django.db import transaction

from dashboard.models import ActivityEvent
from progress import services
from progress.models import CheckIn, WorkoutLog
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db


def test_losing_an_insert_race_returns_the_winners_row(client_link, today):
    winner = WorkoutLogFactory(client=client_link)
    real_existing = services._existing
    calls = []

    def blind_first_look(model, **kwargs):
        # The pre-check misses the row, as it would while the winner had not yet committed.
        calls.append(kwargs)
        return None if len(calls) == 1 else real_existing(model, **kwargs)

    with mock.patch.object(services, "_existing", side_effect=blind_first_look):
        log, created = services.workout_log_create(
            client=client_link, id=winner.pk, date=today, exercises=[]
        )

    assert (log.pk, created) == (winner.pk, False)
    assert len(calls) == 2
    assert WorkoutLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_losing_an_insert_race_in_the_requests_own_transaction_returns_the_winners_row(
    client_link, today
):
    # No transaction around the service (as in a request): the insert runs without a
    # savepoint, and the lost race is answered after the rollback.
    winner = WorkoutLogFactory(client=client_link)
    real_existing = services._existing
    calls = []

    def blind_first_look(model, **kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real_existing(model, **kwargs)

    with mock.patch.object(services, "_existing", side_effect=blind_first_look):
        log, created = services.workout_log_create(
            client=client_link, id=winner.pk, date=today, exercises=[]
        )

    assert (log.pk, created) == (winner.pk, False)
    assert len(calls) == 2
    assert WorkoutLog.objects.count() == 1


def test_losing_a_weekly_check_in_race_is_a_conflict(client_link, today):
    CheckInFactory(client=client_link, date=today)

    with (
        mock.patch.object(services, "_week_taken", side_effect=[False, True]),
        pytest.raises(services.CheckInExists),
    ):
        services.check_in_create(client=client_link, id=uuid.uuid4(), date=today)

    assert CheckIn.objects.count() == 1


def test_a_failed_write_rolls_back_its_feed_event(client_link, today):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.workout_log_create(client=client_link, date=today, exercises=[])
        assert ActivityEvent.objects.count() == 1
        raise RuntimeError("the request failed after the save")

    assert not WorkoutLog.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_a_refused_check_in_writes_no_feed_event(client_link, today):
    CheckInFactory(client=client_link, date=today)
    ActivityEvent.objects.all().delete()

    with pytest.raises(services.CheckInExists):
        services.check_in_create(client=client_link, date=today)

    assert not ActivityEvent.objects.exists()


def test_meal_totals_ignore_missing_macros_and_round_to_a_tenth():
    totals = services._meal_totals(
        [{"calories": 100.04, "protein_g": 3}, {"calories": 0.05}, {"fat_g": None}]
    )
    assert {k: str(v) for k, v in totals.items()} == {
        "calories": "100.1",
        "protein_g": "3.0",
        "carbs_g": "0.0",
        "fat_g": "0.0",
    }
