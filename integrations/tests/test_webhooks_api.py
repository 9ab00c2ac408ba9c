"""`webhooks/` through real routes and JWTs: who may manage endpoints, what is validated,
the secret shown once, rotation, the delivery log, ping and redelivery, and isolation."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from standardwebhooks import Webhook

from accounts.tests.factories import trainer_in
from conftest import assert_error, auth_client
from integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from integrations.tests.receiver import Receiver
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

LIST = reverse("webhook-list")
BODY = {"url": "https://hooks.example.com/fitbud", "events": ["workout.logged"]}


@pytest.fixture
def endpoint(trainer):
    return WebhookEndpointFactory(created_by=trainer)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    yield receiver
    receiver.close()


def url(name, *args):
    return reverse(name, args=args)


def test_a_trainer_subscribes_and_sees_the_secret_only_once(trainer_api, trainer):
    response = trainer_api.post(
        LIST, {**BODY, "events": ["payment.received", "workout.logged", "workout.logged"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["payment.received", "workout.logged"]
    assert body["is_active"] is True and body["include_health"] is False
    assert body["created_by"] == trainer.pk
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.secret == body["secret"]
    listed = trainer_api.get(LIST).json()["results"]
    assert [row["id"] for row in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    assert "secret" not in trainer_api.get(url("webhook-detail", endpoint.pk)).json()


@pytest.mark.parametrize(
    "change, code, attr",
    [
        ({"events": ["workout.deleted"]}, "invalid_choice", "events[0]"),
        ({"events": []}, "min_length", "events"),
        ({"url": "http://hooks.example.com/x"}, "webhook_url_refused", "url"),
        ({"url": "https://127.0.0.1/x"}, "webhook_url_refused", "url"),
        ({"url": "https://169.254.169.254/latest"}, "webhook_url_refused", "url"),
        ({"url": "https://[::1]/x"}, "webhook_url_refused", "url"),
        ({"url": "https://localhost/x"}, "webhook_url_refused", "url"),
        ({"url": "https://user:pw@hooks.example.com/x"}, "webhook_url_refused", "url"),
        ({"url": "not a url"}, "invalid", "url"),
        ({"secret": "whsec_mine"}, "unknown_field", "secret"),
    ],
)
def test_bad_subscriptions_are_400s_at_the_field(trainer_api, change, code, attr):
    response = trainer_api.post(LIST, {**BODY, **change})

    assert_error(response, 400, code, attr)
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_can_be_created_paused(trainer_api):
    response = trainer_api.post(LIST, {**BODY, "is_active": False})

    assert response.status_code == 201
    assert response.json()["is_active"] is False


def test_the_same_url_twice_is_a_409(trainer_api, endpoint):
    response = trainer_api.post(LIST, {**BODY, "url": endpoint.url})

    assert_error(response, 409, "webhook_url_taken")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_url_make_one_endpoint(trainer):
    results, barrier = [], threading.Barrier(4)

    def create():
        barrier.wait()
        try:
            results.append(auth_client(trainer).post(LIST, BODY).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 409, 409, 409]
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize("role", ["coach", "specialist"])
def test_only_owners_and_admins_manage_webhooks(trainer, endpoint, role):
    member = auth_client(trainer_in(trainer.membership.studio, role=role))

    assert_error(member.get(LIST), 403, "studio_role_forbidden")
    assert_error(member.post(LIST, BODY), 403, "studio_role_forbidden")
    assert_error(member.get(url("webhook-detail", endpoint.pk)), 403, "studio_role_forbidden")


def test_an_admin_of_the_studio_manages_the_owner_s_endpoints(trainer, endpoint):
    admin = auth_client(trainer_in(trainer.membership.studio, role="admin"))

    response = admin.patch(url("webhook-detail", endpoint.pk), {"description": "Sheet"})

    assert response.status_code == 200
    assert response.json()["description"] == "Sheet"


def test_clients_are_refused(client_api, endpoint):
    assert_error(client_api.get(LIST), 403)
    assert_error(client_api.get(url("webhook-detail", endpoint.pk)), 403)


def test_another_studio_s_endpoints_and_deliveries_are_404(other_trainer_api, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    paths = [
        ("get", url("webhook-detail", endpoint.pk)),
        ("patch", url("webhook-detail", endpoint.pk)),
        ("delete", url("webhook-detail", endpoint.pk)),
        ("post", url("webhook-rotate-secret", endpoint.pk)),
        ("post", url("webhook-ping", endpoint.pk)),
        ("get", url("webhook-delivery-list", endpoint.pk)),
        ("post", url("webhook-redeliver", endpoint.pk, delivery.pk)),
    ]
    for method, path in paths:
        assert_error(getattr(other_trainer_api, method)(path, {}), 404)
    assert other_trainer_api.get(LIST).json()["results"] == []
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_delivery_of_another_endpoint_is_404_under_yours(trainer, trainer_api, endpoint):
    foreign = WebhookDeliveryFactory()  # another studio's endpoint

    response = trainer_api.post(url("webhook-redeliver", endpoint.pk, foreign.pk))

    assert_error(response, 404)


def test_rotating_gives_a_new_secret_and_keeps_the_old_one_signing_for_a_day(trainer_api, endpoint):
    old = endpoint.secret

    response = trainer_api.post(url("webhook-rotate-secret", endpoint.pk))

    assert response.status_code == 200
    body = response.json()
    endpoint.refresh_from_db()
    assert body["secret"] == endpoint.secret != old
    assert endpoint.previous_secret == old
    assert body["previous_secret_expires_at"] is not None


def test_patch_changes_events_and_turns_a_disabled_endpoint_back_on(trainer_api, endpoint):
    from django.utils import timezone

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason="failing"
    )

    response = trainer_api.patch(
        url("webhook-detail", endpoint.pk), {"is_active": True, "events": ["meal.logged"]}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["is_active"] is True and body["disabled_at"] is None
    assert body["disabled_reason"] == "" and body["events"] == ["meal.logged"]


def test_delete_removes_the_endpoint_and_its_log(trainer_api, endpoint):
    WebhookDeliveryFactory(endpoint=endpoint)

    assert trainer_api.delete(url("webhook-detail", endpoint.pk)).status_code == 204
    assert not WebhookDelivery.objects.exists()


def test_a_ping_is_signed_and_logged(
    trainer, trainer_api, receiver, django_capture_on_commit_callbacks
):
    created = trainer_api.post(LIST, {**BODY, "url": receiver.url()}).json()

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_api.post(url("webhook-ping", created["id"]))

    assert response.status_code == 202
    assert response.json()["event_type"] == "webhook.ping"
    (body,) = trainer_api.get(url("webhook-delivery-list", created["id"])).json()["results"]
    assert body["status"] == "succeeded" and body["response_status"] == 200
    assert body["attempts"] == 1 and body["response_body"] == "ok"
    (request,) = receiver.requests
    payload = Webhook(created["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "webhook.ping" and payload["version"] == 1
    assert request.headers["webhook-id"] == body["webhook_id"]


def test_a_ping_to_a_disabled_endpoint_is_a_409(trainer_api, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    assert_error(
        trainer_api.post(url("webhook-ping", endpoint.pk)), 409, "webhook_endpoint_inactive"
    )


def test_redelivery_sends_the_same_message_id_again(
    trainer, trainer_api, receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(created_by=trainer, url=receiver.url())
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="failed", attempts=8)

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_api.post(url("webhook-redeliver", endpoint.pk, delivery.pk))

    assert response.status_code == 202
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id]


def test_redelivering_a_pending_delivery_is_a_409(trainer_api, endpoint):
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="pending")

    response = trainer_api.post(url("webhook-redeliver", endpoint.pk, delivery.pk))

    assert_error(response, 409, "webhook_delivery_pending")


def test_the_delivery_log_costs_the_same_queries_at_two_sizes(trainer_api, endpoint):
    path = url("webhook-delivery-list", endpoint.pk)
    WebhookDeliveryFactory.create_batch(2, endpoint=endpoint)
    with CaptureQueriesContext(connection) as small:
        assert len(trainer_api.get(path).json()["results"]) == 2
    WebhookDeliveryFactory.create_batch(8, endpoint=endpoint)
    with CaptureQueriesContext(connection) as large:
        assert len(trainer_api.get(path).json()["results"]) == 10

    assert len(large) == len(small)


def test_the_endpoint_list_costs_the_same_queries_at_two_sizes(trainer, trainer_api):
    WebhookEndpointFactory.create_batch(2, created_by=trainer)
    with CaptureQueriesContext(connection) as small:
        assert trainer_api.get(LIST).json()["count"] == 2
    WebhookEndpointFactory.create_batch(5, created_by=trainer)
    with CaptureQueriesContext(connection) as large:
        assert trainer_api.get(LIST).json()["count"] == 7

    assert len(large) == len(small)


def test_the_event_catalogue_lists_every_type(trainer_api):
    with CaptureQueriesContext(connection) as queries:
        body = trainer_api.get(reverse("webhook-events")).json()

    types = [row["type"] for row in body]
    assert "workout.logged" in types and "checkin.submitted" in types
    assert next(r for r in body if r["type"] == "checkin.submitted")["health_summary"] is True
    assert len(queries) <= 2  # authentication only: it reads no table of its own
