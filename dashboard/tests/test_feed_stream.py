"""The Server-Sent Events stream: pushed events, resume, heartbeats and authentication.

On PostgreSQL the event reaches the stream through LISTEN/NOTIFY; on SQLite through the
polling fallback. The same tests run on both.
"""

import asyncio
import json
import threading
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection
from django.test import AsyncClient
from rest_framework_simplejwt.tokens import AccessToken

from conftest import assert_error
from dashboard import feed
from dashboard.api import feed_views
from progress.tests.factories import MealLogFactory, WorkoutLogFactory

URL = "/api/v1/feed/stream/"


def bearer(user, lifetime: timedelta | None = None) -> str:
    token = AccessToken.for_user(user)
    if lifetime is not None:
        token.set_exp(lifetime=lifetime)
    return str(token)


def frames(text: str) -> list[dict]:
    """The data of every event frame in an SSE text."""
    return [
        json.loads(line[len("data: ") :])
        for block in text.split("\n\n")
        for line in block.splitlines()
        if line.startswith("data: ")
    ]


async def read_until(stream, done, timeout: float = 5.0) -> str:
    text, deadline = "", time.monotonic() + timeout
    while not done(text):
        chunk = await asyncio.wait_for(anext(stream), max(0.01, deadline - time.monotonic()))
        text += chunk.decode()
    return text


async def read_to_end(stream, timeout: float = 5.0) -> str:
    text = ""
    async with asyncio.timeout(timeout):
        async for chunk in stream:
            text += chunk.decode()
    return text


def write_in_another_connection(make) -> None:
    """Run `make` in its own thread and database connection, committed when it returns."""
    errors: list[BaseException] = []

    def target():
        try:
            for attempt in range(5):
                try:
                    make()
                    return
                except OperationalError:  # shared-cache SQLite: table briefly locked by a read
                    time.sleep(0.05 * (attempt + 1))
            make()
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert not errors, errors


@pytest.fixture
def short_streams(monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 2.5)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.2)


@pytest.mark.django_db(transaction=True)
def test_the_stream_pushes_an_event_written_by_another_connection(
    trainer, client_link, other_client_link, short_streams
):
    async def scenario():
        response = await AsyncClient().get(
            URL, headers={"Authorization": f"Bearer {bearer(trainer)}"}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-cache"
        stream = response.streaming_content
        opening = await read_until(stream, lambda text: ": connected" in text)
        assert opening.startswith("retry: 3000\n\n")

        # Another trainer's activity first: it must never reach this stream.
        await asyncio.to_thread(
            write_in_another_connection, lambda: WorkoutLogFactory(client=other_client_link)
        )
        await asyncio.to_thread(
            write_in_another_connection,
            lambda: MealLogFactory(client=client_link, meal="Dinner"),
        )
        committed = time.monotonic()
        pushed = await read_until(stream, lambda text: "data: " in text)
        latency = time.monotonic() - committed
        rest = await read_to_end(stream)
        return pushed + rest, latency

    text, latency = async_to_sync(scenario)()

    events = frames(text)
    assert [(e["kind"], e["client"]["id"]) for e in events] == [("meal.logged", client_link.pk)]
    assert events[0]["summary"].startswith("Cleo logged Dinner")
    assert f"id: {events[0]['id']}\n" in text
    assert latency < 1.0, latency  # the promise: within a second of the commit


@pytest.mark.django_db
def test_the_stream_resumes_after_the_last_event_id(trainer, client_link, monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.3)
    first, second, third = (MealLogFactory(client=client_link, meal=m) for m in "ABC")
    from dashboard.models import ActivityEvent

    first_id = ActivityEvent.objects.get(object_id=str(first.pk)).pk

    async def scenario():
        response = await AsyncClient().get(
            URL,
            headers={"Authorization": f"Bearer {bearer(trainer)}", "Last-Event-ID": str(first_id)},
        )
        return await read_to_end(response.streaming_content)

    events = frames(async_to_sync(scenario)())

    assert [e["object"]["id"] for e in events] == [str(second.pk), str(third.pk)]


@pytest.mark.django_db
def test_a_stream_too_far_behind_is_told_to_reload(trainer, client_link, monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.3)
    monkeypatch.setattr(feed_views, "REPLAY_MAX", 3)
    for meal in "ABCD":
        MealLogFactory(client=client_link, meal=meal)

    async def scenario():
        response = await AsyncClient().get(
            URL, {"access_token": bearer(trainer), "last_event_id": "0"}
        )
        return await read_to_end(response.streaming_content)

    text = async_to_sync(scenario)()

    assert "event: reset\ndata: {}\n\n" in text
    assert frames(text) == [{}]  # the reset only: nothing old trickles in afterwards


@pytest.mark.django_db
def test_the_stream_accepts_the_token_in_the_query_string(trainer, monkeypatch):
    # EventSource cannot send headers, so browsers pass the access token in the URL.
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.1)

    async def scenario():
        response = await AsyncClient().get(URL, {"access_token": bearer(trainer)})
        return response.status_code, await read_to_end(response.streaming_content)

    status, text = async_to_sync(scenario)()

    assert status == 200
    assert ": connected" in text


@pytest.mark.django_db
def test_an_idle_stream_sends_heartbeats(trainer, monkeypatch):
    monkeypatch.setattr(feed_views, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.5)

    async def scenario():
        response = await AsyncClient().get(URL, {"access_token": bearer(trainer)})
        return await read_to_end(response.streaming_content)

    assert ": heartbeat\n\n" in async_to_sync(scenario)()


@pytest.mark.django_db
def test_the_stream_ends_when_the_access_token_expires(trainer):
    async def scenario():
        started = time.monotonic()
        response = await AsyncClient().get(
            URL, {"access_token": bearer(trainer, lifetime=timedelta(seconds=3))}
        )
        await read_to_end(response.streaming_content)
        return time.monotonic() - started

    # 3 s of token life leave room for opening the stream on a busy machine (with 1 s, a
    # loaded CI run once got its 401 before the stream opened); the default stream lasts 300 s.
    assert async_to_sync(scenario)() < 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        (None, 401, "not_authenticated"),
        ("not-a-jwt", 401, "token_not_valid"),
        ("client", 403, "permission_denied"),
    ],
)
def test_only_trainers_may_open_the_stream(client_user, credentials, status, code):
    if credentials == "client":
        credentials = bearer(client_user)
    params = {"access_token": credentials} if credentials else {}

    async def scenario():
        return await AsyncClient().get(URL, params)

    assert_error(async_to_sync(scenario)(), status, code)


@pytest.mark.django_db
def test_an_expired_token_in_the_header_is_a_401(trainer):
    token = bearer(trainer, lifetime=timedelta(seconds=-1))

    async def scenario():
        return await AsyncClient().get(URL, headers={"Authorization": f"Bearer {token}"})

    assert_error(async_to_sync(scenario)(), 401, "token_not_valid")


@pytest.mark.django_db
def test_the_stream_only_answers_get(trainer):
    async def scenario():
        return await AsyncClient().post(URL, {"access_token": bearer(trainer)})

    assert_error(async_to_sync(scenario)(), 405, "method_not_allowed")


@pytest.mark.django_db
def test_a_wsgi_server_answers_that_the_stream_needs_asgi(trainer, client):
    # The sync test client is a WSGI request, like gunicorn's sync workers or runserver.
    response = client.get(URL, {"access_token": bearer(trainer)})
    body = assert_error(response, 503, "stream_unavailable")
    assert "feed/?after=" in body["errors"][0]["detail"]


def test_the_listener_routes_notifications_to_the_trainers_streams_only():
    async def scenario():
        listener = feed.FeedListener()
        mine: asyncio.Queue[int] = asyncio.Queue()
        theirs: asyncio.Queue[int] = asyncio.Queue()
        listener._queues[1].add(mine)
        listener._queues[2].add(theirs)
        for payload in ("1:41", "2:42", "garbage", "1:", ":7"):
            listener._dispatch(payload)
        return mine.get_nowait(), mine.qsize(), theirs.get_nowait(), theirs.qsize()

    assert async_to_sync(scenario)() == (41, 0, 42, 0)
