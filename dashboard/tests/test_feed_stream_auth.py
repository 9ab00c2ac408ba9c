"""Who may open and keep the live stream: the error body, stream tickets, the re-check of an
open stream, and access logs that never show a credential (docs/feed.md, docs/security.md)."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import services as account_services
from conftest import assert_error, auth_client
from dashboard import stream_auth
from dashboard.api import feed_views
from dashboard.tests.test_feed_stream import (
    URL,
    bearer,
    frames,
    read_to_end,
    read_until,
    write_in_another_connection,
)
from fitbud import access_log
from progress.tests.factories import MealLogFactory

TICKET_URL = "/api/v1/feed/stream/ticket/"


def test_the_routes_are_the_named_ones():
    assert reverse("feed-stream") == URL
    assert reverse("feed-stream-ticket") == TICKET_URL


def open_stream(params=None, headers=None):
    async def scenario():
        return await AsyncClient().get(URL, params or {}, headers=headers or {})

    return async_to_sync(scenario)()


def ticket_for(user) -> dict:
    response = auth_client(user).post(TICKET_URL)
    assert response.status_code == 200, response.content
    return response.json()


# The 401 body --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["header", "query"])
def test_a_bad_token_is_a_plain_uniform_401_not_a_python_repr(trainer, where):
    token = bearer(trainer, lifetime=timedelta(seconds=-1)) if where == "header" else "not-a-jwt"
    response = (
        open_stream(headers={"Authorization": f"Bearer {token}"})
        if where == "header"
        else open_stream({"access_token": token})
    )

    body = assert_error(response, 401, "token_not_valid")
    detail = body["errors"][0]["detail"]
    assert "ErrorDetail" not in detail and "{" not in detail, detail
    assert detail == ("Token is expired" if where == "header" else "Token is invalid")


@pytest.mark.django_db
def test_a_token_of_a_changed_password_is_refused_with_its_code(trainer):
    token = bearer(trainer)
    trainer.set_password("a-new-long-password-2026")
    trainer.save()

    body = assert_error(open_stream({"access_token": token}), 401, "password_changed")
    assert body["errors"][0]["detail"] == "The user's password has been changed."


# Stream tickets -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_trainer_gets_a_ticket_that_opens_the_stream(trainer, monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.2)
    issued = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(issued, tick=True):
        body = ticket_for(trainer)
        response = open_stream({"ticket": body["ticket"]})
        assert response.status_code == 200

        async def drain():
            return await read_to_end(response.streaming_content)

        assert ": connected" in async_to_sync(drain)()
    assert set(body) == {"ticket", "expires_at"}
    valid_for = datetime.fromisoformat(body["expires_at"]) - issued
    assert timedelta(seconds=59) < valid_for <= timedelta(seconds=61)


@pytest.mark.django_db
def test_clients_and_anonymous_get_no_ticket(client_user, api_client):
    assert_error(auth_client(client_user).post(TICKET_URL), 403, "permission_denied")
    assert_error(api_client.post(TICKET_URL), 401, "not_authenticated")


@pytest.mark.django_db
def test_a_ticket_expires_after_a_minute(trainer):
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):
        ticket = ticket_for(trainer)["ticket"]
    with time_machine.travel("2026-12-01 12:01:01+00:00", tick=False):
        assert_error(open_stream({"ticket": ticket}), 401, "ticket_not_valid")


@pytest.mark.django_db
def test_a_ticket_dies_with_the_password_and_the_account(trainer):
    ticket = ticket_for(trainer)["ticket"]
    trainer.set_password("a-new-long-password-2026")
    trainer.save()
    assert_error(open_stream({"ticket": ticket}), 401, "ticket_not_valid")

    ticket = ticket_for(trainer)["ticket"]
    trainer.is_active = False
    trainer.save()
    assert_error(open_stream({"ticket": ticket}), 401, "ticket_not_valid")


@pytest.mark.django_db
def test_a_ticket_is_good_for_the_stream_only(trainer, trainer_api):
    ticket = ticket_for(trainer)["ticket"]
    tampered = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")
    assert_error(open_stream({"ticket": tampered}), 401, "ticket_not_valid")
    # Not an access token anywhere else, nor on the stream's token parameter.
    assert_error(
        auth_client(None).get("/api/v1/feed/", HTTP_AUTHORIZATION=f"Bearer {ticket}"),
        401,
        "token_not_valid",
    )
    assert_error(open_stream({"access_token": ticket}), 401, "token_not_valid")
    # And an access token is no ticket.
    assert_error(open_stream({"ticket": bearer(trainer)}), 401, "ticket_not_valid")


@pytest.mark.django_db
def test_a_ticket_never_outlives_the_access_token_that_asked_for_it(trainer):
    with time_machine.travel("2026-12-01 12:00:00+00:00", tick=False):
        short = bearer(trainer, lifetime=timedelta(seconds=20))
        response = auth_client(None).post(TICKET_URL, HTTP_AUTHORIZATION=f"Bearer {short}")
        assert response.json()["expires_at"] == "2026-12-01T12:00:20.000000Z"
    with time_machine.travel("2026-12-01 12:00:30+00:00", tick=False):
        assert_error(open_stream({"ticket": response.json()["ticket"]}), 401, "ticket_not_valid")


# An open stream re-checks its user ----------------------------------------------------------


def _change_password(user):
    def change():
        user.set_password("a-new-long-password-2026")
        user.save()

    return change


def _deactivate(user):
    def change():
        user.is_active = False
        user.save()

    return change


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("revoke", ["password", "deactivate", "logout"])
def test_an_open_stream_ends_when_its_user_is_revoked(trainer, client_link, monkeypatch, revoke):
    # Long enough that only the re-check can end the stream within the read's timeout.
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 120.0)
    monkeypatch.setattr(feed_views, "RECHECK_SECONDS", 0.2)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(feed_views, "HEARTBEAT_SECONDS", 0.2)
    refresh = RefreshToken.for_user(trainer)  # a real session (OutstandingToken row)
    access = str(refresh.access_token)
    change = {
        "password": _change_password(trainer),
        "deactivate": _deactivate(trainer),
        "logout": lambda: account_services.refresh_token_revoke(refresh=str(refresh)),
    }[revoke]

    async def scenario():
        response = await AsyncClient().get(URL, headers={"Authorization": f"Bearer {access}"})
        stream = response.streaming_content
        text = await read_until(stream, lambda t: ": connected" in t)
        await asyncio.to_thread(
            write_in_another_connection, lambda: MealLogFactory(client=client_link, meal="A")
        )
        text += await read_until(stream, lambda t: "data: " in t)
        await asyncio.to_thread(write_in_another_connection, change)
        await asyncio.to_thread(
            write_in_another_connection, lambda: MealLogFactory(client=client_link, meal="B")
        )
        return text + await read_to_end(stream, timeout=10)

    text = async_to_sync(scenario)()

    # The stream ended by itself (read_to_end returned long before MAX_STREAM_SECONDS).
    delivered = [e["summary"].split(" logged ")[1][0] for e in frames(text)]
    if revoke == "logout":
        # Found by the periodic re-check: "B" may come first if it commits in between.
        assert delivered[0] == "A"
    else:
        # The catch-up query itself checks password and account: nothing after that commit.
        assert delivered == ["A"]


@pytest.mark.django_db
def test_a_stream_of_a_still_valid_user_is_not_ended_by_the_recheck(trainer, monkeypatch):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.6)
    monkeypatch.setattr(feed_views, "RECHECK_SECONDS", 0.05)
    monkeypatch.setattr(feed_views, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(feed_views, "HEARTBEAT_SECONDS", 0.1)
    refresh = RefreshToken.for_user(trainer)
    grant = stream_auth.grant_for(user=trainer, expires_at=refresh.access_token["exp"])
    assert grant.had_session and stream_auth.grant_still_valid(grant)

    response = open_stream(headers={"Authorization": f"Bearer {refresh.access_token}"})

    async def drain():
        return await read_to_end(response.streaming_content)

    assert ": heartbeat\n\n" in async_to_sync(drain)()


# Access logs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "GET /api/v1/feed/stream/?access_token=eyJ.a.b&last_event_id=4 HTTP/1.1",
            "GET /api/v1/feed/stream/?access_token=[redacted]&last_event_id=4 HTTP/1.1",
        ),
        (
            "/api/v1/feed/stream/?last_event_id=4&ticket=eyJ1Ijo:1x:abc",
            "/api/v1/feed/stream/?last_event_id=4&ticket=[redacted]",
        ),
        ("access_token=abc&x=1", "access_token=[redacted]&x=1"),  # gunicorn's %(q)s
        ("/api/v1/feed/?after=7&not_a_ticket=3", "/api/v1/feed/?after=7&not_a_ticket=3"),
        ("/api/v1/x/?ACCESS_TOKEN=abc%20d", "/api/v1/x/?ACCESS_TOKEN=[redacted]"),
    ],
)
def test_credentials_in_query_strings_are_redacted(line, expected):
    assert access_log.redact(line) == expected


def _gunicorn_logger():
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", "fitbud.access_log.RedactingLogger")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s %(q)s')
    return config.logger_class(config)


def test_the_gunicorn_and_uvicorn_access_logs_never_show_a_token(caplog):
    # The same class gunicorn.conf.py names; uvicorn's access logger (the ASGI worker) writes
    # through gunicorn's access handlers, so both go through the redacting filter.
    glogger = _gunicorn_logger()
    handler = glogger.access_log.handlers[0]
    seen: list[str] = []
    handler.emit = lambda record: seen.append(handler.format(record))  # type: ignore[method-assign]

    class Response:
        status = "200 OK"
        status_code = 200
        headers = ()
        sent = 0

    class Request:
        headers = ()

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/feed/stream/?access_token=eyJ.secret.sig",
        "PATH_INFO": "/api/v1/feed/stream/",
        "QUERY_STRING": "access_token=eyJ.secret.sig",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    glogger.access(Response(), Request(), environ, timedelta(milliseconds=3))
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers, uvicorn_access.propagate = [handler], False
    try:
        uvicorn_access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5555",
            "GET",
            "/api/v1/feed/stream/?ticket=eyJ1.secret:sig",
            "1.1",
            200,
        )
    finally:
        uvicorn_access.handlers, uvicorn_access.propagate = [], True

    assert len(seen) == 2, seen
    assert all("secret" not in line for line in seen), seen
    assert "access_token=[redacted]" in seen[0] and "ticket=[redacted]" in seen[1]


def test_gunicorn_conf_uses_the_redacting_logger():
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert conf["logger_class"] == "fitbud.access_log.RedactingLogger"


@pytest.mark.django_db
def test_a_malformed_authorization_header_is_a_uniform_401(trainer):
    response = open_stream(headers={"Authorization": "Bearer two parts"})
    assert_error(response, 401, "bad_authorization_header")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("query", "²"),  # str.isdigit() said yes, int() raised: a 500 before
        ("query", "٣"),
        ("query", "null"),
        ("query", "1.5"),
        ("query", ""),
        ("header", "abc"),
        ("header", ""),
        ("both", "null"),  # a valid header does not hide a bad query value (the fuzzer's)
    ],
)
def test_a_last_event_id_that_is_not_an_integer_is_a_400(trainer, where, value):
    headers = {"Authorization": f"Bearer {bearer(trainer)}"}
    if where == "both":
        response = open_stream({"last_event_id": value}, headers={**headers, "Last-Event-ID": "0"})
        attr = "last_event_id"
    elif where == "header":
        response = open_stream(headers={**headers, "Last-Event-ID": value})
        attr = "Last-Event-ID"
    else:
        response = open_stream({"last_event_id": value}, headers=headers)
        attr = "last_event_id"
    body = assert_error(response, 400, "invalid", attr=attr)
    assert body["type"] == "validation_error"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-1", "+0", "9" * 19, "0" * 30])
def test_an_integer_last_event_id_out_of_range_starts_the_stream_live(
    trainer, client_link, monkeypatch, value
):
    monkeypatch.setattr(feed_views, "MAX_STREAM_SECONDS", 0.1)
    MealLogFactory(client=client_link, meal="Old")
    response = open_stream(
        {"last_event_id": value}, headers={"Authorization": f"Bearer {bearer(trainer)}"}
    )
    assert response.status_code == 200

    async def drain():
        return await read_to_end(response.streaming_content)

    text = async_to_sync(drain)()
    assert ": connected" in text
    # "+0" and "000…" mean 0: everything is replayed; the others start live.
    assert len(frames(text)) == (1 if value.strip("+0") == "" else 0)
