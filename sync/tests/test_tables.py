"""Rows of the tables whose shapes or visibility are the sync app's own choices."""

import pytest

from clients.tests.factories import studio_member
from conftest import auth_client
from messaging.models import Conversation, Message
from progress.tests.factories import ProgressPhotoFactory
from sync.tests.helpers import ids, pull

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_photos_come_as_metadata_with_signed_urls(client_user, client_link, trainer):
    photo = ProgressPhotoFactory(client=client_link)
    for user in (client_user, trainer):
        _, body = pull(auth_client(user))
        (row,) = body["changes"]["photos"]["created"]
        assert row["id"] == str(photo.pk)
        assert row["url"] and row["expires_at"] and row["pose"] == "front"
        assert "image_key" not in row


def test_a_member_pulls_only_their_own_conversations_with_clients_they_see(
    trainer, client_link, client_user
):
    colleague = studio_member(trainer.membership.studio, role="coach")
    mine = Conversation.objects.create(
        studio_id=client_link.studio_id, client=client_link, trainer=trainer
    )
    theirs = Conversation.objects.create(
        studio_id=client_link.studio_id, client=client_link, trainer=colleague
    )
    Message.objects.create(conversation=mine, sender=trainer, body="Hi")
    _, owner = pull(auth_client(trainer))
    assert ids(owner, "conversations", "created") == {str(mine.pk)}
    assert len(owner["changes"]["messages"]["created"]) == 1
    # The colleague is not the client's coach and holds no messages grant.
    _, colleague_body = pull(auth_client(colleague))
    assert ids(colleague_body, "conversations", "created") == set()
    # The client sees both of their conversations.
    _, client_body = pull(auth_client(client_user))
    assert ids(client_body, "conversations", "created") == {str(mine.pk), str(theirs.pk)}
