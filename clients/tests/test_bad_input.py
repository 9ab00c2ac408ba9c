"""Hostile or sloppy input gets the uniform 400 (or 404 for ids), never a 500."""

import pytest

from clients.models import Invite
from clients.tests.factories import ClientNoteFactory, InviteFactory
from conftest import assert_error

pytestmark = pytest.mark.django_db

HUGE = "x" * 10_000


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"email": "not-an-email", "full_name": "Sam"}, "email", "invalid"),
        ({"email": "sam@", "full_name": "Sam"}, "email", "invalid"),
        ({"email": "sam@example.com\nBcc: x@y.z", "full_name": "Sam"}, "email", "invalid"),
        ({"email": HUGE + "@example.com", "full_name": "Sam"}, "email", "max_length"),
        ({"email": "sam@example.com", "full_name": HUGE}, "full_name", "max_length"),
        ({"email": "sam@example.com", "full_name": "   "}, "full_name", "blank"),
        (
            {"email": "sam@example.com", "full_name": "\x00"},
            "full_name",
            "null_characters_not_allowed",
        ),
        ({"email": 42, "full_name": "Sam"}, "email", "invalid"),
        ({"email": ["sam@example.com"], "full_name": "Sam"}, "email", "invalid"),
        ({"email": None, "full_name": "Sam"}, "email", "null"),
        ({"email": {"a": 1}, "full_name": "Sam"}, "email", "invalid"),
        ({"full_name": "Sam"}, "email", "required"),
        (
            {"email": "sam@example.com", "full_name": "Sam", "role": "trainer"},
            "role",
            "unknown_field",
        ),
    ],
)
def test_invite_create_rejects_bad_input(trainer_api, payload, attr, code):
    assert_error(trainer_api.post("/api/v1/invites/", payload, format="json"), 400, code, attr)
    assert not Invite.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'"a string"', b"null", b"{", b"[1, 2]"],
)
def test_non_object_bodies_are_a_uniform_400(trainer_api, client_link, raw):
    for path in ("/api/v1/invites/", f"/api/v1/clients/{client_link.pk}/notes/"):
        response = trainer_api.post(path, raw, content_type="application/json")
        assert_error(response, 400)
    response = trainer_api.patch(
        f"/api/v1/clients/{client_link.pk}/", raw, content_type="application/json"
    )
    assert_error(response, 400)


def test_a_form_encoded_body_is_unsupported(trainer_api):
    response = trainer_api.post(
        "/api/v1/invites/", "email=a@b.c", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415)


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"token": None, "password": "a-long-passphrase-42"}, "token", "null"),
        ({"token": 123, "password": "a-long-passphrase-42"}, "token", "invite_not_found"),
        ({"token": HUGE, "password": "a-long-passphrase-42"}, "token", "max_length"),
        ({"token": "t"}, "password", "required"),
        ({"token": "t", "password": HUGE}, "password", "max_length"),
        ({"token": "t", "password": "p", "role": "trainer"}, "role", "unknown_field"),
        ({"token": "t", "password": "p", "email": "me@x.com"}, "email", "unknown_field"),
    ],
)
def test_invite_accept_rejects_bad_input(api_client, payload, attr, code):
    response = api_client.post("/api/v1/auth/invites/accept/", payload, format="json")
    assert_error(response, 400, code, attr)


def test_accept_rejects_a_huge_full_name_before_touching_the_invite(api_client, trainer):
    from clients.selectors import invite_token_hash

    InviteFactory(trainer=trainer, token_hash=invite_token_hash("tok-123"))
    response = api_client.post(
        "/api/v1/auth/invites/accept/",
        {"token": "tok-123", "password": "a-long-passphrase-42", "full_name": HUGE},
        format="json",
    )
    assert_error(response, 400, "max_length", "full_name")
    assert Invite.objects.get().status == Invite.Status.PENDING


@pytest.mark.parametrize("token", ["%00", "..%2F..%2Fadmin", "a%20b", "%E2%9C%93", "x" * 5000])
def test_odd_preview_tokens_are_not_found(api_client, token):
    response = api_client.get(f"/api/v1/auth/invites/{token}/")
    assert response.status_code in (400, 404), response.content
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"is_active": "maybe"}, "is_active", "invalid"),
        ({"is_active": None}, "is_active", "null"),
        ({"is_active": [True]}, "is_active", "invalid"),
        ({"goals": HUGE}, "goals", "max_length"),
        ({"goals": 12}, None, None),  # numbers are accepted as text by DRF: not an error
        ({"trainer": 1}, "trainer", "unknown_field"),
        ({"user": {"email": "x@y.z"}}, "user", "unknown_field"),
        ({"deactivated_at": "2020-01-01T00:00:00Z"}, "deactivated_at", "unknown_field"),
    ],
)
def test_client_patch_rejects_bad_input(trainer_api, client_link, payload, attr, code):
    response = trainer_api.patch(f"/api/v1/clients/{client_link.pk}/", payload, format="json")
    if code is None:
        assert response.status_code == 200
        return
    assert_error(response, 400, code, attr)
    client_link.refresh_from_db()
    assert client_link.is_active is True and client_link.goals == ""


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"body": HUGE + "x"}, "body", "max_length"),
        ({"body": None}, "body", "null"),
        ({"body": {"text": "hi"}}, "body", "invalid"),
        ({"body": "hi", "author": 3}, "author", "unknown_field"),
        ({"body": "hi", "client": 3}, "client", "unknown_field"),
    ],
)
def test_note_input_is_validated(trainer_api, client_link, payload, attr, code):
    url = f"/api/v1/clients/{client_link.pk}/notes/"
    assert_error(trainer_api.post(url, payload, format="json"), 400, code, attr)
    note = ClientNoteFactory(client=client_link, body="keep")
    assert_error(trainer_api.patch(f"{url}{note.pk}/", payload, format="json"), 400, code, attr)
    note.refresh_from_db()
    assert note.body == "keep"


def test_a_ten_thousand_character_note_is_fine(trainer_api, client_link):
    url = f"/api/v1/clients/{client_link.pk}/notes/"
    assert trainer_api.post(url, {"body": HUGE}, format="json").status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/invites/abc/",
        "/api/v1/invites/1.5/",
        "/api/v1/invites/-1/",
        "/api/v1/invites/99999999999999999999999999/",
        "/api/v1/invites/99999999999999999999999999/resend/",
        "/api/v1/clients/abc/",
        "/api/v1/clients/99999999999999999999999999/",
        "/api/v1/clients/abc/notes/",
        "/api/v1/clients/99999999999999999999999999/notes/",
        "/api/v1/clients/99999999999999999999999999/health/",
        "/api/v1/clients/1/notes/abc/",
        "/api/v1/clients/1/notes/99999999999999999999999999/",
        "/api/v1/clients/%00/",
    ],
)
def test_malformed_ids_are_a_json_404(trainer_api, client_link, path):
    send = trainer_api.post if path.endswith("resend/") else trainer_api.get
    assert_error(send(path), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"is_active": "banana"},
        {"search": HUGE},
        {"search": "a\x00b"},
        {"page": "abc"},
        {"page_size": "-5"},
        {"page_size": "100000"},
        {"ordering": "-user__password"},
        {"unknown": "1"},
    ],
)
def test_odd_list_parameters_never_break_the_roster(trainer_api, client_link, params):
    response = trainer_api.get("/api/v1/clients/", params)
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code != 200:
        assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "params",
    [{"status": "pending\x00"}, {"search": "\x00"}, {"ordering": "token_hash"}, {"page": "0"}],
)
def test_odd_list_parameters_never_break_the_invite_list(trainer_api, params):
    InviteFactory()
    response = trainer_api.get("/api/v1/invites/", params)
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code != 200:
        assert_error(response, response.status_code)


def test_health_put_with_wrong_types_everywhere_is_one_400(client_api):
    response = client_api.put(
        "/api/v1/me/health/",
        {
            "height_cm": [],
            "date_of_birth": 19900402,
            "sex": 1,
            "injuries": {"knee": True},
            "emergency_contact": HUGE,
        },
        format="json",
    )
    body = assert_error(response, 400)
    assert {e["attr"] for e in body["errors"]} == {
        "height_cm",
        "date_of_birth",
        "sex",
        "injuries",
        "emergency_contact",
    }
