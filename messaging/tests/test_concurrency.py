"""Concurrent duplicates (PostgreSQL: real row locks and unique indexes)."""

import uuid

import pytest
from django.urls import reverse

from conftest import auth_client, run_concurrently
from dashboard.models import ActivityEvent
from messaging.models import Conversation, Message

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_message_store_it_once(trainer, client_link):
    conversation = Conversation.objects.create(
        trainer=trainer, client=client_link, studio_id=client_link.studio_id
    )
    url = reverse("conversation-messages", args=[conversation.pk])
    body = {"id": str(uuid.uuid4()), "body": "On my way"}
    apis = [auth_client(client_link.user) for _ in range(THREADS)]

    responses = run_concurrently(lambda i: apis[i].post(url, body, format="json"))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert Message.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="message.sent").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_of_a_conversation_make_one(trainer, client_link):
    apis = [auth_client(trainer) for _ in range(THREADS)]

    responses = run_concurrently(
        lambda i: apis[i].post(
            reverse("conversation-list"), {"client": client_link.pk}, format="json"
        )
    )

    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
    assert Conversation.objects.count() == 1
