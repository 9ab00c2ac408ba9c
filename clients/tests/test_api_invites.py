import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import ClientUserFactory, TrainerFactory
from clients.models import Client, ClientStatusChange, Invite
from clients.selectors import invite_token_hash
from clients.signals import invite_accepted
from clients.tests.factories import InviteFactory
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

INVITES = "/api/v1/invites/"
ACCEPT = "/api/v1/auth/invites/accept/"
PASSWORD = "a-long-passphrase-42"


def preview_url(token: str) -> str:
    return f"/api/v1/auth/invites/{token}/"


def invite(api, email="sam@example.com", full_name="Sam Client"):
    return api.post(INVITES, {"email": email, "full_name": full_name})


def token_in(message) -> str:
    match = re.search(r"/invite/([A-Za-z0-9_-]+)", message.body)
    assert match, message.body
    return match.group(1)


# --- create ---------------------------------------------------------------------------------


def test_it_creates_an_invite_and_returns_the_token_and_link_once(
    trainer_api, trainer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(trainer_api, email="Sam@Example.COM ")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "sam@example.com"
    assert body["full_name"] == "Sam Client"
    assert body["status"] == "pending"
    # The email leaves after the response: the answer tells the truth about that moment.
    assert (body["send_count"], body["last_sent_at"], body["email_status"]) == (0, None, "pending")
    assert body["client"] is None
    assert body["invite_url"] == f"http://localhost:8000/invite/{body['token']}"
    assert len(body["token"]) >= 40

    stored = Invite.objects.get(pk=body["id"])
    assert stored.trainer == trainer
    assert stored.token_hash == invite_token_hash(body["token"])
    assert body["token"] not in stored.token_hash
    expected_expiry = timezone.now() + timedelta(days=7)
    assert abs((stored.expires_at - expected_expiry).total_seconds()) < 60

    detail = trainer_api.get(f"{INVITES}{body['id']}/").json()
    assert "token" not in detail and "invite_url" not in detail
    assert (detail["send_count"], detail["email_status"]) == (1, "sent")
    assert detail["last_sent_at"] is not None
    listed = trainer_api.get(INVITES).json()["results"][0]
    assert "token" not in listed and "invite_url" not in listed


def test_the_invite_email_is_sent_after_commit_with_a_working_link(
    trainer_api, django_capture_on_commit_callbacks, api_client
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite(trainer_api)
    assert response.status_code == 201
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:  # the email, and the response cache's invalidation
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.com"]
    assert message.subject == "You are invited to train on Fitbud"
    assert "Tess Trainer invited you" in message.body
    assert "Hi Sam Client" in message.body
    assert response.json()["invite_url"] in message.body
    assert token_in(message) == response.json()["token"]
    assert api_client.get(preview_url(token_in(message))).status_code == 200


def test_a_failing_mail_server_does_not_fail_the_invite(
    trainer_api, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr("clients.services.EmailMessage.send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(trainer_api)
    assert response.status_code == 201
    # The trainer sees that the email did not go out (and can share the link or resend).
    detail = trainer_api.get(f"{INVITES}{response.json()['id']}/").json()
    assert (detail["email_status"], detail["send_count"], detail["last_sent_at"]) == (
        "failed",
        0,
        None,
    )
    delivery = Invite.objects.get(pk=detail["id"]).email_delivery
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        1,
        "OSError: smtp down",
    )


def test_re_inviting_a_pending_email_refreshes_that_invite(
    trainer_api, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(trainer_api).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(trainer_api, email="SAM@example.com", full_name="Samantha Client")
    assert response.status_code == 200
    second = response.json()
    assert second["id"] == first["id"]
    assert second["token"] != first["token"]
    assert second["full_name"] == "Samantha Client"
    assert (second["send_count"], second["email_status"]) == (1, "pending")
    assert trainer_api.get(f"{INVITES}{first['id']}/").json()["send_count"] == 2
    assert Invite.objects.count() == 1
    assert len(mail.outbox) == 2
    assert_error(api_client.get(preview_url(first["token"])), 404, "invite_not_found", "token")
    assert api_client.get(preview_url(second["token"])).status_code == 200


def test_re_inviting_after_expiry_creates_a_new_invite_and_marks_the_old_one_expired(
    trainer_api, trainer
):
    old = InviteFactory(
        trainer=trainer, email="sam@example.com", expires_at=timezone.now() - timedelta(hours=1)
    )
    response = invite(trainer_api)
    assert response.status_code == 201
    assert response.json()["id"] != old.pk
    old.refresh_from_db()
    assert old.status == Invite.Status.EXPIRED


def test_two_trainers_may_invite_the_same_new_email(trainer_api, other_trainer_api):
    assert invite(trainer_api).status_code == 201
    assert invite(other_trainer_api).status_code == 201


def test_inviting_a_client_of_another_trainer_is_a_conflict(trainer_api, other_client):
    response = invite(trainer_api, email=other_client.email.upper())
    assert_error(response, 409, "email_not_invitable")
    assert Invite.objects.count() == 0


def test_inviting_a_trainer_account_is_a_conflict(trainer_api, other_trainer, trainer):
    assert_error(invite(trainer_api, email=other_trainer.email), 409, "email_not_invitable")
    assert_error(invite(trainer_api, email=trainer.email), 409, "email_not_invitable")


def test_the_conflict_never_tells_whose_account_an_email_is_or_its_role(
    trainer_api, trainer, other_trainer, other_client
):
    orphan = ClientUserFactory()
    answers = {
        (response.status_code, response.content)
        for response in (
            invite(trainer_api, email=other_trainer.email),
            invite(trainer_api, email=other_client.email),
            invite(trainer_api, email=orphan.email),
            invite(trainer_api, email=trainer.email),
        )
    }
    assert len(answers) == 1
    status, content = answers.pop()
    assert status == 409
    detail = json.loads(content)["errors"][0]["detail"]
    assert "trainer" not in detail and "client" not in detail


def test_inviting_your_own_client_is_a_conflict(trainer_api, client_user):
    assert_error(invite(trainer_api, email=client_user.email), 409, "already_your_client")


def test_inviting_an_email_of_a_client_without_a_trainer_is_a_conflict(trainer_api):
    orphan = ClientUserFactory()
    assert_error(invite(trainer_api, email=orphan.email), 409, "email_not_invitable")


def test_the_invite_name_is_cleaned_of_newlines(trainer_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(trainer_api, full_name="  Sam\r\nBcc: evil@example.com ")
    assert response.status_code == 201
    assert response.json()["full_name"] == "Sam Bcc: evil@example.com"
    assert mail.outbox[0].to == ["sam@example.com"]


# --- list, detail, revoke, resend -----------------------------------------------------------


def test_the_list_shows_lapsed_pending_invites_as_expired_and_filters_by_status(
    trainer_api, trainer
):
    live = InviteFactory(trainer=trainer)
    lapsed = InviteFactory(trainer=trainer, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = InviteFactory(trainer=trainer, status=Invite.Status.REVOKED)
    InviteFactory()  # another trainer's

    body = trainer_api.get(INVITES).json()
    assert body["count"] == 3
    statuses = {row["id"]: row["status"] for row in body["results"]}
    assert statuses == {live.pk: "pending", lapsed.pk: "expired", revoked.pk: "revoked"}

    expired = trainer_api.get(INVITES, {"status": "expired"}).json()["results"]
    assert [row["id"] for row in expired] == [lapsed.pk]
    pending = trainer_api.get(INVITES, {"status": "pending"}).json()["results"]
    assert [row["id"] for row in pending] == [live.pk]
    assert trainer_api.get(f"{INVITES}{lapsed.pk}/").json()["status"] == "expired"


def test_the_invite_list_rejects_an_unknown_status(trainer_api):
    assert_error(trainer_api.get(INVITES, {"status": "bogus"}), 400, "invalid_choice", "status")


def test_the_invite_list_searches_and_paginates(trainer_api, trainer):
    for n in range(3):
        InviteFactory(trainer=trainer, email=f"alpha{n}@example.com")
    InviteFactory(trainer=trainer, email="beta@example.com")
    body = trainer_api.get(INVITES, {"search": "alpha", "page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


def test_revoking_keeps_the_invite_and_kills_the_link(trainer_api, api_client):
    created = invite(trainer_api).json()
    response = trainer_api.delete(f"{INVITES}{created['id']}/")
    assert response.status_code == 204
    stored = Invite.objects.get(pk=created["id"])
    assert stored.status == Invite.Status.REVOKED
    assert stored.revoked_at is not None
    assert trainer_api.get(f"{INVITES}{created['id']}/").json()["status"] == "revoked"
    assert_error(api_client.get(preview_url(created["token"])), 400, "invite_revoked", "token")
    # Idempotent.
    assert trainer_api.delete(f"{INVITES}{created['id']}/").status_code == 204


def test_an_accepted_invite_cannot_be_revoked(trainer_api, trainer):
    accepted = InviteFactory(trainer=trainer, status=Invite.Status.ACCEPTED)
    assert_error(trainer_api.delete(f"{INVITES}{accepted.pk}/"), 409, "invite_already_accepted")


def test_resend_issues_a_fresh_token_and_invalidates_the_old_one(
    trainer_api, trainer, api_client, django_capture_on_commit_callbacks
):
    created = invite(trainer_api).json()
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        trainer_api = auth_client(trainer)  # access tokens live minutes
        with django_capture_on_commit_callbacks(execute=True):
            response = trainer_api.post(f"{INVITES}{created['id']}/resend/")
        assert response.status_code == 200
        body = response.json()
        assert body["token"] != created["token"]
        assert (body["send_count"], body["email_status"]) == (0, "pending")  # none went out yet
        detail = trainer_api.get(f"{INVITES}{created['id']}/").json()
        assert (detail["send_count"], detail["email_status"]) == (1, "sent")
        assert body["expires_at"] > created["expires_at"]
        assert token_in(mail.outbox[-1]) == body["token"]
        assert_error(api_client.get(preview_url(created["token"])), 404, "invite_not_found")
        assert api_client.get(preview_url(body["token"])).status_code == 200


def test_resend_revives_an_expired_invite(trainer_api, trainer):
    lapsed = InviteFactory(trainer=trainer, expires_at=timezone.now() - timedelta(days=1))
    response = trainer_api.post(f"{INVITES}{lapsed.pk}/resend/")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_resend_refuses_revoked_and_accepted_invites(trainer_api, trainer):
    revoked = InviteFactory(trainer=trainer, status=Invite.Status.REVOKED)
    accepted = InviteFactory(trainer=trainer, status=Invite.Status.ACCEPTED)
    assert_error(trainer_api.post(f"{INVITES}{revoked.pk}/resend/"), 409, "invite_revoked")
    assert_error(
        trainer_api.post(f"{INVITES}{accepted.pk}/resend/"), 409, "invite_already_accepted"
    )


def test_resend_of_an_expired_invite_defers_to_a_newer_pending_one(trainer_api, trainer):
    lapsed = InviteFactory(
        trainer=trainer,
        email="sam@example.com",
        status=Invite.Status.EXPIRED,
        expires_at=timezone.now() - timedelta(days=1),
    )
    InviteFactory(trainer=trainer, email="sam@example.com")
    assert_error(trainer_api.post(f"{INVITES}{lapsed.pk}/resend/"), 409, "invite_pending_exists")


# --- preview --------------------------------------------------------------------------------


def test_the_preview_shows_only_the_trainer_name_email_name_and_expiry(trainer_api, api_client):
    created = invite(trainer_api).json()
    response = api_client.get(preview_url(created["token"]))
    assert response.status_code == 200
    assert response.json() == {
        "trainer": {"full_name": "Tess Trainer"},
        "email": "sam@example.com",
        "full_name": "Sam Client",
        "expires_at": created["expires_at"],
    }


def test_the_preview_ignores_a_stale_authorization_header(trainer_api):
    created = invite(trainer_api).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert client.get(preview_url(created["token"])).status_code == 200


def test_an_invite_expires_after_seven_days(trainer_api, trainer, api_client):
    created = invite(trainer_api).json()
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert api_client.get(preview_url(created["token"])).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        trainer_api = auth_client(trainer)
        assert_error(api_client.get(preview_url(created["token"])), 400, "invite_expired", "token")
        response = api_client.post(ACCEPT, {"token": created["token"], "password": PASSWORD})
        assert_error(response, 400, "invite_expired", "token")
        assert trainer_api.get(f"{INVITES}{created['id']}/").json()["status"] == "expired"
    assert not User.objects.filter(email="sam@example.com").exists()


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500])
def test_an_unknown_token_is_invite_not_found(api_client, token):
    assert_error(api_client.get(preview_url(token)), 404, "invite_not_found", "token")
    response = api_client.post(ACCEPT, {"token": token, "password": PASSWORD})
    if len(token) <= 128:
        assert_error(response, 404, "invite_not_found", "token")
    else:
        assert_error(response, 400, "max_length", "token")


# --- accept ---------------------------------------------------------------------------------


def test_accepting_creates_the_client_and_returns_tokens(
    trainer_api, trainer, api_client, django_capture_on_commit_callbacks
):
    created = invite(trainer_api).json()
    received = []

    def receiver(sender, invite, client, **kwargs):
        received.append((invite.pk, client.pk, invite.status))

    invite_accepted.connect(receiver, dispatch_uid="test-invite-accepted")
    try:
        response = api_client.post(ACCEPT, {"token": created["token"], "password": PASSWORD})
    finally:
        invite_accepted.disconnect(dispatch_uid="test-invite-accepted")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["email"] == "sam@example.com"
    assert body["user"]["full_name"] == "Sam Client"
    assert body["user"]["role"] == "client"

    user = User.objects.get(email="sam@example.com")
    assert user.check_password(PASSWORD)
    link = Client.objects.get(user=user)
    assert link.trainer == trainer and link.is_active
    assert list(ClientStatusChange.objects.filter(client=link).values_list("is_active", flat=True))
    stored = Invite.objects.get(pk=created["id"])
    assert stored.status == Invite.Status.ACCEPTED
    assert stored.client == link and stored.accepted_at is not None
    assert received == [(stored.pk, link.pk, Invite.Status.ACCEPTED)]

    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get("/api/v1/me/trainer/").json()["full_name"] == "Tess Trainer"
    assert trainer_api.get("/api/v1/clients/").json()["results"][0]["id"] == link.pk


def test_accept_may_override_the_name(trainer_api, api_client):
    created = invite(trainer_api).json()
    response = api_client.post(
        ACCEPT, {"token": created["token"], "password": PASSWORD, "full_name": "Samuel C."}
    )
    assert response.json()["user"]["full_name"] == "Samuel C."


def test_an_invite_works_only_once(trainer_api, api_client):
    created = invite(trainer_api).json()
    first = api_client.post(ACCEPT, {"token": created["token"], "password": PASSWORD})
    assert first.status_code == 201
    second = api_client.post(ACCEPT, {"token": created["token"], "password": PASSWORD})
    assert_error(second, 400, "invite_used", "token")
    assert_error(api_client.get(preview_url(created["token"])), 400, "invite_used", "token")
    assert User.objects.filter(email="sam@example.com").count() == 1


def test_a_revoked_invite_cannot_be_accepted(trainer_api, api_client):
    created = invite(trainer_api).json()
    trainer_api.delete(f"{INVITES}{created['id']}/")
    response = api_client.post(ACCEPT, {"token": created["token"], "password": PASSWORD})
    assert_error(response, 400, "invite_revoked", "token")


def test_accept_refuses_an_email_that_got_an_account_meanwhile(
    trainer_api, other_trainer_api, api_client
):
    mine = invite(trainer_api).json()
    theirs = invite(other_trainer_api).json()
    accepted = api_client.post(ACCEPT, {"token": theirs["token"], "password": PASSWORD})
    assert accepted.status_code == 201
    response = api_client.post(ACCEPT, {"token": mine["token"], "password": PASSWORD})
    assert_error(response, 409, "email_taken")
    assert Invite.objects.get(pk=mine["id"]).status == Invite.Status.PENDING


def test_accept_validates_the_password(trainer_api, api_client):
    created = invite(trainer_api).json()
    response = api_client.post(ACCEPT, {"token": created["token"], "password": "123"})
    body = assert_error(response, 400, attr="password")
    assert "password_too_short" in [e["code"] for e in body["errors"]]
    assert not User.objects.filter(email="sam@example.com").exists()
    assert Invite.objects.get(pk=created["id"]).status == Invite.Status.PENDING


def test_the_token_endpoints_are_throttled(api_client, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"invite_token": "3/min"})
    for _ in range(3):
        assert api_client.get(preview_url("guess")).status_code == 404
    assert_error(api_client.get(preview_url("guess")), 429, "throttled")
    assert_error(api_client.post(ACCEPT, {"token": "g", "password": PASSWORD}), 429, "throttled")


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_create_exactly_one_account():
    import threading

    from django.db import connection

    trainer = TrainerFactory()
    token = "concurrent-token-0123456789"
    InviteFactory(trainer=trainer, email="race@example.com", token_hash=invite_token_hash(token))
    barrier = threading.Barrier(2)
    results: list[int] = []
    codes: list[str] = []

    def accept():
        try:
            client = APIClient()
            barrier.wait()
            response = client.post(ACCEPT, {"token": token, "password": PASSWORD})
            results.append(response.status_code)
            if response.status_code != 201:
                codes.extend(e["code"] for e in response.json()["errors"])
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 400]
    assert codes == ["invite_used"]
    assert User.objects.filter(email="race@example.com").count() == 1
    assert Client.objects.filter(user__email="race@example.com").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_of_two_trainers_invites_for_one_email_create_one_account():
    import threading

    from django.db import connection

    tokens = ["first-trainer-token-0123456", "second-trainer-token-012345"]
    for token in tokens:
        InviteFactory(email="both@example.com", token_hash=invite_token_hash(token))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def accept(token):
        try:
            client = APIClient()
            barrier.wait()
            results.append(client.post(ACCEPT, {"token": token, "password": PASSWORD}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [201, 409]
    assert User.objects.filter(email="both@example.com").count() == 1
