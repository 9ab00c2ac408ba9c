"""Who may do what on every progress endpoint: owner trainer, other trainer, own client,
another trainer's client, anonymous. Objects of another tenant are 404, wrong roles 403."""

import datetime

import pytest
from django.urls import reverse

from conftest import assert_error
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db

KINDS = {
    "workout-log": (
        WorkoutLogFactory,
        lambda day: {"date": day.isoformat(), "exercises": []},
        {"effort": 5},
    ),
    "meal-log": (
        MealLogFactory,
        lambda day: {
            "date": day.isoformat(),
            "meal": "Snack",
            "items": [{"food": "Apple", "quantity": 1, "unit": "piece"}],
        },
        {"meal": "Brunch"},
    ),
    "check-in": (
        CheckInFactory,
        # Last week, so it never collides with the fixture's check-in of this week.
        lambda day: {"date": (day - datetime.timedelta(days=7)).isoformat()},
        {"sleep": 3},
    ),
}

ACTORS = ["trainer_api", "other_trainer_api", "client_api", "other_client_api", "api_client"]


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return request.param


@pytest.fixture
def entry(kind, client_link):
    factory = KINDS[kind][0]
    return factory(client=client_link)


def actor(request, name):
    return request.getfixturevalue(name)


def expect(response, status, code=None):
    if status >= 400:
        assert_error(response, status, code)
    else:
        assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("who", "status", "sees_it"),
    [
        ("trainer_api", 200, True),
        ("other_trainer_api", 200, False),
        ("client_api", 200, True),
        ("other_client_api", 200, False),
        ("api_client", 401, False),
    ],
)
def test_who_sees_an_entry_in_the_list(request, kind, entry, who, status, sees_it):
    response = actor(request, who).get(reverse(f"{kind}-list"))
    expect(response, status)
    if status == 200:
        ids = [row["id"] for row in response.json()["results"]]
        assert (str(entry.pk) in ids) is sees_it


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer_api", 200),
        ("other_trainer_api", 404),
        ("client_api", 200),
        ("other_client_api", 404),
        ("api_client", 401),
    ],
)
def test_who_can_read_an_entry(request, kind, entry, who, status):
    response = actor(request, who).get(reverse(f"{kind}-detail", args=[entry.pk]))
    expect(response, status)
    if status == 200:
        assert response.json()["id"] == str(entry.pk)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer_api", 403),
        ("other_trainer_api", 403),
        ("client_api", 201),
        ("other_client_api", 201),
        ("api_client", 401),
    ],
)
def test_who_can_log_an_entry(request, kind, client_user, who, status):
    body = KINDS[kind][1](client_user.local_today())
    response = actor(request, who).post(reverse(f"{kind}-list"), body, format="json")
    expect(response, status)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer_api", 403),
        ("other_trainer_api", 403),
        ("client_api", 200),
        ("other_client_api", 404),
        ("api_client", 401),
    ],
)
def test_who_can_change_an_entry(request, kind, entry, who, status):
    change = KINDS[kind][2]
    response = actor(request, who).patch(
        reverse(f"{kind}-detail", args=[entry.pk]), change, format="json"
    )
    expect(response, status)
    entry.refresh_from_db()
    field, value = next(iter(change.items()))
    assert (getattr(entry, field) == value) is (status == 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer_api", 403),
        ("other_trainer_api", 403),
        ("client_api", 204),
        ("other_client_api", 404),
        ("api_client", 401),
    ],
)
def test_who_can_delete_an_entry(request, kind, entry, who, status):
    response = actor(request, who).delete(reverse(f"{kind}-detail", args=[entry.pk]))
    expect(response, status)
    assert type(entry).objects.filter(pk=entry.pk).exists() is (status != 204)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("trainer_api", 200),
        ("other_trainer_api", 404),
        ("client_api", 403),
        ("other_client_api", 403),
        ("api_client", 401),
    ],
)
def test_who_can_review_a_check_in(request, client_link, who, status):
    check_in = CheckInFactory(client=client_link)
    response = actor(request, who).post(
        reverse("check-in-review", args=[check_in.pk]), {"feedback": "Nice"}, format="json"
    )
    expect(response, status)
    check_in.refresh_from_db()
    assert (check_in.feedback == "Nice") is (status == 200)


def test_a_trainer_is_told_why_they_cannot_log(trainer_api, kind, client_user):
    body = KINDS[kind][1](client_user.local_today())
    response = trainer_api.post(reverse(f"{kind}-list"), body, format="json")
    body = assert_error(response, 403, "permission_denied")
    assert "trainers can read" in body["errors"][0]["detail"]


# A deactivated client reads their history but cannot write -------------------------------


@pytest.fixture
def deactivated(client_link):
    client_link.is_active = False
    client_link.save()
    return client_link


def test_a_deactivated_client_still_reads(client_api, kind, entry, deactivated):
    assert client_api.get(reverse(f"{kind}-list")).status_code == 200
    assert client_api.get(reverse(f"{kind}-detail", args=[entry.pk])).status_code == 200


def test_a_deactivated_client_cannot_log(client_api, kind, client_user, deactivated):
    body = KINDS[kind][1](client_user.local_today())
    response = client_api.post(reverse(f"{kind}-list"), body, format="json")
    body = assert_error(response, 403, "client_inactive")
    assert "deactivated" in body["errors"][0]["detail"]


def test_a_deactivated_client_cannot_change_or_delete(client_api, kind, entry, deactivated):
    url = reverse(f"{kind}-detail", args=[entry.pk])
    assert_error(client_api.patch(url, KINDS[kind][2], format="json"), 403, "client_inactive")
    assert_error(client_api.delete(url), 403, "client_inactive")
