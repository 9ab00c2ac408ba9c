"""Actors every test module can use: the owner trainer, their client, and outsiders."""

import datetime
import os
import threading
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection, transaction
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import TrainerFactory
from clients.tests.factories import ClientFactory

# --- the whole run at another instant: FITBUD_TEST_NOW=2027-01-31T23:30:00Z (or --fitbud-now) ---

TEST_NOW_ENV = "FITBUD_TEST_NOW"


def pytest_addoption(parser):
    parser.addoption(
        "--fitbud-now",
        default=None,
        metavar="ISO_INSTANT",
        help=f"Run every test as if it started at this instant (clock ticking), e.g. "
        f"2027-01-31T23:30:00Z; default: ${TEST_NOW_ENV}, else the real time.",
    )


def _parse_test_now(value: str) -> datetime.datetime:
    try:
        instant = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} is not an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={value!r} needs an offset, e.g. Z or +01:00")
    return instant


def pytest_configure(config):
    value = config.getoption("fitbud_now") or os.environ.get(TEST_NOW_ENV, "")
    config.fitbud_test_now = _parse_test_now(value) if value.strip() else None


def pytest_report_header(config):
    instant = config.fitbud_test_now
    return f"fitbud: every test starts at {instant.isoformat()}" if instant else None


@contextmanager
def run_clock(instant: datetime.datetime | None):
    """The clock from `instant` on, ticking; the real clock when `instant` is None."""
    if instant is None:
        yield
        return
    with time_machine.travel(instant, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_now(request):
    """Each test starts at the instant chosen for the run (the clock ticks on from there),
    so a date-dependent test meets the 31st, Feb 29 or a DST change whatever today is.
    Tests may travel further inside (time_machine nests)."""
    with run_clock(request.config.fitbud_test_now):
        yield


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
    # clean slate (ids are reused between tests on SQLite, so the client -> trainer map too).
    from django.core.cache import cache

    from fitbud.api import response_cache

    cache.clear()
    response_cache.reset_local_state()
    yield
    cache.clear()
    response_cache.reset_local_state()


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
