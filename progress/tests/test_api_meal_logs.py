import datetime
import uuid

import pytest
from django.urls import reverse

from conftest import assert_error
from dashboard.models import ActivityEvent
from progress.models import MealLog
from progress.tests.conftest import days_ago
from progress.tests.factories import MealLogFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/meal-logs/"


def detail(log) -> str:
    return reverse("meal-log-detail", args=[log.pk])


def payload(day, **extra):
    body = {
        "date": day.isoformat(),
        "meal": "Lunch",
        "items": [
            {
                "food": "Rice",
                "quantity": 200,
                "unit": "g",
                "calories": 260.4,
                "carbs_g": 56.2,
                "protein_g": 5.1,
                "fat_g": 0.6,
            },
            {"food": "Chicken breast", "quantity": 150, "unit": "g", "calories": 247.5},
            {"food": "Water", "quantity": 1, "unit": "glass"},
        ],
    }
    body.update(extra)
    return body


def test_a_client_logs_a_meal_and_the_server_totals_the_macros(client_api, client_link, today):
    response = client_api.post(URL, payload(today), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client"] == client_link.pk
    assert body["meal"] == "Lunch"
    assert len(body["items"]) == 3
    assert body["items"][2] == {
        "food": "Water",
        "quantity": 1.0,
        "unit": "glass",
        "calories": None,
        "protein_g": None,
        "carbs_g": None,
        "fat_g": None,
    }
    assert (body["calories"], body["protein_g"], body["carbs_g"], body["fat_g"]) == (
        507.9,
        5.1,
        56.2,
        0.6,
    )
    assert body["notes"] == ""


def test_totals_are_sent_by_the_server_only(client_api, today):
    response = client_api.post(URL, payload(today, calories=10), format="json")
    assert_error(response, 400, "unknown_field", "calories")


def test_an_unknown_item_field_is_named_with_its_path(client_api, today):
    body = payload(today)
    body["items"][1]["kcal"] = 250
    assert_error(client_api.post(URL, body, format="json"), 400, "unknown_field", "items[1].kcal")


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"items": []}, "items"),
        ({"items": [{"food": "Egg", "quantity": 1, "unit": "piece"}] * 51}, "items"),
        ({"items": [{"food": "Egg", "quantity": -1, "unit": "piece"}]}, "items[0].quantity"),
        ({"items": [{"food": "Egg", "unit": "piece"}]}, "items[0].quantity"),
        ({"items": [{"food": "Egg", "quantity": 1, "unit": "p" * 21}]}, "items[0].unit"),
        (
            {"items": [{"food": "Egg", "quantity": 1, "unit": "g", "calories": 100001}]},
            "items[0].calories",
        ),
        (
            {"items": [{"food": "Egg", "quantity": 1, "unit": "g", "protein_g": -2}]},
            "items[0].protein_g",
        ),
        ({"items": [{"food": "Egg", "quantity": "lots", "unit": "g"}]}, "items[0].quantity"),
        ({"meal": ""}, "meal"),
        ({"meal": "m" * 101}, "meal"),
        ({"date": "2026-13-01"}, "date"),
    ],
)
def test_it_rejects_out_of_bounds_or_malformed_values(client_api, today, change, attr):
    response = client_api.post(URL, payload(today, **change), format="json")
    assert_error(response, 400, attr=attr)
    assert not MealLog.objects.exists()


def test_it_rejects_a_meal_dated_in_the_future(client_api, today):
    response = client_api.post(URL, payload(today + datetime.timedelta(days=3)), format="json")
    assert_error(response, 400, "future", "date")


def test_a_retry_with_the_same_id_returns_the_stored_meal(client_api, today):
    meal_id = str(uuid.uuid4())
    first = client_api.post(URL, payload(today, id=meal_id), format="json")
    retry = client_api.post(URL, payload(today, id=meal_id, meal="Dinner"), format="json")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert MealLog.objects.count() == 1
    assert ActivityEvent.objects.filter(kind=ActivityEvent.Kind.MEAL_LOGGED).count() == 1


def test_an_id_used_by_another_client_is_a_409(client_api, other_client_link, today):
    theirs = MealLogFactory(client=other_client_link)
    response = client_api.post(URL, payload(today, id=str(theirs.pk)), format="json")
    assert_error(response, 409, "id_in_use")


def test_changing_the_items_recomputes_the_totals(client_api, client_link):
    log = MealLogFactory(client=client_link)

    response = client_api.patch(
        detail(log),
        {"items": [{"food": "Apple", "quantity": 1, "unit": "piece", "calories": 95}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["calories"] == 95.0
    assert ActivityEvent.objects.filter(
        object_id=str(log.pk), kind=ActivityEvent.Kind.MEAL_UPDATED
    ).exists()


def test_a_patch_of_items_needs_complete_items(client_api, client_link):
    log = MealLogFactory(client=client_link)
    response = client_api.patch(detail(log), {"items": [{"food": "Apple"}]}, format="json")
    assert_error(response, 400, "required", "items[0].quantity")


def test_an_empty_patch_changes_nothing(client_api, client_link):
    log = MealLogFactory(client=client_link, meal="Lunch")
    response = client_api.patch(detail(log), {}, format="json")
    assert response.status_code == 200
    assert response.json()["meal"] == "Lunch"
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.MEAL_UPDATED).exists()


def test_a_meal_older_than_the_window_cannot_be_deleted(client_api, client_link):
    log = MealLogFactory(client=client_link)
    MealLog.objects.filter(pk=log.pk).update(created_at=days_ago(8))
    assert_error(client_api.delete(detail(log)), 409, "edit_window_closed")


def test_a_client_deletes_a_recent_meal(client_api, client_link):
    log = MealLogFactory(client=client_link)
    assert client_api.delete(detail(log)).status_code == 204
    assert not MealLog.objects.exists()


def test_a_trainer_filters_meals_by_client_and_date(trainer_api, client_link, today):
    old = MealLogFactory(client=client_link, date=today - datetime.timedelta(days=9))
    MealLogFactory(client=client_link, date=today)

    response = trainer_api.get(
        URL, {"client": client_link.pk, "date_to": (today - datetime.timedelta(days=1))}
    )

    assert [row["id"] for row in response.json()["results"]] == [str(old.pk)]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    client_api, client_link, rows, django_assert_num_queries
):
    for _ in range(rows):
        MealLogFactory(client=client_link)

    with django_assert_num_queries(2):
        response = client_api.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == rows
