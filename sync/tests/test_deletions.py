"""Deletions and lost access reach the other devices as deleted ids; tombstones expire."""

import datetime as dt

import pytest
from django.urls import reverse

from clients import services as client_services
from clients.tests.factories import studio_member
from coaching.services import habits as habit_services
from coaching.tests.factories import HabitCheckFactory, HabitFactory
from conftest import assert_error, auth_client
from messaging.models import Conversation, Message
from progress.tests.factories import MealLogFactory, WorkoutLogFactory
from sync import services
from sync.models import SyncTombstone
from sync.selectors import to_ms
from sync.tasks import tombstones_purge_task
from sync.tests.helpers import NOW, ids, pull

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _deleted(body, table):
    return set(body["changes"][table]["deleted"])


def test_a_deletion_on_device_a_is_a_tombstone_on_device_b_s_next_pull(
    client_user, client_link, frozen
):
    device_a, device_b = auth_client(client_user), auth_client(client_user)
    log = WorkoutLogFactory(client=client_link)
    frozen.shift(5)
    _, first_b = pull(device_b)
    assert ids(first_b, "workout_logs", "created") == {str(log.pk)}
    frozen.shift(5)
    assert device_a.delete(reverse("workout-log-detail", args=[log.pk])).status_code == 204
    frozen.shift(5)
    _, next_b = pull(device_b, first_b["timestamp"])
    assert _deleted(next_b, "workout_logs") == {str(log.pk)}
    assert next_b["changes"]["workout_logs"]["created"] == []
    stone = SyncTombstone.objects.get(object_id=str(log.pk))
    assert (stone.table, stone.client_id, stone.studio_id) == (
        "workout_logs",
        client_link.pk,
        client_link.studio_id,
    )
    # The coach's devices learn it too; another studio's never do.
    _, coach = pull(auth_client(client_link.trainer), first_b["timestamp"])
    assert _deleted(coach, "workout_logs") == {str(log.pk)}


def test_an_undone_habit_check_is_deleted_by_its_habit_and_date(client_api, client_link, frozen):
    habit = HabitFactory(client=client_link)
    check = HabitCheckFactory(habit=habit, date=dt.date(2026, 11, 26))
    frozen.shift(5)
    _, first = pull(client_api)
    frozen.shift(5)
    habit_services.habit_uncheck(habit=habit, on_date=check.date)
    _, body = pull(client_api, first["timestamp"])
    assert _deleted(body, "habit_checks") == {f"{habit.pk}:2026-11-26"}


def test_a_soft_deleted_message_is_sent_as_deleted(client_api, client_link, frozen):
    conversation = Conversation.objects.create(
        studio_id=client_link.studio_id, client=client_link, trainer=client_link.trainer
    )
    message = Message.objects.create(
        conversation=conversation, sender=client_link.trainer, body="Hi"
    )
    frozen.shift(5)
    _, first = pull(client_api)
    assert ids(first, "messages", "created") == {str(message.pk)}
    assert ids(first, "conversations", "created") == {str(conversation.pk)}
    frozen.shift(5)
    message.deleted_at = NOW
    message.save()
    _, body = pull(client_api, first["timestamp"])
    assert _deleted(body, "messages") == {str(message.pk)}
    assert body["changes"]["messages"]["updated"] == []


def test_other_tenants_tombstones_never_reach_a_device(
    client_api, other_client_link, client_link, frozen
):
    theirs = WorkoutLogFactory(client=other_client_link)
    frozen.shift(5)
    _, first = pull(client_api)
    theirs.delete()
    _, body = pull(client_api, first["timestamp"])
    assert _deleted(body, "workout_logs") == set()
    _, coach = pull(auth_client(client_link.trainer), first["timestamp"])
    assert _deleted(coach, "workout_logs") == set()


# Lost access -------------------------------------------------------------------------------


def test_a_transferred_client_leaves_the_old_coach_s_devices_and_reaches_the_new_one(
    trainer, client_link, frozen
):
    log = WorkoutLogFactory(client=client_link)
    meal = MealLogFactory(client=client_link)
    # Two plain coaches (the owner sees every client of the studio whoever coaches them).
    old_coach = studio_member(trainer.membership.studio, role="coach")
    new_coach = studio_member(trainer.membership.studio, role="coach")
    client_services.client_transfer(
        client=client_link, actor=trainer, coach_id=old_coach.membership.pk
    )
    old_api, new_api = auth_client(old_coach), auth_client(new_coach)
    frozen.shift(5)
    _, old_first = pull(old_api)
    _, new_first = pull(new_api)
    assert ids(new_first, "workout_logs", "created") == set()
    frozen.shift(5)
    client_services.client_transfer(
        client=client_link, actor=trainer, coach_id=new_coach.membership.pk
    )
    frozen.shift(5)
    _, old_next = pull(old_api, old_first["timestamp"])
    assert _deleted(old_next, "workout_logs") == {str(log.pk)}
    assert _deleted(old_next, "meal_logs") == {str(meal.pk)}
    # Rows the new coach never had arrive as created, although they did not change.
    _, new_next = pull(new_api, new_first["timestamp"])
    assert ids(new_next, "workout_logs", "created") == {str(log.pk)}
    assert _deleted(new_next, "workout_logs") == set()


def test_a_revoked_grant_removes_only_its_domains_rows(trainer, client_link, frozen):
    specialist = studio_member(trainer.membership.studio, role="specialist")
    grant = client_services.client_access_grant(
        client=client_link, actor=trainer, member_id=specialist.membership.pk, domains=["nutrition"]
    )
    meal = MealLogFactory(client=client_link)
    WorkoutLogFactory(client=client_link)
    api = auth_client(specialist)
    frozen.shift(5)
    _, first = pull(api)
    assert ids(first, "meal_logs", "created") == {str(meal.pk)}
    assert ids(first, "workout_logs", "created") == set()  # not granted
    frozen.shift(5)
    client_services.client_access_revoke(grant=grant, actor=trainer)
    frozen.shift(5)
    _, body = pull(api, first["timestamp"])
    assert _deleted(body, "meal_logs") == {str(meal.pk)}


def test_a_grant_that_ends_on_the_clock_removes_the_rows_without_any_write(
    trainer, client_link, frozen
):
    specialist = studio_member(trainer.membership.studio, role="specialist")
    client_services.client_access_grant(
        client=client_link,
        actor=trainer,
        member_id=specialist.membership.pk,
        domains=["nutrition"],
        ends_at=NOW + dt.timedelta(hours=1),
    )
    meal = MealLogFactory(client=client_link)
    api = auth_client(specialist)
    frozen.shift(5)
    _, first = pull(api)
    assert ids(first, "meal_logs", "created") == {str(meal.pk)}
    frozen.shift(2 * 3600)
    api = auth_client(specialist)  # a fresh token at the new time
    _, body = pull(api, first["timestamp"])
    assert _deleted(body, "meal_logs") == {str(meal.pk)}


def test_a_deactivated_client_leaves_the_coach_s_devices_but_not_their_own(
    trainer, client_link, client_user, frozen
):
    log = WorkoutLogFactory(client=client_link)
    coach_api, own_api = auth_client(trainer), auth_client(client_user)
    frozen.shift(5)
    _, coach_first = pull(coach_api)
    _, own_first = pull(own_api)
    frozen.shift(5)
    client_services.client_set_active(client=client_link, is_active=False, changed_by=trainer)
    frozen.shift(5)
    _, coach_next = pull(coach_api, coach_first["timestamp"])
    assert _deleted(coach_next, "workout_logs") == {str(log.pk)}
    _, own_next = pull(own_api, own_first["timestamp"])
    assert _deleted(own_next, "workout_logs") == set()
    # Reactivated: the rows come back as created.
    frozen.shift(5)
    client_services.client_set_active(client=client_link, is_active=True, changed_by=trainer)
    frozen.shift(5)
    _, back = pull(coach_api, coach_next["timestamp"])
    assert ids(back, "workout_logs", "created") == {str(log.pk)}


def test_a_deleted_client_s_rows_leave_every_coach_device(trainer, client_link, frozen):
    log = WorkoutLogFactory(client=client_link)
    api = auth_client(trainer)
    frozen.shift(5)
    _, first = pull(api)
    frozen.shift(5)
    user = client_link.user
    client_link.delete()
    user.delete()
    _, body = pull(api, first["timestamp"])
    assert _deleted(body, "workout_logs") == {str(log.pk)}


# Retention ---------------------------------------------------------------------------------


def test_a_pull_older_than_the_retention_must_reset(client_api, settings, frozen):
    settings.SYNC_TOMBSTONE_RETENTION_DAYS = 30
    old = to_ms(NOW - dt.timedelta(days=31))
    response = client_api.get(reverse("sync") + f"?last_pulled_at={old}")
    assert_error(response, 410, "sync_reset_required", "last_pulled_at")
    recent = to_ms(NOW - dt.timedelta(days=29))
    assert pull(client_api, recent)[0].status_code == 200


def test_the_purge_drops_tombstones_past_the_retention_and_is_idempotent(client_link, frozen):
    WorkoutLogFactory(client=client_link).delete()
    frozen.shift(dt.timedelta(days=29))
    WorkoutLogFactory(client=client_link).delete()
    frozen.shift(dt.timedelta(days=2))
    assert tombstones_purge_task() == [1, 0]
    assert SyncTombstone.objects.count() == 1
    assert services.tombstones_purge() == (0, 0)


def test_a_member_removed_from_the_studio_must_reset_their_devices(trainer, client_link, frozen):
    from accounts.services import member_remove

    coach = studio_member(trainer.membership.studio, role="coach")
    client_services.client_transfer(client=client_link, actor=trainer, coach_id=coach.membership.pk)
    WorkoutLogFactory(client=client_link)
    frozen.shift(5)
    _, first = pull(auth_client(coach))
    assert len(first["changes"]["workout_logs"]["created"]) == 1
    frozen.shift(5)
    member_remove(actor=trainer, member=coach.membership, reassign_to=trainer.membership.pk)
    coach.refresh_from_db()
    response = auth_client(coach).get(reverse("sync") + f"?last_pulled_at={first['timestamp']}")
    assert_error(response, 410, "sync_reset_required")
    _, fresh = pull(auth_client(coach))  # starting over: nothing of the old studio
    assert fresh["changes"]["workout_logs"]["created"] == []
