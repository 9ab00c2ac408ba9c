"""The trainer's activity feed: a cursor-paginated list and a Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

from dashboard import feed
from dashboard.api.feed_serializers import FeedEventSerializer
from dashboard.models import ActivityEvent
from fitbud.api.filters import IdFilter, StrictFilterSet
from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import IsTrainer
from fitbud.api.response_cache import CachedListMixin


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
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = FeedFilter
    queryset = ActivityEvent.objects.none()  # the model for the schema; get_queryset scopes rows

    def get_queryset(self):
        return feed.feed_list(trainer_id=self.request.user.pk)


# Server-Sent Events ------------------------------------------------------------------------

HEARTBEAT_SECONDS = getattr(settings, "FEED_STREAM_HEARTBEAT_SECONDS", 15.0)
POLL_SECONDS = getattr(settings, "FEED_STREAM_POLL_SECONDS", 1.0)
MAX_STREAM_SECONDS = getattr(settings, "FEED_STREAM_MAX_SECONDS", 300.0)
BATCH = 100
REPLAY_MAX = 500


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "client_error", "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status,
    )


def _authenticate(request: HttpRequest) -> tuple[Any, float] | None:
    """(user, token expiry) from `Authorization: Bearer` or `?access_token=`; None if absent."""
    auth = JWTAuthentication()
    header = auth.get_header(request)
    raw = auth.get_raw_token(header) if header is not None else None
    if raw is None:
        query_token = request.GET.get("access_token")
        raw = query_token.encode() if query_token else None
    if raw is None:
        return None
    token = auth.get_validated_token(raw)
    return auth.get_user(token), float(token["exp"])


def _release_connection() -> None:
    # A stream lives for minutes: give the request's connection back between queries,
    # as Django does at the end of a request (persistent connections are kept).
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def _events(
    *, trainer_id: int, after: int | None = None, ids=None, limit: int = BATCH
) -> list[dict[str, Any]]:
    rows = feed.feed_list(trainer_id=trainer_id).order_by("id")
    rows = rows.filter(id__in=ids) if ids is not None else rows.filter(id__gt=after or 0)
    data = FeedEventSerializer(rows[:limit], many=True).data
    _release_connection()
    return data


def _newest_id(*, trainer_id: int) -> int:
    newest = feed.feed_newest_id(trainer_id=trainer_id)
    _release_connection()
    return newest


def _frame(event: dict[str, Any]) -> str:
    return f"id: {event['id']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"


async def _stream(
    *, trainer_id: int, last_event_id: int | None, until: float
) -> AsyncIterator[str]:
    events = sync_to_async(_events)
    listener = feed.feed_listener()
    queue = await listener.subscribe(trainer_id) if listener is not None else None
    sent: deque[int] = deque(maxlen=1000)  # ids already pushed (notify and catch-up overlap)
    try:
        # Reconnect every few seconds on failure; the browser resends Last-Event-ID.
        yield "retry: 3000\n\n"
        if last_event_id is None:
            last = await sync_to_async(_newest_id)(trainer_id=trainer_id)
        else:
            missed = await events(trainer_id=trainer_id, after=last_event_id, limit=REPLAY_MAX + 1)
            if len(missed) > REPLAY_MAX:
                # Too far behind to replay: tell the app to reload feed/, then go live.
                yield "event: reset\ndata: {}\n\n"
                last = await sync_to_async(_newest_id)(trainer_id=trainer_id)
            else:
                last = last_event_id
                for event in missed:
                    sent.append(event["id"])
                    last = max(last, event["id"])
                    yield _frame(event)
        yield ": connected\n\n"
        quiet_since = time.monotonic()
        while time.monotonic() < until:
            wait = max(0.0, min(until - time.monotonic(), HEARTBEAT_SECONDS))
            if queue is not None:
                try:
                    ids = {await asyncio.wait_for(queue.get(), wait)}
                except TimeoutError:
                    # A notification can be lost while the listener reconnects: catch up.
                    batch = await events(trainer_id=trainer_id, after=last)
                else:
                    while not queue.empty():
                        ids.add(queue.get_nowait())
                    batch = await events(trainer_id=trainer_id, ids=ids)
            else:
                # No LISTEN/NOTIFY (SQLite): a cheap indexed poll every POLL_SECONDS.
                await asyncio.sleep(min(wait, POLL_SECONDS))
                batch = await events(trainer_id=trainer_id, after=last)
            fresh = [event for event in batch if event["id"] not in sent]
            for event in fresh:
                sent.append(event["id"])
                last = max(last, event["id"])
                yield _frame(event)
            if fresh:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                # A comment line keeps proxies from closing an idle connection.
                yield ": heartbeat\n\n"
                quiet_since = time.monotonic()
    finally:
        if listener is not None and queue is not None:
            await listener.unsubscribe(trainer_id, queue)


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


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
        identity = await sync_to_async(_authenticate)(request)
    except (InvalidToken, AuthenticationFailed, TokenError) as exc:
        return _error(401, "token_not_valid", str(getattr(exc, "detail", exc)))
    if identity is None:
        return _error(401, "not_authenticated", "Authentication credentials were not provided.")
    user, expires_at = identity
    if not user.is_trainer:
        return _error(403, "permission_denied", "This endpoint is for trainers.")
    # Never outlive the access token: the app reconnects with a fresh one and Last-Event-ID.
    remaining = min(MAX_STREAM_SECONDS, expires_at - time.time())
    response = StreamingHttpResponse(
        _stream(
            trainer_id=user.pk,
            last_event_id=_last_event_id(request),
            until=time.monotonic() + remaining,
        ),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through unbuffered
    return response


class FeedStreamSchema(APIView):
    """Only describes `feed_stream` in the OpenAPI schema; DRF views cannot stream async."""

    permission_classes = [IsTrainer]

    @extend_schema(
        summary="Live activity feed (trainer, Server-Sent Events)",
        description=(
            "A `text/event-stream` of new feed events, each `id: <event id>` plus "
            "`data: <event JSON, as in feed/>`, pushed within a second of the commit. A "
            "`: heartbeat` comment comes every 15 s. Authenticate with the `Authorization` "
            "header or, for browsers' EventSource which cannot set headers, "
            "`?access_token=<access token>`. The stream ends when the token expires (or "
            "after 5 minutes); reconnect with `Last-Event-ID` (or `?last_event_id=`) to "
            "receive what was missed (more than 500 missed: an `event: reset` asks the app to "
            "reload `feed/`). Served by the ASGI worker."
        ),
        parameters=[
            OpenApiParameter(
                "access_token", OpenApiTypes.STR, description="JWT access token (EventSource)."
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
                response=OpenApiTypes.STR,
                description="Server-Sent Events.",
                examples=[
                    OpenApiExample(
                        "An event",
                        value=(
                            'id: 42\ndata: {"id":42,"client":{"id":7,"full_name":"Cleo Client"},'
                            '"kind":"workout.logged","summary":"Cleo logged Push: 2 exercises, '
                            '45 min","created_at":"2026-11-27T18:02:11.120000Z",'
                            '"object":{"type":"workout_log","id":"6f1c1e5e-..."}}\n\n'
                        ),
                    )
                ],
            ),
            503: OpenApiResponse(
                description=(
                    "`stream_unavailable`: the request reached a WSGI server, which cannot "
                    "stream; poll `feed/?after=` instead."
                )
            ),
        },
    )
    def get(self, request):  # pragma: no cover - never routed
        raise NotImplementedError


# drf-spectacular documents views that carry a DRF `cls`; the async view borrows the schema.
feed_stream.cls = FeedStreamSchema  # type: ignore[attr-defined]
feed_stream.initkwargs = {}  # type: ignore[attr-defined]
