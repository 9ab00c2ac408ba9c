from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from clients import selectors, services
from clients.models import ClientStatusChange, HealthProfileChange, Invite
from clients.tests.factories import ClientFactory, HealthProfileFactory, InviteFactory
from fitbud.api.exceptions import Conflict

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_token_is_stored(trainer):
    issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="A")
    assert issued.created
    assert Invite.objects.filter(token_hash=selectors.invite_token_hash(issued.token)).exists()
    assert not Invite.objects.filter(token_hash=issued.token).exists()


def test_the_invite_email_replies_to_the_trainer(trainer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="A")
    message = mail.outbox[0]
    assert message.reply_to == ["tess@example.com"]
    assert issued.invite_url in message.body
    assert "expires on" in message.body


def test_the_invite_ttl_comes_from_settings(trainer, settings):
    settings.INVITE_TTL_DAYS = 2
    issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="A")
    delta = issued.invite.expires_at - timezone.now()
    assert timedelta(days=1, hours=23) < delta <= timedelta(days=2)


def test_the_invite_url_follows_the_template(trainer, settings):
    settings.INVITE_URL_TEMPLATE = "https://app.fitbud.example/join?t={token}"
    issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="A")
    assert issued.invite_url == f"https://app.fitbud.example/join?t={issued.token}"


def test_an_invite_of_a_disabled_trainer_cannot_be_used(trainer):
    issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="A")
    trainer.is_active = False
    trainer.save()
    with pytest.raises(ValidationError) as excinfo:
        services.invite_accept(token=issued.token, password="a-long-passphrase-42")
    assert excinfo.value.error_dict["token"][0].code == "invite_revoked"


def test_accept_without_a_name_keeps_the_invited_name(trainer):
    issued = services.invite_create(trainer=trainer, email="a@example.com", full_name="Ann Lee")
    user, client = services.invite_accept(
        token=issued.token, password="a-long-passphrase-42", full_name="   "
    )
    assert user.full_name == "Ann Lee"
    assert user.role == User.Role.CLIENT
    assert client.trainer == trainer


def test_the_expire_command_marks_lapsed_invites(trainer):
    lapsed = InviteFactory(trainer=trainer, expires_at=timezone.now() - timedelta(seconds=1))
    live = InviteFactory(trainer=trainer)
    call_command("expire_invites")
    lapsed.refresh_from_db()
    live.refresh_from_db()
    assert lapsed.status == Invite.Status.EXPIRED
    assert live.status == Invite.Status.PENDING


def test_set_active_records_only_real_changes(trainer):
    client = ClientFactory(trainer=trainer)
    services.client_set_active(client=client, is_active=True, changed_by=trainer)
    assert not ClientStatusChange.objects.exists()
    services.client_set_active(client=client, is_active=False, changed_by=trainer)
    services.client_set_active(client=client, is_active=False, changed_by=trainer)
    client.refresh_from_db()
    assert client.is_active is False and client.deactivated_at is not None
    assert ClientStatusChange.objects.filter(client=client).count() == 1


def test_health_replace_clears_omitted_fields_and_records_them(trainer):
    profile = HealthProfileFactory(height_cm=180, allergies="dust")
    saved = services.health_profile_update(
        client=profile.client, updated_by=trainer, data={"injuries": "knee"}, replace=True
    )
    assert saved.height_cm is None and saved.allergies == "" and saved.injuries == "knee"
    change = HealthProfileChange.objects.get()
    assert sorted(change.fields) == ["allergies", "height_cm", "injuries"]
    assert change.changed_by == trainer


def test_resend_refuses_an_email_that_became_a_client_meanwhile(trainer, other_trainer):
    invite = InviteFactory(trainer=trainer, email="late@example.com")
    ClientFactory(trainer=other_trainer, user__email="late@example.com")
    with pytest.raises(Conflict) as excinfo:
        services.invite_resend(invite=invite)
    assert excinfo.value.get_codes() == "email_not_invitable"


def test_the_history_factories_build_consistent_rows():
    from clients.tests.factories import ClientStatusChangeFactory, HealthProfileChangeFactory

    change = ClientStatusChangeFactory()
    assert change.changed_by == change.client.trainer
    health_change = HealthProfileChangeFactory()
    assert health_change.changed_by == health_change.profile.client.trainer
