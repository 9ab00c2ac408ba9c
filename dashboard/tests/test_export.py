"""me/export/: everything the account holds, never the trainer's private notes."""

import datetime as dt
import json

import pytest
import time_machine

from billing.models import Payment
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from clients.tests.factories import ClientNoteFactory, HealthProfileFactory
from conftest import auth_client
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.models import CheckIn, MealLog, WorkoutLog
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

URL = "/api/v1/me/export/"
UTC = dt.UTC


@pytest.fixture
def full_account(client_link):
    template = PlanTemplateFactory(trainer=client_link.trainer)
    assignment = PlanAssignmentFactory(
        client=client_link, template=template, start_date=dt.date(2026, 3, 2)
    )
    HealthProfileFactory(client=client_link, allergies="Peanuts")
    WorkoutLogFactory(client=client_link, date=dt.date(2026, 3, 2), assignment=assignment)
    MealLogFactory(client=client_link, date=dt.date(2026, 3, 2))
    CheckInFactory(
        client=client_link,
        date=dt.date(2026, 3, 2),
        feedback="Nice work",
        reviewed_at=dt.datetime(2026, 3, 3, tzinfo=UTC),
    )
    subscription = SubscriptionFactory(client=client_link)
    PaymentFactory(subscription=subscription)
    PaymentFactory(subscription=subscription, status=Payment.Status.FAILED, paid_at=None)
    ClientNoteFactory(client=client_link, body="PRIVATE: thinks about quitting")
    return assignment


def test_it_exports_everything_the_account_holds(client_api, client_link, full_account):
    response = client_api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "format_version",
        "exported_at",
        "profile",
        "membership",
        "trainer",
        "health",
        "assignments",
        "workout_logs",
        "meal_logs",
        "check_ins",
        "subscriptions",
        "payments",
    }
    assert body["format_version"] == 1
    assert body["profile"]["email"] == "cleo@example.com"
    assert body["profile"]["role"] == "client"
    assert "password" not in body["profile"]
    assert body["membership"]["id"] == client_link.id
    assert body["trainer"] == {
        "id": client_link.trainer.id,
        "full_name": "Tess Trainer",
        "email": "tess@example.com",
    }
    assert body["health"]["allergies"] == "Peanuts"
    assert [a["id"] for a in body["assignments"]] == [full_account.id]
    assert body["assignments"][0]["snapshot"] == full_account.snapshot
    assert body["workout_logs"][0]["assignment"] == full_account.id
    assert len(body["meal_logs"]) == 1
    assert body["check_ins"][0]["feedback"] == "Nice work"
    assert body["subscriptions"][0]["plan"]["name"] == "Monthly coaching"
    assert sorted(p["status"] for p in body["payments"]) == ["failed", "succeeded"]


def test_it_never_contains_the_trainers_private_notes(client_api, full_account):
    response = client_api.get(URL)
    assert "PRIVATE" not in response.content.decode()
    assert "notes" not in response.json()


def test_it_is_served_as_a_dated_attachment(client_link):
    # 20:00 UTC on March 4 is already March 5 in Auckland.
    client_link.user.timezone = "Pacific/Auckland"
    client_link.user.save()
    with time_machine.travel(dt.datetime(2026, 3, 4, 20, tzinfo=UTC), tick=False):
        response = auth_client(client_link.user).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="fitbud-export-2026-03-05.json"'
    )
    json.loads(response.content)


def test_a_new_account_exports_empty_collections(client_api):
    body = client_api.get(URL).json()
    assert body["health"] is None
    for key in ("assignments", "workout_logs", "meal_logs", "check_ins", "subscriptions"):
        assert body[key] == []
    assert body["payments"] == []


def test_a_deactivated_client_can_still_export(client_link, full_account):
    client_link.is_active = False
    client_link.save()
    response = auth_client(client_link.user).get(URL)
    assert response.status_code == 200
    assert len(response.json()["workout_logs"]) == 1


def test_it_holds_nothing_of_another_client(client_api, other_client_link, full_account):
    WorkoutLogFactory(client=other_client_link, notes="OTHER-SECRET")
    CheckInFactory(client=other_client_link, notes="OTHER-SECRET")
    HealthProfileFactory(client=other_client_link, allergies="OTHER-SECRET")
    ClientNoteFactory(client=other_client_link, body="OTHER-SECRET")
    content = client_api.get(URL).content.decode()
    assert "OTHER-SECRET" not in content
    assert "otto@example.com" not in content


@pytest.mark.parametrize("count", [10, 1000])
def test_it_runs_a_fixed_number_of_queries(
    client_api, client_link, full_account, count, django_assert_num_queries
):
    day = dt.date(2026, 3, 2)
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=client_link, date=day - dt.timedelta(days=n)) for n in range(count)
    )
    MealLog.objects.bulk_create(
        MealLog(client=client_link, date=day - dt.timedelta(days=n), meal="Dinner")
        for n in range(count)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            client=client_link,
            date=day - dt.timedelta(weeks=n + 1),
            week_start=day - dt.timedelta(weeks=n + 1),
        )
        for n in range(count // 10)
    )
    # auth user, client (+ user, trainer, health), then one query per collection (6)
    with django_assert_num_queries(8):
        response = client_api.get(URL)
    assert len(response.json()["workout_logs"]) == count + 1


def test_it_leaves_out_who_edited_the_health_profile(client_api, full_account):
    health = client_api.get(URL).json()["health"]
    assert health["allergies"] == "Peanuts"
    assert "updated_by" not in health
