"""`stream/`: one live Server-Sent Events stream per user (docs/messaging.md).

Members get their feed events and their messages; clients get their messages; everyone gets
their own notifications. It is feed/stream/ (dashboard/api/feed_views.py) with another
catch-up: the same authentication (header, `?ticket=`), lifetime, re-checks, heartbeats,
LISTEN/NOTIFY wake-ups (by studio for feed events, by user for messages and notifications)
and polling on SQLite.

Frames: `id: <event position>.<notification position>`, `event: feed|message|notification`
(or `reset`), `data: <JSON>`. Each position is the highest id of its sequence sent so far;
`Last-Event-ID` (or `?last_event_id=`) `E.N` resumes both exactly.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from dashboard import feed, user_stream
from dashboard.api import feed_views as fv
from dashboard.api.feed_serializers import FeedEventSerializer, StreamTicketSerializer
from fitbud.api.permissions import IsTrainerOrClient
from fitbud.api.schema import ErrorResponseSerializer, error_response
from messaging.api.serializers import MessageSerializer
from notifications.api.serializers import NotificationSerializer


class UserCursor:
    """Where a stream/ is in each sequence (two feed_views._Cursor, late commits included)."""

    def __init__(self, events: int, notifications: int) -> None:
        self.events = fv._Cursor(events)
        self.notifications = fv._Cursor(notifications)

    def position(self) -> str:
        return f"{self.events.high}.{self.notifications.high}"

    def frame(self, item: dict[str, Any]) -> str:
        if item["data"] is None:
            return ""
        data = json.dumps(item["data"], separators=(",", ":"))
        return f"id: {self.position()}\nevent: {item['event']}\ndata: {data}\n\n"


def _event_items(rows) -> list[dict[str, Any]]:
    return user_stream.frame_items(
        rows,
        feed_data=lambda event: FeedEventSerializer(event).data,
        message_data=lambda message: MessageSerializer(message).data,
    )


def _notification_items(rows) -> list[dict[str, Any]]:
    return [
        {"id": row["id"], "event": "notification", "data": row}
        for row in NotificationSerializer(rows, many=True).data
    ]


def _catch_up(*, grant, cursor: UserCursor, limit: int = fv.BATCH) -> list[str]:
    frames: list[str] = []
    now = time.monotonic()
    for sequence, read, items in (
        (cursor.events, user_stream.events_after, _event_items),
        (cursor.notifications, user_stream.notifications_after, _notification_items),
    ):
        while True:
            rows = list(
                read(
                    user_id=grant.user_id,
                    after=sequence.floor,
                    exclude=sequence.recent,
                    limit=limit,
                    password_hash=grant.password_hash,
                )
            )
            now = time.monotonic()  # after the read: the rows were visible by now
            frames += sequence.take(items(rows), now, frame=cursor.frame)
            if len(rows) < limit:
                break
        sequence.settle(now)
    fv._release_connection()
    return [frame for frame in frames if frame]


_POSITION = re.compile(r"([0-9]{1,18})(?:\.([0-9]{1,18}))?")
# The same rule, stated in the schema (anything else is a 400).
POSITION_SCHEMA = {"type": "string", "pattern": r"^\s*([0-9]{1,18}(\.[0-9]{1,18})?)?\s*$"}


def _position(request: HttpRequest) -> tuple[int, int | None] | None:
    """(events, notifications) to resume after, from `Last-Event-ID`, else `?last_event_id=`:
    `E.N` (or `E`: notifications from now on); empty counts as absent. Either one present and
    anything else: 400 (both are checked, even when the header wins)."""
    positions = []
    for attr, raw in (
        ("Last-Event-ID", request.headers.get("Last-Event-ID")),
        ("last_event_id", request.GET.get("last_event_id")),
    ):
        if raw is None or not raw.strip():
            continue  # absent, or empty (no position yet): start from now
        match = _POSITION.fullmatch(raw.strip())
        if match is None:
            raise fv._Refused(
                "invalid", "Expected <event id>.<notification id>.", status=400, attr=attr
            )
        notifications = match.group(2)
        positions.append(
            (int(match.group(1)), int(notifications) if notifications is not None else None)
        )
    return positions[0] if positions else None


def _opening(*, user_id: int, position) -> tuple[UserCursor, list[str]]:
    newest_notification = None
    if position is None or position[1] is None:
        newest_notification = user_stream.notifications_newest_id(user_id=user_id)
    if position is None:
        cursor = UserCursor(user_stream.events_newest_id(user_id=user_id), newest_notification)
        fv._release_connection()
        return cursor, []
    events_from = position[0]
    notifications_from = position[1] if position[1] is not None else newest_notification
    events = user_stream.events_after(user_id=user_id, after=events_from, limit=fv.REPLAY_MAX + 1)
    notes = list(
        user_stream.notifications_after(
            user_id=user_id, after=notifications_from, limit=fv.REPLAY_MAX + 1
        )
    )
    if len(events) > fv.REPLAY_MAX or len(notes) > fv.REPLAY_MAX:
        # Too far behind to replay: the app reloads its lists, the stream goes on live.
        cursor = UserCursor(
            user_stream.events_newest_id(user_id=user_id),
            user_stream.notifications_newest_id(user_id=user_id),
        )
        fv._release_connection()
        return cursor, [f"id: {cursor.position()}\nevent: reset\ndata: {{}}\n\n"]
    cursor = UserCursor(events_from, notifications_from)
    now = time.monotonic()
    frames = cursor.events.take(_event_items(events), now, frame=cursor.frame)
    frames += cursor.notifications.take(_notification_items(notes), now, frame=cursor.frame)
    fv._release_connection()
    return cursor, [frame for frame in frames if frame]


def _open(request: HttpRequest):
    grant = fv._authenticate(request, trainers_only=False)
    if grant is None:
        return None
    position = _position(request)
    cursor, opening = _opening(user_id=grant.user_id, position=position)
    grant = dataclasses.replace(grant, studio_id=feed.feed_studio_of(user_id=grant.user_id))
    return grant, cursor, opening


async def user_stream_view(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        response = fv._error(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET"
        return response
    if not isinstance(request, ASGIRequest):
        return fv._error(
            503,
            "stream_unavailable",
            "Live updates need the ASGI server; poll the lists instead.",
        )
    try:
        opened = await sync_to_async(_open)(request)
    except fv._Refused as exc:
        return fv._error(exc.status, exc.code, exc.detail, exc.attr)
    except DatabaseError:
        await sync_to_async(fv._release_connection)()
        return fv._database_unavailable()
    if opened is None:
        return fv._error(401, "not_authenticated", "Authentication credentials were not provided.")
    grant, cursor, opening = opened
    remaining = min(fv.MAX_STREAM_SECONDS, grant.expires_at - time.time())
    response = StreamingHttpResponse(
        fv._stream(
            grant=grant,
            cursor=cursor,
            opening=opening,
            until=time.monotonic() + remaining,
            catch_up_fn=_catch_up,
            users=(grant.user_id,),
        ),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@extend_schema(
    summary="A ticket to open your live stream (stream/)",
    description=(
        "As `feed/stream/ticket/`, for trainers and clients: valid 60 s to open "
        "`stream/?ticket=`, bound to the user, their password and the access token's expiry."
    ),
    request=None,
    responses={200: StreamTicketSerializer},
)
class UserStreamTicketView(fv.FeedStreamTicketView):
    permission_classes = [IsTrainerOrClient]


class UserStreamEventSerializer(serializers.Serializer):
    """One Server-Sent Event of stream/."""

    event = serializers.ChoiceField(
        choices=["feed", "message", "notification", "reset"],
        help_text="`feed`: a feed event (members); `message`: a message of one of your "
        "conversations; `notification`: one of your notifications; `reset`: reload your lists.",
    )
    data = serializers.CharField(
        help_text="JSON: as in feed/ results, conversations/<id>/messages/ results, or "
        "notifications/ results; `{}` for `reset`."
    )
    id = serializers.RegexField(
        r"^[0-9]+\.[0-9]+$",
        required=False,
        help_text="`<event position>.<notification position>`: send it back as Last-Event-ID.",
    )
    retry = serializers.IntegerField(required=False, help_text="Reconnection delay in ms.")


class UserStreamSchema(APIView):
    """Only describes `user_stream_view` in the OpenAPI schema."""

    permission_classes = [IsTrainerOrClient]

    @extend_schema(
        summary="Your live stream: feed events, messages, notifications (Server-Sent Events)",
        description=(
            "One `text/event-stream` per user. Members receive `event: feed` (as feed/, "
            "messages excluded) and `event: message`; clients `event: message`; everyone "
            "`event: notification` for their own notifications. New rows arrive within a "
            "second of their commit, across processes. Every frame carries `id: E.N` (the "
            "highest event and notification ids sent so far): reconnect with `Last-Event-ID: "
            "E.N` (or `?last_event_id=E.N`) and the stream replays what was missed, each "
            "once (over 500 missed: `event: reset`, reload your lists). Authentication, "
            "ticket (`POST stream/ticket/`), heartbeats, lifetime and errors as "
            "`feed/stream/`, which stays as it was for existing apps."
        ),
        parameters=[
            OpenApiParameter("ticket", OpenApiTypes.STR, description="From `POST stream/ticket/`."),
            OpenApiParameter(
                "access_token",
                OpenApiTypes.STR,
                description="Deprecated: JWT access token (use `ticket`).",
                deprecated=True,
            ),
            OpenApiParameter("last_event_id", POSITION_SCHEMA, description="Resume after `E.N`."),
            OpenApiParameter(
                "Last-Event-ID",
                POSITION_SCHEMA,
                location=OpenApiParameter.HEADER,
                description="Resume after `E.N` (sent by EventSource on reconnect).",
            ),
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                response=UserStreamEventSerializer,
                description="Server-Sent Events (the schema is that of one event).",
                examples=[
                    OpenApiExample(
                        "A message",
                        value={
                            "event": "message",
                            "id": "42.7",
                            "data": '{"id":"6f1c1e5e-...","conversation":3,"sender":{"id":5,'
                            '"full_name":"Cleo Client"},"body":"Done!","attachment":null,...}',
                        },
                    )
                ],
            ),
            400: error_response("`Last-Event-ID` is not `E.N`.", "invalid"),
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
                description="`database_unavailable` (with `Retry-After`) or "
                "`stream_unavailable` (a WSGI server).",
            ),
        },
    )
    def get(self, request):  # pragma: no cover - never routed
        raise NotImplementedError


user_stream_view.cls = UserStreamSchema  # type: ignore[attr-defined]
user_stream_view.initkwargs = {}  # type: ignore[attr-defined]
