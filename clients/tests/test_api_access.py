"""Access grants, transfers and the client's team (studios): clients/<id>/access/,
clients/<id>/transfer/, me/team/, me/team/changes/."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clients.models import ClientAccess, ClientAccessChange
from clients.tests.factories import ClientAccessFactory, ClientFactory, studio_member
from conftest import assert_error, auth_client
from progress.tests.factories import WorkoutLogFactory

pytestmark = pytest.mark.django_db


def grants_url(client):
    return reverse("client-access-list", args=[client.pk])


def grant_url(grant):
    return reverse("client-access-detail", args=[grant.client_id, grant.pk])


def later(**kwargs) -> str:
    return (timezone.now() + datetime.timedelta(**kwargs)).isoformat()


# --- who may manage grants -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("owner", 200, None),
        ("admin", 200, None),
        ("coach_a", 200, None),
        ("specialist", 403, "not_primary_coach"),
        ("coach_b", 404, None),
        ("expired", 404, None),
        ("outsider", 404, None),
        ("client_x", 403, None),
    ],
)
def test_who_may_read_a_clients_grants(studio, api_as, who, status, code):
    response = api_as(who).get(grants_url(studio.x))
    if status == 200:
        assert response.status_code == 200, response.content
        rows = {row["member"]: row for row in response.json()["results"]}
        assert set(rows) == {studio.specialist.membership.pk, studio.expired.membership.pk}
        sue = rows[studio.specialist.membership.pk]
        assert sue["domains"] == ["nutrition", "checkins"]
        assert sue["in_force"] is True and sue["title"] == "Dietitian"
        assert sue["role"] == "specialist" and sue["name"] == "Sue Dietitian"
        assert rows[studio.expired.membership.pk]["in_force"] is False
    else:
        assert_error(response, status, code)


def test_primary_coach_grants_a_member_and_it_is_audited(studio, api_as):
    body = {"member": studio.coach_b.membership.pk, "domains": ["workouts", "messages"]}
    response = api_as("coach_a").post(grants_url(studio.x), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["domains"] == ["workouts", "messages"] and data["ends_at"] is None
    assert data["granted_by"]["id"] == studio.coach_a.pk
    change = ClientAccessChange.objects.get(client=studio.x, action="granted")
    assert change.member == studio.coach_b and change.actor == studio.coach_a
    assert change.domains == ["workouts", "messages"] and change.actor_name == "Ann Coach"
    # Coach B now sees X (workouts), not X's nutrition.
    coach_b = api_as("coach_b")
    assert coach_b.get(reverse("client-detail", args=[studio.x.pk])).status_code == 200


def test_a_second_grant_for_the_same_member_is_409(studio, api_as):
    body = {"member": studio.specialist.membership.pk, "domains": ["workouts"]}
    response = api_as("owner").post(grants_url(studio.x), body, format="json")
    assert_error(response, 409, "grant_exists")
    assert ClientAccess.objects.filter(client=studio.x, revoked_at__isnull=True).count() == 2


def test_an_expired_grant_holder_can_be_granted_again(studio, api_as):
    body = {"member": studio.expired.membership.pk, "domains": ["health"], "ends_at": later(days=3)}
    response = api_as("owner").post(grants_url(studio.x), body, format="json")
    assert response.status_code == 201, response.content
    studio.old_grant.refresh_from_db()
    assert studio.old_grant.revoked_at == studio.old_grant.ends_at


@pytest.mark.parametrize(
    ("member", "code"),
    [
        ("coach_a", "member_is_primary_coach"),
        ("admin", "member_sees_all"),
        ("owner", "member_sees_all"),
        ("outsider", "member_not_found"),
    ],
)
def test_a_grant_names_a_member_who_needs_one(studio, api_as, member, code):
    body = {"member": getattr(studio, member).membership.pk, "domains": ["notes"]}
    response = api_as("owner").post(grants_url(studio.x), body, format="json")
    assert_error(response, 400, code, attr="member")


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"domains": []}, "domains"),
        ({"domains": ["notes", "notes"]}, "domains"),
        ({"domains": ["gossip"]}, "domains[0]"),
        ({"domains": "notes"}, "domains"),
        ({"domains": ["notes"], "ends_at": "2001-01-01T00:00:00Z"}, "ends_at"),
        ({"domains": ["notes"], "extra": 1}, "extra"),
        ({"domains": ["notes"], "member": "x"}, "member"),
    ],
)
def test_bad_grant_input_is_400(studio, api_as, body, attr):
    body = {"member": studio.coach_b.membership.pk, **body}
    response = api_as("owner").post(grants_url(studio.x), body, format="json")
    assert_error(response, 400, attr=attr)


def test_change_and_revoke_are_audited(studio, api_as):
    owner = api_as("owner")
    ends = later(days=10)
    response = owner.patch(
        grant_url(studio.grant), {"domains": ["nutrition"], "ends_at": ends}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["domains"] == ["nutrition"]
    response = owner.delete(grant_url(studio.grant))
    assert response.status_code == 204
    assert_error(owner.delete(grant_url(studio.grant)), 404)
    actions = list(
        ClientAccessChange.objects.filter(client=studio.x).values_list("action", flat=True)
    )
    assert actions == ["revoked", "changed"]


def test_a_specialist_cannot_change_their_own_grant(studio, api_as):
    response = api_as("specialist").patch(
        grant_url(studio.grant), {"domains": ["notes"]}, format="json"
    )
    assert_error(response, 403, "not_primary_coach")


def test_grants_list_query_count(studio, api_as, django_assert_max_num_queries):
    owner = api_as("owner")
    with django_assert_max_num_queries(6):
        assert owner.get(grants_url(studio.x), {"page_size": 1}).status_code == 200
    for _ in range(4):
        ClientAccessFactory(
            client=studio.x, grantee=studio_member(studio.studio, role="coach"), workouts=True
        )
    with django_assert_max_num_queries(6):
        response = owner.get(grants_url(studio.x), {"page_size": 50})
    assert len(response.json()["results"]) == 6


# --- transfer --------------------------------------------------------------------------------


def transfer(api, client, coach):
    return api.post(
        reverse("client-transfer", args=[client.pk]),
        {"coach": coach.membership.pk},
        format="json",
    )


def test_transfer_keeps_history_and_revokes_the_new_coachs_grant(studio, api_as):
    log = WorkoutLogFactory(client=studio.x)
    ClientAccessFactory(client=studio.x, grantee=studio.coach_b, workouts=True)
    response = transfer(api_as("coach_a"), studio.x, studio.coach_b)
    assert response.status_code == 200, response.content
    studio.x.refresh_from_db()
    assert studio.x.trainer == studio.coach_b
    assert not ClientAccess.objects.active().filter(member=studio.coach_b.membership).exists()
    change = ClientAccessChange.objects.filter(action="transferred").get()
    assert change.previous_member == studio.coach_a and change.member_name == "Ben Coach"
    # The history went with the client: B reads the log; A no longer sees X at all.
    assert api_as("coach_b").get(reverse("workout-log-detail", args=[log.pk])).status_code == 200
    assert api_as("coach_a").get(reverse("client-detail", args=[studio.x.pk])).status_code == 404
    assert_error(transfer(api_as("coach_a"), studio.x, studio.coach_a), 404)


@pytest.mark.parametrize(
    ("who", "target", "status", "code"),
    [
        ("admin", "coach_b", 200, None),
        ("coach_a", "specialist", 400, "not_a_coach"),
        ("coach_a", "coach_a", 400, "already_primary_coach"),
        ("coach_a", "outsider", 400, "coach_not_found"),
        ("specialist", "coach_b", 403, "not_primary_coach"),
        ("coach_b", "coach_b", 404, None),
        ("outsider", "outsider", 404, None),
    ],
)
def test_who_may_transfer_to_whom(studio, api_as, who, target, status, code):
    response = transfer(api_as(who), studio.x, getattr(studio, target))
    if status == 200:
        assert response.status_code == 200, response.content
    else:
        assert_error(response, status, code)


# --- me/team ---------------------------------------------------------------------------------


def test_the_client_sees_who_sees_what(studio, api_as):
    response = api_as("client_x").get(reverse("me-team"))
    assert response.status_code == 200, response.content
    team = response.json()
    assert [row["name"] for row in team] == [
        "Ann Coach",
        "Olga Owner",
        "Adam Admin",
        "Sue Dietitian",
    ]
    assert team[0]["primary"] is True and len(team[0]["domains"]) == 6
    assert team[1]["role"] == "owner" and team[1]["primary"] is False
    assert team[3] == {
        "member": studio.specialist.membership.pk,
        "name": "Sue Dietitian",
        "role": "specialist",
        "title": "Dietitian",
        "domains": ["nutrition", "checkins"],
        "ends_at": None,
        "primary": False,
    }
    assert all("email" not in row for row in team)


def test_me_team_is_for_clients(studio, api_as):
    assert_error(api_as("owner").get(reverse("me-team")), 403)
    assert_error(api_as("owner").get(reverse("me-team-changes")), 403)


def test_team_query_count_does_not_grow(studio, api_as, django_assert_max_num_queries):
    client_x = api_as("client_x")
    with django_assert_max_num_queries(5):
        assert client_x.get(reverse("me-team")).status_code == 200
    for _ in range(4):
        ClientAccessFactory(
            client=studio.x, grantee=studio_member(studio.studio, role="coach"), notes=True
        )
    with django_assert_max_num_queries(5):
        assert len(client_x.get(reverse("me-team")).json()) == 8


def test_the_client_reads_the_audit_trail_newest_first(
    studio, api_as, django_assert_max_num_queries
):
    owner = api_as("owner")
    owner.patch(grant_url(studio.grant), {"domains": ["nutrition"]}, format="json")
    owner.delete(grant_url(studio.grant))
    transfer(owner, studio.x, studio.coach_b)
    client_x = api_as("client_x")
    with django_assert_max_num_queries(5):
        response = client_x.get(reverse("me-team-changes"), {"page_size": 1})
    assert response.json()["results"][0]["action"] == "transferred"
    with django_assert_max_num_queries(5):
        response = client_x.get(reverse("me-team-changes"), {"page_size": 50})
    rows = response.json()["results"]
    assert [row["action"] for row in rows] == ["transferred", "revoked", "changed"]
    assert rows[0]["previous_member_name"] == "Ann Coach"
    assert rows[1]["actor_name"] == "Olga Owner" and rows[1]["domains"] == ["nutrition"]
    # Another client sees none of it.
    other = ClientFactory(trainer=studio.coach_a)
    assert auth_client(other.user).get(reverse("me-team-changes")).json()["results"] == []


def test_a_grant_stops_at_its_end(studio, api_as):
    grant = studio.grant
    grant.ends_at = timezone.now() + datetime.timedelta(days=2)
    grant.save()
    url = reverse("me-team")
    assert "Sue Dietitian" in [r["name"] for r in api_as("client_x").get(url).json()]
    with time_machine.travel(grant.ends_at + datetime.timedelta(seconds=1)):
        assert "Sue Dietitian" not in [r["name"] for r in api_as("client_x").get(url).json()]
