"""Delivering webhooks: from a spine event to a signed request a receiver can verify with
the Standard Webhooks reference implementation, the retry schedule under a frozen clock,
auto-disable, at-least-once with one webhook-id, tenant isolation, the health scope, the
SSRF guard, timeouts and the body limit, and the broker or a worker going away."""

import datetime as dt
import socket
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from accounts.tests.factories import trainer_in
from clients.tests.factories import ClientFactory
from integrations.tests.factories import WebhookEndpointFactory
from integrations.tests.receiver import Answer, Receiver
from integrations.webhooks import services, transport
from integrations.webhooks.consumers import webhooks_on_event
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from notifications.models import Notification
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(trainer, receiver):
    return WebhookEndpointFactory(created_by=trainer, url=receiver.url(), events=["workout.logged"])


def events_of(client):
    # The spine's rows, read through the app registry (dashboard is to our right).
    return apps.get_model("dashboard", "ActivityEvent").objects.filter(client=client)


def log_workout(client_link, capture):
    with capture(execute=True):  # commit: the relay hands the event to every consumer
        return WorkoutLogFactory(client=client_link)


def verify(secret, request):
    return Webhook(secret).verify(request.body, request.headers)


def test_a_logged_workout_reaches_the_endpoint_signed_and_verifiable(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    log = log_workout(client_link, django_capture_on_commit_callbacks)

    (request,) = receiver.requests
    payload = verify(endpoint.secret, request)  # the reference implementation agrees
    assert payload["type"] == "workout.logged" and payload["version"] == 1
    data = payload["data"]
    assert data["object"] == {"type": "workout_log", "id": str(log.pk)}
    assert data["client"] == {"id": client_link.pk, "full_name": "Cleo Client"}
    assert data["duration_minutes"] == 45 and data["exercise_count"] == 1
    assert "notes" not in data  # health scope only
    assert request.headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert delivery.latency_ms is not None and delivery.response_status == 200


def test_a_wrong_secret_or_a_changed_body_does_not_verify(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    log_workout(client_link, django_capture_on_commit_callbacks)
    (request,) = receiver.requests

    with pytest.raises(WebhookVerificationError):
        Webhook(services.secret_new()).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        verify(endpoint.secret, type(request)(request.path, request.headers, request.body + b" "))


def test_no_delivery_for_other_studios_other_types_or_inactive_endpoints(
    client_link, other_trainer, trainer, receiver, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(created_by=other_trainer, url=receiver.url("/other"))
    WebhookEndpointFactory(created_by=trainer, url=receiver.url("/meals"), events=["meal.logged"])
    WebhookEndpointFactory(created_by=trainer, url=receiver.url("/off"), is_active=False)

    log_workout(client_link, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_relay_that_runs_twice_makes_one_delivery(client_link, endpoint):
    WorkoutLogFactory(client=client_link)  # not committed: no relay ran
    (event,) = events_of(client_link)

    webhooks_on_event(event)
    webhooks_on_event(event)

    assert WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event.pk).count() == 1


def test_health_details_travel_only_with_the_health_scope(trainer, client_link):
    plain = WebhookEndpointFactory(created_by=trainer, events=["checkin.submitted"])
    health = WebhookEndpointFactory(
        created_by=trainer, events=["checkin.submitted"], include_health=True
    )
    CheckInFactory(client=client_link, weight_kg="82.50", notes="knee hurts")
    (event,) = events_of(client_link)

    with mock.patch.object(services, "_enqueue_attempt"):
        webhooks_on_event(event)

    bare = WebhookDelivery.objects.get(endpoint=plain).payload["data"]
    full = WebhookDelivery.objects.get(endpoint=health).payload["data"]
    assert "weight_kg" not in bare and "notes" not in bare and bare["summary"] is None
    assert full["weight_kg"] == 82.5 and full["notes"] == "knee hurts"
    assert full["summary"] == event.summary


def test_during_the_rotation_overlap_both_secrets_verify_then_only_the_new_one(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    with time_machine.travel(T0, tick=False):
        new = services.endpoint_rotate_secret(endpoint=endpoint)
        log_workout(client_link, django_capture_on_commit_callbacks)
        (first,) = receiver.requests
        assert len(first.headers["webhook-signature"].split(" ")) == 2
        verify(old, first)
        verify(new, first)

    with time_machine.travel(T0 + dt.timedelta(hours=24, seconds=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.ping_create(endpoint=endpoint)
        second = receiver.requests[-1]
        assert len(second.headers["webhook-signature"].split(" ")) == 1
        verify(new, second)
        with pytest.raises(WebhookVerificationError):
            verify(old, second)


def test_failures_follow_the_published_schedule_then_disable_and_tell_the_trainer(
    trainer, client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    coach = trainer_in(trainer.membership.studio, role="coach")
    receiver.default = Answer(status=500, body=b"boom")
    with time_machine.travel(T0, tick=False):
        log_workout(client_link, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_error == "HTTP 500"

    now = T0
    for attempt, wait in enumerate(services.RETRY_SCHEDULE[1:], start=2):
        assert delivery.next_attempt_at == now + dt.timedelta(seconds=wait)
        with time_machine.travel(delivery.next_attempt_at - dt.timedelta(seconds=1), tick=False):
            assert services.deliveries_sweep() == []  # not due yet
        now = delivery.next_attempt_at
        with time_machine.travel(now, tick=False):
            assert services.deliveries_sweep() == [delivery.pk]
        delivery.refresh_from_db()
        assert delivery.attempts == attempt

    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert sum(services.RETRY_SCHEDULE) == (now - T0).total_seconds() > 24 * 3600
    ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert ids == {delivery.message_id} and len(receiver.requests) == 8
    assert delivery.response_status == 500 and delivery.response_body == "boom"
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and endpoint.disabled_at == now
    told = Notification.objects.filter(kind="webhook_disabled")
    assert [n.user for n in told] == [trainer]  # the owner (and author), not the coach
    assert coach not in [n.user for n in told]
    assert told[0].data == {"webhook_endpoint": endpoint.pk}


def test_one_success_within_the_day_keeps_the_endpoint_on(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.default = Answer(status=503)
    with time_machine.travel(T0, tick=False):
        log_workout(client_link, django_capture_on_commit_callbacks)
    first = WebhookDelivery.objects.get()
    receiver.answers = [Answer(status=200)]
    with (
        time_machine.travel(T0 + dt.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        WorkoutLogFactory(client=client_link)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None  # the success ended the failing streak

    WebhookDelivery.objects.filter(pk=first.pk).update(attempts=7)
    with time_machine.travel(T0 + dt.timedelta(hours=30), tick=False):
        services.deliveries_sweep()
    first.refresh_from_db()
    endpoint.refresh_from_db()
    assert first.status == "failed"
    assert endpoint.is_active is True  # the streak began with that last attempt only


def test_a_ping_is_one_attempt_and_does_not_count_towards_disabling(endpoint, receiver):
    receiver.default = Answer(status=500)
    with mock.patch.object(services, "_enqueue_attempt"):
        ping = services.ping_create(endpoint=endpoint)

    services.delivery_attempt(delivery_id=ping.pk)

    ping.refresh_from_db()
    endpoint.refresh_from_db()
    assert ping.status == "failed" and ping.attempts == 1
    assert endpoint.failing_since is None


def test_a_broker_down_at_commit_loses_nothing_the_sweep_sends_it(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    from integrations.webhooks import tasks

    with mock.patch.object(
        tasks.webhook_delivery_send_task, "apply_async", side_effect=ConnectionError("down")
    ):
        log_workout(client_link, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and receiver.requests == []

    assert services.deliveries_sweep() == [delivery.pk]

    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and len(receiver.requests) == 1


def test_an_attempt_claimed_by_another_worker_is_not_sent_twice(endpoint, receiver):
    with mock.patch.object(services, "_enqueue_attempt"):
        ping = services.ping_create(endpoint=endpoint)
    assert services._claim(ping.pk, timezone.now())  # another worker holds it

    assert services.delivery_attempt(delivery_id=ping.pk) is None
    assert receiver.requests == []


def test_a_worker_that_died_mid_attempt_is_replaced_after_its_claim_runs_out(endpoint, receiver):
    with time_machine.travel(T0, tick=False):
        with mock.patch.object(services, "_enqueue_attempt"):
            ping = services.ping_create(endpoint=endpoint)
        assert services._claim(ping.pk, T0)  # ... and the worker died
        assert services.deliveries_sweep() == []
    with time_machine.travel(T0 + dt.timedelta(seconds=services.CLAIM_SECONDS), tick=False):
        assert services.deliveries_sweep() == [ping.pk]
    ping.refresh_from_db()
    assert ping.status == "succeeded" and len(receiver.requests) == 1


# The SSRF guard and the transport ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://[fc00::1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://224.0.0.1/hook",
        "http://hooks.example.com/hook",
    ],
)
def test_private_and_internal_targets_are_refused_before_any_connection(url):
    with mock.patch("socket.create_connection") as connect:
        result = transport.post(url, body=b"{}", headers={})

    assert result.status is None and result.error.startswith("refused")
    connect.assert_not_called()


def _resolving_to(*addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        family = socket.AF_INET6
        return [
            (socket.AF_INET if "." in a else family, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    "addresses",
    [("127.0.0.1",), ("::1",), ("93.184.216.34", "10.1.2.3"), ("169.254.169.254",)],
)
def test_a_hostname_resolving_to_an_internal_address_is_refused(addresses):
    with mock.patch("socket.getaddrinfo", side_effect=_resolving_to(*addresses)):
        result = transport.post("https://hooks.attacker.example/x", body=b"{}", headers={})

    assert result.status is None and "non-public address" in result.error


def test_public_addresses_pass_and_embedded_ipv4_forms_are_judged_by_their_ipv4():
    import ipaddress

    public = ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
    private = ["2002:7f00:1::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "192.0.2.1"]
    assert all(transport.is_public(ipaddress.ip_address(a)) for a in public)
    assert not any(transport.is_public(ipaddress.ip_address(a)) for a in private)


def test_the_connection_goes_to_the_vetted_address_with_the_host_name_kept(receiver):
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with mock.patch("socket.getaddrinfo", side_effect=getaddrinfo):
        result = transport.post(
            f"http://hooks.customer.example:{receiver.port}/in?x=1", body=b"{}", headers={}
        )

    assert result.ok
    # One lookup of the name (urllib3 then "resolves" the address literal it was given):
    # nothing an attacker's DNS could answer differently the second time.
    assert [host for host in calls if host != "127.0.0.1"] == ["hooks.customer.example"]
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.customer.example:{receiver.port}"
    assert request.path == "/in?x=1"


def test_a_redirect_is_a_failure_and_is_not_followed(receiver):
    inside = Receiver()
    try:
        receiver.default = Answer(status=302, headers={"Location": inside.url("/admin")})
        result = transport.post(receiver.url(), body=b"{}", headers={})
    finally:
        inside.close()

    assert result.status == 302 and not result.ok
    assert result.error == "redirect not followed"
    assert inside.requests == []


def test_a_receiver_that_never_answers_times_out(receiver, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.2
    receiver.default = Answer(hang=True)

    result = transport.post(receiver.url(), body=b"{}", headers={})

    assert result.status is None and result.error == "read timeout"


def test_an_answer_dripping_past_the_task_s_time_limit_is_a_failed_attempt(endpoint):
    from celery.exceptions import SoftTimeLimitExceeded

    with mock.patch.object(services, "_enqueue_attempt"):
        ping = services.ping_create(endpoint=endpoint)
    with mock.patch.object(transport, "post", side_effect=SoftTimeLimitExceeded()):
        services.delivery_attempt(delivery_id=ping.pk)

    ping.refresh_from_db()
    assert ping.status == "failed" and ping.last_error == "attempt took too long"


def test_an_endpoint_deleted_during_an_attempt_ends_it_quietly(endpoint):
    with mock.patch.object(services, "_enqueue_attempt"):
        ping = services.ping_create(endpoint=endpoint)

    def delete_then_answer(*args, **kwargs):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        return transport.Result(status=200, body="ok", latency_ms=1)

    with mock.patch.object(transport, "post", side_effect=delete_then_answer):
        assert services.delivery_attempt(delivery_id=ping.pk) is None
    assert not WebhookDelivery.objects.exists()


def test_a_refused_connection_is_a_failed_attempt(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    from integrations.tests.receiver import free_port

    result = transport.post(f"http://127.0.0.1:{free_port()}/", body=b"{}", headers={})

    assert result.status is None and result.error


def test_only_the_first_2_kb_of_an_answer_are_read(receiver):
    receiver.default = Answer(body=b"x" * 1_000_000)

    result = transport.post(receiver.url(), body=b"{}", headers={})

    assert result.ok and len(result.body) == 2048


def test_nul_characters_in_an_answer_are_stored_safely(
    client_link, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.default = Answer(body=b"a\x00b\xff")

    log_workout(client_link, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.get().response_body == "a\ufffdb\ufffd"


def test_production_settings_refuse_private_targets():
    from accounts.tests.test_production_settings import run_with_production_settings

    result = run_with_production_settings(
        ["-c", "import django; django.setup()"], WEBHOOK_ALLOW_PRIVATE_TARGETS="true"
    )

    assert result.returncode != 0
    assert "WEBHOOK_ALLOW_PRIVATE_TARGETS" in result.stderr


def test_a_client_of_another_studio_never_reaches_this_studio_s_endpoint(
    other_trainer, endpoint, receiver, django_capture_on_commit_callbacks
):
    outsider = ClientFactory(trainer=other_trainer)

    log_workout(outsider, django_capture_on_commit_callbacks)

    assert receiver.requests == []
    assert not WebhookEndpoint.objects.filter(deliveries__isnull=False).exists()


def test_every_spine_event_kind_has_a_documented_webhook_type():
    """A kind added to the spine without a payload builder would never be delivered (the
    consumer skips unknown kinds) and would be missing from the schema's message types."""
    from integrations.webhooks.payloads import EVENT_TYPES

    kinds = {value for value, _ in apps.get_model("dashboard", "ActivityEvent").Kind.choices}
    assert kinds == set(EVENT_TYPES)
