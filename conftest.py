"""Actors every test module can use: the owner trainer, their client, and outsiders."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientFactory


def auth_client(user) -> APIClient:
    """An API client carrying a real JWT access token for `user`."""
    client = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def trainer(db):
    return TrainerFactory(full_name="Tess Trainer", email="tess@example.com")


@pytest.fixture
def other_trainer(db):
    return TrainerFactory(full_name="Oscar Outsider", email="oscar@example.com")


@pytest.fixture
def client_link(trainer):
    """The Client record linking `client_user` to `trainer`."""
    return ClientFactory(
        trainer=trainer, user__full_name="Cleo Client", user__email="cleo@example.com"
    )


@pytest.fixture
def client_user(client_link):
    return client_link.user


@pytest.fixture
def other_client_link(other_trainer):
    return ClientFactory(
        trainer=other_trainer, user__full_name="Otto Other", user__email="otto@example.com"
    )


@pytest.fixture
def other_client(other_client_link):
    return other_client_link.user


@pytest.fixture
def trainer_api(trainer) -> APIClient:
    return auth_client(trainer)


@pytest.fixture
def client_api(client_user) -> APIClient:
    return auth_client(client_user)


@pytest.fixture
def other_trainer_api(other_trainer) -> APIClient:
    return auth_client(other_trainer)


@pytest.fixture
def other_client_api(other_client) -> APIClient:
    return auth_client(other_client)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and cached responses live in the cache; every test starts with a
    # clean slate, and so do the circuit breakers and the fallback throttle counters.
    from django.core.cache import cache

    from fitbud import cache as fitbud_cache

    cache.clear()
    fitbud_cache.reset_local_state()
    yield
    cache.clear()
    fitbud_cache.reset_local_state()


@contextmanager
def write_left_open(write):
    """Run `write()` in a transaction on another thread (its own database connection); the
    body of the with-block runs while that transaction is still open, and it commits when
    the block ends. For tests of what a read sees, and keeps, around a concurrent commit
    (needs PostgreSQL and `django_db(transaction=True)`)."""
    written, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                write()
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert written.wait(10), "the write did not happen"
        yield
    finally:
        release.set()
        thread.join(10)


def assert_error(response, status: int, code: str | None = None, attr: str | None = None):
    """Assert the uniform error body: {type, errors: [{code, detail, attr}]}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}, error
    if code is not None:
        assert code in [e["code"] for e in body["errors"]], body
    if attr is not None:
        assert attr in [e["attr"] for e in body["errors"]], body
    return body


def pytest_collection_modifyitems(config, items):
    # Row-lock and thread tests are meaningful on PostgreSQL only; CI runs both databases.
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
