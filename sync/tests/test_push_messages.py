"""POST sync/ with messages: written offline by a client or a member, through the
messaging services (the same rules, events and windows as messages/)."""

import datetime as dt
import uuid

import pytest

from conftest import assert_error
from dashboard.models import ActivityEvent
from messaging.models import Conversation, Message
from messaging.tests.factories import ConversationFactory, MessageFactory
from progress.models import WorkoutLog
from sync.selectors import to_ms
from sync.tests.helpers import NOW, ids, pull, push

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _messages(created=(), updated=(), deleted=()):
    return {
        "messages": {"created": list(created), "updated": list(updated), "deleted": list(deleted)}
    }


def test_a_client_s_offline_message_opens_the_conversation_and_reaches_the_coach(
    client_api, trainer_api, client_link
):
    message_id = str(uuid.uuid4())
    record = {"id": message_id, "body": "Done with legs", "_status": "created", "_changed": ""}
    response = push(client_api, _messages(created=[record]), 0)
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == {"messages": {"created": 1, "updated": 0, "deleted": 0}}
    message = Message.objects.get(pk=message_id)
    assert message.sender == client_link.user
    assert message.conversation.trainer == client_link.trainer
    assert ActivityEvent.objects.filter(kind="message.sent", client=client_link).count() == 1
    # The coach's next pull carries it, with its conversation.
    _, body = pull(trainer_api)
    assert message_id in ids(body, "messages", "created")
    assert str(message.conversation_id) in ids(body, "conversations", "created")
    # Sent again (a new push, the same record): stored once.
    again = push(client_api, _messages(created=[{**record, "body": "Done with legs"}]), 1)
    assert again.status_code == 200, again.content
    assert Message.objects.filter(conversation=message.conversation).count() == 1


def test_a_member_pushes_edits_and_deletes_their_own_messages(trainer_api, trainer, client_link):
    conversation = ConversationFactory(client=client_link)
    mine = MessageFactory(conversation=conversation, sender=trainer, body="Squat 5x5")
    doomed = MessageFactory(conversation=conversation, sender=trainer, body="typo")
    since = to_ms(NOW + dt.timedelta(seconds=1))
    new = {"id": str(uuid.uuid4()), "conversation": conversation.pk, "body": "And stretch"}
    response = push(
        trainer_api,
        _messages(
            created=[new],
            updated=[{"id": str(mine.pk), "conversation": conversation.pk, "body": "Squat 3x5"}],
            deleted=[str(doomed.pk)],
        ),
        since,
    )
    assert response.status_code == 200, response.content
    mine.refresh_from_db()
    doomed.refresh_from_db()
    assert (mine.body, mine.edited_at) == ("Squat 3x5", NOW)
    assert doomed.deleted_at == NOW and doomed.body == ""
    assert Message.objects.get(pk=new["id"]).sender == trainer


def test_a_member_still_pushes_no_client_records(trainer_api, client_link):
    record = {"id": str(uuid.uuid4()), "date": "2026-11-27", "exercises": []}
    response = push(
        trainer_api,
        {"workout_logs": {"created": [record], "updated": [], "deleted": []}},
        0,
    )
    assert_error(response, 403, "sync_push_forbidden")
    assert not WorkoutLog.objects.exists()


def test_a_member_names_the_conversation(trainer_api, client_link):
    response = push(trainer_api, _messages(created=[{"id": str(uuid.uuid4()), "body": "hi"}]), 0)
    assert_error(response, 400, "required", "changes.messages.created[0].conversation")
    assert not Message.objects.exists()


def test_another_studio_s_conversation_and_messages_are_not_found(
    other_trainer_api, client_link, trainer
):
    conversation = ConversationFactory(client=client_link)
    theirs = MessageFactory(conversation=conversation, sender=trainer)
    record = {"id": str(uuid.uuid4()), "conversation": conversation.pk, "body": "hello"}
    response = push(other_trainer_api, _messages(created=[record]), 0)
    assert_error(response, 404, "not_found", "changes.messages.created[0].conversation")
    response = push(
        other_trainer_api,
        _messages(updated=[{"id": str(theirs.pk), "body": "mine now"}]),
        to_ms(NOW),
    )
    assert_error(response, 404, "not_found", "changes.messages.updated[0].id")
    response = push(other_trainer_api, _messages(deleted=[str(theirs.pk)]), to_ms(NOW))
    assert response.status_code == 200  # not theirs to see: nothing to delete
    theirs.refresh_from_db()
    assert theirs.deleted_at is None and theirs.body != "mine now"
    assert Message.objects.count() == 1


def test_a_client_cannot_change_the_coach_s_message(client_api, client_link, trainer):
    conversation = ConversationFactory(client=client_link)
    coach_s = MessageFactory(conversation=conversation, sender=trainer, body="Rest today")
    response = push(
        client_api, _messages(updated=[{"id": str(coach_s.pk), "body": "Train today"}]), to_ms(NOW)
    )
    assert_error(response, 403, "not_author", "changes.messages.updated[0]")
    coach_s.refresh_from_db()
    assert coach_s.body == "Rest today"


def test_the_edit_window_holds_for_pushed_edits(
    trainer_api, trainer, client_link, frozen, settings
):
    settings.MESSAGE_EDIT_WINDOW_SECONDS = 60  # shorter than an access token's life
    conversation = ConversationFactory(client=client_link)
    old = MessageFactory(conversation=conversation, sender=trainer, body="first")
    frozen.shift(61)
    response = push(
        trainer_api, _messages(updated=[{"id": str(old.pk), "body": "late"}]), to_ms(NOW)
    )
    assert_error(response, 403, "edit_window_closed", "changes.messages.updated[0]")


def test_a_message_changed_on_the_server_after_the_pull_is_a_conflict(
    client_api, client_user, client_link, frozen
):
    conversation = ConversationFactory(client=client_link)
    mine = MessageFactory(conversation=conversation, sender=client_user, body="v1")
    since = to_ms(NOW)
    frozen.shift(5)
    mine.body = "v2 from the other phone"
    mine.save()
    new = {"id": str(uuid.uuid4()), "body": "also this"}
    response = push(
        client_api,
        _messages(created=[new], updated=[{"id": str(mine.pk), "body": "v2 from this phone"}]),
        since,
    )
    assert response.status_code == 409, response.content
    assert response.json()["conflicts"] == {"messages": [str(mine.pk)]}
    assert not Message.objects.filter(pk=new["id"]).exists()


def test_a_pushed_message_is_validated_like_messages(client_api, client_link):
    too_long = {"id": str(uuid.uuid4()), "body": "x" * 4001}
    response = push(client_api, _messages(created=[too_long]), 0)
    assert_error(response, 400, "max_length", "changes.messages.created[0].body")
    response = push(client_api, _messages(created=[{"body": "no id"}]), 0)
    assert_error(response, 400, "required", "changes.messages.created[0].id")
    blank = {"id": str(uuid.uuid4()), "body": "  "}
    response = push(client_api, _messages(created=[blank]), 0)
    assert_error(response, 400, "blank", "changes.messages.created[0].body")
    assert not Conversation.objects.filter(messages__isnull=False).exists()
