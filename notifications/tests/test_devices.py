"""devices/: each user registers, lists and unregisters only their own push targets."""

import json
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import assert_error, auth_client
from notifications.models import Device, PushDelivery
from notifications.services import DEVICES_PER_USER, notification_create
from notifications.tests.helpers import device, subscription, web_keys

pytestmark = pytest.mark.django_db

LIST = reverse("device-list")


def detail(pk):
    return reverse("device-detail", args=[pk])


def register(api, token="fcm-token-0001", platform="android", **extra):
    return api.post(LIST, {"platform": platform, "token": token, **extra}, format="json")


def test_a_client_registers_a_device_and_sees_it_listed(client_api, client_user):
    response = register(client_api, app_version="2.4.0")
    assert response.status_code == 201
    body = response.json()
    assert body["platform"] == "android" and body["token"] == "fcm-token-0001"
    assert body["app_version"] == "2.4.0"
    assert set(body) == {"id", "platform", "token", "app_version", "created_at", "last_seen_at"}
    listed = client_api.get(LIST).json()
    assert [d["id"] for d in listed["results"]] == [body["id"]]
    assert Device.objects.get().user == client_user


def test_registering_the_same_token_again_refreshes_it(client_api):
    first = register(client_api, app_version="1.0").json()
    again = register(client_api, app_version="1.1")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["app_version"] == "1.1"
    assert Device.objects.count() == 1


def test_a_token_registered_by_another_user_moves_and_their_pending_pushes_are_cancelled(
    client_user, client_api, trainer, trainer_api
):
    phone = device(client_user, token="fcm-shared-phone")
    # Made without running its send task (no commit in this test): still pending.
    notification_create(user=client_user, kind="automation", title="Hi")
    pending = PushDelivery.objects.get(device=phone)
    response = register(trainer_api, token="fcm-shared-phone")
    assert response.status_code == 200 and response.json()["id"] == phone.pk
    phone.refresh_from_db()
    assert phone.user == trainer
    pending.refresh_from_db()
    assert pending.status == PushDelivery.Status.SKIPPED
    assert client_api.get(LIST).json()["count"] == 0
    assert trainer_api.get(LIST).json()["count"] == 1


def test_a_web_subscription_is_stored_as_its_endpoint_and_keys(trainer_api):
    keys = web_keys()
    response = register(trainer_api, subscription(keys=keys), platform="web")
    assert response.status_code == 201
    assert response.json()["token"] == "https://fcm.googleapis.com/fcm/send/abc123"
    assert Device.objects.get().web_keys == keys


@pytest.mark.parametrize(
    "token",
    [
        "not json",
        json.dumps(["https://fcm.googleapis.com/x"]),
        subscription(endpoint="http://fcm.googleapis.com/fcm/send/abc"),
        subscription(endpoint="https://169.254.169.254/latest/meta-data"),
        subscription(endpoint="https://localhost/push"),
        subscription(endpoint="https://fcm.googleapis.com.evil.example/x"),
        subscription(endpoint="https://fcm.googleapis.com:8443/x"),
        subscription(endpoint="https://fcm.googleapis.com:99999999/x"),
        subscription(keys={"p256dh": "short", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}),
        json.dumps({"endpoint": "https://fcm.googleapis.com/x", "keys": {}}),
    ],
)
def test_web_subscriptions_must_be_well_formed_and_aimed_at_a_push_service(trainer_api, token):
    assert_error(register(trainer_api, token, platform="web"), 400, attr="token")
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    "body, attr",
    [
        ({"platform": "blackberry", "token": "fcm-token-0001"}, "platform"),
        ({"platform": "ios", "token": "has spaces in it"}, "token"),
        ({"platform": "ios", "token": "short"}, "token"),
        ({"platform": "ios", "token": 123}, "token"),
        ({"platform": "ios"}, "token"),
        ({"platform": "ios", "token": "fcm-token-0001", "colour": "red"}, "colour"),
        ({"platform": "ios", "token": "fcm-token-0001", "app_version": "x" * 33}, "app_version"),
    ],
)
def test_bad_registrations_are_400(client_api, body, attr):
    assert_error(client_api.post(LIST, body, format="json"), 400, attr=attr)


def test_a_user_unregisters_their_device(client_api, client_user):
    phone = device(client_user)
    assert client_api.delete(detail(phone.pk)).status_code == 204
    assert not Device.objects.exists()


def test_nobody_else_sees_or_removes_a_device(
    client_user, other_client_api, other_trainer_api, trainer_api
):
    phone = device(client_user)
    for api in (other_client_api, other_trainer_api, trainer_api):
        assert_error(api.delete(detail(phone.pk)), 404)
        assert api.get(LIST).json()["count"] == 0
    assert Device.objects.filter(pk=phone.pk).exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(LIST).status_code == 401
    assert api_client.post(LIST, {}).status_code == 401
    assert api_client.delete(detail(1)).status_code == 401


def test_a_user_keeps_at_most_the_most_recent_devices(client_api, client_user):
    for n in range(DEVICES_PER_USER + 2):
        assert register(client_api, token=f"fcm-token-{n:04d}").status_code == 201
    tokens = set(Device.objects.values_list("token", flat=True))
    assert len(tokens) == DEVICES_PER_USER
    assert "fcm-token-0000" not in tokens and f"fcm-token-{DEVICES_PER_USER + 1:04d}" in tokens


def test_the_web_push_key_is_published(client_api, settings):
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "BPublicKey"
    response = client_api.get(reverse("device-web-push-key"))
    assert response.json() == {"public_key": "BPublicKey"}


def test_the_device_list_costs_the_same_queries_at_two_sizes(client_user, client_api):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_api.get(LIST, {"page_size": 100}).status_code == 200
        return len(queries)

    device(client_user, token="fcm-token-a")
    small = count()
    for n in range(15):
        device(client_user, token=f"fcm-token-b{n}")
    assert count() == small


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_token_make_one_device(client_user):
    api_clients = [auth_client(client_user) for _ in range(6)]
    barrier = threading.Barrier(6)
    statuses = [None] * 6

    def worker(index):
        try:
            barrier.wait()
            statuses[index] = register(api_clients[index], token="fcm-race-token").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert Device.objects.filter(token="fcm-race-token").count() == 1
