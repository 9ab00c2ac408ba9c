"""Conversations and messages through the API: who converses with whom, isolation (404),
idempotent sends, edits within the window, read positions and unread counts."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import StudioRole
from clients.tests.factories import ClientAccessFactory, ClientFactory, studio_member
from conftest import assert_error, auth_client
from dashboard.models import ActivityEvent
from messaging.models import Conversation, Message
from messaging.tests.factories import ConversationFactory, MessageFactory
from progress.tests import images

pytestmark = pytest.mark.django_db

LIST = reverse("conversation-list")


def messages_url(conversation) -> str:
    return reverse("conversation-messages", args=[conversation.pk])


def message_url(conversation, message_id) -> str:
    return reverse("conversation-message", args=[conversation.pk, message_id])


def read_url(conversation) -> str:
    return reverse("conversation-read", args=[conversation.pk])


@pytest.fixture
def conversation(trainer, client_link):
    return Conversation.objects.get(
        pk=auth_client(trainer).post(LIST, {"client": client_link.pk}, format="json").data["id"]
    )


def send(api, conversation, body="Hi", **extra):
    return api.post(messages_url(conversation), {"body": body, **extra}, format="json")


# Opening conversations ---------------------------------------------------------------------


def test_a_trainer_opens_a_conversation_once_and_gets_it_back(trainer_api, client_link):
    first = trainer_api.post(LIST, {"client": client_link.pk}, format="json")
    again = trainer_api.post(LIST, {"client": client_link.pk}, format="json")

    assert first.status_code == 201, first.data
    assert again.status_code == 200
    assert first.data["id"] == again.data["id"]
    assert first.data["client"] == {"id": client_link.pk, "full_name": "Cleo Client"}
    assert first.data["unread_count"] == 0
    assert first.data["last_message"] is None


def test_a_client_gets_the_conversation_with_their_primary_coach(client_api, trainer, client_link):
    response = client_api.post(LIST, {}, format="json")

    assert response.status_code == 201
    assert response.data["trainer"] == {"id": trainer.pk, "full_name": "Tess Trainer"}
    assert client_api.post(LIST, {"client": client_link.pk}, format="json").status_code == 200


@pytest.mark.parametrize("who", ["other_trainer_api", "other_client_api"])
def test_nobody_opens_a_conversation_with_a_client_outside_their_scope(request, who, client_link):
    api = request.getfixturevalue(who)
    assert_error(api.post(LIST, {"client": client_link.pk}, format="json"), 404)


def test_a_member_needs_the_messages_grant(trainer, client_link):
    physio = studio_member(trainer.membership.studio, role=StudioRole.SPECIALIST)
    api = auth_client(physio)
    assert_error(api.post(LIST, {"client": client_link.pk}, format="json"), 404)

    ClientAccessFactory(client=client_link, grantee=physio, messages=True)
    response = api.post(LIST, {"client": client_link.pk}, format="json")

    assert response.status_code == 201
    assert response.data["trainer"]["id"] == physio.pk


def test_a_member_without_a_client_must_name_one(trainer_api):
    assert_error(trainer_api.post(LIST, {}, format="json"), 400, "required", "client")
    assert_error(trainer_api.post(LIST, {"client": "x"}, format="json"), 400, "invalid", "client")
    assert_error(
        trainer_api.post(LIST, {"client": 1, "extra": 1}, format="json"), 400, "unknown_field"
    )


# Isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_trainer_api", "other_client_api"])
def test_another_studio_and_another_client_get_404_everywhere(request, who, conversation):
    api = request.getfixturevalue(who)
    message = MessageFactory(conversation=conversation)

    assert_error(api.get(reverse("conversation-detail", args=[conversation.pk])), 404)
    assert_error(api.get(messages_url(conversation)), 404)
    assert_error(send(api, conversation), 404)
    assert_error(api.get(message_url(conversation, message.pk)), 404)
    assert_error(
        api.patch(message_url(conversation, message.pk), {"body": "x"}, format="json"), 404
    )
    assert_error(api.delete(message_url(conversation, message.pk)), 404)
    assert_error(api.post(read_url(conversation), {"message": str(message.pk)}, format="json"), 404)
    assert api.get(LIST).data["results"] == []


def test_a_member_without_the_messages_scope_gets_404(trainer, conversation):
    coach = studio_member(trainer.membership.studio, role=StudioRole.COACH)
    ClientAccessFactory(client=conversation.client, grantee=coach, workouts=True)
    api = auth_client(coach)

    assert_error(api.get(reverse("conversation-detail", args=[conversation.pk])), 404)
    assert_error(api.get(messages_url(conversation)), 404)


def test_a_manager_does_not_read_a_coach_s_conversation(trainer, conversation):
    admin = studio_member(trainer.membership.studio, role=StudioRole.ADMIN)
    assert_error(auth_client(admin).get(messages_url(conversation)), 404)


def test_unknown_ids_are_404_not_500(trainer_api, conversation):
    assert_error(trainer_api.get(reverse("conversation-detail", args=[99999999999999])), 404)
    bad = messages_url(conversation) + "not-a-uuid/"
    assert_error(trainer_api.get(bad), 404)
    assert_error(trainer_api.get(message_url(conversation, uuid.uuid4())), 404)


# Sending -----------------------------------------------------------------------------------


def test_a_message_is_stored_with_its_event_and_lifts_the_conversation(
    trainer_api, client_api, conversation, client_link
):
    other = ConversationFactory(client=ClientFactory(trainer=conversation.trainer))
    response = send(client_api, conversation, "Done with legs")

    assert response.status_code == 201, response.data
    assert response.data["body"] == "Done with legs"
    assert response.data["sender"]["full_name"] == "Cleo Client"
    event = ActivityEvent.objects.get(kind="message.sent")
    assert (event.object_id, event.client_id, event.domain) == (
        response.data["id"],
        client_link.pk,
        "messages",
    )
    assert "Done with legs" not in event.summary  # the body never travels in the spine's summary
    listing = trainer_api.get(LIST).data["results"]
    assert [c["id"] for c in listing] == [conversation.pk, other.pk]
    assert listing[0]["last_message"]["body"] == "Done with legs"
    assert listing[0]["unread_count"] == 1


def test_messages_are_not_in_the_trainer_feed(trainer_api, client_api, conversation):
    send(client_api, conversation)
    assert trainer_api.get(reverse("feed")).data["results"] == []


def test_the_same_id_returns_the_stored_message_and_other_content_is_a_409(
    client_api, trainer_api, conversation
):
    message_id = str(uuid.uuid4())
    first = send(client_api, conversation, "Hello", id=message_id)
    again = send(client_api, conversation, "Hello", id=message_id)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.data == first.data
    assert Message.objects.count() == 1
    assert ActivityEvent.objects.filter(kind="message.sent").count() == 1
    assert_error(send(client_api, conversation, "Other", id=message_id), 409, "id_in_use")
    assert_error(send(trainer_api, conversation, "Hello", id=message_id), 409, "id_in_use")


def test_bad_messages_are_400s(client_api, conversation):
    assert_error(send(client_api, conversation, ""), 400, "blank", "body")
    assert_error(send(client_api, conversation, "x" * 4001), 400, "max_length", "body")
    assert_error(send(client_api, conversation, "x", id=7), 400, "invalid", "id")
    assert_error(send(client_api, conversation, "x", sender=1), 400, "unknown_field")


def test_a_photo_attachment_is_cleaned_like_a_progress_photo(
    client_api, trainer_api, conversation, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("p.jpg", images.jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_api.post(
            messages_url(conversation), {"body": "", "attachment": upload}, format="multipart"
        )

    assert response.status_code == 201, response.data
    assert response.data["attachment"]["url"]
    # The worker (eager here) made the thumbnail.
    shown = trainer_api.get(message_url(conversation, response.data["id"])).data
    assert shown["attachment"]["thumbnail_url"]
    stored = Message.objects.get()
    from django.core.files.storage import storages

    data = storages["photos"].open(stored.attachment_key).read()
    assert b"SecretCam" not in data and b"<?php" not in data


def test_a_file_that_is_not_a_photo_is_refused_at_the_attachment_field(client_api, conversation):
    upload = SimpleUploadedFile("x.jpg", b"<svg></svg>", content_type="image/jpeg")
    response = client_api.post(
        messages_url(conversation), {"attachment": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.data["errors"][0]["attr"] == "attachment"
    assert Message.objects.count() == 0


def test_a_deactivated_client_reads_but_cannot_send(client_api, trainer_api, conversation):
    message = send(trainer_api, conversation, "Still there?").data
    conversation.client.is_active = False
    conversation.client.save()

    assert client_api.get(messages_url(conversation)).status_code == 200
    assert_error(send(client_api, conversation), 403, "client_inactive")
    read = client_api.post(read_url(conversation), {"message": message["id"]}, format="json")
    assert read.status_code == 200
    assert read.data["unread_count"] == 0


def test_a_client_cannot_write_to_a_member_who_lost_access(trainer, client_api, client_link):
    physio = studio_member(trainer.membership.studio, role=StudioRole.SPECIALIST)
    grant = ClientAccessFactory(client=client_link, grantee=physio, messages=True)
    opened = auth_client(physio).post(LIST, {"client": client_link.pk}, format="json").data
    conversation = Conversation.objects.get(pk=opened["id"])
    grant.revoked_at = timezone.now()
    grant.save()

    assert_error(send(client_api, conversation), 403, "conversation_closed")
    assert client_api.get(messages_url(conversation)).status_code == 200


# Edit window -------------------------------------------------------------------------------


def test_the_author_edits_and_deletes_within_the_window_only(client_user, trainer, conversation):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = send(auth_client(client_user), conversation, "Typo").data
    url = message_url(conversation, message["id"])

    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        edited = auth_client(client_user).patch(url, {"body": "Fixed"}, format="json")
        assert edited.status_code == 200
        assert edited.data["body"] == "Fixed"
        assert edited.data["edited_at"] is not None
        assert_error(
            auth_client(trainer).patch(url, {"body": "Mine"}, format="json"), 403, "not_author"
        )
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        api = auth_client(client_user)
        assert_error(api.patch(url, {"body": "Late"}, format="json"), 403, "edit_window_closed")
        assert_error(api.delete(url), 403, "edit_window_closed")


def test_a_deleted_message_stays_emptied_so_other_devices_see_it(
    client_api, trainer_api, conversation
):
    message = send(client_api, conversation, "Oops").data
    deleted = client_api.delete(message_url(conversation, message["id"]))

    assert deleted.status_code == 200
    listed = trainer_api.get(messages_url(conversation)).data["results"]
    assert [(m["id"], m["body"], m["deleted_at"] is not None) for m in listed] == [
        (message["id"], "", True)
    ]
    assert trainer_api.get(LIST).data["results"][0]["unread_count"] == 0
    assert_error(
        client_api.delete(message_url(conversation, message["id"])), 409, "message_deleted"
    )


# Read positions and unread counts ------------------------------------------------------------


def test_reading_moves_forward_only_and_counts_follow(client_api, trainer_api, conversation):
    base = timezone.now()
    sent = []
    for minutes in range(3):
        with time_machine.travel(base + timedelta(minutes=minutes), tick=False):
            sent.append(send(trainer_api, conversation, f"m{minutes}").data)
    send(client_api, conversation, "mine")  # your own messages are never unread

    assert client_api.get(LIST).data["results"][0]["unread_count"] == 3
    assert client_api.get(reverse("me-dashboard")).data["unread_messages"] == 3
    read = client_api.post(read_url(conversation), {"message": sent[1]["id"]}, format="json")
    assert read.data["unread_count"] == 1
    assert read.data["client_last_read"] == sent[1]["id"]
    older = client_api.post(read_url(conversation), {"message": sent[0]["id"]}, format="json")
    assert older.data["client_last_read"] == sent[1]["id"]
    assert client_api.get(reverse("me-dashboard")).data["unread_messages"] == 1
    assert trainer_api.get(reverse("trainer-dashboard")).data["unread_messages"] == 1


def test_unread_notifications_are_on_both_home_screens(
    trainer, trainer_api, client_user, client_api
):
    from notifications.services import notification_create

    client_api.get(reverse("me-dashboard"))  # cached now: the count must still move
    notification_create(user=client_user, kind="automation", title="Welcome")
    notification_create(user=trainer, kind="automation", title="A", body="")

    assert client_api.get(reverse("me-dashboard")).data["unread_notifications"] == 1
    assert trainer_api.get(reverse("trainer-dashboard")).data["unread_notifications"] == 1


def test_read_needs_a_message_of_this_conversation(client_api, trainer, conversation):
    other = ConversationFactory(client=ClientFactory(trainer=trainer))
    foreign = MessageFactory(conversation=other)
    assert_error(
        client_api.post(read_url(conversation), {"message": str(foreign.pk)}, format="json"), 404
    )
    assert_error(
        client_api.post(read_url(conversation), {}, format="json"), 400, "required", "message"
    )


# Lists: fixed query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_conversation_list_runs_fixed_queries(trainer, size, django_assert_max_num_queries):
    for _ in range(size):
        conversation = ConversationFactory(client=ClientFactory(trainer=trainer))
        MessageFactory(conversation=conversation, sender=conversation.client.user)
    api = auth_client(trainer)
    with django_assert_max_num_queries(4):
        response = api.get(LIST, {"page_size": 100})
    assert len(response.data["results"]) == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_message_list_runs_fixed_queries(
    trainer, conversation, size, django_assert_max_num_queries
):
    for _ in range(size):
        MessageFactory(conversation=conversation)
    api = auth_client(trainer)
    with django_assert_max_num_queries(3):
        response = api.get(messages_url(conversation), {"page_size": 100})
    assert len(response.data["results"]) == size


def test_messages_are_cursor_paginated_newest_first(trainer_api, conversation):
    base = timezone.now()
    for minutes in range(5):
        MessageFactory(
            conversation=conversation,
            created_at=base + timedelta(minutes=minutes),
            body=f"m{minutes}",
        )
    first = trainer_api.get(messages_url(conversation), {"page_size": 3}).data
    second = trainer_api.get(first["next"]).data

    assert [m["body"] for m in first["results"]] == ["m4", "m3", "m2"]
    assert [m["body"] for m in second["results"]] == ["m1", "m0"]


def test_a_thumbnail_the_broker_dropped_is_made_by_the_sweep(
    client_api, conversation, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging import services, tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    upload = SimpleUploadedFile("p.png", images.photo(fmt="PNG"), content_type="image/png")
    with monkeypatch.context() as patched:
        patched.setattr(tasks.message_thumbnail_make_task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_api.post(
                messages_url(conversation), {"attachment": upload}, format="multipart"
            )
    assert response.status_code == 201  # the broker's outage never fails the request
    message = Message.objects.get()
    assert message.attachment_thumbnail_key == ""
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.thumbnails_sweep() == 1

    message.refresh_from_db()
    assert message.attachment_thumbnail_key


def test_private_notes_never_appear_in_conversations(trainer_api, client_api, conversation):
    from clients.tests.factories import ClientNoteFactory

    ClientNoteFactory(client=conversation.client, body="Secret: knee injury, be careful")
    send(trainer_api, conversation, "Hi")

    for api in (trainer_api, client_api):
        for url in (LIST, messages_url(conversation)):
            assert b"Secret" not in api.get(url).content
