"""The live stream across faults: a lost LISTEN connection, ids that commit out of order, and
a database that is away when a stream opens or while it is open (docs/feed.md)."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import AsyncClient

from conftest import assert_error, write_left_open
from dashboard import feed
from dashboard.api import feed_views
from dashboard.models import ActivityEvent
from dashboard.tests.test_feed_stream import (
    URL,
    bearer,
    frames,
    read_to_end,
    read_until,
    write_in_another_connection,
)
from progress.tests.factories import MealLogFactory


def _terminate_listen_backend() -> int:
    """What a PostgreSQL restart does to the LISTEN connection: its backend goes away."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND query = %s",
            [f"LISTEN {feed.FEED_CHANNEL}"],
        )
        return len(cursor.fetchall())


def _meal(client_link, name):
    def make():
        MealLogFactory(client=client_link, meal=name)

    return make


def _unsignalled_meal(client_link, name):
    def make():
        from django.contrib.contenttypes.models import ContentType

        from dashboard.models import ActivityEvent
        from progress.models import MealLog

        meal = MealLogFactory.build(client=client_link, meal=name)
        MealLog.objects.bulk_create([meal])
        ActivityEvent.objects.bulk_create(
            [
                ActivityEvent(
                    studio_id=client_link.studio_id,
                    trainer_id=client_link.trainer_id,
                    client=client_link,
                    kind="meal.logged",
                    summary=f"Cleo logged {name}: 1 item",
                    content_type=ContentType.objects.get_for_model(MealLog),
                    object_id=str(meal.pk),
                )
            ]
        )

    return make


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_events_committed_while_the_listen_connection_is_down_are_all_delivered_once(
    trainer, client_link, monkeypatch
):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 6.0)
    monkeypatch.setattr(feed_views, "HEARTBEAT_SECONDS", 60.0)  # no catch-up by timeout

    async def scenario():
        response = await AsyncClient().get(
            URL, headers={"Authorization": f"Bearer {bearer(trainer)}"}
        )
        stream = response.streaming_content
        text = await read_until(stream, lambda t: ": connected" in t)
        listener = feed.feed_listener()
        await asyncio.to_thread(write_in_another_connection, _meal(client_link, "Before"))
        text += await read_until(stream, lambda t: "Before" in t)

        killed = []
        await asyncio.to_thread(
            write_in_another_connection, lambda: killed.append(_terminate_listen_backend())
        )
        assert killed == [1]
        # The listener waits a second before reconnecting: these commit while it is down.
        for name in ("Down1", "Down2", "Down3"):
            await asyncio.to_thread(write_in_another_connection, _meal(client_link, name))
        async with asyncio.timeout(10):
            while listener.connects < 2:
                await asyncio.sleep(0.05)
        # A notification after the reconnect must not move the stream past the lost ones.
        await asyncio.to_thread(write_in_another_connection, _meal(client_link, "After"))
        text += await read_to_end(stream, timeout=10)
        return text, listener.connects

    text, connects = async_to_sync(scenario)()

    assert connects >= 2  # the LISTEN backend really was terminated and came back
    meals = [e["summary"].split(" logged ")[1].split(":")[0] for e in frames(text)]
    assert meals == ["Before", "Down1", "Down2", "Down3", "After"]
    ids = [e["id"] for e in frames(text)]
    assert ids == sorted(ids) == sorted(set(ids))
    assert ids == list(
        ActivityEvent.objects.filter(studio_id=trainer.membership.studio_id)
        .order_by("id")
        .values_list("id", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_whose_lower_id_commits_late_is_delivered_once_and_ids_never_go_back(
    trainer, client_link, monkeypatch
):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 3.0)

    async def scenario():
        response = await AsyncClient().get(
            URL, headers={"Authorization": f"Bearer {bearer(trainer)}"}
        )
        stream = response.streaming_content
        text = await read_until(stream, lambda t: ": connected" in t)

        early_delivered = threading.Event()

        def late_and_early():
            # "Late" takes its id first but commits after "Early" has been delivered. Writes
            # of one tenant mostly queue on its generation row (fitbud_api.TenantGeneration),
            # but an event id drawn before that lock is taken can still commit late; the
            # late write here draws its id without signals, so "Early" is not held behind it.
            with write_left_open(_unsignalled_meal(client_link, "Late")):
                write_in_another_connection(_meal(client_link, "Early"))
                assert early_delivered.wait(10)

        task = asyncio.ensure_future(asyncio.to_thread(late_and_early))
        text += await read_until(stream, lambda t: "Early" in t)
        early_delivered.set()
        await task
        text += await read_to_end(stream, timeout=10)
        return text

    text = async_to_sync(scenario)()

    events = frames(text)
    assert [e["summary"].split(" logged ")[1].split(":")[0] for e in events] == ["Early", "Late"]
    early, late = events
    assert late["id"] < early["id"]
    # The frame of the late event carries the highest id sent, so Last-Event-ID never goes
    # back and a resume does not replay "Early".
    assert f"id: {early['id']}\ndata: " in text
    assert text.count(f"id: {early['id']}\n") == 2
    assert f"id: {late['id']}\n" not in text


def test_the_cursor_looks_back_until_a_delivered_id_is_old_enough(monkeypatch):
    monkeypatch.setattr(feed_views, "LOOKBACK_SECONDS", 60.0)
    cursor = feed_views._Cursor(10)
    event = {"id": 15}
    assert cursor.take([event], now=100.0) == [feed_views._frame(event, 15)]
    assert cursor.take([event], now=101.0) == []  # de-duplicated by id
    cursor.settle(now=150.0)
    assert (cursor.floor, set(cursor.recent)) == (10, {15})  # 12 may still commit
    late = {"id": 12}
    assert cursor.take([late], now=151.0) == [feed_views._frame(late, 15)]
    cursor.settle(now=160.0)
    assert (cursor.floor, set(cursor.recent)) == (15, set())  # 15 was seen 60 s ago


@pytest.mark.django_db
def test_a_stream_opened_during_a_database_outage_is_a_503_with_retry_after(trainer, monkeypatch):
    token = bearer(trainer)

    def unreachable(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    async def scenario():
        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", unreachable)
        try:
            return await AsyncClient().get(URL, headers={"Authorization": f"Bearer {token}"})
        finally:
            monkeypatch.undo()

    response = async_to_sync(scenario)()

    body = assert_error(response, 503, "database_unavailable")
    assert body["type"] == "server_error"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_an_open_stream_rides_out_a_database_outage_and_catches_up(
    trainer, client_link, monkeypatch
):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 3.0)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.1)
    real = feed.feed_after
    failures = {"left": 0}

    def flaky(**kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(feed, "feed_after", flaky)

    async def scenario():
        response = await AsyncClient().get(
            URL, headers={"Authorization": f"Bearer {bearer(trainer)}"}
        )
        assert response.status_code == 200
        stream = response.streaming_content
        text = await read_until(stream, lambda t: ": connected" in t)
        failures["left"] = 3  # the next reads fail, as while PostgreSQL restarts
        await asyncio.to_thread(write_in_another_connection, _meal(client_link, "During"))
        text += await read_to_end(stream, timeout=10)
        return text

    text = async_to_sync(scenario)()

    assert failures["left"] == 0
    assert [e["summary"].split(" logged ")[1].split(":")[0] for e in frames(text)] == ["During"]


@pytest.mark.django_db
def test_a_stream_waits_between_attempts_while_the_database_is_away(trainer, monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 1.0)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(feed_views, "RECHECK_SECONDS", 0.0)
    attempts = {"n": 0}

    def down(*args, **kwargs):
        attempts["n"] += 1
        raise OperationalError("the database system is starting up")

    async def scenario():
        response = await AsyncClient().get(
            URL, headers={"Authorization": f"Bearer {bearer(trainer)}"}
        )
        assert response.status_code == 200
        monkeypatch.setattr(feed, "feed_after", down)
        monkeypatch.setattr(feed_views.stream_auth, "grant_still_valid", down)
        return await read_to_end(response.streaming_content)

    text = async_to_sync(scenario)()

    assert ": connected" in text and frames(text) == []
    # About one attempt per POLL_SECONDS over the stream's second, not a busy loop.
    assert 1 <= attempts["n"] <= 30, attempts


@pytest.mark.django_db
def test_every_event_the_stream_sends_fits_the_published_schema(trainer, client_link, monkeypatch):
    # OpenAPI 3.0 describes an event stream by the schema of one event (what schemathesis
    # validates each event against when it fuzzes feed/stream/).
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.3)
    monkeypatch.setattr(feed_views, "REPLAY_MAX", 2)
    for meal in "AB":
        MealLogFactory(client=client_link, meal=meal)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/feed/stream/"]["get"]
    event_schema = operation["responses"]["200"]["content"]["text/event-stream"]["schema"]
    event_schema = {**event_schema, "components": schema["components"]}

    def events(params):
        async def scenario():
            response = await AsyncClient().get(
                URL, params, headers={"Authorization": f"Bearer {bearer(trainer)}"}
            )
            return await read_to_end(response.streaming_content)

        parsed = []
        for block in async_to_sync(scenario)().split("\n\n"):
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if "data" in fields:
                parsed.append({"event": fields.get("event", "message"), **fields})
        return parsed

    sent = events({"last_event_id": "0"})  # the replay of A and B
    MealLogFactory(client=client_link, meal="C")
    sent += events({"last_event_id": "0"})  # three missed: the reset
    assert [e["event"] for e in sent] == ["message", "message", "reset"]
    for event in sent:
        jsonschema.validate(event, event_schema)
