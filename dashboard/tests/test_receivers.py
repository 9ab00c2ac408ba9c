import datetime

import pytest
from django.core import serializers
from django.db import transaction

from billing.signals import payment_received
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from clients.signals import invite_accepted
from clients.tests.factories import InviteFactory
from dashboard.feed import event_record
from dashboard.models import ActivityEvent
from plans.signals import plan_assigned
from plans.tests.factories import PlanAssignmentFactory
from progress import services
from progress.models import WorkoutLog
from progress.tests.factories import CheckInFactory, MealLogFactory, WorkoutLogFactory

pytestmark = pytest.mark.django_db

Kind = ActivityEvent.Kind


def only_event() -> ActivityEvent:
    (event,) = ActivityEvent.objects.all()
    return event


def test_a_logged_workout_writes_one_event_for_the_trainer(trainer, client_link):
    log = WorkoutLogFactory(client=client_link, duration_minutes=45)

    event = only_event()
    assert event.trainer == trainer
    assert event.client == client_link
    assert event.kind == Kind.WORKOUT_LOGGED
    assert event.summary == "Cleo logged a workout: 1 exercise, 45 min"
    assert event.target == log


def test_a_workout_following_a_plan_day_is_named_after_it(client_link):
    assignment = PlanAssignmentFactory(client=client_link)
    ActivityEvent.objects.all().delete()

    services.workout_log_create(
        client=client_link,
        date=assignment.start_date,
        assignment=assignment.pk,
        exercises=[{"name": "Bench", "sets": []}, {"name": "Dips", "sets": []}],
        duration_minutes=50,
    )

    assert only_event().summary == "Cleo logged Push: 2 exercises, 50 min"


def test_an_edited_workout_is_reported_as_updated(client_link):
    log = WorkoutLogFactory(client=client_link, duration_minutes=None)
    services.workout_log_update(log=log, changes={"effort": 9})

    kinds = list(ActivityEvent.objects.order_by("id").values_list("kind", "summary"))
    assert kinds == [
        (Kind.WORKOUT_LOGGED, "Cleo logged a workout: 1 exercise"),
        (Kind.WORKOUT_UPDATED, "Cleo updated a workout: 1 exercise"),
    ]


def test_a_logged_meal_writes_an_event(client_link):
    MealLogFactory(client=client_link, meal="Lunch", calories=640)
    event = only_event()
    assert (event.kind, event.summary) == (Kind.MEAL_LOGGED, "Cleo logged Lunch: 1 item, 640 kcal")


def test_a_check_in_writes_an_event(client_link):
    CheckInFactory(client=client_link, weight_kg=81.4, adherence=8)
    event = only_event()
    assert event.kind == Kind.CHECKIN_SUBMITTED
    assert event.summary == "Cleo submitted a check-in: 81.4 kg, adherence 8/10"


def test_a_review_writes_a_review_event_not_an_update(trainer, client_link):
    check_in = CheckInFactory(client=client_link)
    services.check_in_review(check_in=check_in, reviewer=trainer, feedback="Good")
    kinds = list(ActivityEvent.objects.order_by("id").values_list("kind", "summary"))
    assert kinds == [
        (Kind.CHECKIN_SUBMITTED, kinds[0][1]),
        (Kind.CHECKIN_REVIEWED, f"Check-in of {client_link.user.get_short_name()} reviewed"),
    ]


def test_an_event_rolls_back_with_the_write(client_link):
    with pytest.raises(RuntimeError), transaction.atomic():
        WorkoutLogFactory(client=client_link)
        raise RuntimeError

    assert not ActivityEvent.objects.exists()


def test_deleting_an_entry_removes_its_events(client_link):
    log = WorkoutLogFactory(client=client_link)
    other = MealLogFactory(client=client_link)

    log.delete()

    assert list(ActivityEvent.objects.values_list("object_id", flat=True)) == [str(other.pk)]


def test_fixture_loads_write_no_events(client_link):
    log = WorkoutLogFactory(client=client_link)
    dumped, log_id = serializers.serialize("json", [log]), log.pk
    log.delete()

    for obj in serializers.deserialize("json", dumped):
        obj.save()  # a raw save, as loaddata does

    assert WorkoutLog.objects.filter(pk=log_id).exists()
    assert not ActivityEvent.objects.exists()


def test_an_accepted_invite_writes_an_event(trainer, client_link):
    invite = InviteFactory(trainer=trainer, email=client_link.user.email)

    invite_accepted.send(sender=type(invite), invite=invite, client=client_link)

    event = only_event()
    assert (event.trainer, event.kind) == (trainer, Kind.INVITE_ACCEPTED)
    assert event.summary == "Cleo Client accepted your invite and joined"
    assert event.target == client_link


def test_an_assigned_plan_writes_an_event(trainer, client_link):
    assignment = PlanAssignmentFactory(
        client=client_link, name="Strength block", start_date=datetime.date(2026, 12, 7)
    )

    plan_assigned.send(sender=type(assignment), assignment=assignment)

    event = only_event()
    assert (event.trainer, event.kind) == (trainer, Kind.PLAN_ASSIGNED)
    assert event.summary == "Workout plan “Strength block” assigned to Cleo from Dec 7"
    assert event.target == assignment


@pytest.mark.parametrize(
    ("amount", "currency", "shown"), [(9900, "EUR", "99.00 EUR"), (5000, "JPY", "5000 JPY")]
)
def test_a_received_payment_writes_an_event(trainer, client_link, amount, currency, shown):
    subscription = SubscriptionFactory(client=client_link)
    payment = PaymentFactory(subscription=subscription, amount=amount, currency=currency)

    payment_received.send(sender=type(payment), payment=payment)

    event = only_event()
    assert (event.trainer, event.kind) == (trainer, Kind.PAYMENT_RECEIVED)
    assert event.summary == f"Cleo paid {shown}"
    assert event.target == payment


def test_a_long_summary_is_cut_to_fit(client_link):
    event = event_record(
        client=client_link, kind=Kind.INVITE_ACCEPTED, summary="x" * 300, obj=client_link
    )
    assert len(event.summary) == 255
    assert event.summary.endswith("…")
