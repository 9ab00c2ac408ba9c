"""Thin views: input serializer -> service -> output serializer. Scoping lives in selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import UserSerializer
from accounts.models import membership_of
from accounts.services import user_tokens
from clients import selectors, services
from clients.api import serializers as s
from clients.api.filters import ClientFilter, InviteFilter
from clients.api.throttles import InviteRecipientThrottle, InviteTrainerThrottle
from clients.models import (
    AccessDomain,
    Client,
    ClientAccess,
    ClientAccessChange,
    ClientNote,
    Invite,
)
from fitbud.api.conditional import ConditionalWriteMixin, conditional_object
from fitbud.api.exceptions import AccessNotGranted, ClientNotManageable, StudioRoleForbidden
from fitbud.api.filters import (
    BoundedSearchFilter,
    FilterBackend,
    StrictOrderingFilter,
    UpdatedSinceFilter,
)
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import ActiveClientCanWrite, IsClient, IsTrainer
from fitbud.api.response_cache import CachedListMixin
from fitbud.api.schema import error_response

CONFLICT = {
    409: error_response(
        "The request conflicts with an existing account, client or invite.",
        "already_your_client",
        "email_not_invitable",
        "email_taken",
        "invite_pending_exists",
        "invite_already_accepted",
        "invite_revoked",
    )
}
TOKEN_ERROR_CODES = [
    services.InviteError.NOT_FOUND,
    services.InviteError.EXPIRED,
    services.InviteError.REVOKED,
    services.InviteError.USED,
]


def _issued(result: services.IssuedInvite) -> dict:
    invite = result.invite
    data = s.InviteSerializer(invite).data
    return {**data, "token": result.token, "invite_url": result.invite_url}


def _client_in_domain(request: Request, client_id, domain: str) -> Client:
    """The client, if the member sees it at all (else 404), and may read `domain` of it
    (else 403 `access_not_granted`: the client is no secret to them, this part is)."""
    client = selectors.client_get(trainer=request.user, client_id=client_id)
    if not selectors.client_visible(request.user, client=client, domain=domain):
        raise AccessNotGranted()
    return client


# --- invites (trainer) ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List your invites", tags=["invites"]),
    retrieve=extend_schema(summary="Read an invite (never its token)", tags=["invites"]),
    create=extend_schema(
        summary="Invite a client by email",
        description=(
            "Creates the invite and emails the link. The response carries `token` and "
            "`invite_url` this one time, so the link can also be shared by any channel. "
            "Inviting an email that already has a pending invite of yours refreshes that "
            "invite (new token, new expiry, email again) and answers **200** instead of 201. "
            "409 `already_your_client` when the email is your client already, and one "
            "409 `email_not_invitable` (same message) for any other existing account, so the "
            "answer never tells whose account it is or its role. The email leaves after the "
            "response: `email_status` is `pending` here; read the invite again for `sent` or "
            "`failed` (`send_count` counts sent emails only). Limited per trainer "
            "(`THROTTLE_INVITE_TRAINER`) and per recipient address across trainers "
            "(`THROTTLE_INVITE_RECIPIENT`): 429 `throttled` with `Retry-After`."
        ),
        tags=["invites"],
        request=s.InviteCreateInputSerializer,
        responses={201: s.InviteIssuedSerializer, 200: s.InviteIssuedSerializer, **CONFLICT},
        examples=[
            OpenApiExample(
                "Invite",
                value={"email": "sam@example.com", "full_name": "Sam Client"},
                request_only=True,
            ),
            OpenApiExample(
                "An account that is not yours to invite",
                value={
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "email_not_invitable",
                            "detail": services.NOT_INVITABLE,
                            "attr": None,
                        }
                    ],
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Revoke an invite",
        description=(
            "The link stops working at once; the invite stays in the list with status "
            "`revoked`. Revoking twice is harmless. An accepted invite cannot be revoked "
            "(409): deactivate the client instead."
        ),
        tags=["invites"],
        responses={204: None, **CONFLICT},
    ),
)
class InviteViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainer]
    serializer_class = s.InviteSerializer
    filter_backends = [
        FilterBackend,
        BoundedSearchFilter,
        StrictOrderingFilter,
        UpdatedSinceFilter,
    ]
    filterset_class = InviteFilter
    search_fields = ["email", "full_name"]
    ordering_fields = ["created_at", "expires_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invite.objects.none()
        return selectors.invite_list(trainer=self.request.user)

    def get_throttles(self):
        # Only the actions that send an email are limited; reading the list is not.
        if self.action in ("create", "resend"):
            return [InviteTrainerThrottle(), InviteRecipientThrottle()]
        return super().get_throttles()

    def find_object(self):  # ConditionalWriteMixin.get_object calls it
        return selectors.invite_get(trainer=self.request.user, invite_id=self.kwargs["pk"])

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.InviteCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = membership_of(request.user)
        if member is None or not member.can_coach:
            raise StudioRoleForbidden(
                "Specialists see clients through access grants and do not invite clients."
            )
        result = services.invite_create(trainer=request.user, **data.validated_data)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(_issued(result), status=code)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.invite_revoke(invite=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Resend an invite with a fresh link",
        description=(
            "Issues a new token and expiry (the previous link stops working) and emails "
            "the invite again. Works for pending and expired invites; the new `token` and "
            "`invite_url` are in this response only. 409 for accepted or revoked invites. "
            "Limited like create (per trainer and per recipient address)."
        ),
        tags=["invites"],
        request=None,
        responses={200: s.InviteIssuedSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str | None = None) -> Response:
        result = services.invite_resend(invite=self.get_object())
        return Response(_issued(result))


# --- invites (anonymous) -------------------------------------------------------------------


class _InviteTokenView(APIView):
    # Anyone with the link; any Authorization header is ignored. Throttled per IP because
    # these are the endpoints one would hammer to guess tokens.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invite_token"


@extend_validation_errors(TOKEN_ERROR_CODES, field_name="token", methods=["get"])
class InvitePreviewView(_InviteTokenView):
    @extend_schema(
        summary="Preview an invite by its token",
        description=(
            "Shows who invited whom before the invitee sets a password. A token nobody "
            "issued is 404 `invite_not_found`; an unusable one is 400 with a code on "
            "`token`: `invite_expired`, `invite_revoked` or `invite_used`."
        ),
        tags=["auth"],
        auth=[],
        responses={200: s.InvitePreviewSerializer},
    )
    def get(self, request: Request, token: str) -> Response:
        invite = services.invite_check_usable(invite=selectors.invite_get_by_token(token=token))
        body = {
            "trainer": {"full_name": invite.trainer.full_name},
            "email": invite.email,
            "full_name": invite.full_name,
            "expires_at": invite.expires_at,
        }
        return Response(s.InvitePreviewSerializer(body).data)


@extend_validation_errors(TOKEN_ERROR_CODES, field_name="token", methods=["post"])
class InviteAcceptView(_InviteTokenView):
    @extend_schema(
        summary="Accept an invite: create the client account and sign in",
        description=(
            "Creates the client user (with the invited email) and the link to the trainer "
            "in one transaction and returns JWTs. `full_name` defaults to the name on the "
            "invite. An unknown token is "
            "404 `invite_not_found`; unusable ones answer 400 on `token` "
            "(`invite_expired`, `invite_revoked`, `invite_used`); 409 `email_taken` if an "
            "account with the invited email exists meanwhile."
        ),
        tags=["auth"],
        auth=[],
        request=s.InviteAcceptInputSerializer,
        responses={
            201: s.AuthResponseSerializer,
            404: error_response("No invite has this token.", "invite_not_found"),
            **CONFLICT,
        },
        examples=[
            OpenApiExample(
                "Accept",
                value={"token": "<token from the link>", "password": "a-long-passphrase-42"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = s.InviteAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, _client = services.invite_accept(**data.validated_data)
        body = {"user": UserSerializer(user).data, **user_tokens(user=user)}
        return Response(body, status=status.HTTP_201_CREATED)


# --- roster --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your clients", tags=["clients"]),
    retrieve=extend_schema(summary="One of your clients", tags=["clients"]),
    partial_update=extend_schema(
        summary="Update a client's status or goals",
        description=(
            "`is_active: false` deactivates the client (they keep read access, their writes "
            "are refused with 403 `client_inactive`) and sets their live subscription to "
            "cancel at the end of the paid period (no further renewal, no refund; an unpaid "
            "checkout is canceled at once); `true` reactivates, without resuming the "
            "subscription. Each change is kept in the status history. If the payment "
            "provider cannot be reached, nothing changes (502)."
        ),
        tags=["clients"],
        request=s.ClientUpdateInputSerializer,
        responses={
            200: s.ClientSerializer,
            502: error_response(
                "The payment provider failed; the client was not deactivated.",
                "payment_provider_unavailable",
                detail="The payment provider is not available right now. Please try again.",
                server=True,
            ),
        },
    ),
)
class ClientViewSet(
    ConditionalWriteMixin,
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainer]
    serializer_class = s.ClientSerializer
    http_method_names = ["get", "patch", "head", "options"]
    filter_backends = [
        FilterBackend,
        BoundedSearchFilter,
        StrictOrderingFilter,
        UpdatedSinceFilter,
    ]
    filterset_class = ClientFilter
    search_fields = ["user__full_name", "user__email"]
    ordering_fields = [("joined_at", "joined_at"), ("user__full_name", "name")]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Client.objects.none()
        return selectors.client_list(trainer=self.request.user)

    def find_object(self):  # ConditionalWriteMixin.get_object calls it
        return selectors.client_get(trainer=self.request.user, client_id=self.kwargs["pk"])

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_object()
        data = s.ClientUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.client_manageable(request.user, client=client):
            raise ClientNotManageable()
        services.client_update(client=client, changed_by=request.user, **data.validated_data)
        client = selectors.client_get(trainer=request.user, client_id=client.pk)
        return Response(s.ClientSerializer(client).data)


# --- notes ---------------------------------------------------------------------------------


CLIENT_ID = OpenApiParameter("client_id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="Private notes about a client", tags=["clients"]),
    create=extend_schema(
        summary="Add a private note",
        tags=["clients"],
        request=s.ClientNoteInputSerializer,
        responses={201: s.ClientNoteSerializer},
    ),
    retrieve=extend_schema(summary="Read a private note", tags=["clients"]),
    partial_update=extend_schema(
        summary="Edit a private note",
        tags=["clients"],
        request=s.ClientNoteInputSerializer,
        responses={200: s.ClientNoteSerializer},
    ),
    destroy=extend_schema(summary="Delete a private note", tags=["clients"]),
)
@extend_schema(parameters=[CLIENT_ID])
class ClientNoteViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Trainer-only: no route, serializer or selector shows notes to a client."""

    permission_classes = [IsTrainer]
    serializer_class = s.ClientNoteSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [UpdatedSinceFilter]

    def get_client(self):
        if not hasattr(self, "_client"):
            self._client = _client_in_domain(
                self.request, self.kwargs["client_id"], AccessDomain.NOTES
            )
        return self._client

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientNote.objects.none()
        return selectors.client_note_list(client=self.get_client())

    def find_object(self):  # ConditionalWriteMixin.get_object calls it
        return selectors.client_note_get(client=self.get_client(), note_id=self.kwargs["pk"])

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_client()
        data = s.ClientNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.client_note_create(
            client=client, author=request.user, body=data.validated_data["body"]
        )
        return Response(s.ClientNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    def _check_author(self, note: ClientNote) -> None:
        # Members who may read notes do not rewrite each other's: the author does, and the
        # studio's owners and admins (a solo trainer wrote every note of theirs).
        member = membership_of(self.request.user)
        if note.author_id != self.request.user.pk and not (member and member.manages_studio):
            raise PermissionDenied(
                "Only the note's author and the studio's owners and admins change a note.",
                code="not_note_author",
            )

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        note = self.get_object()
        self._check_author(note)
        data = s.ClientNoteInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "body" in data.validated_data:
            note = services.client_note_update(note=note, body=data.validated_data["body"])
        return Response(s.ClientNoteSerializer(note).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        note = self.get_object()
        self._check_author(note)
        services.client_note_delete(note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- health --------------------------------------------------------------------------------


class _HealthView(ConditionalWriteMixin, APIView):
    serializer_class = s.HealthProfileSerializer

    def get_client(self):
        raise NotImplementedError

    def _update(self, request: Request, *, replace: bool) -> Response:
        client = self.get_client()
        conditional_object(self, selectors.health_profile_get(client=client))
        data = s.HealthProfileInputSerializer(data=request.data, partial=not replace)
        data.is_valid(raise_exception=True)
        profile = services.health_profile_update(
            client=client, updated_by=request.user, data=data.validated_data, replace=replace
        )
        self._etag_target = (type(profile), profile.pk)  # the first write creates it
        return Response(s.HealthProfileSerializer(profile).data)

    def get(self, request: Request, **kwargs) -> Response:
        profile = conditional_object(self, selectors.health_profile_get(client=self.get_client()))
        return Response(s.HealthProfileSerializer(profile).data)

    def put(self, request: Request, **kwargs) -> Response:
        return self._update(request, replace=True)

    def patch(self, request: Request, **kwargs) -> Response:
        return self._update(request, replace=False)


HEALTH_DOC = (
    "Fields nobody has filled in read as null or empty strings. PUT replaces the whole "
    "profile (omitted fields are cleared); PATCH changes only the fields sent. Each change "
    "records who made it (`updated_by`, `updated_at`) and is kept in the change history."
)
HEALTH_EXAMPLE = OpenApiExample(
    "Health",
    value={"height_cm": 172.5, "date_of_birth": "1990-04-02", "allergies": "peanuts"},
    request_only=True,
)


def _health_schema(whose: str, tag: str, doc: str):
    def write(verb: str):
        return extend_schema(
            summary=f"{verb} {whose} health profile",
            description=doc,
            tags=[tag],
            request=s.HealthProfileInputSerializer,
            responses={200: s.HealthProfileSerializer},
            examples=[HEALTH_EXAMPLE],
        )

    return extend_schema_view(
        get=extend_schema(summary=f"{whose[0].upper()}{whose[1:]} health profile", tags=[tag]),
        put=write("Replace"),
        patch=write("Update"),
    )


@_health_schema("a client's", "clients", HEALTH_DOC)
class ClientHealthView(_HealthView):
    permission_classes = [IsTrainer]

    def get_client(self):
        return _client_in_domain(self.request, self.kwargs["client_id"], AccessDomain.HEALTH)


@_health_schema("my", "me", HEALTH_DOC + " A deactivated client cannot change it (403).")
class MyHealthView(_HealthView):
    permission_classes = [IsClient, ActiveClientCanWrite]

    def get_client(self):
        return selectors.client_for_user(user=self.request.user)


class MyTrainerView(APIView):
    permission_classes = [IsClient]

    @extend_schema(
        summary="My trainer's public profile",
        tags=["me"],
        responses={200: s.TrainerPublicSerializer},
    )
    def get(self, request: Request) -> Response:
        client = selectors.client_for_user(user=request.user)
        return Response(s.TrainerPublicSerializer(client.trainer).data)


# --- access grants and transfer (studios) --------------------------------------------------


GRANT_CONFLICT = {
    409: error_response(
        "The member has a grant on this client already: change that one instead.",
        services.AccessError.GRANT_EXISTS,
    )
}
MANAGE_DOC = (
    "For the studio's owners and admins and the client's primary coach; another member who "
    "can see the client gets 403 `not_primary_coach`, anyone else 404."
)


def _manageable_client(request: Request, client_id) -> Client:
    client = selectors.client_get(trainer=request.user, client_id=client_id)
    if not selectors.client_manageable(request.user, client=client):
        raise ClientNotManageable()
    return client


@extend_schema_view(
    list=extend_schema(
        summary="A client's access grants",
        description=(
            "The grants that are not revoked: in force, and expired ones (`in_force: false`; "
            "an expired grant stopped at its `ends_at`). Revoked grants are in the client's "
            "audit trail only. " + MANAGE_DOC
        ),
        tags=["clients"],
    ),
    create=extend_schema(
        summary="Grant a member access to parts of a client's record",
        description=(
            "`member` is a StudioMember id of the client's studio, neither the primary coach "
            "nor an owner/admin (they see everything already): 400 on `member` otherwise. "
            "`domains` is a non-empty list of distinct domains; `ends_at`, if given, must be "
            "in the future (the grant stops at that instant). One grant per member and "
            "client: a second one is 409 `grant_exists`. Audited (`granted`). " + MANAGE_DOC
        ),
        tags=["clients"],
        request=s.ClientAccessCreateInputSerializer,
        responses={201: s.ClientAccessSerializer, **GRANT_CONFLICT},
    ),
    retrieve=extend_schema(summary="Read an access grant", tags=["clients"]),
    partial_update=extend_schema(
        summary="Change an access grant's domains or end",
        description=(
            "Setting a future `ends_at` (or null) on an expired grant renews it. Audited "
            "(`changed`). " + MANAGE_DOC
        ),
        tags=["clients"],
        request=s.ClientAccessUpdateInputSerializer,
        responses={200: s.ClientAccessSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke an access grant",
        description="The grant stops at once. Audited (`revoked`). " + MANAGE_DOC,
        tags=["clients"],
    ),
)
@extend_schema(parameters=[CLIENT_ID])
class ClientAccessViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsTrainer]
    serializer_class = s.ClientAccessSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [UpdatedSinceFilter]

    def get_client(self) -> Client:
        if not hasattr(self, "_client"):
            self._client = _manageable_client(self.request, self.kwargs["client_id"])
        return self._client

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientAccess.objects.none()
        return selectors.client_access_list(client=self.get_client())

    def find_object(self):  # ConditionalWriteMixin.get_object calls it
        return selectors.client_access_get(client=self.get_client(), grant_id=self.kwargs["pk"])

    @idempotent
    def create(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_client()
        data = s.ClientAccessCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.client_access_grant(
            client=client,
            actor=request.user,
            member_id=data.validated_data["member"],
            domains=data.validated_data["domains"],
            ends_at=data.validated_data.get("ends_at"),
        )
        grant = selectors.client_access_get(client=client, grant_id=grant.pk)
        return Response(s.ClientAccessSerializer(grant).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        grant = self.get_object()
        data = s.ClientAccessUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        grant = services.client_access_update(
            grant=grant, actor=request.user, **data.validated_data
        )
        grant = selectors.client_access_get(client=self.get_client(), grant_id=grant.pk)
        return Response(s.ClientAccessSerializer(grant).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.client_access_revoke(grant=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientTransferView(APIView):
    permission_classes = [IsTrainer]

    @extend_schema(
        summary="Transfer a client to another coach",
        description=(
            "`coach` is the StudioMember id of an owner, admin or coach of the client's "
            "studio (400 on `coach` otherwise, or when they are the primary coach already). "
            "The client's history (logs, check-ins, assignments, notes) stays with the "
            "client; a grant the new coach had is revoked (they see everything now). "
            "Audited (`transferred`, with the previous coach). The former primary coach may "
            "no longer see the client afterwards (unless they manage the studio or hold a "
            "grant). " + MANAGE_DOC
        ),
        tags=["clients"],
        parameters=[CLIENT_ID],
        request=s.ClientTransferInputSerializer,
        responses={200: s.ClientSerializer},
    )
    def post(self, request: Request, client_id: int) -> Response:
        client = _manageable_client(request, client_id)
        data = s.ClientTransferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_transfer(
            client=client, actor=request.user, coach_id=data.validated_data["coach"]
        )
        return Response(s.ClientSerializer(client).data)


# --- the client's team ---------------------------------------------------------------------


class MyTeamView(APIView):
    permission_classes = [IsClient]

    @extend_schema(
        summary="Who can see what of my record",
        description=(
            "The primary coach (`primary: true`), the studio's owners and admins (every "
            "domain, by their role), then each member with an access grant in force and "
            "its domains and end. Staff emails are not listed. Private notes (domain "
            "`notes`) are never shown to the client, only who may read them."
        ),
        tags=["me"],
        responses={200: s.TeamMemberSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        client = selectors.client_for_user(user=request.user)
        team = selectors.client_team(client=client)
        return Response(s.TeamMemberSerializer(team, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary="Who was given or lost access to my record",
        description=(
            "The audit trail of my record's access: grants, changes, revocations and "
            "changes of primary coach, newest first."
        ),
        tags=["me"],
    )
)
class MyTeamChangesView(ListAPIView):
    permission_classes = [IsClient]
    serializer_class = s.AccessChangeSerializer
    filter_backends = [UpdatedSinceFilter]
    updated_since_field = "created_at"  # an audit trail: rows are never changed

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ClientAccessChange.objects.none()
        client = selectors.client_for_user(user=self.request.user)
        return selectors.client_access_change_list(client=client)
