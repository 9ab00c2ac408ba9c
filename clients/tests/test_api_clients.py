from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from clients.models import ClientNote, ClientStatusChange, HealthProfile, HealthProfileChange
from clients.tests.factories import (
    ClientFactory,
    ClientNoteFactory,
    HealthProfileFactory,
    InviteFactory,
)
from conftest import assert_error, auth_client

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def notes_url(client_id) -> str:
    return f"{CLIENTS}{client_id}/notes/"


def health_url(client_id) -> str:
    return f"{CLIENTS}{client_id}/health/"


# --- roster ---------------------------------------------------------------------------------


def test_the_roster_lists_only_my_clients_with_their_user(trainer_api, client_link, other_client):
    ClientNoteFactory(client=client_link)
    body = trainer_api.get(CLIENTS).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row == {
        "id": client_link.pk,
        "user": {
            "id": client_link.user.pk,
            "email": "cleo@example.com",
            "full_name": "Cleo Client",
            "timezone": "UTC",
            "units": "metric",
        },
        "is_active": True,
        "joined_at": row["joined_at"],
        "deactivated_at": None,
        "goals": "",
        "notes_count": 1,
        "updated_at": row["updated_at"],
    }
    assert "otto@example.com" not in str(body)


def test_a_deactivated_clients_row_shows_when_and_their_settings(trainer, trainer_api):
    joined = timezone.now().replace(microsecond=0) - timedelta(days=40)
    gone = joined + timedelta(days=30, microseconds=123456)
    client = ClientFactory(
        trainer=trainer,
        joined_at=joined,
        is_active=False,
        deactivated_at=gone,
        goals="Run a 10k",
        user__timezone="America/New_York",
        user__units="imperial",
    )
    row = trainer_api.get(CLIENTS, {"is_active": "false"}).json()["results"][0]
    assert row == {
        "id": client.pk,
        "user": {
            "id": client.user.pk,
            "email": client.user.email,
            "full_name": client.user.full_name,
            "timezone": "America/New_York",
            "units": "imperial",
        },
        "is_active": False,
        "joined_at": joined.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "deactivated_at": gone.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "goals": "Run a 10k",
        "notes_count": 0,
        "updated_at": row["updated_at"],
    }


def test_the_roster_searches_by_name_and_email(trainer, trainer_api):
    ClientFactory(trainer=trainer, user__full_name="Ada Lovelace", user__email="ada@example.com")
    ClientFactory(trainer=trainer, user__full_name="Bob Stone", user__email="rock@example.com")
    by_name = trainer_api.get(CLIENTS, {"search": "lovelace"}).json()["results"]
    assert [c["user"]["full_name"] for c in by_name] == ["Ada Lovelace"]
    by_email = trainer_api.get(CLIENTS, {"search": "ROCK@"}).json()["results"]
    assert [c["user"]["full_name"] for c in by_email] == ["Bob Stone"]


def test_the_roster_filters_by_active_status(trainer, trainer_api):
    active = ClientFactory(trainer=trainer)
    inactive = ClientFactory(trainer=trainer, is_active=False)
    assert [c["id"] for c in trainer_api.get(CLIENTS, {"is_active": "true"}).json()["results"]] == [
        active.pk
    ]
    assert [
        c["id"] for c in trainer_api.get(CLIENTS, {"is_active": "false"}).json()["results"]
    ] == [inactive.pk]


def test_the_roster_orders_by_name_and_joined_at(trainer, trainer_api):
    now = timezone.now()
    b = ClientFactory(trainer=trainer, user__full_name="Bea", joined_at=now - timedelta(days=1))
    a = ClientFactory(trainer=trainer, user__full_name="Abe", joined_at=now)
    c = ClientFactory(trainer=trainer, user__full_name="Cy", joined_at=now - timedelta(days=2))

    def ids(ordering):
        return [x["id"] for x in trainer_api.get(CLIENTS, {"ordering": ordering}).json()["results"]]

    assert ids("name") == [a.pk, b.pk, c.pk]
    assert ids("-name") == [c.pk, b.pk, a.pk]
    assert ids("joined_at") == [c.pk, b.pk, a.pk]
    assert ids("-joined_at") == [a.pk, b.pk, c.pk]
    assert trainer_api.get(CLIENTS).json()["results"][0]["id"] == a.pk  # newest first
    assert_error(trainer_api.get(CLIENTS, {"ordering": "password"}), 400, attr="ordering")


def test_the_roster_paginates(trainer, trainer_api):
    ClientFactory.create_batch(5, trainer=trainer)
    body = trainer_api.get(CLIENTS, {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2
    assert body["next"] and body["previous"]
    assert_error(trainer_api.get(CLIENTS, {"page": 99}), 404)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_roster_runs_a_fixed_number_of_queries(
    trainer, trainer_api, rows, django_assert_num_queries
):
    for client in ClientFactory.create_batch(rows, trainer=trainer):
        ClientNoteFactory.create_batch(2, client=client)
    # user (auth) + page (the last page counts its own rows: no COUNT query)
    with django_assert_num_queries(2):
        body = trainer_api.get(CLIENTS, {"page_size": 100, "search": "example"}).json()
    assert len(body["results"]) == rows
    assert {r["notes_count"] for r in body["results"]} == {2}


@pytest.mark.parametrize("rows", [3, 30])
def test_the_invite_list_runs_a_fixed_number_of_queries(
    trainer, trainer_api, rows, django_assert_num_queries
):
    InviteFactory.create_batch(rows, trainer=trainer)
    # user + page (a last page counts its own rows)
    with django_assert_num_queries(2):
        body = trainer_api.get("/api/v1/invites/", {"page_size": 100}).json()
    assert len(body["results"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_note_list_runs_a_fixed_number_of_queries(
    trainer, trainer_api, client_link, rows, django_assert_num_queries
):
    ClientNoteFactory.create_batch(rows, client=client_link)
    # user + client + page (a last page counts its own rows)
    with django_assert_num_queries(3):
        body = trainer_api.get(notes_url(client_link.pk), {"page_size": 100}).json()
    assert len(body["results"]) == rows


def test_deactivating_and_reactivating_keeps_the_history(trainer, trainer_api, client_link):
    response = trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["deactivated_at"] is not None

    # Sending the same status again is not a change.
    trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"is_active": False})
    response = trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"is_active": True})
    assert response.json()["is_active"] is True
    assert response.json()["deactivated_at"] is None

    history = ClientStatusChange.objects.filter(client=client_link).order_by("changed_at", "id")
    assert [(c.is_active, c.changed_by) for c in history] == [(False, trainer), (True, trainer)]


def test_patch_updates_goals_only(trainer_api, client_link):
    response = trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"goals": " Run a 10k "})
    assert response.status_code == 200
    assert response.json()["goals"] == "Run a 10k"
    assert response.json()["is_active"] is True
    assert trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"goals": None}).json()["goals"] == ""
    assert not ClientStatusChange.objects.filter(client=client_link).exists()


def test_a_deactivated_client_reads_but_cannot_write_health(trainer_api, client_link, client_api):
    trainer_api.patch(f"{CLIENTS}{client_link.pk}/", {"is_active": False})
    assert client_api.get("/api/v1/me/health/").status_code == 200
    assert client_api.get("/api/v1/me/trainer/").status_code == 200
    assert_error(client_api.patch("/api/v1/me/health/", {"height_cm": 170}), 403, "client_inactive")
    assert_error(client_api.put("/api/v1/me/health/", {}), 403, "client_inactive")
    # The trainer keeps the record up to date.
    assert trainer_api.patch(health_url(client_link.pk), {"height_cm": 170}).status_code == 200


def test_put_on_a_client_is_not_allowed(trainer_api, client_link):
    assert_error(trainer_api.put(f"{CLIENTS}{client_link.pk}/", {"goals": "x"}), 405)


# --- notes ----------------------------------------------------------------------------------


def test_a_trainer_writes_reads_edits_and_deletes_private_notes(trainer, trainer_api, client_link):
    created = trainer_api.post(notes_url(client_link.pk), {"body": "Knee hurts on squats"})
    assert created.status_code == 201
    note = created.json()
    assert note["body"] == "Knee hurts on squats"
    assert note["client"] == client_link.pk
    assert note["author"] == {"id": trainer.pk, "full_name": "Tess Trainer"}

    url = f"{notes_url(client_link.pk)}{note['id']}/"
    assert trainer_api.get(url).json()["body"] == "Knee hurts on squats"
    edited = trainer_api.patch(url, {"body": "Knee fine now"})
    assert edited.status_code == 200 and edited.json()["body"] == "Knee fine now"
    assert trainer_api.get(notes_url(client_link.pk)).json()["count"] == 1
    assert trainer_api.delete(url).status_code == 204
    assert not ClientNote.objects.exists()
    assert_error(trainer_api.get(url), 404)


def test_notes_are_newest_first(trainer_api, client_link):
    first = ClientNoteFactory(client=client_link)
    second = ClientNoteFactory(client=client_link)
    ids = [n["id"] for n in trainer_api.get(notes_url(client_link.pk)).json()["results"]]
    assert ids == [second.pk, first.pk]


def test_a_note_of_another_client_is_not_found_under_this_client(trainer, trainer_api, client_link):
    other = ClientFactory(trainer=trainer)
    note = ClientNoteFactory(client=other)
    assert_error(trainer_api.get(f"{notes_url(client_link.pk)}{note.pk}/"), 404)
    assert_error(trainer_api.delete(f"{notes_url(client_link.pk)}{note.pk}/"), 404)
    assert ClientNote.objects.filter(pk=note.pk).exists()


def test_an_empty_note_is_rejected(trainer_api, client_link):
    assert_error(trainer_api.post(notes_url(client_link.pk), {"body": "  "}), 400, "blank", "body")
    assert_error(trainer_api.post(notes_url(client_link.pk), {}), 400, "required", "body")


# --- health ---------------------------------------------------------------------------------

EMPTY_HEALTH = {
    "height_cm": None,
    "date_of_birth": None,
    "sex": "",
    "injuries": "",
    "conditions": "",
    "medications": "",
    "allergies": "",
    "dietary_preferences": "",
    "emergency_contact": "",
    "updated_by": None,
    "updated_at": None,
}


def test_a_missing_health_profile_reads_empty_without_being_created(
    trainer_api, client_api, client_link
):
    assert trainer_api.get(health_url(client_link.pk)).json() == {
        "client": client_link.pk,
        **EMPTY_HEALTH,
    }
    assert client_api.get("/api/v1/me/health/").json() == {"client": client_link.pk, **EMPTY_HEALTH}
    assert not HealthProfile.objects.exists()


def test_the_client_and_the_trainer_both_edit_health_and_each_change_is_recorded(
    trainer, trainer_api, client_user, client_api, client_link
):
    response = client_api.patch(
        "/api/v1/me/health/",
        {"height_cm": 172.46, "date_of_birth": "1990-04-02", "allergies": "peanuts"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["height_cm"] == 172.5
    assert body["date_of_birth"] == "1990-04-02"
    assert body["allergies"] == "peanuts"
    assert body["updated_by"] == {
        "id": client_user.pk,
        "full_name": "Cleo Client",
        "role": "client",
    }
    assert body["updated_at"]

    response = trainer_api.patch(health_url(client_link.pk), {"injuries": "left knee"})
    body = response.json()
    assert body["allergies"] == "peanuts" and body["injuries"] == "left knee"
    assert body["updated_by"]["id"] == trainer.pk
    assert client_api.get("/api/v1/me/health/").json()["injuries"] == "left knee"

    changes = HealthProfileChange.objects.order_by("changed_at", "id")
    assert [(c.changed_by, sorted(c.fields)) for c in changes] == [
        (client_user, ["allergies", "date_of_birth", "height_cm"]),
        (trainer, ["injuries"]),
    ]


def test_an_unchanged_health_write_records_nothing(client_api, client_link):
    HealthProfileFactory(client=client_link, height_cm=172)
    response = client_api.patch("/api/v1/me/health/", {"height_cm": 172})
    assert response.status_code == 200
    assert response.json()["updated_by"] is None
    assert not HealthProfileChange.objects.exists()


def test_put_replaces_the_whole_health_profile(trainer_api, client_link):
    HealthProfileFactory(client=client_link, height_cm=180, allergies="dust")
    response = trainer_api.put(health_url(client_link.pk), {"allergies": "pollen"})
    assert response.status_code == 200
    assert response.json()["height_cm"] is None
    assert response.json()["allergies"] == "pollen"


def test_null_clears_a_health_field(client_api, client_link):
    HealthProfileFactory(client=client_link, allergies="dust", height_cm=170)
    body = client_api.patch("/api/v1/me/health/", {"allergies": None, "height_cm": None}).json()
    assert body["allergies"] == "" and body["height_cm"] is None


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"height_cm": 0}, "height_cm", "min_value"),
        ({"height_cm": -170}, "height_cm", "min_value"),
        ({"height_cm": 999}, "height_cm", "max_value"),
        ({"height_cm": "tall"}, "height_cm", "invalid"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "date_not_in_past"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "date_too_old"),
        ({"date_of_birth": "02/04/1990"}, "date_of_birth", "invalid"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth", "invalid"),
        ({"sex": "yes"}, "sex", "invalid_choice"),
        ({"injuries": "x" * 2001}, "injuries", "max_length"),
        ({"emergency_contact": "x" * 256}, "emergency_contact", "max_length"),
        ({"allergies": ["a"]}, "allergies", "invalid"),
        ({"weight": 80}, "weight", "unknown_field"),
    ],
)
def test_health_input_is_validated(client_api, payload, attr, code):
    assert_error(client_api.patch("/api/v1/me/health/", payload), 400, code, attr)
    assert not HealthProfile.objects.exists()


def test_a_date_of_birth_today_is_rejected(client_api):
    today = timezone.now().date().isoformat()
    response = client_api.patch("/api/v1/me/health/", {"date_of_birth": today})
    assert_error(response, 400, "date_not_in_past", "date_of_birth")


# --- me/trainer -----------------------------------------------------------------------------


def test_a_client_sees_their_trainers_public_profile_only(client_api, trainer, client_link):
    ClientNoteFactory(client=client_link, body="secret note")
    response = client_api.get("/api/v1/me/trainer/")
    assert response.status_code == 200
    assert response.json() == {
        "id": trainer.pk,
        "full_name": "Tess Trainer",
        "email": "tess@example.com",
    }


def test_a_client_user_without_a_link_gets_404_on_me_routes(db):
    from accounts.tests.factories import ClientUserFactory

    api = auth_client(ClientUserFactory())
    assert_error(api.get("/api/v1/me/trainer/"), 404)
    assert_error(api.get("/api/v1/me/health/"), 404)
