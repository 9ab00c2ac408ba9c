"""Every endpoint of the clients app against every actor: the owner trainer, another trainer,
the owner's client, another trainer's client and an anonymous caller. Other tenants get 404,
the wrong role 403, anonymous 401, and no body carries another tenant's data."""

import hashlib

import pytest
from rest_framework.test import APIClient

from clients.models import ClientNote, HealthProfile, Invite
from clients.tests.factories import ClientNoteFactory, HealthProfileFactory, InviteFactory
from conftest import auth_client

TOKEN = "tess-invite-token-0123456789abcdef"

# Strings that exist only in one tenant's data; finding one in a foreign body is a leak.
TESS = {"tess@example.com", "cleo@example.com", "NOTE-OF-TESS", "ALLERGY-OF-CLEO", "samt@invitee"}
OSCAR = {
    "oscar@example.com",
    "otto@example.com",
    "NOTE-OF-OSCAR",
    "ALLERGY-OF-OTTO",
    "samo@invitee",
}
# What each actor may legitimately see.
VISIBLE = {
    "owner": TESS,
    "other_trainer": OSCAR,
    # A client sees their trainer and their own data, never notes or the trainer's invites.
    "client": {"tess@example.com", "cleo@example.com", "ALLERGY-OF-CLEO"},
    "other_client": {"oscar@example.com", "otto@example.com", "ALLERGY-OF-OTTO"},
    "anonymous": set(),
}


@pytest.fixture
def world(trainer, other_trainer, client_link, other_client_link):
    invite = InviteFactory(
        trainer=trainer,
        email="samt@invitee.test",
        token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(),
    )
    InviteFactory(trainer=other_trainer, email="samo@invitee.test")
    note = ClientNoteFactory(client=client_link, body="NOTE-OF-TESS")
    ClientNoteFactory(client=other_client_link, body="NOTE-OF-OSCAR")
    HealthProfileFactory(client=client_link, allergies="ALLERGY-OF-CLEO")
    HealthProfileFactory(client=other_client_link, allergies="ALLERGY-OF-OTTO")
    return {"invite": invite, "client": client_link, "note": note}


def _actor_api(request, actor: str) -> APIClient:
    if actor == "anonymous":
        return APIClient()
    user = {
        "owner": "trainer",
        "other_trainer": "other_trainer",
        "client": "client_user",
        "other_client": "other_client",
    }[actor]
    return auth_client(request.getfixturevalue(user))


def T(owner, other_trainer, client, other_client, anonymous):
    return {
        "owner": owner,
        "other_trainer": other_trainer,
        "client": client,
        "other_client": other_client,
        "anonymous": anonymous,
    }


TRAINER_OBJECT = T(200, 404, 403, 403, 401)
CLIENT_ONLY = T(403, 403, 200, 200, 401)

# name: (method, path template, body, expected status per actor)
ENDPOINTS = {
    "invite list": ("get", "/api/v1/invites/", None, T(200, 200, 403, 403, 401)),
    "invite create": (
        "post",
        "/api/v1/invites/",
        {"email": "new@example.com", "full_name": "New"},
        T(201, 201, 403, 403, 401),
    ),
    "invite detail": ("get", "/api/v1/invites/{invite}/", None, TRAINER_OBJECT),
    "invite revoke": ("delete", "/api/v1/invites/{invite}/", None, T(204, 404, 403, 403, 401)),
    "invite resend": ("post", "/api/v1/invites/{invite}/resend/", None, TRAINER_OBJECT),
    "invite preview": ("get", f"/api/v1/auth/invites/{TOKEN}/", None, T(200, 200, 200, 200, 200)),
    "client list": ("get", "/api/v1/clients/", None, T(200, 200, 403, 403, 401)),
    "client detail": ("get", "/api/v1/clients/{client}/", None, TRAINER_OBJECT),
    "client update": ("patch", "/api/v1/clients/{client}/", {"goals": "G"}, TRAINER_OBJECT),
    "note list": ("get", "/api/v1/clients/{client}/notes/", None, TRAINER_OBJECT),
    "note create": (
        "post",
        "/api/v1/clients/{client}/notes/",
        {"body": "B"},
        T(201, 404, 403, 403, 401),
    ),
    "note detail": ("get", "/api/v1/clients/{client}/notes/{note}/", None, TRAINER_OBJECT),
    "note update": (
        "patch",
        "/api/v1/clients/{client}/notes/{note}/",
        {"body": "B"},
        TRAINER_OBJECT,
    ),
    "note delete": (
        "delete",
        "/api/v1/clients/{client}/notes/{note}/",
        None,
        T(204, 404, 403, 403, 401),
    ),
    "client health read": ("get", "/api/v1/clients/{client}/health/", None, TRAINER_OBJECT),
    "client health put": (
        "put",
        "/api/v1/clients/{client}/health/",
        {"allergies": "ALLERGY-OF-CLEO"},
        TRAINER_OBJECT,
    ),
    "client health patch": (
        "patch",
        "/api/v1/clients/{client}/health/",
        {"injuries": "I"},
        TRAINER_OBJECT,
    ),
    "my health read": ("get", "/api/v1/me/health/", None, CLIENT_ONLY),
    "my health put": ("put", "/api/v1/me/health/", {"injuries": "I"}, CLIENT_ONLY),
    "my health patch": ("patch", "/api/v1/me/health/", {"injuries": "I"}, CLIENT_ONLY),
    "my trainer": ("get", "/api/v1/me/trainer/", None, CLIENT_ONLY),
}


@pytest.mark.django_db
@pytest.mark.parametrize("actor", list(VISIBLE))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_answers_each_actor_with_the_right_status_and_no_foreign_data(
    request, world, endpoint, actor
):
    method, template, body, expected = ENDPOINTS[endpoint]
    path = template.format(
        invite=world["invite"].pk, client=world["client"].pk, note=world["note"].pk
    )
    api = _actor_api(request, actor)
    response = (
        getattr(api, method)(path, body, format="json") if body else getattr(api, method)(path)
    )

    assert response.status_code == expected[actor], (endpoint, actor, response.content)
    if response.status_code >= 400:
        error = response.json()
        assert set(error) == {"type", "errors"}
        assert error["errors"][0]["code"]

    text = response.content.decode()
    # Whoever holds the link may see who it invites (and nothing else).
    extra = {"samt@invitee"} if endpoint == "invite preview" else set()
    foreign = (TESS | OSCAR) - VISIBLE[actor] - extra
    leaked = [marker for marker in foreign if marker in text]
    assert not leaked, (endpoint, actor, leaked)
    assert "token_hash" not in text

    if response.status_code >= 400:
        # A refused request changed nothing of the owner's.
        assert ClientNote.objects.filter(pk=world["note"].pk, body="NOTE-OF-TESS").exists()
        assert Invite.objects.get(pk=world["invite"].pk).status == Invite.Status.PENDING
        assert Invite.objects.get(pk=world["invite"].pk).send_count == 0
        assert HealthProfile.objects.get(client=world["client"]).injuries == ""
        world["client"].refresh_from_db()
        assert world["client"].goals == ""


@pytest.mark.django_db
def test_the_other_trainers_lists_hold_only_their_own_rows(world, other_trainer_api):
    clients = other_trainer_api.get("/api/v1/clients/").json()["results"]
    assert [c["user"]["email"] for c in clients] == ["otto@example.com"]
    invites = other_trainer_api.get("/api/v1/invites/").json()["results"]
    assert [i["email"] for i in invites] == ["samo@invitee.test"]


@pytest.mark.django_db
def test_a_client_never_reaches_notes_even_about_themselves(world, client_api):
    client = world["client"].pk
    response = client_api.get(f"/api/v1/clients/{client}/notes/")
    assert response.status_code == 403
    assert "NOTE-OF-TESS" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", list(VISIBLE))
def test_accept_ignores_whoever_is_signed_in_and_answers_only_the_new_account(
    request, world, actor
):
    api = _actor_api(request, actor)
    response = api.post(
        "/api/v1/auth/invites/accept/",
        {"token": TOKEN, "password": "a-long-passphrase-42"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["email"] == "samt@invitee.test"
    text = response.content.decode()
    assert not [m for m in TESS | OSCAR if m in text and m != "samt@invitee"]
