"""Actors every test module can use: the owner trainer, their client, and outsiders."""

import datetime
import os
import socket
import threading
import uuid
from contextlib import contextmanager

import pytest
import time_machine
from django.core.files.storage import storages
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


def run_concurrently(make_request, threads: int = 6) -> list:
    """Call `make_request(index)` from `threads` threads released at once (a barrier), each
    with its own database connection; their answers in index order. For the concurrency
    tests (`transaction=True`, PostgreSQL): duplicates must still come out once."""
    barrier = threading.Barrier(threads)
    responses: list = [None] * threads

    def worker(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = make_request(index)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return responses


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


def url_routes(patterns=None, prefix: str = ""):
    """Every URL pattern of the project as (route with `<arg>` placeholders, callback)."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


# --- Redis, real and broken (fault tests of fitbud/cache.py and the response cache) -------

# A real Redis for tests marked `redis`: TEST_REDIS_URL (CI: redis://127.0.0.1:6379/2).
# Keys get a per-run prefix and are deleted after each test (never FLUSHDB).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_unreachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.RedisError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def use_redis_cache(settings, url: str, prefix: str = "faults") -> None:
    """Make the default cache the project's Redis backend at `url`, with test timeouts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "fitbud.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }


class RealRedis:
    def __init__(self, url: str):
        import redis

        self.url = url
        self.prefix = (
            f"{os.environ.get('TEST_REDIS_KEY_PREFIX', 'fitbud-test')}-{uuid.uuid4().hex[:12]}"
        )
        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    def keys(self) -> list[bytes]:
        return list(self.client.scan_iter(match=f"{self.prefix}:*", count=1000))

    def snapshot(self) -> dict[bytes, tuple[bytes, int]]:
        """Every key of this test, as Redis would persist it (DUMP) with its TTL."""
        return {key: (self.client.dump(key), self.client.pttl(key)) for key in self.keys()}

    def restore(self, snapshot) -> None:
        """Put the snapshot back, as a Redis restarted from an old dump would have it."""
        for key in self.keys():
            self.client.delete(key)
        for key, (dumped, ttl) in snapshot.items():
            self.client.restore(key, max(ttl, 0), dumped, replace=True)

    def cleanup(self) -> None:
        for key in self.keys():
            self.client.delete(key)


@pytest.fixture
def real_redis(settings):
    """The default cache on a real Redis (tests marked `redis`; see pytest_collection...)."""
    problem = _redis_unreachable()
    if problem:
        pytest.fail(f"Redis at {TEST_REDIS_URL} is unreachable ({problem}) and REQUIRE_REDIS=1")
    real = RealRedis(TEST_REDIS_URL)
    use_redis_cache(settings, TEST_REDIS_URL, prefix=real.prefix)
    yield real
    real.cleanup()


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HungServer:
    """Accepts TCP connections and never answers: a hung or partitioned Redis."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.05)  # so that the accept loop sees `stopped`
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.connections = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self.connections.append(conn)

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()
        for conn in self.connections:
            conn.close()


@pytest.fixture
def hung_server():
    server = HungServer()
    yield server
    server.close()


# --- S3: a real S3-compatible server over HTTP for tests marked `s3` (progress photos) -------

# CI starts one (`python -m moto.server`, .ci/run) and sets REQUIRE_S3=1; each test gets its
# own bucket, emptied and removed afterwards.
TEST_S3_ENDPOINT_URL = os.environ.get("TEST_S3_ENDPOINT_URL", "http://127.0.0.1:9000")


def _s3_unreachable() -> str | None:
    from urllib.parse import urlsplit

    where = urlsplit(TEST_S3_ENDPOINT_URL)
    try:
        socket.create_connection((where.hostname, where.port or 80), timeout=0.5).close()
    except OSError as error:
        return f"{type(error).__name__}: {error}"
    return None


@pytest.fixture
def s3_photos(settings):
    """The photos storage on a fresh bucket of the S3 server at TEST_S3_ENDPOINT_URL."""
    import boto3
    from django.core.files.storage import storages

    problem = _s3_unreachable()
    if problem:
        pytest.fail(f"S3 at {TEST_S3_ENDPOINT_URL} is unreachable ({problem}) and REQUIRE_S3=1")
    bucket = f"fitbud-test-{uuid.uuid4().hex[:16]}"
    credentials = {
        "endpoint_url": TEST_S3_ENDPOINT_URL,
        "region_name": "us-east-1",
        "aws_access_key_id": "fitbud-test",
        "aws_secret_access_key": "fitbud-test-secret",
    }
    s3 = boto3.client("s3", **credentials)
    s3.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": TEST_S3_ENDPOINT_URL,
                "region_name": "us-east-1",
                "access_key": credentials["aws_access_key_id"],
                "secret_key": credentials["aws_secret_access_key"],
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.PHOTO_URL_SECONDS,
                "file_overwrite": False,
            },
        },
    }
    yield s3, bucket, storages["photos"]
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def pytest_collection_modifyitems(config, items):
    # Row-lock and thread tests are meaningful on PostgreSQL only; CI runs both databases.
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)
    # Tests against a real Redis: skipped when there is none, unless REQUIRE_REDIS=1 (CI),
    # where the real_redis fixture fails them instead.
    marked = [item for item in items if "redis" in item.keywords]
    if marked and os.environ.get("REQUIRE_REDIS") != "1":
        problem = _redis_unreachable()
        if problem:
            skip = pytest.mark.skip(reason=f"needs Redis at {TEST_REDIS_URL} ({problem})")
            for item in marked:
                item.add_marker(skip)
    marked = [item for item in items if "s3" in item.keywords]
    if marked and os.environ.get("REQUIRE_S3") != "1":
        problem = _s3_unreachable()
        if problem:
            skip = pytest.mark.skip(reason=f"needs S3 at {TEST_S3_ENDPOINT_URL} ({problem})")
            for item in marked:
                item.add_marker(skip)


@pytest.fixture
def tmp_photo_storage(settings, tmp_path):
    """Photos and message attachments in the test's own temporary directory (the apps that
    store files make it autouse in their conftest)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "photos")},
        },
    }
    return storages["photos"]
