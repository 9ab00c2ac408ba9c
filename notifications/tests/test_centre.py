"""The spine makes the notification centre: which event tells whom, once, with one push."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import trainer_in
from billing.models import Payment
from billing.signals import payment_failed
from billing.tests.factories import PaymentFactory
from clients.tests.factories import ClientFactory
from coaching.models import FormResponse
from coaching.signals import form_reviewed
from coaching.tests.factories import FormAssignmentFactory
from dashboard.feed import event_record
from dashboard.models import ActivityEvent, EventDelivery
from dashboard.tasks import event_relay_task
from messaging.models import Conversation, Message
from notifications.consumers import notifications_on_event
from notifications.models import Notification, PushDelivery
from notifications.services import preference_update
from notifications.tests.helpers import device
from plans.signals import plan_assigned
from plans.tests.factories import PlanAssignmentFactory
from progress.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notification-list")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what follows as a committed request would: relay, consumers, push tasks."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def message_event(conversation, sender, body="See you at 6?"):
    message = Message.objects.create(conversation=conversation, sender=sender, body=body)
    event_record(client=conversation.client, kind="message.sent", summary="Message", obj=message)
    return message


@pytest.fixture
def conversation(trainer, client_link):
    return Conversation.objects.create(
        studio_id=client_link.studio_id, trainer=trainer, client=client_link
    )


def test_a_client_s_message_notifies_the_trainer_and_pushes_once(
    committed, conversation, trainer, client_user, outbox
):
    device(trainer, token="fcm-trainer-phone")
    with committed():
        message = message_event(conversation, client_user, "Can we move to 6?")
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (trainer, "message")
    assert notification.title == client_user.full_name
    assert notification.body == "Can we move to 6?"
    assert notification.data == {"conversation": conversation.pk, "message": str(message.pk)}
    assert [(t.token, m.title) for t, m in outbox] == [("fcm-trainer-phone", client_user.full_name)]
    assert PushDelivery.objects.get().status == "sent"


def test_a_trainer_s_message_notifies_the_client(committed, conversation, trainer, client_user):
    with committed():
        message_event(conversation, trainer)
    assert Notification.objects.get().user == client_user


def test_a_redelivered_event_makes_one_notification_and_one_push(
    committed, conversation, trainer, client_user, outbox
):
    device(client_user)
    with committed():
        message_event(conversation, trainer)
    event = ActivityEvent.objects.get(kind="message.sent")
    # The relay again (sweep plus a late broker), and the consumer itself again.
    with committed():
        event_relay_task.apply(kwargs={"event_id": event.pk})
        EventDelivery.objects.filter(consumer="notifications").delete()
        event_relay_task.apply(kwargs={"event_id": event.pk})
        notifications_on_event(event)
    assert Notification.objects.count() == 1
    assert PushDelivery.objects.count() == 1 and len(outbox) == 1


def test_a_deleted_message_notifies_nobody(committed, conversation, trainer):
    with committed():
        message = Message.objects.create(
            conversation=conversation, sender=trainer, body="oops", deleted_at="2027-01-01T00:00Z"
        )
        event_record(client=conversation.client, kind="message.sent", summary="m", obj=message)
    assert not Notification.objects.exists()


def test_an_assigned_plan_notifies_the_client(committed, client_link, client_user):
    with committed():
        assignment = PlanAssignmentFactory(client=client_link, name="Strength block")
        plan_assigned.send(sender=None, assignment=assignment)
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (client_user, "plan_assigned")
    assert "Strength block" in notification.body
    assert notification.data == {"assignment": assignment.pk}


def test_a_reviewed_check_in_notifies_the_client(committed, trainer_api, client_link, client_user):
    check_in = CheckInFactory(client=client_link)
    with committed():
        response = trainer_api.post(
            reverse("check-in-review", args=[check_in.pk]),
            {"feedback": "Great week!"},
            format="json",
        )
    assert response.status_code == 200
    assert ActivityEvent.objects.filter(kind="checkin.reviewed").count() == 1
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (client_user, "checkin_reviewed")
    assert notification.body == "Great week!"
    assert notification.data == {"check_in": str(check_in.pk)}


def test_a_reviewed_form_notifies_the_client(committed, client_link, client_user):
    assignment = FormAssignmentFactory(client=client_link)
    response = FormResponse.objects.create(
        client=client_link,
        assignment=assignment,
        form_version=assignment.form_version,
        date=datetime.date(2027, 1, 4),
        answers=[],
        feedback="Sleep more.",
    )
    with committed():
        form_reviewed.send(sender=None, response=response)
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (client_user, "form_reviewed")
    assert notification.title == "Your coach reviewed “Weekly check-in”"


def test_a_failed_payment_notifies_the_coach_and_the_studio_s_managers(committed, trainer):
    studio = trainer.membership.studio
    admin = trainer_in(studio, role="admin")
    coach = trainer_in(studio, role="coach")
    specialist = trainer_in(studio, role="specialist")
    client = ClientFactory(trainer=coach)
    with committed():
        payment = PaymentFactory(client=client, status=Payment.Status.FAILED)
        payment_failed.send(sender=Payment, payment=payment)
    users = set(Notification.objects.values_list("user_id", flat=True))
    assert users == {trainer.pk, admin.pk, coach.pk}
    assert specialist.pk not in users
    assert set(Notification.objects.values_list("kind", flat=True)) == {"payment_failed"}


def test_preferences_decide_channels(committed, conversation, trainer, client_user, outbox):
    device(client_user)
    preference_update(user=client_user, kinds={"message": {"push": False}})
    with committed():
        message_event(conversation, trainer, "one")
    assert Notification.objects.count() == 1 and outbox == []

    preference_update(user=client_user, kinds={"message": {"push": True, "in_app": False}})
    with committed():
        message_event(conversation, trainer, "two")
    hidden = Notification.objects.get(body="two")
    assert hidden.in_app is False and len(outbox) == 1
    assert [n["body"] for n in client_api_list(client_user)] == ["one"]

    preference_update(user=client_user, kinds={"message": {"push": False}})
    with committed():
        message_event(conversation, trainer, "three")
    assert not Notification.objects.filter(body="three").exists()
    assert len(outbox) == 1


def client_api_list(user):
    from conftest import auth_client

    return auth_client(user).get(LIST).json()["results"]


def test_the_notification_list_costs_the_same_queries_at_two_sizes(client_user, client_api):
    from notifications.services import notification_create

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_api.get(LIST, {"page_size": 100}).status_code == 200
        return len(queries)

    notification_create(user=client_user, kind="automation", title="a")
    small = count()
    for n in range(20):
        notification_create(user=client_user, kind="message", title=f"m{n}")
    assert count() == small
