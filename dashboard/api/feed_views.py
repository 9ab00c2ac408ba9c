"""The trainer's activity feed: a cursor-paginated list and a Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

from dashboard import feed, stream_auth
from dashboard.api.feed_serializers import (
    FeedEventSerializer,
    FeedStreamEventSerializer,
    StreamTicketSerializer,
)
from dashboard.models import ActivityEvent
from fitbud.api.filters import FilterBackend, IdFilter, StrictFilterSet, UpdatedSinceFilter
from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import IsTrainer
from fitbud.api.response_cache import CachedListMixin
from fitbud.api.schema import ErrorResponseSerializer, error_response


class FeedPagination(CursorPagination):
    ordering = ("-created_at", "-id")  # matches dashboard_feed_idx (trainer, -created_at, -id)


class FeedFilter(StrictFilterSet):
    client = IdFilter(field_name="client_id", help_text="Only this client's events.")
    kind = filters.MultipleChoiceFilter(
        choices=ActivityEvent.Kind.choices,
        help_text="Only these kinds (repeat the parameter for several).",
    )
    after = IdFilter(
        field_name="id",
        lookup_expr="gt",
        min_value=0,  # "after=0": everything, for an app that has no event yet
        help_text=(
            "Polling: only events newer than this event id (send the newest id you have). "
            "An empty page means nothing new."
        ),
    )

    class Meta:
        model = ActivityEvent
        fields = ["client", "kind", "after"]


@extend_schema(
    summary="Activity feed (trainer)",
    description=(
        "What the trainer's clients did, newest first, cursor paginated. Poll cheaply with "
        "`?after=<newest event id you have>`; or open `feed/stream/` for pushed events."
    ),
)
class FeedView(CachedListMixin, generics.ListAPIView):
    permission_classes = [IsTrainer]
    serializer_class = FeedEventSerializer
    pagination_class = FeedPagination
    filter_backends = [FilterBackend, UpdatedSinceFilter]
    updated_since_field = "created_at"  # events are never changed
    filterset_class = FeedFilter
    queryset = ActivityEvent.objects.none()  # the model for the schema; get_queryset scopes rows

    def get_queryset(self):
        return feed.feed_list(user=self.request.user)


# Server-Sent Events ------------------------------------------------------------------------

HEARTBEAT_SECONDS = getattr(settings, "FEED_STREAM_HEARTBEAT_SECONDS", 15.0)
POLL_SECONDS = getattr(settings, "FEED_STREAM_POLL_SECONDS", 1.0)
MAX_STREAM_SECONDS = getattr(settings, "FEED_STREAM_MAX_SECONDS", 300.0)
# How long a transaction that inserted an event may stay open before it commits: an id
# handed out before a delivered one is looked for again until that one is this old.
LOOKBACK_SECONDS = getattr(settings, "FEED_STREAM_LOOKBACK_SECONDS", 60.0)
# How often an open stream re-checks its user (active, password, session) in the database.
RECHECK_SECONDS = getattr(settings, "FEED_STREAM_RECHECK_SECONDS", 15.0)
RETRY_AFTER_SECONDS = 5
BATCH = 100
REPLAY_MAX = 500


def _error(status: int, code: str, detail: str, attr: str | None = None) -> JsonResponse:
    error_type = "server_error" if status >= 500 else "client_error"
    if status == 400:
        error_type = "validation_error"
    return JsonResponse(
        {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]},
        status=status,
    )


def _database_unavailable() -> JsonResponse:
    response = _error(
        503, "database_unavailable", "The database is not reachable; try again shortly."
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class _Refused(Exception):
    """The stream is refused before it starts: 401 (credentials) or 403 (not a trainer)."""

    def __init__(self, code: str, detail: str, status: int = 401, attr: str | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.status, self.attr = code, detail, status, attr


_NOT_A_TRAINER = ("permission_denied", "This endpoint is for trainers.", 403)


def _auth_failure(exc: Exception) -> _Refused:
    """simplejwt's exceptions as one (code, message) pair, as the API's handler reports them."""
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):
        messages = detail.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else {}
        text = (first.get("message") if isinstance(first, dict) else None) or detail.get("detail")
        return _Refused(str(detail.get("code") or "token_not_valid"), str(text))
    code = getattr(detail, "code", None) or "token_not_valid"
    return _Refused(str(code), str(detail or exc))


def _authenticate(
    request: HttpRequest, *, trainers_only: bool = True
) -> stream_auth.StreamGrant | None:
    """The stream's grant from `Authorization: Bearer`, `?ticket=` or (deprecated)
    `?access_token=`; None without credentials. Reads the database, never the cache.
    `trainers_only=False` (stream/): clients too."""

    def allowed(user) -> bool:
        return user.is_trainer or (not trainers_only and user.is_client)

    auth = JWTAuthentication()
    header = auth.get_header(request)
    try:
        raw = auth.get_raw_token(header) if header is not None else None
    except AuthenticationFailed as exc:  # "Bearer" with more or fewer than one value
        raise _auth_failure(exc) from None
    ticket = request.GET.get("ticket")
    if raw is None and ticket:
        try:
            user, expires_at = stream_auth.ticket_read(ticket)
        except stream_auth.TicketInvalid:
            raise _Refused(
                "ticket_not_valid",
                "The stream ticket is invalid or has expired; ask feed/stream/ticket/ again.",
            ) from None
        if not allowed(user):
            raise _Refused(*_NOT_A_TRAINER)
        return stream_auth.grant_for(user=user, expires_at=expires_at, trainers_only=trainers_only)
    if raw is None:
        query_token = request.GET.get("access_token")
        raw = query_token.encode() if query_token else None
    if raw is None:
        return None
    try:
        token = auth.get_validated_token(raw)
        user = auth.get_user(token)
    except (InvalidToken, AuthenticationFailed, TokenError) as exc:
        raise _auth_failure(exc) from None
    if not allowed(user):
        raise _Refused(*_NOT_A_TRAINER)
    return stream_auth.grant_for(
        user=user, expires_at=float(token["exp"]), trainers_only=trainers_only
    )


def _release_connection() -> None:
    # A stream lives for minutes: give the request's connection back between queries,
    # as Django does at the end of a request (persistent connections are kept).
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


class _Cursor:
    """What a stream has sent: every event id up to `floor`, and `recent` ids above it.

    Ids are handed out at insert, not at commit, so an event can commit after one with a
    higher id was sent. A catch-up therefore asks for everything above `floor` that is not
    in `recent`; `floor` moves up to an id only once it was seen LOOKBACK_SECONDS ago, by
    when every event with a lower id has committed or rolled back.
    """

    def __init__(self, floor: int) -> None:
        self.floor = floor
        self.high = floor  # the highest id sent: what the frames carry as `id:`
        self.recent: dict[int, float] = {}  # event id -> when it was read (monotonic)

    def settle(self, now: float) -> None:
        old = [event_id for event_id, seen in self.recent.items() if seen <= now - LOOKBACK_SECONDS]
        if old:
            self.floor = max(self.floor, *old)
            self.recent = {k: v for k, v in self.recent.items() if k > self.floor}

    def take(self, events: list[dict[str, Any]], now: float, frame=None) -> list[str]:
        """Frames for the events not sent yet; `frame(event)` renders one (after `high`
        moved) where the stream's frames are not the feed's (stream/)."""
        out = []
        for event in events:
            if event["id"] <= self.floor or event["id"] in self.recent:
                continue
            self.recent[event["id"]] = now
            self.high = max(self.high, event["id"])
            out.append(frame(event) if frame is not None else _frame(event, self.high))
        return out


def _catch_up(*, grant: stream_auth.StreamGrant, cursor: _Cursor, limit: int = BATCH) -> list[str]:
    """Frames for every committed event the stream has not sent, in id order (none once the
    user is deactivated or changed the password: checked by the same query)."""
    frames: list[str] = []
    while True:
        rows = feed.feed_after(
            user_id=grant.user_id,
            after=cursor.floor,
            exclude=cursor.recent,
            limit=limit,
            password_hash=grant.password_hash,
        )
        data = FeedEventSerializer(rows, many=True).data
        now = time.monotonic()  # after the read: the rows were visible by now
        frames += cursor.take(data, now)
        if len(data) < limit:
            break
    cursor.settle(now)
    _release_connection()
    return frames


def _opening(*, user_id: int, last_event_id: int | None) -> tuple[_Cursor, list[str]]:
    """Where the stream starts, and the frames it replays first (read before answering, so
    a database outage is a 503 rather than a broken stream)."""
    if last_event_id is None:
        cursor = _Cursor(feed.feed_newest_id(user_id=user_id))
        _release_connection()
        return cursor, []
    rows = feed.feed_after(user_id=user_id, after=last_event_id, limit=REPLAY_MAX + 1)
    missed = FeedEventSerializer(rows, many=True).data
    if len(missed) > REPLAY_MAX:
        # Too far behind to replay: tell the app to reload feed/, then go live.
        cursor = _Cursor(feed.feed_newest_id(user_id=user_id))
        _release_connection()
        return cursor, ["event: reset\ndata: {}\n\n"]
    cursor = _Cursor(last_event_id)
    frames = cursor.take(missed, time.monotonic())
    _release_connection()
    return cursor, frames


def _frame(event: dict[str, Any], frame_id: int) -> str:
    return f"id: {frame_id}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"


def _still_valid(grant: stream_auth.StreamGrant) -> bool | None:
    """True/False from the database; None when it cannot be asked (outage)."""
    try:
        return stream_auth.grant_still_valid(grant)
    except DatabaseError:
        return None
    finally:
        _release_connection()


async def _stream(
    *,
    grant: stream_auth.StreamGrant,
    cursor: Any,
    opening: list[str],
    until: float,
    catch_up_fn: Any = None,
    users: tuple[int, ...] = (),
) -> AsyncIterator[str]:
    """The stream loop of feed/stream/ and (with its own `catch_up_fn`, woken also by the
    rows of `users`) of stream/."""
    # Notifications name the studio; the catch-up then reads only what this member sees.
    studio_id = grant.studio_id
    listener = feed.feed_listener()
    queue = await listener.subscribe(studio_id, users=users) if listener is not None else None
    catch_up = sync_to_async(catch_up_fn or _catch_up)
    try:
        # Reconnect every few seconds on failure; the browser resends Last-Event-ID.
        yield "retry: 3000\n\n"
        for frame in opening:
            yield frame
        yield ": connected\n\n"
        quiet_since = last_check = time.monotonic()
        verified = True
        behind = True  # LISTEN is in place now: read what committed since the opening read
        while time.monotonic() < until:
            if not behind:
                wait = max(0.0, min(until - time.monotonic(), HEARTBEAT_SECONDS))
                if not verified:
                    wait = min(wait, POLL_SECONDS)
                if queue is not None:
                    # A notification (or the listener's RECONNECTED) only wakes us up; the
                    # heartbeat's timeout catches up too.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(queue.get(), wait)
                    while not queue.empty():
                        queue.get_nowait()
                else:
                    # No LISTEN/NOTIFY (SQLite): a cheap indexed poll every POLL_SECONDS.
                    await asyncio.sleep(min(wait, POLL_SECONDS))
            if not verified or time.monotonic() - last_check >= RECHECK_SECONDS:
                valid = await sync_to_async(_still_valid)(grant)
                if valid is False:
                    return  # revoked: the app's reconnect gets a 401
                verified = valid is True
                if verified:
                    last_check = time.monotonic()
            fresh: list[str] = []
            if verified:
                try:
                    fresh = await catch_up(grant=grant, cursor=cursor)
                except DatabaseError:
                    # The database is away: keep the stream open, read again soon.
                    verified = False
                    await sync_to_async(_release_connection)()
            behind = False  # from now on wait for a wake-up (or POLL_SECONDS while unverified)
            for frame in fresh:
                yield frame
            if fresh:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                # A comment line keeps proxies from closing an idle connection.
                yield ": heartbeat\n\n"
                quiet_since = time.monotonic()
    finally:
        if listener is not None and queue is not None:
            await listener.unsubscribe(studio_id, queue, users=users)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _last_event_id(request: HttpRequest) -> int | None:
    """The id to resume after: the `Last-Event-ID` header (EventSource sends back the last
    `id:` it got), else `?last_event_id=`. Either one present and not an integer: 400.
    Negative, or beyond any id (more than 18 digits): ignored, the stream starts live."""
    given = [
        (attr, raw)
        for attr, raw in (
            # EventSource sends the header only with a non-empty id: an empty one is a 400 too.
            ("Last-Event-ID", request.headers.get("Last-Event-ID")),
            ("last_event_id", request.GET.get("last_event_id")),
        )
        if raw is not None
    ]
    for attr, raw in given:
        if not _INTEGER.fullmatch(raw):
            raise _Refused("invalid", "A valid integer is required.", status=400, attr=attr)
    if not given:
        return None
    raw = given[0][1]
    digits = raw.lstrip("+")
    if digits.startswith("-") or len(digits.lstrip("0")) > 18:
        return None
    return int(digits)


def _open(request: HttpRequest) -> tuple[stream_auth.StreamGrant, _Cursor, list[str]] | None:
    grant = _authenticate(request)
    if grant is None:
        return None
    last_event_id = _last_event_id(request)
    cursor, opening = _opening(user_id=grant.user_id, last_event_id=last_event_id)
    grant = dataclasses.replace(grant, studio_id=feed.feed_studio_of(user_id=grant.user_id))
    return grant, cursor, opening


async def feed_stream(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        response = _error(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET"
        return response
    if not isinstance(request, ASGIRequest):
        # Under WSGI Django would collect the whole stream before sending a byte.
        return _error(
            503,
            "stream_unavailable",
            "Live updates need the ASGI server; poll feed/?after=<newest event id> instead.",
        )
    try:
        opened = await sync_to_async(_open)(request)
    except _Refused as exc:
        return _error(exc.status, exc.code, exc.detail, exc.attr)
    except DatabaseError:
        await sync_to_async(_release_connection)()
        return _database_unavailable()
    if opened is None:
        return _error(401, "not_authenticated", "Authentication credentials were not provided.")
    grant, cursor, opening = opened
    # Never outlive the access token: the app reconnects with a fresh one and Last-Event-ID.
    remaining = min(MAX_STREAM_SECONDS, grant.expires_at - time.time())
    response = StreamingHttpResponse(
        _stream(grant=grant, cursor=cursor, opening=opening, until=time.monotonic() + remaining),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through unbuffered
    return response


@extend_schema(
    summary="A ticket to open the live feed (trainer)",
    description=(
        "A short-lived, single-purpose ticket for `feed/stream/?ticket=`: browsers' "
        "EventSource cannot send the `Authorization` header, and an access token in a URL "
        "would be written to access logs. Valid 60 s to open a stream; bound to the user, "
        "their password and the access token's expiry (the stream ends with that token)."
    ),
    request=None,
    responses={200: StreamTicketSerializer},
)
class FeedStreamTicketView(APIView):
    permission_classes = [IsTrainer]

    def post(self, request):
        token_expires_at = float(request.auth["exp"])  # the access token that asks
        ticket, expires_at = stream_auth.ticket_issue(
            user=request.user, token_expires_at=token_expires_at
        )
        data = {"ticket": ticket, "expires_at": datetime.fromtimestamp(expires_at, tz=UTC)}
        return Response(StreamTicketSerializer(data).data)


class FeedStreamSchema(APIView):
    """Only describes `feed_stream` in the OpenAPI schema; DRF views cannot stream async."""

    permission_classes = [IsTrainer]

    @extend_schema(
        summary="Live activity feed (trainer, Server-Sent Events)",
        description=(
            "A `text/event-stream` of new feed events, each `id: <event id>` plus "
            "`data: <event JSON, as in feed/>`, pushed within a second of the commit, in id "
            "order, each once. A `: heartbeat` comment comes every 15 s. Authenticate with "
            "the `Authorization` header or, for browsers' EventSource which cannot set "
            "headers, `?ticket=` from `POST feed/stream/ticket/` (valid 60 s; "
            "`?access_token=<access token>` still works but is deprecated). The stream ends "
            "when the access token expires (or after 5 minutes), and soon after the user's "
            "password changes, the account is deactivated or their last session logs out; "
            "reconnect with `Last-Event-ID` (or `?last_event_id=`) to receive what was "
            "missed (more than 500 missed: an `event: reset` asks the app to reload `feed/`). "
            "A frame's `id:` is the highest event id sent so far. Served by the ASGI worker."
        ),
        parameters=[
            OpenApiParameter(
                "ticket",
                OpenApiTypes.STR,
                description="Stream ticket from `POST feed/stream/ticket/` (EventSource).",
            ),
            OpenApiParameter(
                "access_token",
                OpenApiTypes.STR,
                description="Deprecated: JWT access token (use `ticket`).",
                deprecated=True,
            ),
            OpenApiParameter(
                "last_event_id", OpenApiTypes.INT, description="Resume after this event id."
            ),
            OpenApiParameter(
                "Last-Event-ID",
                OpenApiTypes.INT,
                location=OpenApiParameter.HEADER,
                description="Resume after this event id (sent by EventSource on reconnect).",
            ),
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                response=FeedStreamEventSerializer,
                description="Server-Sent Events (the schema is that of one event).",
                examples=[
                    OpenApiExample(
                        "An event",
                        description=(
                            "On the wire: `id: 42` and `data: {...}` lines, then a blank line."
                        ),
                        value={
                            "event": "message",
                            "id": "42",
                            "data": (
                                '{"id":42,"client":{"id":7,"full_name":"Cleo Client"},'
                                '"kind":"workout.logged","summary":"Cleo logged Push: 2 '
                                'exercises, 45 min","created_at":"2026-11-27T18:02:11.120000Z",'
                                '"object":{"type":"workout_log","id":"6f1c1e5e-..."}}'
                            ),
                        },
                    )
                ],
            ),
            401: error_response(
                "No or bad credentials.",
                "not_authenticated",
                "token_not_valid",
                "ticket_not_valid",
                "user_not_found",
                "user_inactive",
                "password_changed",
            ),
            405: error_response("Only GET.", "method_not_allowed"),
            503: OpenApiResponse(
                ErrorResponseSerializer,
                description=(
                    "`database_unavailable` (with `Retry-After`, seconds): the database is "
                    "not reachable, try again. `stream_unavailable`: the request reached a "
                    "WSGI server, which cannot stream; poll `feed/?after=` instead."
                ),
                examples=[
                    OpenApiExample(
                        code,
                        value={
                            "type": "server_error",
                            "errors": [{"code": code, "detail": "...", "attr": None}],
                        },
                        response_only=True,
                    )
                    for code in ("database_unavailable", "stream_unavailable")
                ],
            ),
        },
    )
    def get(self, request):  # pragma: no cover - never routed
        raise NotImplementedError


# drf-spectacular documents views that carry a DRF `cls`; the async view borrows the schema.
feed_stream.cls = FeedStreamSchema  # type: ignore[attr-defined]
feed_stream.initkwargs = {}  # type: ignore[attr-defined]
