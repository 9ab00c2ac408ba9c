"""Broadcasts: one message in each recipient's own conversation, once per recipient
whatever the retries, crashes or concurrent runs."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from conftest import assert_error, auth_client
from dashboard.models import ActivityEvent
from messaging import services
from messaging.models import Broadcast, Conversation, Message
from messaging.tests.factories import BroadcastFactory
from messaging.tests.test_concurrency import run_concurrently

pytestmark = pytest.mark.django_db

URL = reverse("broadcast-list")


@pytest.fixture
def clients(trainer, client_link):
    second = ClientFactory(trainer=trainer, user__full_name="Bo Second")
    gone = ClientFactory(trainer=trainer, is_active=False, user__full_name="Gil Gone")
    return client_link, second, gone


def test_a_broadcast_reaches_every_chosen_client_in_their_own_conversation(
    trainer_api, clients, django_capture_on_commit_callbacks
):
    first, second, _ = clients
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_api.post(
            URL, {"body": "Gym closed Monday", "clients": [first.pk, second.pk]}, format="json"
        )

    assert response.status_code == 202, response.data
    assert response.data["recipient_count"] == 2
    assert response.data["client_ids"] == [first.pk, second.pk]
    messages = Message.objects.select_related("conversation").order_by("conversation__client_id")
    assert [(m.conversation.client_id, m.body) for m in messages] == [
        (first.pk, "Gym closed Monday"),
        (second.pk, "Gym closed Monday"),
    ]
    assert ActivityEvent.objects.filter(kind="message.sent").count() == 2
    listed = trainer_api.get(URL).data["results"]
    assert [(b["recipient_count"], b["status"]) for b in listed] == [(2, "sent")]


def test_replies_stay_private(trainer, clients, django_capture_on_commit_callbacks):
    first, second, _ = clients
    with django_capture_on_commit_callbacks(execute=True):
        auth_client(trainer).post(
            URL, {"body": "Hi all", "clients": [first.pk, second.pk]}, format="json"
        )
    mine = Conversation.objects.get(client=first)
    api = auth_client(first.user)
    api.post(reverse("conversation-messages", args=[mine.pk]), {"body": "Thanks!"}, format="json")

    theirs = auth_client(second.user).get(reverse("conversation-list")).data["results"]
    assert [c["last_message"]["body"] for c in theirs] == ["Hi all"]
    assert_error(
        auth_client(second.user).get(reverse("conversation-messages", args=[mine.pk])), 404
    )


def test_all_active_means_the_active_clients_in_scope_now(
    trainer_api, clients, other_client_link, django_capture_on_commit_callbacks
):
    first, second, _gone = clients
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_api.post(URL, {"body": "Hey", "all_active": True}, format="json")

    assert response.data["client_ids"] == [first.pk, second.pk]
    assert set(Message.objects.values_list("conversation__client", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_bad_broadcasts_are_400s(trainer_api, client_api, clients, other_client_link):
    assert_error(
        trainer_api.post(URL, {"body": "x", "clients": [other_client_link.pk]}, format="json"),
        400,
        "does_not_exist",
        "clients",
    )
    assert_error(trainer_api.post(URL, {"body": "x"}, format="json"), 400, "clients_or_all_active")
    assert_error(
        trainer_api.post(URL, {"body": "x", "clients": [1], "all_active": True}, format="json"),
        400,
        "clients_or_all_active",
    )
    assert_error(trainer_api.post(URL, {"body": " ", "all_active": True}, format="json"), 400)
    assert client_api.post(URL, {"body": "x", "all_active": True}, format="json").status_code == 403
    assert Broadcast.objects.count() == 0


def test_running_the_task_twice_delivers_once_per_recipient(trainer, clients):
    first, second, _ = clients
    broadcast = BroadcastFactory(sender=trainer, client_ids=[first.pk, second.pk])

    assert services.broadcast_send(broadcast_id=broadcast.pk) == 2
    Broadcast.objects.filter(pk=broadcast.pk).update(completed_at=None)  # as if redelivered
    assert services.broadcast_send(broadcast_id=broadcast.pk) == 0
    assert Message.objects.filter(broadcast=broadcast).count() == 2


def test_a_run_that_crashed_midway_is_finished_by_the_next(trainer, clients, monkeypatch):
    first, second, _ = clients
    broadcast = BroadcastFactory(sender=trainer, client_ids=[first.pk, second.pk])
    real_insert = services._insert

    def crash_on_second(message):
        if message.conversation.client_id == second.pk:
            raise RuntimeError("worker died")
        real_insert(message)

    monkeypatch.setattr(services, "_insert", crash_on_second)
    with pytest.raises(RuntimeError):
        services.broadcast_send(broadcast_id=broadcast.pk)
    assert Message.objects.filter(broadcast=broadcast).count() == 1
    broadcast.refresh_from_db()
    assert broadcast.completed_at is None

    monkeypatch.setattr(services, "_insert", real_insert)
    assert services.broadcast_send(broadcast_id=broadcast.pk) == 1
    recipients = Message.objects.filter(broadcast=broadcast).values_list(
        "conversation__client", flat=True
    )
    assert sorted(recipients) == [first.pk, second.pk]
    assert ActivityEvent.objects.filter(kind="message.sent").count() == 2


def test_the_sweep_re_enqueues_broadcasts_the_broker_dropped(
    trainer, clients, django_capture_on_commit_callbacks
):
    first, _, _ = clients
    lost = BroadcastFactory(sender=trainer, client_ids=[first.pk])
    Broadcast.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    young = BroadcastFactory(sender=trainer, client_ids=[first.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert services.broadcasts_sweep() == 1

    assert Message.objects.filter(broadcast=lost).count() == 1
    assert Message.objects.filter(broadcast=young).count() == 0


def test_a_recipient_who_left_the_scope_is_skipped(trainer, other_trainer, clients):
    first, second, _ = clients
    broadcast = BroadcastFactory(sender=trainer, client_ids=[first.pk, second.pk])
    from clients.models import Client

    Client.objects.filter(pk=second.pk).update(
        trainer=other_trainer, studio=other_trainer.membership.studio
    )

    assert services.broadcast_send(broadcast_id=broadcast.pk) == 1


@pytest.mark.parametrize("size", [2, 12])
def test_the_broadcast_list_runs_fixed_queries(trainer, size, django_assert_max_num_queries):
    for _ in range(size):
        BroadcastFactory(sender=trainer, client_ids=[1, 2, 3])
    api = auth_client(trainer)
    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": 100})
    assert [b["recipient_count"] for b in response.data["results"]] == [3] * size


def test_other_trainers_never_see_a_broadcast(other_trainer_api, trainer):
    BroadcastFactory(sender=trainer, client_ids=[1])
    assert other_trainer_api.get(URL).data["results"] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_one_broadcast_deliver_once_per_recipient(trainer):
    recipients = [ClientFactory(trainer=trainer) for _ in range(4)]
    broadcast = BroadcastFactory(sender=trainer, client_ids=[c.pk for c in recipients])

    run_concurrently(lambda i: services.broadcast_send(broadcast_id=broadcast.pk))

    assert Message.objects.filter(broadcast=broadcast).count() == 4
    assert Conversation.objects.count() == 4
    assert ActivityEvent.objects.filter(kind="message.sent").count() == 4
    assert Message.objects.get(
        conversation__client=recipients[0]
    ).pk == services.broadcast_message_id(broadcast, recipients[0].pk)
    assert isinstance(Message.objects.first().pk, uuid.UUID)
