"""The event spine: every event relayed after commit to each consumer once, and the sweep
relays what a broker that was down at commit never got (eager path; the real worker path
is in fitbud/tests/test_celery_worker.py)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.services.subscriptions import payment_record
from billing.tests.factories import SubscriptionFactory
from dashboard import spine
from dashboard.models import ActivityEvent, ConsumerCursor, EventDelivery
from dashboard.tasks import event_relay_task, events_sweep_task
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(settings):
    """A second consumer that records what it was handed."""
    seen: list[int] = []
    settings.SPINE_CONSUMERS = {"log": "dashboard.spine.log_consumer", "probe": __name__ + ".probe"}
    probe.seen = seen
    yield seen


def probe(event):
    probe.seen.append(event.pk)
    if getattr(probe, "fail", False):
        raise RuntimeError("consumer down")


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(event_relay_task, "apply_async", refuse)


def later(seconds=None):
    from django.conf import settings

    return timezone.now() + timedelta(seconds=seconds or settings.SPINE_SWEEP_GRACE_SECONDS + 1)


def test_an_event_is_relayed_after_commit_to_every_consumer_once(
    client_link, handled, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        WorkoutLogFactory(client=client_link)
    event = ActivityEvent.objects.get()
    assert handled == [event.pk]
    assert set(EventDelivery.objects.values_list("consumer", "status")) == {
        ("log", "done"),
        ("probe", "done"),
    }
    assert f"event {event.pk} kind=workout.logged" in caplog.text


def test_nothing_is_relayed_before_commit_or_after_a_rollback(
    client_link, handled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        WorkoutLogFactory(client=client_link)
    assert handled == [] and not EventDelivery.objects.exists()
    assert sum("enqueue" in callback.__qualname__ for callback in callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        WorkoutLogFactory(client=client_link)
        transaction.set_rollback(True)
    assert ActivityEvent.objects.count() == 1 and handled == []


def test_a_relay_run_twice_changes_nothing_the_second_time(
    client_link, handled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        WorkoutLogFactory(client=client_link)
    event = ActivityEvent.objects.get()
    before = list(EventDelivery.objects.values_list("pk", "consumer", "handled_at"))

    assert event_relay_task.apply(kwargs={"event_id": event.pk}).get() == []
    assert list(EventDelivery.objects.values_list("pk", "consumer", "handled_at")) == before
    assert handled == [event.pk]


def test_broker_down_at_commit_the_sweep_delivers_the_event_later(
    client_link, handled, broker_down, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        WorkoutLogFactory(client=client_link)
    event = ActivityEvent.objects.get()
    assert handled == [] and "Could not enqueue dashboard.event_relay" in caplog.text

    # Too young for the sweep: its relay may still be on its way.
    assert spine.events_sweep(now=timezone.now()) == []

    monkeypatch.undo()  # the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert spine.events_sweep(now=later()) == [event.pk]
    assert handled == [event.pk]
    assert EventDelivery.objects.filter(event=event).count() == 2

    # The next sweep finds nothing to do and moves the cursors past the event.
    with django_capture_on_commit_callbacks(execute=True):
        assert spine.events_sweep(now=later()) == []
        assert spine.events_sweep(now=later()) == []
    assert set(ConsumerCursor.objects.values_list("consumer", "position")) == {
        ("log", event.pk),
        ("probe", event.pk),
    }
    assert handled == [event.pk]


def test_a_consumer_added_later_is_handed_the_last_day_only(client_link, settings):
    old = WorkoutLogFactory(client=client_link)  # before the consumer existed (no relay ran)
    ActivityEvent.objects.update(created_at=timezone.now() - timedelta(days=2))
    WorkoutLogFactory(client=client_link)
    recent = ActivityEvent.objects.exclude(object_id=str(old.pk)).get()
    settings.SPINE_CONSUMERS = {"log": "dashboard.spine.log_consumer"}
    assert spine.events_sweep(now=later()) == [recent.pk]
    assert ConsumerCursor.objects.get(consumer="log").position == recent.pk - 1
    assert events_sweep_task.apply().get() == []  # too young for the sweep right now


def test_a_consumer_that_fails_for_good_is_recorded_and_not_offered_again(
    client_link, handled, django_capture_on_commit_callbacks, caplog
):
    probe.fail = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            WorkoutLogFactory(client=client_link)
    finally:
        probe.fail = False
    event = ActivityEvent.objects.get()
    failed = EventDelivery.objects.get(consumer="probe")
    assert (failed.status, failed.last_error) == ("failed", "RuntimeError: consumer down")
    assert EventDelivery.objects.get(consumer="log").status == "done"
    with django_capture_on_commit_callbacks(execute=True):
        assert spine.events_sweep(now=later()) == []
    assert handled == [event.pk]


def test_a_deleted_entry_takes_its_event_and_the_relay_does_nothing(client_link, handled):
    log = WorkoutLogFactory(client=client_link)
    event_id = ActivityEvent.objects.get().pk
    log.delete()
    assert event_relay_task.apply(kwargs={"event_id": event_id}).get() == []
    assert handled == [] and not EventDelivery.objects.exists()


def test_a_failed_payment_is_a_domain_event(client_link):
    subscription = SubscriptionFactory(client=client_link)
    with transaction.atomic():
        payment_record(
            subscription=subscription,
            provider_payment_id="pay_failed_1",
            amount=5000,
            currency="eur",
            succeeded=False,
            failure_reason="card_declined",
        )
    event = ActivityEvent.objects.get()
    assert event.kind == "payment.failed"
    assert event.summary == "Cleo's payment failed: 50.00 EUR"


def test_event_deliveries_and_cursors_are_in_the_admin(client_link, client):
    from accounts.tests.factories import UserFactory

    WorkoutLogFactory(client=client_link)
    spine.event_deliver(event_id=ActivityEvent.objects.get().pk, consumer="log")
    spine.events_sweep(now=later())
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    for name in ("eventdelivery", "consumercursor"):
        assert client.get(reverse(f"admin:dashboard_{name}_changelist")).status_code == 200
    delivery = EventDelivery.objects.get()
    assert (
        client.get(reverse("admin:dashboard_eventdelivery_change", args=[delivery.pk])).status_code
        == 200
    )
