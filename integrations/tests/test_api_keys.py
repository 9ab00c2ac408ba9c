"""api-keys/: create (the key shown once), list, rename, revoke; JWT only."""

import datetime as dt
import hashlib
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import assert_error, auth_client
from integrations.models import ApiKey
from integrations.tests.factories import ApiKeyFactory, key_client, make_key

LIST = reverse("api-key-list")
CLIENTS = reverse("client-list")


def detail(key) -> str:
    return reverse("api-key-detail", args=[key.pk])


def create(api, **body):
    body.setdefault("name", "Zapier")
    body.setdefault("scopes", ["read:clients"])
    return api.post(LIST, body, format="json")


def test_a_trainer_creates_a_key_and_sees_it_once(trainer_api, trainer, client_link):
    response = create(trainer_api, scopes=["write:progress", "read:clients", "read:clients"])

    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["key"]
    assert raw.startswith(body["prefix"] + "_")
    assert body["prefix"].startswith("fbk_") and len(body["prefix"]) == 16
    assert body["scopes"] == ["read:clients", "write:progress"]
    assert body["status"] == "active" and body["last_used_at"] is None
    row = ApiKey.objects.get(pk=body["id"])
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.filter(pk=row.pk).values().get())
    assert row.user == trainer and row.studio_id == trainer.membership.studio_id
    # Later reads never show it.
    listed = trainer_api.get(LIST).json()["results"]
    assert [k["id"] for k in listed] == [body["id"]] and "key" not in listed[0]
    assert "key" not in trainer_api.get(reverse("api-key-detail", args=[row.pk])).json()
    # And it works.
    assert key_client(raw).get(CLIENTS).status_code == 200


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"scopes": ["read:everything"]}, "scopes[0]", "invalid_choice"),
        ({"scopes": []}, "scopes", "min_length"),
        ({"scopes": "read:clients"}, "scopes", None),
        ({"name": ""}, "name", "blank"),
        ({"name": "x" * 101}, "name", "max_length"),
        ({"owner": 1}, "owner", "unknown_field"),
        ({"expires_at": "tomorrow"}, "expires_at", "invalid"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(trainer_api, body, attr, code):
    assert_error(create(trainer_api, **body), 400, code, attr)
    assert not ApiKey.objects.exists()


def test_an_expiry_in_the_past_is_refused(trainer_api):
    past = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    assert_error(create(trainer_api, expires_at=past), 400, "api_key_expiry_past")


def test_a_second_live_key_with_the_same_name_is_a_409(trainer_api):
    assert create(trainer_api).status_code == 201
    assert_error(create(trainer_api), 409, "api_key_name_taken")


def test_a_revoked_key_s_name_can_be_used_again(trainer_api, trainer):
    key, _ = make_key(trainer, name="Zapier")
    assert trainer_api.delete(detail(key)).status_code == 204
    assert create(trainer_api).status_code == 201


def test_a_member_has_at_most_the_configured_number_of_live_keys(settings, trainer_api, trainer):
    settings.API_KEYS_MAX_PER_MEMBER = 2
    make_key(trainer), make_key(trainer)
    assert_error(create(trainer_api), 409, "api_key_limit")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_name_make_one_key(trainer):
    barrier = threading.Barrier(4)
    statuses = []

    def post():
        api = auth_client(trainer)
        barrier.wait()
        statuses.append(create(api).status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201, 409, 409, 409]
    assert ApiKey.objects.filter(user=trainer).count() == 1


def test_a_key_is_renamed(trainer_api, trainer):
    key, _ = make_key(trainer, name="Old")
    response = trainer_api.patch(detail(key), {"name": "Sheets"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Sheets"
    assert_error(
        trainer_api.patch(detail(key), {"scopes": []}, format="json"), 400, "unknown_field"
    )


def test_revoking_refuses_the_key_at_once_and_keeps_it_listed(trainer_api, trainer, client_link):
    key, raw = make_key(trainer)
    api = key_client(raw)
    assert api.get(CLIENTS).status_code == 200

    assert trainer_api.delete(detail(key)).status_code == 204
    assert_error(api.get(CLIENTS), 401, "api_key_revoked")
    listed = trainer_api.get(LIST).json()["results"][0]
    assert listed["status"] == "revoked" and listed["revoked_at"] is not None
    # Revoking again keeps the first time.
    first = ApiKey.objects.get(pk=key.pk).revoked_at
    assert trainer_api.delete(detail(key)).status_code == 204
    assert ApiKey.objects.get(pk=key.pk).revoked_at == first


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_trainer_s_key_is_a_404(method, other_trainer_api, trainer):
    key, _ = make_key(trainer)
    response = getattr(other_trainer_api, method)(detail(key), {"name": "Mine"}, format="json")
    assert_error(response, 404)
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert ApiKey.objects.get(pk=key.pk).name == key.name


def test_clients_cannot_have_keys(client_api):
    assert_error(client_api.get(LIST), 403)
    assert_error(create(client_api), 403)


def test_a_key_cannot_manage_keys(trainer):
    key, raw = make_key(trainer, scopes=["write:clients", "write:plans", "write:billing"])
    api = key_client(raw)
    assert_error(api.get(LIST), 403, "api_key_forbidden")
    assert_error(create(api), 403, "api_key_forbidden")
    assert_error(api.delete(detail(key)), 403, "api_key_forbidden")
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None


def test_the_list_runs_a_fixed_number_of_queries(trainer_api, trainer):
    def count(page_size):
        with CaptureQueriesContext(connection) as queries:
            response = trainer_api.get(LIST, {"page_size": page_size})
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    for _ in range(2):
        ApiKeyFactory(user=trainer)
    small, rows = count(2)
    for _ in range(6):
        ApiKeyFactory(user=trainer)
    large, more = count(8)
    assert (rows, more) == (2, 8)
    assert small == large
