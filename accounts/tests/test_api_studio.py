"""Studio member management through the API: the studio, members, member invites, roles,
removal with reassignment, and the accept flow (real URLs, real JWTs)."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import EmailDelivery, StudioInvite, StudioMember, StudioRole, User
from accounts.selectors import studio_token_hash
from accounts.tests.factories import TrainerFactory, trainer_in
from clients.models import Client, ClientAccess, ClientAccessChange, Invite
from clients.tests.factories import ClientFactory, InviteFactory
from conftest import assert_error, auth_client
from plans.models import LibraryScope, PlanTemplate
from plans.tests.factories import PlanTemplateFactory

PASSWORD = "a-long-passphrase-42"
STUDIO = reverse("studio")
MEMBERS = reverse("studio-member-list")
INVITES = reverse("studio-invite-list")
ACCEPT = reverse("member-invite-accept")


def member_url(member_id) -> str:
    return reverse("studio-member-detail", args=[member_id])


def invite_url(invite_id) -> str:
    return reverse("studio-invite-detail", args=[invite_id])


def preview_url(token) -> str:
    return reverse("member-invite-preview", args=[token])


@pytest.fixture
def team(trainer, other_trainer):
    """The trainer's studio with an admin, a coach and a specialist, one client of the owner."""
    studio = trainer.membership.studio
    users = {
        "owner": trainer,
        "admin": trainer_in(studio, role=StudioRole.ADMIN, full_name="Ada Admin"),
        "coach": trainer_in(studio, role=StudioRole.COACH, full_name="Cole Coach"),
        "specialist": trainer_in(
            studio, role=StudioRole.SPECIALIST, title="Dietitian", full_name="Dee Diet"
        ),
        "client": ClientFactory(trainer=trainer).user,
        "outsider": other_trainer,
    }
    return users


def api(team, who) -> APIClient:
    return auth_client(team[who])


def mid(user) -> int:
    return StudioMember.objects.get(user=user).pk


# --- studio/ ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "coach", "specialist"])
def test_every_member_reads_the_studio_with_their_role(team, who):
    body = api(team, who).get(STUDIO).json()
    assert body["name"] == team["owner"].membership.studio.name
    assert body["role"] == who
    assert body["member_count"] == 4


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("admin", 200), ("coach", 403), ("specialist", 403)]
)
def test_only_managers_rename_the_studio(team, who, status):
    response = api(team, who).patch(STUDIO, {"name": "  Iron\nHouse "}, format="json")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["name"] == "Iron House"
    else:
        assert_error(response, 403, "studio_role_forbidden")


def test_clients_and_anonymous_cannot_use_studio_endpoints(team, api_client):
    for url in (STUDIO, MEMBERS, INVITES, member_url(mid(team["owner"]))):
        assert api(team, "client").get(url).status_code == 403
        assert api_client.get(url).status_code == 401


def test_studio_rename_input_is_strict(team):
    client = api(team, "owner")
    assert_error(client.patch(STUDIO, {"name": " "}, format="json"), 400, attr="name")
    assert_error(client.patch(STUDIO, {"name": "x", "extra": 1}, format="json"), 400)
    assert_error(client.patch(STUDIO, {"name": 5}, format="json"), 400)


# --- studio/members/ -------------------------------------------------------------------------


def test_members_list_with_clients_count(team):
    body = api(team, "specialist").get(MEMBERS).json()
    rows = {row["email"]: row for row in body["results"]}
    assert len(rows) == 4 and team["outsider"].email not in rows
    owner = rows[team["owner"].email]
    assert owner["role"] == "owner" and owner["clients_count"] == 1
    assert rows[team["specialist"].email]["title"] == "Dietitian"
    assert set(owner) == {
        "id",
        "user_id",
        "full_name",
        "email",
        "role",
        "title",
        "joined_at",
        "clients_count",
    }


@pytest.mark.parametrize("size", [2, 12])
def test_member_list_query_count_is_fixed(team, size, django_assert_max_num_queries):
    studio = team["owner"].membership.studio
    for _ in range(size):
        coach = trainer_in(studio, role=StudioRole.COACH)
        ClientFactory(trainer=coach)
    client = api(team, "owner")
    with django_assert_max_num_queries(4):
        response = client.get(MEMBERS, {"page_size": 50})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["owner", "admin", "coach", "specialist"])
def test_member_detail_for_any_member_and_404_across_studios(team, who):
    assert api(team, who).get(member_url(mid(team["coach"]))).status_code == 200
    assert api(team, "outsider").get(member_url(mid(team["coach"]))).status_code == 404
    assert api(team, who).get(member_url(mid(team["outsider"]))).status_code == 404


# --- invites ---------------------------------------------------------------------------------


def invite(client, email="new@example.com", role="coach", **extra):
    body = {"email": email, "full_name": "New Person", "role": role, **extra}
    return client.post(MEMBERS, body, format="json")


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 201), ("admin", 201), ("coach", 403), ("specialist", 403)]
)
def test_only_managers_invite(team, who, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(api(team, who), title="Head coach")
    assert response.status_code == status, response.content
    if status == 403:
        assert_error(response, 403, "studio_role_forbidden")
        return
    body = response.json()
    row = StudioInvite.objects.get(pk=body["id"])
    assert row.token_hash == studio_token_hash(body["token"])
    assert body["token"] in body["invite_url"]
    assert row.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert body["role"] == "coach" and body["title"] == "Head coach"
    assert len(mail.outbox) == 1 and body["invite_url"] in mail.outbox[0].body
    delivery = row.email_delivery
    assert delivery.kind == EmailDelivery.Kind.MEMBER_INVITE and delivery.status == "sent"
    assert body["token"] not in delivery.subject


def test_only_an_owner_invites_an_owner(team):
    assert_error(invite(api(team, "admin"), role="owner"), 403, "studio_role_forbidden")
    assert invite(api(team, "owner"), role="owner").status_code == 201


def test_reinvite_refreshes_the_pending_invite(team):
    client = api(team, "owner")
    first = invite(client).json()
    second = invite(client, email="NEW@example.com", role="specialist")
    assert second.status_code == 200
    assert second.json()["id"] == first["id"] and second.json()["role"] == "specialist"
    assert StudioInvite.objects.count() == 1
    assert client.get(preview_url(first["token"])).status_code == 404


def test_an_email_with_any_account_is_not_invitable(team):
    for user in (team["outsider"], team["client"], team["coach"]):
        assert_error(invite(api(team, "owner"), email=user.email), 409, "email_not_invitable")


def test_invite_input_is_strict(team):
    client = api(team, "owner")
    assert_error(invite(client, role="boss"), 400, attr="role")
    assert_error(invite(client, email="nope"), 400, attr="email")
    assert_error(invite(client, unknown=1), 400)


def test_invite_list_and_revoke_for_managers_only(team):
    token = invite(api(team, "owner")).json()
    for who in ("coach", "specialist"):
        assert_error(api(team, who).get(INVITES), 403, "studio_role_forbidden")
        assert_error(api(team, who).delete(invite_url(token["id"])), 403, "studio_role_forbidden")
    assert api(team, "outsider").delete(invite_url(token["id"])).status_code == 404
    rows = api(team, "admin").get(INVITES, {"status": "pending"}).json()["results"]
    assert [r["id"] for r in rows] == [token["id"]] and "token" not in rows[0]
    assert api(team, "admin").delete(invite_url(token["id"])).status_code == 204
    assert api(team, "admin").delete(invite_url(token["id"])).status_code == 204
    assert api(team, "admin").get(INVITES, {"status": "pending"}).json()["results"] == []
    assert_error(APIClient().get(preview_url(token["token"])), 400, "invite_revoked", "token")
    assert_error(api(team, "admin").get(INVITES, {"status": "x"}), 400)


@pytest.mark.parametrize("size", [2, 12])
def test_invite_list_query_count_is_fixed(team, size, django_assert_max_num_queries):
    client = api(team, "owner")
    for n in range(size):
        invite(client, email=f"p{n}@example.com")
    with django_assert_max_num_queries(4):
        assert client.get(INVITES, {"page_size": 50}).status_code == 200


# --- accept ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "sees_clients"), [("admin", 1), ("coach", 0), ("specialist", 0)])
def test_invite_accept_login_and_scope_by_role(team, role, sees_clients):
    issued = invite(api(team, "owner"), email="joiner@example.com", role=role, title="T").json()
    anon = APIClient()
    preview = anon.get(preview_url(issued["token"]), HTTP_AUTHORIZATION="Bearer junk").json()
    assert preview["studio_name"] == team["owner"].membership.studio.name
    assert preview["role"] == role and preview["email"] == "joiner@example.com"
    response = anon.post(ACCEPT, {"token": issued["token"], "password": PASSWORD}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["role"] == "trainer" and body["user"]["full_name"] == "New Person"
    user = User.objects.get(email="joiner@example.com")
    assert user.membership.studio_id == team["owner"].membership.studio_id
    assert (user.membership.role, user.membership.title) == (role, "T")
    assert StudioInvite.objects.get(pk=issued["id"]).member == user.membership
    login = anon.post(
        reverse("auth-token"), {"email": "joiner@example.com", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    assert me.get(reverse("client-list")).json()["count"] == sees_clients
    assert me.get(STUDIO).json()["role"] == role
    assert_error(
        anon.post(ACCEPT, {"token": issued["token"], "password": PASSWORD}, format="json"),
        400,
        "invite_used",
        "token",
    )


def test_accept_token_errors(team):
    anon = APIClient()
    assert_error(anon.get(preview_url("nobody-issued-this")), 404, "invite_not_found")
    assert_error(
        anon.post(ACCEPT, {"token": "nobody", "password": PASSWORD}, format="json"),
        404,
        "invite_not_found",
    )
    issued = invite(api(team, "owner")).json()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert_error(anon.get(preview_url(issued["token"])), 400, "invite_expired", "token")
        assert_error(
            anon.post(ACCEPT, {"token": issued["token"], "password": PASSWORD}, format="json"),
            400,
            "invite_expired",
        )
    # Someone took the email meanwhile (signed up as a trainer).
    TrainerFactory(email="new@example.com")
    assert_error(
        anon.post(ACCEPT, {"token": issued["token"], "password": PASSWORD}, format="json"),
        409,
        "email_taken",
    )
    assert_error(
        anon.post(ACCEPT, {"token": issued["token"], "password": "123"}, format="json"), 400
    )


# --- role changes ----------------------------------------------------------------------------


def patch(team, who, target, body):
    return api(team, who).patch(member_url(mid(team[target])), body, format="json")


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("admin", 200), ("coach", 403), ("specialist", 403)]
)
def test_role_change_by_managers(team, who, status):
    response = patch(team, who, "specialist", {"role": "coach", "title": "Coach"})
    assert response.status_code == status
    if status == 200:
        assert (response.json()["role"], response.json()["title"]) == ("coach", "Coach")


def test_role_change_rules(team):
    assert patch(team, "outsider", "coach", {"title": "x"}).status_code == 404
    assert_error(patch(team, "admin", "coach", {"role": "owner"}), 403, "studio_role_forbidden")
    assert_error(patch(team, "admin", "owner", {"role": "coach"}), 403, "studio_role_forbidden")
    assert_error(patch(team, "owner", "owner", {"role": "admin"}), 409, "last_owner")
    ClientFactory(trainer=team["coach"])
    assert_error(patch(team, "owner", "coach", {"role": "specialist"}), 409, "member_has_clients")
    assert patch(team, "owner", "admin", {"role": "owner"}).status_code == 200
    assert patch(team, "owner", "owner", {"role": "coach"}).status_code == 200
    assert_error(patch(team, "admin", "admin", {"role": "boss"}), 400, attr="role")


# --- removal ---------------------------------------------------------------------------------


def test_removal_reassigns_everything_and_cuts_access(team):
    owner, coach, specialist = team["owner"], team["coach"], team["specialist"]
    theirs = ClientFactory(trainer=coach)
    granted = ClientFactory(trainer=owner)
    grant = ClientAccess.objects.create(client=granted, member=coach.membership, workouts=True)
    personal = PlanTemplateFactory(trainer=coach)
    shared = PlanTemplateFactory(trainer=coach, scope=LibraryScope.STUDIO)
    pending = InviteFactory(trainer=coach, email="lead@example.com")
    coach_api = api(team, "coach")
    assert coach_api.get(reverse("client-list")).json()["count"] == 2

    assert_error(api(team, "specialist").delete(member_url(mid(coach))), 403)
    assert_error(
        api(team, "owner").delete(member_url(mid(coach)) + f"?reassign_to={mid(specialist)}"),
        400,
        "invalid_reassign_target",
        "reassign_to",
    )
    assert_error(
        api(team, "owner").delete(member_url(mid(coach)) + f"?reassign_to={mid(coach)}"), 400
    )
    response = api(team, "owner").delete(
        member_url(mid(coach)) + f"?reassign_to={mid(team['admin'])}"
    )
    assert response.status_code == 204, response.content

    admin = team["admin"]
    assert Client.objects.get(pk=theirs.pk).trainer == admin
    assert PlanTemplate.objects.get(pk=personal.pk).trainer == admin
    assert PlanTemplate.objects.get(pk=shared.pk).trainer == admin
    assert Invite.objects.get(pk=pending.pk).trainer == admin
    assert ClientAccess.objects.get(pk=grant.pk).revoked_at is not None
    moved = ClientAccessChange.objects.get(client=theirs)
    assert (moved.action, moved.member, moved.previous_member) == ("transferred", admin, coach)
    revoked = ClientAccessChange.objects.get(client=granted)
    assert (revoked.action, revoked.member, revoked.domains) == ("revoked", coach, ["workouts"])
    # The removed coach keeps a working, empty account in a studio of their own.
    coach.refresh_from_db()
    assert coach.membership.role == "owner"
    assert coach.membership.studio_id != owner.membership.studio_id
    assert coach_api.get(reverse("client-list")).json()["count"] == 0
    assert coach_api.get(STUDIO).json()["member_count"] == 1
    assert coach_api.get(reverse("template-list")).json()["count"] == 0
    assert api(team, "owner").get(STUDIO).json()["member_count"] == 3


def test_removal_defaults_to_the_first_owner(team):
    theirs = ClientFactory(trainer=team["coach"])
    assert api(team, "admin").delete(member_url(mid(team["coach"]))).status_code == 204
    assert Client.objects.get(pk=theirs.pk).trainer == team["owner"]


def test_owner_rules_on_removal(team):
    owner_id = mid(team["owner"])
    assert_error(api(team, "owner").delete(member_url(owner_id)), 409, "last_owner")
    assert_error(api(team, "admin").delete(member_url(owner_id)), 403, "studio_role_forbidden")
    assert api(team, "outsider").delete(member_url(mid(team["coach"]))).status_code == 404
    # With a second owner, the first may leave (their clients go to the other owner).
    assert patch(team, "owner", "admin", {"role": "owner"}).status_code == 200
    assert api(team, "owner").delete(member_url(owner_id)).status_code == 204
    assert Client.objects.get(user=team["client"]).trainer == team["admin"]
    # A coach cannot remove themselves; a manager may while an owner remains.
    assert api(team, "coach").delete(member_url(mid(team["coach"]))).status_code == 403
    new_admin = trainer_in(team["admin"].membership.studio, role=StudioRole.ADMIN)
    assert auth_client(new_admin).delete(member_url(mid(new_admin))).status_code == 204


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_member_accepts_create_one_account():
    owner = TrainerFactory()
    token = "member-race-token-0123456789"
    StudioInvite.objects.create(
        studio=owner.membership.studio,
        invited_by=owner,
        email="race@example.com",
        full_name="Race",
        role=StudioRole.COACH,
        token_hash=studio_token_hash(token),
        expires_at=timezone.now() + timedelta(days=7),
    )
    barrier = threading.Barrier(2)
    results: list[int] = []

    def accept():
        try:
            client = APIClient()
            barrier.wait()
            response = client.post(ACCEPT, {"token": token, "password": PASSWORD}, format="json")
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 400]
    assert User.objects.filter(email="race@example.com").count() == 1
    assert StudioMember.objects.filter(user__email="race@example.com").count() == 1
