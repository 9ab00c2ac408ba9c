"""Invite emails: recorded per send, throttled per trainer and per recipient, and a subject
no trainer can write."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import EmailDelivery
from accounts.tests.factories import TrainerFactory
from clients import services
from clients.api.throttles import InviteRecipientThrottle, InviteTrainerThrottle
from clients.models import Invite
from clients.tests.factories import InviteFactory
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

INVITES = reverse("invite-list")


def resend_url(invite_id: int) -> str:
    return reverse("invite-resend", args=[invite_id])


def invite(api, email="sam@example.com", full_name="Sam Client"):
    return api.post(INVITES, {"email": email, "full_name": full_name})


def assert_throttled(response):
    body = assert_error(response, 429, "throttled")
    assert body["type"] == "client_error" and len(body["errors"]) == 1
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def rates(monkeypatch):
    def set_rates(trainer: str = "100/hour", recipient: str = "100/hour"):
        for throttle in (InviteTrainerThrottle, InviteRecipientThrottle):
            monkeypatch.setattr(
                throttle,
                "THROTTLE_RATES",
                {"invite_trainer": trainer, "invite_recipient": recipient},
            )

    return set_rates


# --- the subject ----------------------------------------------------------------------------


def test_no_name_a_trainer_chooses_reaches_the_subject(db, django_capture_on_commit_callbacks):
    spammer = TrainerFactory(full_name="WIN A PRIZE at http://evil.example")
    api = auth_client(spammer)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(api, full_name="Claim your prize now at http://evil.example")
    assert response.status_code == 201
    message = mail.outbox[0]
    assert message.subject == services.INVITE_SUBJECT == "You are invited to train on Fitbud"
    assert EmailDelivery.objects.get().subject == services.INVITE_SUBJECT


# --- the record -----------------------------------------------------------------------------


def test_each_invite_email_is_recorded_without_its_token(
    trainer_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = invite(trainer_api).json()

    stored = Invite.objects.select_related("email_delivery").get(pk=body["id"])
    delivery = stored.email_delivery
    assert (delivery.kind, delivery.recipient, delivery.status, delivery.attempts) == (
        "invite",
        "sam@example.com",
        "sent",
        1,
    )
    assert stored.last_sent_at == delivery.sent_at
    record = " ".join(str(getattr(delivery, f.attname)) for f in EmailDelivery._meta.fields)
    assert body["token"] not in record and "/invite/" not in record
    assert body["token"] in mail.outbox[0].body


def test_an_email_whose_link_was_replaced_before_it_left_is_not_sent(
    trainer_api, django_capture_on_commit_callbacks
):
    # Two re-invites before the first email left (a slow queue): only the live link is sent.
    with django_capture_on_commit_callbacks(execute=False) as first_send:
        first = invite(trainer_api).json()
    with django_capture_on_commit_callbacks(execute=False) as second_send:
        second = invite(trainer_api).json()
    for callback in [*first_send, *second_send]:
        callback()

    assert len(mail.outbox) == 1
    assert second["token"] in mail.outbox[0].body and first["token"] not in mail.outbox[0].body
    stale, live = EmailDelivery.objects.order_by("id")
    assert (stale.status, stale.last_error) == ("failed", services.SUPERSEDED)
    assert live.status == "sent"
    detail = trainer_api.get(reverse("invite-detail", args=[second["id"]])).json()
    assert (detail["send_count"], detail["email_status"]) == (1, "sent")


def test_an_invite_that_never_had_an_email_reads_null(trainer_api, trainer):
    legacy = InviteFactory(trainer=trainer)
    detail = trainer_api.get(reverse("invite-detail", args=[legacy.pk])).json()
    assert (detail["email_status"], detail["send_count"]) == (None, 0)


# --- throttles ------------------------------------------------------------------------------


def test_invites_are_limited_per_trainer(trainer_api, other_trainer_api, rates):
    rates(trainer="3/hour")
    for n in range(3):
        assert invite(trainer_api, email=f"person{n}@example.com").status_code == 201
    assert_throttled(invite(trainer_api, email="person9@example.com"))
    assert not Invite.objects.filter(email="person9@example.com").exists()
    # Another trainer has their own budget; reading the list is not limited.
    assert invite(other_trainer_api, email="person9@example.com").status_code == 201
    assert trainer_api.get(INVITES).status_code == 200


def test_refused_invites_count_too_so_probing_addresses_is_limited(
    trainer_api, other_trainer, rates
):
    rates(trainer="2/hour")
    for _ in range(2):
        assert_error(invite(trainer_api, email=other_trainer.email), 409, "email_not_invitable")
    assert_throttled(invite(trainer_api, email="fresh@example.com"))


def test_one_address_is_limited_across_trainers_and_letter_cases(
    trainer_api, other_trainer_api, rates
):
    rates(recipient="2/hour")
    assert invite(trainer_api, email="sam@example.com").status_code == 201
    assert invite(other_trainer_api, email="SAM@example.com").status_code == 201
    assert_throttled(invite(trainer_api, email="Sam@Example.com"))
    assert invite(trainer_api, email="alex@example.com").status_code == 201


def test_resends_count_against_the_recipient(trainer_api, rates):
    rates(recipient="2/hour")
    created = invite(trainer_api).json()
    assert trainer_api.post(resend_url(created["id"])).status_code == 200
    assert_throttled(trainer_api.post(resend_url(created["id"])))


def test_resends_count_against_the_trainer(trainer_api, trainer, rates):
    rates(trainer="1/hour")
    first, second = InviteFactory.create_batch(2, trainer=trainer)
    assert trainer_api.post(resend_url(first.pk)).status_code == 200
    assert_throttled(trainer_api.post(resend_url(second.pk)))


def test_resending_another_trainers_invite_is_a_404_before_any_counting(
    trainer_api, other_trainer, rates
):
    rates(recipient="1/hour")
    foreign = InviteFactory(trainer=other_trainer, email="sam@example.com")
    for _ in range(2):
        assert_error(trainer_api.post(resend_url(foreign.pk)), 404)
    assert invite(trainer_api, email="sam@example.com").status_code == 201
