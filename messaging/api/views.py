"""Conversations, messages, read positions and broadcasts (docs/messaging.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fitbud.api.filters import UpdatedSinceFilter
from fitbud.api.idempotency import idempotent
from fitbud.api.pagination import CursorPagination
from fitbud.api.permissions import ActiveClientCanWrite, IsTrainer, IsTrainerOrClient
from fitbud.api.schema import error_response
from messaging import selectors, services
from messaging.api import serializers as s
from messaging.models import Broadcast, Conversation, Message
from progress.api.parsers import PhotoMultiPartParser

TAGS = ["messaging"]

NOT_FOUND = error_response(
    "Not a conversation (or message) of yours: another studio's, another client's, or a "
    "client outside your `messages` scope.",
    "not_found",
)
INACTIVE = error_response(
    "A deactivated client reads but cannot send; a client cannot write into the "
    "conversation of a member who lost access to them.",
    "client_inactive",
    "conversation_closed",
)


def _conversation_data(request, conversation_id) -> dict:
    """One conversation as the list shows it (unread count, last message)."""
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    last = selectors.messages_by_id([conversation.last_message_id])
    context = {"request": request, "last_messages": s.last_messages_data(last, request=request)}
    return s.ConversationSerializer(conversation, context=context).data


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Your conversations, newest activity first",
        description=(
            "Members: their conversations with clients in their `messages` scope. Clients: "
            "theirs. Each has `last_message` and `unread_count` (messages of the other side "
            "after your read position). Three queries whatever the page size."
        ),
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Open the conversation with a client (or, for a client, with their coach)",
        description=(
            "Returns the existing conversation (200) or creates it (201). Members send "
            "`{client}`: a client in their `messages` scope (primary coach, owners/admins, a "
            "grant with `messages`), else 404. A client sends `{}` and gets the conversation "
            "with their primary coach."
        ),
        request=s.ConversationOpenSerializer,
        responses={
            200: s.ConversationSerializer,
            201: s.ConversationSerializer,
            403: INACTIVE,
            404: NOT_FOUND,
        },
    ),
)
class ConversationListView(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated, IsTrainerOrClient]
    serializer_class = s.ConversationSerializer
    filter_backends = [UpdatedSinceFilter]
    queryset = Conversation.objects.none()  # the model for the schema; get_queryset scopes rows

    def get_queryset(self):
        return selectors.conversation_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        last = selectors.messages_by_id([c.last_message_id for c in page])
        context = {"request": request, "last_messages": s.last_messages_data(last, request=request)}
        data = s.ConversationSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @idempotent
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        body = s.ConversationOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conversation, created = services.conversation_open(
            user=request.user, client_id=body.validated_data.get("client")
        )
        return Response(
            _conversation_data(request, conversation.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(
    tags=TAGS, summary="One conversation", responses={200: s.ConversationSerializer, 404: NOT_FOUND}
)
class ConversationDetailView(APIView):
    permission_classes = [IsAuthenticated, IsTrainerOrClient]

    def get(self, request, pk):
        return Response(_conversation_data(request, pk))


class MessagePagination(CursorPagination):
    ordering = ("-created_at", "-id")  # messaging_msgs_idx (conversation, -created_at, -id)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Messages of a conversation, newest first",
        description=(
            "Cursor paginated (`?cursor=`, `?page_size=` ≤ 100). Deleted messages stay in the "
            "list, emptied, with `deleted_at`, so every device learns of the deletion. Two "
            "queries per page whatever its size (plus the conversation)."
        ),
        responses={200: s.MessageSerializer(many=True), 404: NOT_FOUND},
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Send a message",
        description=(
            "JSON `{id?, body}` or `multipart/form-data` with `id?`, `body?` and `attachment` "
            "(a photo, checked exactly as progress photos). `id` is the app's UUID: the same "
            "id with the same content returns the stored message (200), with different "
            "content (or someone else's) it is a 409 `id_in_use`. The other side's open "
            "stream (`stream/`) receives it within a second."
        ),
        request={
            "application/json": s.MessageCreateSerializer,
            "multipart/form-data": s.MessageCreateSerializer,
        },
        responses={
            200: s.MessageSerializer,
            201: s.MessageSerializer,
            400: OpenApiResponse(
                description="Invalid body (`blank`, `max_length`, `unknown_field`) or image "
                "(`not_an_image`, `unsupported_format`, `image_corrupt`, ... attr `attachment`)."
            ),
            403: INACTIVE,
            404: NOT_FOUND,
            409: error_response("The id belongs to another message.", "id_in_use"),
            413: error_response(
                "The photo is over 15 MB or 40 megapixels.",
                "file_too_large",
                "too_many_pixels",
                "decompression_bomb",
            ),
        },
    ),
)
class MessageListView(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated, IsTrainerOrClient, ActiveClientCanWrite]
    serializer_class = s.MessageSerializer
    pagination_class = MessagePagination
    filter_backends = [UpdatedSinceFilter]
    parser_classes = [JSONParser, PhotoMultiPartParser]
    queryset = Message.objects.none()

    def conversation(self) -> Conversation:
        if not hasattr(self, "_conversation"):
            self._conversation = selectors.conversation_find(
                user=self.request.user, conversation_id=self.kwargs["pk"]
            )
        return self._conversation

    def get_queryset(self):
        return selectors.message_list(conversation=self.conversation())

    @idempotent
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        conversation = self.conversation()
        body = s.MessageCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        message, created = services.message_send(
            conversation=conversation,
            sender=request.user,
            body=data.get("body", ""),
            message_id=data.get("id"),
            attachment=data.get("attachment"),
        )
        return Response(
            s.MessageSerializer(message, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


WINDOW = (
    "Only the author, within 15 minutes of sending (`MESSAGE_EDIT_WINDOW_SECONDS`): 403 "
    "`not_author` / `edit_window_closed`; a deleted message: 409 `message_deleted`."
)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, summary="One message", responses={200: s.MessageSerializer, 404: NOT_FOUND}
    ),
    patch=extend_schema(
        tags=TAGS,
        summary="Edit your message",
        description=WINDOW + " Sets `edited_at`.",
        request=s.MessageEditSerializer,
        responses={
            200: s.MessageSerializer,
            403: error_response(WINDOW, "not_author", "edit_window_closed", "client_inactive"),
            404: NOT_FOUND,
            409: error_response("The message was deleted.", "message_deleted"),
        },
    ),
    delete=extend_schema(
        tags=TAGS,
        summary="Delete your message",
        description=WINDOW + " Soft delete: the message stays, emptied, with `deleted_at`; "
        "its photo is removed. Answers the deleted message.",
        responses={
            200: s.MessageSerializer,
            403: error_response(WINDOW, "not_author", "edit_window_closed", "client_inactive"),
            404: NOT_FOUND,
            409: error_response("The message was deleted.", "message_deleted"),
        },
    ),
)
class MessageDetailView(APIView):
    permission_classes = [IsAuthenticated, IsTrainerOrClient, ActiveClientCanWrite]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def message(self, request, pk, message_id) -> Message:
        conversation = selectors.conversation_find(user=request.user, conversation_id=pk)
        return selectors.message_get(conversation=conversation, message_id=message_id)

    def get(self, request, pk, message_id):
        message = self.message(request, pk, message_id)
        return Response(s.MessageSerializer(message, context={"request": request}).data)

    def patch(self, request, pk, message_id):
        message = self.message(request, pk, message_id)
        body = s.MessageEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = services.message_edit(
            message=message, user=request.user, body=body.validated_data["body"]
        )
        return Response(s.MessageSerializer(message, context={"request": request}).data)

    def delete(self, request, pk, message_id):
        message = self.message(request, pk, message_id)
        message = services.message_delete(message=message, user=request.user)
        return Response(s.MessageSerializer(message, context={"request": request}).data)


@extend_schema(
    tags=TAGS,
    summary="Read up to a message",
    description=(
        "Moves your read position to `message` (a message of this conversation; 404 "
        "otherwise). It never moves back: an older message changes nothing. Deactivated "
        "clients may mark read. Answers the conversation with its new `unread_count`."
    ),
    request=s.ReadSerializer,
    responses={200: s.ConversationSerializer, 404: NOT_FOUND},
)
class ConversationReadView(APIView):
    # No ActiveClientCanWrite: reading is what a deactivated client still does.
    permission_classes = [IsAuthenticated, IsTrainerOrClient]

    def post(self, request, pk):
        conversation = selectors.conversation_find(user=request.user, conversation_id=pk)
        body = s.ReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message = selectors.message_get(
            conversation=conversation, message_id=body.validated_data["message"]
        )
        services.conversation_read(conversation=conversation, user=request.user, message=message)
        return Response(_conversation_data(request, conversation.pk))


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="Your broadcasts (member)",
        description="Newest first, with each one's `recipient_count` and `status`.",
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Send one message to many clients (member)",
        description=(
            "`{body, clients: [ids]}` or `{body, all_active: true}` (every active client in "
            "your `messages` scope, fixed now). Answers 202: the worker puts the message in "
            "each recipient's own conversation with you (replies stay private), once per "
            "recipient whatever the retries. Ids outside your scope: 400 `does_not_exist` "
            "(attr `clients`)."
        ),
        request=s.BroadcastCreateSerializer,
        responses={202: s.BroadcastSerializer},
        examples=[
            OpenApiExample(
                "Chosen clients",
                value={"body": "Gym closed Monday", "clients": [7, 9]},
                request_only=True,
            ),
            OpenApiExample(
                "All active",
                value={"body": "Happy new year!", "all_active": True},
                request_only=True,
            ),
        ],
    ),
)
class BroadcastListView(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated, IsTrainer]
    serializer_class = s.BroadcastSerializer
    filter_backends = [UpdatedSinceFilter]
    # Broadcasts are not edited: "changed since" is "sent since".
    updated_since_field = "created_at"
    queryset = Broadcast.objects.none()

    def get_queryset(self):
        return Broadcast.objects.filter(sender=self.request.user).order_by("-created_at", "-id")

    @idempotent
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        body = s.BroadcastCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        broadcast = services.broadcast_create(
            sender=request.user,
            body=data["body"],
            client_ids=data.get("clients"),
            all_active=bool(data.get("all_active")),
        )
        broadcast.refresh_from_db()
        return Response(s.BroadcastSerializer(broadcast).data, status=status.HTTP_202_ACCEPTED)
