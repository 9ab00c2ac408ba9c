"""The in-app notification centre: each user reads and marks only their own."""

import pytest
from django.urls import reverse

from conftest import assert_error
from notifications.models import Notification
from notifications.services import notification_create

pytestmark = pytest.mark.django_db

LIST = reverse("notification-list")
READ = reverse("notification-read")
COUNT = reverse("notification-unread-count")


def note(user, title="Hello", **kw):
    return notification_create(user=user, kind="automation", title=title, **kw)


def test_a_user_lists_only_their_own_newest_first(
    client_user, other_client, client_api, trainer_api
):
    first, second = note(client_user, "First"), note(client_user, "Second")
    note(other_client, "Not yours")
    body = client_api.get(LIST).json()
    assert [n["id"] for n in body["results"]] == [second.pk, first.pk]
    assert set(body["results"][0]) == {
        "id",
        "kind",
        "title",
        "body",
        "data",
        "read_at",
        "created_at",
    }
    assert trainer_api.get(LIST).json()["count"] == 0


def test_unread_filter_count_and_marking_read(client_user, client_api):
    first, second, third = (note(client_user, t) for t in "ABC")
    assert client_api.get(COUNT).json() == {"unread": 3}
    response = client_api.post(READ, {"ids": [first.pk]}, format="json")
    assert response.json() == {"marked_read": 1, "unread": 2}
    unread = client_api.get(LIST, {"unread": "true"}).json()["results"]
    assert {n["id"] for n in unread} == {second.pk, third.pk}
    assert [n["id"] for n in client_api.get(LIST, {"unread": "false"}).json()["results"]] == [
        first.pk
    ]
    assert client_api.post(READ, {"all": True}, format="json").json() == {
        "marked_read": 2,
        "unread": 0,
    }


def test_ids_of_another_users_notifications_are_ignored(
    client_user, other_client, other_client_api
):
    mine = note(client_user)
    response = other_client_api.post(READ, {"ids": [mine.pk]}, format="json")
    assert response.json() == {"marked_read": 0, "unread": 0}
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"all": False}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"every": True}],
)
def test_bad_read_requests_are_400(client_api, body):
    assert_error(client_api.post(READ, body, format="json"), 400)


def test_anonymous_is_401(api_client):
    for response in (api_client.get(LIST), api_client.get(COUNT), api_client.post(READ, {})):
        assert response.status_code == 401


def test_one_notification_per_event_and_user(client_user):
    assert note(client_user, event_id=7) is not None
    assert note(client_user, event_id=7) is None
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("size", [2, 9])
def test_the_list_runs_a_fixed_number_of_queries(
    client_user, client_api, size, django_assert_max_num_queries
):
    for i in range(size):
        note(client_user, f"N{i}")
    with django_assert_max_num_queries(3):
        assert len(client_api.get(LIST).json()["results"]) == size
