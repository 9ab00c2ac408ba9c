"""me/dashboard/: the home screen in one call (today, streaks, subscription, feedback)."""

import datetime as dt

import pytest
import time_machine

from billing.models import Subscription
from billing.tests.factories import SubscriptionFactory
from coaching.tests.factories import FormAssignmentFactory, HabitFactory
from conftest import auth_client
from plans.models import PlanKind
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.models import CheckIn, MealLog, WorkoutLog
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

URL = "/api/v1/me/dashboard/"
UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def assign(client, kind, start):
    template = PlanTemplateFactory(trainer=client.trainer, kind=kind)
    return PlanAssignmentFactory(client=client, template=template, start_date=start)


def test_it_answers_today_streaks_subscription_and_feedback(frozen, client_link):
    workout = assign(client_link, PlanKind.WORKOUT, dt.date(2026, 3, 2))  # Mar 4 = Legs
    assign(client_link, PlanKind.DIET, dt.date(2026, 3, 2))
    WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 2))
    today_log = WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 4))
    subscription = SubscriptionFactory(client=client_link, cancel_at_period_end=True)
    CheckInFactory(
        client=client_link,
        date=dt.date(2026, 2, 16),
        feedback="Old news",
        reviewed_at=dt.datetime(2026, 2, 17, tzinfo=UTC),
    )
    latest = CheckInFactory(
        client=client_link,
        date=dt.date(2026, 2, 23),
        feedback="Great squat depth, keep it up!",
        reviewed_at=dt.datetime(2026, 2, 24, 9, tzinfo=UTC),
    )
    CheckInFactory(client=client_link, date=dt.date(2026, 3, 2))  # awaiting review

    response = auth_client(client_link.user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "today",
        "streaks",
        "subscription",
        "latest_feedback",
        "unread_messages",
        "unread_notifications",
    }
    assert body["today"]["date"] == "2026-03-04"
    assert body["today"]["workout"]["assignment"]["id"] == workout.id
    assert body["today"]["workout"]["day"]["name"] == "Legs"
    assert body["today"]["diet"]["day_index"] == 0
    assert [w["id"] for w in body["today"]["logged"]["workouts"]] == [str(today_log.id)]
    # Mar 2 logged, Mar 3 rest, Mar 4 logged.
    assert body["streaks"] == {
        "current": 3,
        "longest": 3,
        "last_active_date": "2026-03-04",
        "today_counts": True,
    }
    assert body["subscription"] == {
        "id": subscription.id,
        "status": "active",
        "plan": {
            "id": subscription.plan.id,
            "name": "Monthly coaching",
            "price": 9900,
            "currency": "EUR",
            "interval": "month",
        },
        "current_period_end": "2026-04-03T18:00:00.000000Z",
        "cancel_at_period_end": True,
    }
    assert body["latest_feedback"] == {
        "check_in": str(latest.id),
        "date": "2026-02-23",
        "feedback": "Great squat depth, keep it up!",
        "reviewed_at": "2026-02-24T09:00:00.000000Z",
    }


def test_a_new_client_gets_empty_sections_not_errors(frozen, client_link):
    body = auth_client(client_link.user).get(URL).json()
    assert body["today"]["workout"] is None
    assert body["today"]["diet"] is None
    assert body["streaks"] == {
        "current": 0,
        "longest": 0,
        "last_active_date": None,
        "today_counts": False,
    }
    assert body["subscription"] is None
    assert body["latest_feedback"] is None


def test_a_canceled_subscription_is_not_shown(frozen, client_link):
    SubscriptionFactory(client=client_link, status=Subscription.Status.CANCELED)
    assert auth_client(client_link.user).get(URL).json()["subscription"] is None


def test_a_past_due_subscription_is_shown_so_the_app_can_ask_for_payment(frozen, client_link):
    SubscriptionFactory(client=client_link, status=Subscription.Status.PAST_DUE)
    assert auth_client(client_link.user).get(URL).json()["subscription"]["status"] == "past_due"


def test_a_review_without_words_is_not_feedback(frozen, client_link):
    CheckInFactory(client=client_link, feedback="", reviewed_at=NOW)
    assert auth_client(client_link.user).get(URL).json()["latest_feedback"] is None


@pytest.mark.parametrize("count", [10, 1000])
def test_it_runs_a_fixed_number_of_queries(frozen, client_link, count, django_assert_num_queries):
    assign(client_link, PlanKind.WORKOUT, dt.date(2024, 1, 1))
    assign(client_link, PlanKind.DIET, dt.date(2024, 1, 1))
    SubscriptionFactory(client=client_link)
    today = dt.date(2026, 3, 4)
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=client_link, date=today - dt.timedelta(days=n)) for n in range(count)
    )
    MealLog.objects.bulk_create(
        MealLog(client=client_link, date=today - dt.timedelta(days=n % 500), meal="Lunch")
        for n in range(count)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            client=client_link,
            date=today - dt.timedelta(weeks=n + 1),
            week_start=today - dt.timedelta(weeks=n + 1, days=2),
            feedback="ok",
            reviewed_at=NOW,
        )
        for n in range(count // 10)
    )
    for n in range(5):
        HabitFactory(client=client_link, title=f"Habit {n}", start_date=today)
    FormAssignmentFactory(client=client_link, kind="weekly")
    api = auth_client(client_link.user)
    # auth user (with its tenant and generation, the response cache's key), client,
    # assignments, today's workouts, today's meals, log dates, subscription (+ plan),
    # latest feedback, habits with today's check, the weekly form (+ this week's response),
    # the unread counts (messages, notifications)
    with django_assert_num_queries(11):
        response = api.get(URL)
    assert response.status_code == 200
    with django_assert_num_queries(2):  # from the cache, plus the fresh unread counts
        assert api.get(URL).content == response.content
    assert response.json()["streaks"]["current"] == count
    assert len(response.json()["today"]["habits"]) == 5
    assert response.json()["today"]["checkin_form"]["due_week_start"] == "2026-03-02"
