"""The real-worker path: a Celery worker (in a thread of this process) consuming a real
Redis broker, one end-to-end test per task kind.

Marked `redis`: they need a Redis at CELERY_TEST_BROKER_URL (default
redis://127.0.0.1:6379/12; every key gets a per-test prefix and is deleted afterwards). Without
one they are skipped with the reason, unless REQUIRE_REDIS=1 (CI), where they fail.

Marked `postgres` too: the worker thread writes while the test thread reads, and the test
suite's in-memory SQLite (one database shared between threads with table-level locks)
answers that with "database table is locked", which says nothing about the product.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmailDelivery
from accounts.tasks import (
    email_deliveries_sweep_task,
    password_reset_email_send_task,
    tokens_flush_task,
)
from accounts.tests.factories import TrainerFactory
from billing.tasks import subscriptions_renew_task
from clients.models import Invite
from clients.tasks import invite_email_send_task, invites_expire_task
from clients.tests.factories import ClientFactory, InviteFactory
from coaching.services.automations import automation_create
from coaching.tasks import automations_sweep_task
from dashboard.models import ActivityEvent, EventDelivery
from dashboard.tasks import event_relay_task, events_sweep_task
from fitbud.celery import app
from progress.models import ProgressPhoto
from progress.tasks import photo_thumbnail_make_task
from progress.tests.factories import WorkoutLogFactory
from progress.tests.images import jpeg_with_gps

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/12")
WAIT_SECONDS = 30

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # Celery's Redis result backend (used here only to wait for results) on redis-py 8.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]


def _redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def _forget_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None
    vars(app).pop("backend", None)
    app._local.__dict__.pop("backend", None)


def _keep_logging(**kwargs):
    pass


@pytest.fixture
def worker(settings):
    """A worker on a real broker; every enqueue of this test goes there (not eager)."""
    problem = _redis_problem()
    if problem:
        message = f"Redis broker at {BROKER_URL} is unreachable ({problem})"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"{message} and REQUIRE_REDIS=1")
        pytest.skip(f"{message}; set REQUIRE_REDIS=1 to make this a failure")
    import redis

    prefix = f"celery-test-{uuid.uuid4().hex[:12]}:"
    saved = {
        key: app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "task_ignore_result",
            "broker_transport_options",
            "result_backend_transport_options",
        )
    }
    app.conf.update(
        broker_url=BROKER_URL,
        result_backend=BROKER_URL,
        task_always_eager=False,
        task_ignore_result=False,
        broker_transport_options={"global_keyprefix": prefix, "socket_connect_timeout": 2},
        result_backend_transport_options={"global_keyprefix": prefix},
    )
    _forget_connections()
    settings.CELERY_RETRY_BACKOFF_BASE = 0  # retries at once: the test waits for none
    settings.CELERY_BROKER_URL = BROKER_URL
    # A receiver of setup_logging tells Celery not to configure logging itself: its worker
    # set-up would otherwise rewire the process's loggers for every later test.
    setup_logging.connect(_keep_logging, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        setup_logging.disconnect(_keep_logging)
        app.conf.update(saved)
        _forget_connections()
        client = redis.Redis.from_url(BROKER_URL)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)


def run_on_worker(task, **kwargs):
    """Send `task` through the broker and wait for its result."""
    return task.apply_async(kwargs=kwargs, ignore_result=False).get(timeout=WAIT_SECONDS)


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"The worker did not get there within {WAIT_SECONDS} s: {what}")


@pytest.fixture
def smtp_fails_twice(monkeypatch):
    """A mail server that refuses the first two sends, then works (an outage that ends)."""
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise ConnectionRefusedError("smtp down")
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return calls


def test_smtp_down_the_invite_is_created_and_its_email_sent_once_when_smtp_returns(
    worker, trainer_api, smtp_fails_twice
):
    response = trainer_api.post(
        reverse("invite-list"), {"email": "sam@example.com", "full_name": "Sam"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["email_status"] == "pending"
    invite = Invite.objects.get()

    delivery = wait_for(
        lambda: EmailDelivery.objects.filter(pk=invite.email_delivery_id, status="sent").first(),
        "the invite email sent",
    )
    assert delivery.attempts == 3 and delivery.last_error == ""
    assert len(mail.outbox) == 1 and response.json()["token"] in mail.outbox[0].body

    # The same task delivered again (a redelivery, a retry racing a success) sends nothing.
    run_on_worker(invite_email_send_task, delivery_id=delivery.pk, token=response.json()["token"])
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get(pk=delivery.pk).attempts == 3
    assert trainer_api.get(reverse("invite-detail", args=[invite.pk])).json()["send_count"] == 1


def test_an_email_that_keeps_failing_is_failed_for_good_after_the_last_retry(
    worker, trainer_api, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    response = trainer_api.post(
        reverse("invite-list"), {"email": "sam@example.com", "full_name": "Sam"}
    )
    assert response.status_code == 201
    delivery = wait_for(
        lambda: EmailDelivery.objects.filter(status="failed").first(), "the delivery failed"
    )
    assert delivery.attempts == invite_email_send_task.max_retries + 1
    assert "smtp down" in delivery.last_error and mail.outbox == []


def test_a_password_reset_is_sent_by_the_worker_once(worker, api_client):
    TrainerFactory(email="known@example.com")
    response = api_client.post(reverse("auth-password-reset"), {"email": "known@example.com"})
    assert response.status_code == 202
    delivery = wait_for(
        lambda: EmailDelivery.objects.filter(status="sent").first(), "the reset email sent"
    )
    assert mail.outbox[0].to == ["known@example.com"]

    run_on_worker(
        password_reset_email_send_task,
        email="known@example.com",
        request_id=str(delivery.request_id),
    )
    assert len(mail.outbox) == 1 and EmailDelivery.objects.count() == 1


def test_a_logged_workout_is_relayed_to_the_consumers_by_the_worker(
    worker, client_api, client_link
):
    day = timezone.localdate()
    response = client_api.post(
        reverse("workout-log-list"),
        {
            "date": day.isoformat(),
            "exercises": [{"name": "Squat", "sets": [{"reps": 5, "done": True}]}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    event = ActivityEvent.objects.get()
    consumers = set(settings.SPINE_CONSUMERS)
    wait_for(
        lambda: (
            set(EventDelivery.objects.filter(event=event).values_list("consumer", flat=True))
            == consumers
        ),
        "the event relayed to every consumer",
    )
    # Relayed again through the broker: nothing new.
    assert run_on_worker(event_relay_task, event_id=event.pk) == []
    assert EventDelivery.objects.count() == len(consumers)


def test_a_photos_thumbnail_is_made_by_the_worker_once(worker, client_api, client_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("me.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client_api.post(
        reverse("photo-list"),
        {"image": image, "date": client_user.local_today().isoformat(), "pose": "back"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["thumbnail_url"] is None  # not on the request path
    photo_id = response.json()["id"]
    key = wait_for(
        lambda: ProgressPhoto.objects.get(pk=photo_id).thumbnail_key, "the thumbnail made"
    )
    # Run again through the broker: nothing new.
    assert run_on_worker(photo_thumbnail_make_task, photo_id=photo_id) is None
    assert ProgressPhoto.objects.get(pk=photo_id).thumbnail_key == key


def test_broker_down_at_commit_the_sweep_delivers_through_the_worker(
    worker, client_link, settings, monkeypatch
):
    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(event_relay_task, "apply_async", refuse)
    WorkoutLogFactory(client=client_link)
    event = ActivityEvent.objects.get()
    assert not EventDelivery.objects.exists()
    monkeypatch.undo()  # the broker is back
    settings.SPINE_SWEEP_GRACE_SECONDS = 0

    assert run_on_worker(events_sweep_task) == [event.pk]
    wait_for(
        lambda: EventDelivery.objects.filter(event=event, consumer="log").exists(),
        "the swept event relayed",
    )


def test_the_periodic_tasks_run_on_the_worker_and_twice_change_nothing(worker, trainer):
    invite = InviteFactory(trainer=trainer, expires_at=timezone.now() - timedelta(minutes=1))
    assert run_on_worker(invites_expire_task) == 1
    assert run_on_worker(invites_expire_task) == 0
    invite.refresh_from_db()
    assert invite.status == "expired"

    assert run_on_worker(email_deliveries_sweep_task) == {"resent": 0, "failed": 0}
    assert run_on_worker(subscriptions_renew_task) == {}
    run_on_worker(tokens_flush_task)

    ClientFactory(trainer=trainer, joined_at=timezone.now() - timedelta(days=30))
    automation_create(
        trainer=trainer,
        name="Nudge",
        trigger={"type": "no_workout", "days": 3},
        action={"type": "notify_client", "title": "Hi", "body": ""},
    )
    assert run_on_worker(automations_sweep_task) == 1
    assert run_on_worker(automations_sweep_task) == 0
