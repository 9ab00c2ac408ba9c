import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from conftest import assert_error
from dashboard.models import ActivityEvent
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/feed/"
Kind = ActivityEvent.Kind


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_feed_route_is_named():
    assert reverse("feed") == URL
    assert reverse("feed-stream") == "/api/v1/feed/stream/"


def test_a_trainer_sees_their_clients_activity_newest_first(trainer_api, client_link):
    log = WorkoutLogFactory(client=client_link, duration_minutes=45)
    meal = MealLogFactory(client=client_link)

    response = trainer_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    # next_cursor / previous_cursor: the cursor as its own field (added in issue 13).
    assert set(body) == {"next", "previous", "next_cursor", "previous_cursor", "results"}
    newest, oldest = body["results"]
    assert newest["object"] == {"type": "meal_log", "id": str(meal.pk)}
    assert oldest == {
        "id": oldest["id"],
        "client": {"id": client_link.pk, "full_name": "Cleo Client"},
        "kind": "workout.logged",
        "summary": "Cleo logged a workout: 1 exercise, 45 min",
        "created_at": oldest["created_at"],
        "object": {"type": "workout_log", "id": str(log.pk)},
    }
    assert oldest["created_at"].endswith("Z")


def test_trainers_never_see_each_others_feed(
    trainer_api, other_trainer_api, client_link, other_client_link
):
    WorkoutLogFactory(client=client_link)
    WorkoutLogFactory(client=other_client_link)

    mine = trainer_api.get(URL).json()["results"]
    theirs = other_trainer_api.get(URL).json()["results"]

    assert [e["client"]["id"] for e in mine] == [client_link.pk]
    assert [e["client"]["id"] for e in theirs] == [other_client_link.pk]
    # Filtering on another trainer's client shows nothing rather than their events.
    assert ids(trainer_api.get(URL, {"client": other_client_link.pk})) == []


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("client_api", 403, "permission_denied"),
        ("other_client_api", 403, "permission_denied"),
        ("api_client", 401, "not_authenticated"),
    ],
)
def test_only_trainers_read_the_feed(request, client_link, who, status, code):
    WorkoutLogFactory(client=client_link)
    assert_error(request.getfixturevalue(who).get(URL), status, code)


def test_the_feed_filters_by_client_and_kind(trainer, trainer_api, client_link):
    second = ClientFactory(trainer=trainer)
    WorkoutLogFactory(client=client_link)
    meal = MealLogFactory(client=client_link)
    check_in = CheckInFactory(client=client_link)
    WorkoutLogFactory(client=second)

    by_client = trainer_api.get(URL, {"client": second.pk}).json()["results"]
    by_kinds = trainer_api.get(
        URL, {"kind": ["meal.logged", "checkin.submitted"], "client": client_link.pk}
    ).json()["results"]

    assert [e["client"]["id"] for e in by_client] == [second.pk]
    assert [e["object"]["id"] for e in by_kinds] == [str(check_in.pk), str(meal.pk)]


def test_polling_after_the_newest_event_returns_only_newer_ones(trainer_api, client_link):
    WorkoutLogFactory(client=client_link)
    newest = ids(trainer_api.get(URL))[0]

    nothing_new = trainer_api.get(URL, {"after": newest})
    MealLogFactory(client=client_link)
    something_new = trainer_api.get(URL, {"after": newest})

    assert ids(nothing_new) == []
    assert len(ids(trainer_api.get(URL, {"after": 0}))) == 2
    assert [e["kind"] for e in something_new.json()["results"]] == ["meal.logged"]


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "workout.deleted"},
        {"client": "cleo"},
        {"after": "-1"},
        {"after": "9" * 30},
    ],
)
def test_malformed_filters_are_a_400(trainer_api, params):
    assert_error(trainer_api.get(URL, params), 400)


def test_the_feed_pages_with_a_cursor(trainer_api, client_link):
    for _ in range(5):
        MealLogFactory(client=client_link)
    everything = ids(trainer_api.get(URL, {"page_size": 100}))

    first = trainer_api.get(URL, {"page_size": 2}).json()
    second = trainer_api.get(first["next"]).json()
    third = trainer_api.get(second["next"]).json()

    paged = [e["id"] for page in (first, second, third) for e in page["results"]]
    assert paged == everything
    assert third["next"] is None


@pytest.mark.parametrize("rows", [3, 30])
def test_the_feed_runs_a_fixed_number_of_queries(
    trainer, trainer_api, rows, django_assert_num_queries
):
    # Events of many clients and of every kind of object.
    for _ in range(rows):
        WorkoutLogFactory(client=ClientFactory(trainer=trainer))

    with django_assert_num_queries(2):  # the user behind the token, then the page
        response = trainer_api.get(URL, {"page_size": 100})

    assert len(response.json()["results"]) == rows
