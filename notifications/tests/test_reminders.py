"""Habit reminders: at the client's local reminder time, once per local date."""

import datetime

import pytest
import time_machine

from coaching.tests.factories import HabitCheckFactory, HabitFactory
from notifications.models import Notification
from notifications.reminders import habit_reminders_send
from notifications.services import preference_update
from notifications.tasks import habit_reminders_send_task

pytestmark = pytest.mark.django_db

# 19:30 in Tokyo (UTC+9) on 2027-03-10; 11:30 in Berlin, 05:30 in New York.
EVENING_TOKYO = datetime.datetime(2027, 3, 10, 10, 30, tzinfo=datetime.UTC)


@pytest.fixture
def tokyo_client(client_link):
    client_link.user.timezone = "Asia/Tokyo"
    client_link.user.save(update_fields=["timezone"])
    return client_link


def test_an_undone_daily_habit_is_reminded_once_at_the_local_time(tokyo_client):
    walk = HabitFactory(client=tokyo_client, title="Walk 10k")
    HabitFactory(client=tokyo_client, title="Stretch")
    HabitCheckFactory(habit=walk, date=datetime.date(2027, 3, 10))
    with time_machine.travel(EVENING_TOKYO, tick=False):
        assert habit_reminders_send_task.apply().get() == 1
        assert habit_reminders_send() == 0  # a second beat: nothing twice
    notification = Notification.objects.get()
    assert notification.user == tokyo_client.user and notification.kind == "habit_reminder"
    assert notification.title == "1 habit left today" and notification.body == "Stretch"
    assert notification.data["date"] == "2027-03-10"


def test_no_reminder_before_the_reminder_time_or_when_everything_is_done(tokyo_client):
    walk = HabitFactory(client=tokyo_client)
    preference_update(user=tokyo_client.user, habit_reminder_time=datetime.time(21, 0))
    with time_machine.travel(EVENING_TOKYO, tick=False):
        assert habit_reminders_send() == 0
    HabitCheckFactory(habit=walk, date=datetime.date(2027, 3, 10))
    with time_machine.travel(EVENING_TOKYO + datetime.timedelta(hours=2), tick=False):
        assert habit_reminders_send() == 0
    assert not Notification.objects.exists()


def test_weekly_ended_and_inactive_clients_habits_are_not_reminded(tokyo_client, client_link):
    HabitFactory(client=tokyo_client, frequency="weekly", target=3)
    HabitFactory(client=tokyo_client, end_date=datetime.date(2027, 3, 9))
    with time_machine.travel(EVENING_TOKYO, tick=False):
        assert habit_reminders_send() == 0
    HabitFactory(client=tokyo_client)
    tokyo_client.is_active = False
    tokyo_client.save(update_fields=["is_active"])
    with time_machine.travel(EVENING_TOKYO, tick=False):
        assert habit_reminders_send() == 0
