"""Automations fire in each client's local time, once per rule, client and period."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from billing.tests.factories import SubscriptionFactory
from clients.signals import invite_accepted
from clients.tests.factories import ClientFactory
from coaching.models import Automation, AutomationRun
from coaching.services import automations as services
from coaching.tasks import automations_sweep_task
from dashboard.models import ActivityEvent, EventDelivery
from notifications.models import Notification
from plans.models import PlanAssignment
from plans.tests.factories import PlanTemplateFactory
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

UTC = dt.UTC
NOTIFY = {"type": "notify_client", "title": "Hi {first_name}", "body": "Move!"}


def rule(trainer, trigger, action=None, **kw):
    return services.automation_create(
        trainer=trainer, name="Rule", trigger=trigger, action=action or NOTIFY, **kw
    )


def client_in(trainer, tz, joined, name="Cleo"):
    return ClientFactory(
        trainer=trainer, user__timezone=tz, user__full_name=f"{name} Client", joined_at=joined
    )


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.django_db
def test_no_workout_fires_after_n_whole_local_days_in_each_clients_timezone(trainer):
    joined = at(2027, 12, 1)
    auckland = client_in(trainer, "Pacific/Auckland", joined, "Aki")
    los_angeles = client_in(trainer, "America/Los_Angeles", joined, "Lou")
    for client in (auckland, los_angeles):
        WorkoutLogFactory(client=client, date=dt.date(2028, 3, 6))  # a Monday, local
    automation = rule(trainer, {"type": "no_workout", "days": 3})

    # Thu 2028-03-09 23:30 UTC: Friday 12:30 in Auckland (Tue to Thu idle), Thursday 15:30 in LA.
    now = at(2028, 3, 9, 23, 30)
    due = services.automation_due(automation=automation, now=now)
    assert [(d.client.pk, d.period_key) for d, _ in due] == [(auckland.pk, "no_workout:2028-03-06")]
    assert services.automations_sweep(now=now) == 1
    assert services.automations_sweep(now=now) == 0
    # Friday morning in LA: its turn; Auckland is not fired again in the same gap.
    assert services.automations_sweep(now=at(2028, 3, 10, 8, 0)) == 1
    assert set(AutomationRun.objects.values_list("client_id", flat=True)) == {
        auckland.pk,
        los_angeles.pk,
    }


@pytest.mark.django_db
def test_a_new_workout_starts_a_new_gap(trainer):
    client = client_in(trainer, "UTC", at(2028, 1, 1))
    WorkoutLogFactory(client=client, date=dt.date(2028, 3, 1))
    automation = rule(trainer, {"type": "no_workout", "days": 2})
    assert services.automations_sweep(now=at(2028, 3, 4, 1)) == 1
    WorkoutLogFactory(client=client, date=dt.date(2028, 3, 5))
    assert services.automations_sweep(now=at(2028, 3, 7, 1)) == 0
    assert services.automations_sweep(now=at(2028, 3, 8, 1)) == 1
    assert list(automation.runs.order_by("fired_at").values_list("period_key", flat=True)) == [
        "no_workout:2028-03-01",
        "no_workout:2028-03-05",
    ]


@pytest.mark.django_db
def test_a_client_who_just_joined_is_not_idle(trainer):
    client_in(trainer, "UTC", at(2028, 3, 8, 9))
    rule(trainer, {"type": "no_workout", "days": 3})
    assert services.automations_sweep(now=at(2028, 3, 10, 9)) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "fires"),
    [
        # Europe/Berlin switches to summer time on Sun 2028-03-26 02:00 (UTC+1 → UTC+2).
        (at(2028, 3, 26, 15, 59), False),  # 17:59 CEST
        (at(2028, 3, 26, 16, 0), True),  # 18:00 CEST
        # Back to winter time on Sun 2028-10-29 03:00 (UTC+2 → UTC+1).
        (at(2028, 10, 29, 16, 59), False),  # 17:59 CET
        (at(2028, 10, 29, 17, 0), True),  # 18:00 CET
    ],
)
def test_checkin_missing_fires_at_the_local_time_across_dst(trainer, now, fires):
    client_in(trainer, "Europe/Berlin", at(2028, 1, 1))
    rule(trainer, {"type": "checkin_missing", "weekday": 6, "time": "18:00"})
    assert services.automations_sweep(now=now) == (1 if fires else 0)


@pytest.mark.django_db
def test_checkin_missing_skips_who_checked_in_and_keys_by_local_week(trainer):
    done = client_in(trainer, "Asia/Tokyo", at(2028, 1, 1), "Dan")
    late = client_in(trainer, "Asia/Tokyo", at(2028, 1, 1), "Lee")
    CheckInFactory(client=done, date=dt.date(2028, 3, 20))
    automation = rule(trainer, {"type": "checkin_missing", "weekday": 0, "time": "09:00"})
    # Monday 2028-03-20 09:00 in Tokyo is 00:00 UTC.
    assert services.automations_sweep(now=at(2028, 3, 20, 0, 0)) == 1
    run = automation.runs.get()
    assert (run.client_id, run.period_key) == (late.pk, "checkin:2028-03-20")
    assert services.automations_sweep(now=at(2028, 3, 22)) == 0
    assert services.automations_sweep(now=at(2028, 3, 27)) == 2  # next week: both owe one


@pytest.mark.django_db
def test_subscription_ending_fires_once_per_period_for_subscriptions_set_to_end(trainer):
    ending = client_in(trainer, "UTC", at(2028, 1, 1), "End")
    renewing = client_in(trainer, "UTC", at(2028, 1, 1), "Ren")
    SubscriptionFactory(
        client=ending, cancel_at_period_end=True, current_period_end=at(2028, 3, 20, 12)
    )
    SubscriptionFactory(client=renewing, current_period_end=at(2028, 3, 20, 12))
    rule(
        trainer,
        {"type": "subscription_ending", "days": 7},
        {"type": "notify_trainer", "title": "Ends", "body": ""},
    )
    assert services.automations_sweep(now=at(2028, 3, 12)) == 0
    assert services.automations_sweep(now=at(2028, 3, 13)) == 1
    assert services.automations_sweep(now=at(2028, 3, 19)) == 0
    assert AutomationRun.objects.get().client_id == ending.pk


@pytest.mark.django_db
def test_paused_rules_deactivated_clients_and_clients_off_the_list_are_skipped(trainer):
    listed = client_in(trainer, "UTC", at(2028, 1, 1), "Lis")
    client_in(trainer, "UTC", at(2028, 1, 1), "Unl")
    gone = client_in(trainer, "UTC", at(2028, 1, 1), "Gon")
    gone.is_active = False
    gone.save()
    rule(trainer, {"type": "no_workout", "days": 1}, clients=[listed.pk, gone.pk])
    rule(trainer, {"type": "no_workout", "days": 1}, is_active=False)
    assert services.automations_sweep(now=at(2028, 3, 1)) == 1
    assert AutomationRun.objects.get().client_id == listed.pk


@pytest.mark.django_db
def test_firing_writes_the_spine_event_and_the_notification_once(
    trainer, django_capture_on_commit_callbacks
):
    client = client_in(trainer, "UTC", at(2028, 1, 1))
    rule(trainer, {"type": "no_workout", "days": 1})
    with django_capture_on_commit_callbacks(execute=True):
        assert services.automations_sweep(now=at(2028, 3, 1)) == 1
    event = ActivityEvent.objects.get(kind="automation.fired")
    run = AutomationRun.objects.get()
    assert (event.client_id, event.object_id) == (client.pk, str(run.pk))
    notification = Notification.objects.get()
    assert (notification.user, notification.title, notification.body) == (
        client.user,
        "Hi Cleo",
        "Move!",
    )
    assert notification.data == {"automation_run": run.pk}
    assert EventDelivery.objects.filter(event=event, consumer="notifications").exists()
    # At-least-once delivery: the consumer handed the same event again acts once.
    from notifications.consumers import notifications_on_event

    notifications_on_event(event)
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_invite_accepted_assigns_the_template_and_notifies_the_trainer(
    trainer, django_capture_on_commit_callbacks
):
    template = PlanTemplateFactory(trainer=trainer)
    rule(
        trainer,
        {"type": "event", "event": "invite.accepted"},
        {"type": "assign_template", "template": template.pk},
    )
    rule(
        trainer,
        {"type": "event", "event": "invite.accepted"},
        {"type": "notify_trainer", "title": "{first_name} joined", "body": ""},
    )
    client = ClientFactory(trainer=trainer, user__full_name="Nina New")
    with django_capture_on_commit_callbacks(execute=True):
        invite_accepted.send(sender=None, invite=None, client=client)
    assignment = PlanAssignment.objects.get(client=client)
    assert assignment.template_id == template.pk
    # (The assigned plan notifies the client too: notifications' plan_assigned kind.)
    assert Notification.objects.get(kind="automation").user == trainer
    assert Notification.objects.get(kind="automation").title == "Nina joined"
    assert AutomationRun.objects.filter(status="done").count() == 2


@pytest.mark.django_db
def test_an_assignment_that_cannot_be_made_is_logged_as_failed(trainer):
    template = PlanTemplateFactory(trainer=trainer)
    rule(
        trainer,
        {"type": "no_workout", "days": 1},
        {"type": "assign_template", "template": template.pk},
    )
    template.is_archived = True
    template.save()
    client_in(trainer, "UTC", at(2028, 1, 1))
    assert services.automations_sweep(now=at(2028, 3, 1)) == 1
    run = AutomationRun.objects.get()
    assert run.status == "failed"
    assert "Archived" in run.detail


@pytest.mark.django_db
def test_the_beat_task_sweeps(trainer):
    client_in(trainer, "UTC", dt.datetime(2000, 1, 1, tzinfo=UTC))
    rule(trainer, {"type": "no_workout", "days": 1})
    assert automations_sweep_task.run() == 1
    assert automations_sweep_task.run() == 0


@pytest.mark.django_db
def test_trigger_events_are_spine_event_codes():
    assert set(services.TRIGGER_EVENTS) <= set(ActivityEvent.Kind.values)
    assert "automation.fired" not in services.TRIGGER_EVENTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_fire_exactly_once(trainer):
    clients = [client_in(trainer, "UTC", at(2028, 1, 1), f"C{i}") for i in range(5)]
    automation = rule(trainer, {"type": "no_workout", "days": 1})
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            with time_machine.travel(at(2028, 3, 1, 9), tick=False):
                barrier.wait()
                results.append(services.automations_sweep())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == len(clients)
    assert automation.runs.count() == len(clients)
    assert ActivityEvent.objects.filter(kind="automation.fired").count() == len(clients)
    assert Automation.objects.count() == 1


@pytest.mark.django_db
def test_checkin_missing_counts_the_weekly_form_response_when_a_form_is_assigned(trainer):
    from coaching.models import FormResponse
    from coaching.tests.factories import FormAssignmentFactory

    week = dt.date(2028, 3, 20)
    plain = client_in(trainer, "Asia/Tokyo", at(2028, 1, 1), "Pia")  # no form: check-in
    answered = client_in(trainer, "Asia/Tokyo", at(2028, 1, 1), "Ann")  # form: answered
    only_checkin = client_in(trainer, "Asia/Tokyo", at(2028, 1, 1), "Oli")  # form: check-in
    CheckInFactory(client=plain, date=week)
    assignment = FormAssignmentFactory(client=answered, kind="weekly")
    FormResponse.objects.create(
        client=answered,
        assignment=assignment,
        form_version=assignment.form_version,
        date=week,
        week_start=week,
        answers=[],
    )
    FormAssignmentFactory(client=only_checkin, kind="weekly")
    CheckInFactory(client=only_checkin, date=week)
    automation = rule(trainer, {"type": "checkin_missing", "weekday": 0, "time": "09:00"})
    assert services.automations_sweep(now=at(2028, 3, 20, 0, 0)) == 1
    assert automation.runs.get().client_id == only_checkin.pk
