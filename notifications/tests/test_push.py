"""Push delivery through the providers, stubbed at the HTTP layer (`responses`): FCM HTTP v1
and Web Push. Invalid tokens drop the device; timeouts and 5xx are retried, never lost."""

import datetime
import json

import pytest
import requests
import responses
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils import timezone

from notifications import delivery as push_delivery
from notifications.delivery import push_delivery_send
from notifications.models import Device, PushDelivery
from notifications.push import fcm
from notifications.services import notification_create
from notifications.tasks import push_deliveries_sweep_task, push_send_task
from notifications.tests.helpers import b64url, device, web_keys

pytestmark = pytest.mark.django_db

TOKEN_URL = "https://oauth2.googleapis.com/token"
SEND_URL = "https://fcm.googleapis.com/v1/projects/fitbud-test/messages:send"
ENDPOINT = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAAB-test"


@pytest.fixture(scope="module")
def service_account():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "fitbud-test",
        "private_key_id": "key1",
        "private_key": pem,
        "client_email": "push@fitbud-test.iam.gserviceaccount.com",
        "token_uri": TOKEN_URL,
    }


@pytest.fixture
def live(settings, service_account):
    settings.PUSH_PROVIDER = "live"
    settings.PUSH_TIMEOUT_SECONDS = 3.0
    settings.FCM_SERVICE_ACCOUNT_JSON = json.dumps(service_account)
    private = ec.generate_private_key(ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(
        private.private_numbers().private_value.to_bytes(32, "big")
    )
    fcm._credentials.clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json={"access_token": "ya29.test", "expires_in": 3600})
        yield mock
    fcm._credentials.clear()


def pending(user, platform="android", token="fcm-token-0001", **device_fields):
    """A notification with one pending delivery to a fresh device (its task not run)."""
    if platform == "web":
        device_fields.setdefault("web_keys", web_keys())
    phone = device(user, token=token, platform=platform, **device_fields)
    notification = notification_create(
        user=user, kind="automation", title="Time to train", body="Leg day", data={"x": 1}
    )
    return PushDelivery.objects.get(notification=notification, device=phone)


def fcm_error(status, code, **extra):
    detail = {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
    return {"error": {"code": status, "status": code, "details": [detail], **extra}}


# FCM ---------------------------------------------------------------------------------------


def test_fcm_sends_with_the_service_account_s_token_and_a_timeout(live, client_user):
    live.post(SEND_URL, json={"name": "projects/fitbud-test/messages/0:1"})
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.provider_message_id == "projects/fitbud-test/messages/0:1"
    send = next(call for call in live.calls if call.request.url == SEND_URL)
    assert send.request.headers["Authorization"] == "Bearer ya29.test"
    assert send.request.req_kwargs["timeout"] == 3.0
    message = json.loads(send.request.body)["message"]
    assert message["token"] == "fcm-token-0001"
    assert message["notification"] == {"title": "Time to train", "body": "Leg day"}
    assert message["data"] == {
        "x": "1",
        "notification_id": str(row.notification_id),
        "kind": "automation",
    }
    assert message["apns"]["headers"]["apns-collapse-id"] == f"n{row.notification_id}"


@pytest.mark.parametrize(
    "status, body",
    [
        (404, fcm_error(404, "UNREGISTERED")),
        (403, fcm_error(403, "SENDER_ID_MISMATCH")),
        (
            400,
            {
                "error": {
                    "code": 400,
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [{"field": "message.token"}],
                        }
                    ],
                }
            },
        ),
    ],
)
def test_a_token_fcm_calls_dead_drops_the_device(live, client_user, status, body):
    live.post(SEND_URL, status=status, json=body)
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "dropped"
    row.refresh_from_db()
    assert (row.status, row.device_id) == ("dropped", None)
    assert not Device.objects.exists()


def test_a_provider_timeout_is_retried_later_not_lost(live, client_user):
    live.post(SEND_URL, body=requests.exceptions.ReadTimeout("stalled"))
    row = pending(client_user)
    outcome = push_delivery_send(delivery_id=row.pk)
    assert outcome.status == "retry" and outcome.retry_in >= 5
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, None)
    assert row.not_before > timezone.now() and "ReadTimeout" in row.last_error
    # Its task's retry was lost (worker gone): the sweep sends it once it is due.
    live.replace(responses.POST, SEND_URL, json={"name": "projects/fitbud-test/messages/0:2"})
    assert push_deliveries_sweep_task.apply().get() == 0  # not due yet
    with time_machine.travel(row.not_before + datetime.timedelta(minutes=2)):
        assert push_deliveries_sweep_task.apply().get() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert push_deliveries_sweep_task.apply().get() == 0


@pytest.mark.parametrize("status", [429, 500, 503])
def test_fcm_overload_and_outages_are_transient(live, client_user, status):
    live.post(SEND_URL, status=status, json=fcm_error(status, "UNAVAILABLE"))
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "retry"
    assert Device.objects.exists()


def test_a_refused_payload_fails_for_good_and_keeps_the_device(live, client_user):
    live.post(SEND_URL, status=400, json=fcm_error(400, "INVALID_ARGUMENT"))
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "failed"
    assert Device.objects.exists()


def test_the_last_attempt_gives_up_and_says_so(live, client_user):
    live.post(SEND_URL, status=503, json=fcm_error(503, "UNAVAILABLE"))
    row = pending(client_user)
    # An eager run (no worker to come back later) is its own last try.
    assert push_send_task.apply(kwargs={"delivery_id": row.pk}).get() == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and "503" in row.last_error


def test_fcm_without_credentials_fails_for_good(live, settings, client_user):
    settings.FCM_SERVICE_ACCOUNT_JSON = ""
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "failed"


# Web Push ----------------------------------------------------------------------------------


def test_web_push_posts_an_encrypted_vapid_signed_message(live, trainer):
    live.post(ENDPOINT, status=201, headers={"Location": "https://push.example/m/1"})
    row = pending(trainer, platform="web", token=ENDPOINT)
    assert push_delivery_send(delivery_id=row.pk).status == "sent"
    request = live.calls[-1].request
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["Authorization"].startswith("vapid t=")
    assert request.headers["Topic"] == f"n{row.notification_id}"
    assert request.req_kwargs["timeout"] == 3.0
    assert b"Time to train" not in request.body  # encrypted to the browser's key


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_web_subscription_drops_the_device(live, trainer, status):
    live.post(ENDPOINT, status=status)
    row = pending(trainer, platform="web", token=ENDPOINT)
    assert push_delivery_send(delivery_id=row.pk).status == "dropped"
    assert not Device.objects.exists()


def test_a_web_push_timeout_is_retried(live, trainer):
    live.post(ENDPOINT, body=requests.exceptions.ConnectTimeout("stalled"))
    row = pending(trainer, platform="web", token=ENDPOINT)
    assert push_delivery_send(delivery_id=row.pk).status == "retry"
    row.refresh_from_db()
    assert row.status == "pending" and Device.objects.exists()


# Idempotency and the request path ----------------------------------------------------------


def test_a_delivery_already_sent_or_claimed_is_not_sent_again(client_user, outbox):
    row = pending(client_user)
    assert push_delivery_send(delivery_id=row.pk).status == "sent"
    assert push_delivery_send(delivery_id=row.pk).status == "skipped"
    assert len(outbox) == 1
    other = pending(client_user, token="fcm-token-0002")
    PushDelivery.objects.filter(pk=other.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert push_delivery_send(delivery_id=other.pk).status == "not_due"
    assert push_delivery_sweep_ids() == []


def push_delivery_sweep_ids():
    return push_delivery.push_deliveries_due(now=timezone.now())


def test_a_dead_worker_s_claim_runs_out_and_the_sweep_sends_it(client_user, outbox):
    row = pending(client_user)
    PushDelivery.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(seconds=30), attempts=1
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert push_deliveries_sweep_task.apply().get() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, len(outbox)) == ("sent", 2, 1)


def test_the_request_only_publishes_the_push_task_never_calls_the_provider(
    client_user, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(push_send_task, "apply_async", lambda **kw: published.append(kw))
    monkeypatch.setattr(
        "notifications.delivery.provider_for", lambda platform: pytest.fail("sent inline")
    )
    device(client_user)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user=client_user, kind="automation", title="Hi")
    row = PushDelivery.objects.get()
    assert published == [{"kwargs": {"delivery_id": row.pk}, "countdown": None}]
    assert row.status == "pending"


def test_a_token_moved_to_another_user_before_sending_is_skipped(client_user, trainer, outbox):
    row = pending(client_user)
    Device.objects.filter(pk=row.device_id).update(user=trainer)
    assert push_delivery_send(delivery_id=row.pk).status == "skipped"
    assert outbox == []


def test_push_vapid_keys_prints_a_pair_web_push_can_sign_with(settings):
    import io

    from django.core.management import call_command
    from py_vapid import Vapid

    out = io.StringIO()
    call_command("push_vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    vapid = Vapid.from_string(lines["WEBPUSH_VAPID_PRIVATE_KEY"])
    assert vapid.sign({"sub": "mailto:a@b.c", "aud": "https://push.example"})["Authorization"]
    assert len(lines["WEBPUSH_VAPID_PUBLIC_KEY"]) == 87  # 65 bytes, base64url


def test_a_broker_down_at_commit_loses_no_push(
    client_user, monkeypatch, django_capture_on_commit_callbacks, outbox, caplog
):
    def broker_down(**kwargs):
        raise ConnectionError("broker down")

    device(client_user)
    monkeypatch.setattr(push_send_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user=client_user, kind="automation", title="Hi")
    assert "the sweep will send it" in caplog.text
    row = PushDelivery.objects.get()
    assert row.status == "pending" and outbox == []
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert push_deliveries_sweep_task.apply().get() == 1
    row.refresh_from_db()
    assert row.status == "sent" and len(outbox) == 1
