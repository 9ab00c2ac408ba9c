"""Finding 9 of issue 12: a database outage is a 503 with Retry-After and the uniform error
body, on DRF views and on Django's own (admin), never a generic 500. The connection is
made to fail the way a stopped or restarted server fails (OperationalError when a query
opens a cursor, InterfaceError on a connection that was closed under us)."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connections
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from conftest import assert_error
from fitbud.api.exceptions import DATABASE_RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db

OUTAGES = [
    OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
    InterfaceError("connection already closed"),
]


@contextmanager
def database_down(error):
    def fail(*args, **kwargs):
        raise error

    with mock.patch.object(connections["default"], "cursor", fail):
        yield


def assert_outage(response):
    body = assert_error(response, 503, "database_unavailable")
    assert body["type"] == "server_error"
    assert len(body["errors"]) == 1
    assert body["errors"][0]["attr"] is None
    assert int(response["Retry-After"]) == DATABASE_RETRY_AFTER_SECONDS
    assert "127.0.0.1" not in response.content.decode()  # nothing of the error leaks


@pytest.mark.parametrize("error", OUTAGES, ids=type)
def test_an_api_read_during_an_outage_is_a_503(trainer_api, error):
    trainer_api.raise_request_exception = False  # answer like production (it is logged)
    with database_down(error):
        response = trainer_api.get("/api/v1/clients/")
    assert_outage(response)
    # And once the database is back, the same request works.
    assert trainer_api.get("/api/v1/clients/").status_code == 200


@pytest.mark.parametrize("error", OUTAGES, ids=type)
def test_an_anonymous_write_during_an_outage_is_a_503(api_client, trainer, error):
    api_client.raise_request_exception = False
    with database_down(error):
        response = api_client.post(
            "/api/v1/auth/token/", {"email": "tess@example.com", "password": "whatever-1"}
        )
    assert_outage(response)


@pytest.mark.parametrize("error", OUTAGES, ids=type)
def test_the_admin_during_an_outage_is_a_503(error):
    admin = User.objects.create_superuser(
        email="admin@example.com", password="admin-pass-123", full_name="Ada Admin"
    )
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    with database_down(error):
        response = client.get("/admin/")
    assert_outage(response)


def test_other_database_errors_stay_a_500(trainer):
    # Only connection-level errors are outages; a broken query is a bug: the generic 500.
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient(raise_request_exception=False)
    token = RefreshToken.for_user(trainer).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with database_down(ProgrammingError('relation "clients_client" does not exist')):
        response = client.get("/api/v1/clients/")
    assert_error(response, 500, "error")
    assert "Retry-After" not in response


def test_readiness_still_answers_its_own_503(client):
    with database_down(OperationalError("down")):
        response = client.get("/readyz")
    assert_error(response, 503, "database_unavailable")
