"""Studio endpoints: the studio, its members and their invites (thin views; role rules in
accounts.services, scoping in accounts.selectors)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api import serializers as s
from accounts.models import StudioInvite, StudioMember, membership_of
from clients.api.throttles import InviteRecipientThrottle, InviteTrainerThrottle
from fitbud.api.conditional import ConditionalWriteMixin, conditional_object
from fitbud.api.exceptions import StudioRoleForbidden
from fitbud.api.filters import UpdatedSinceFilter
from fitbud.api.idempotency import idempotent
from fitbud.api.permissions import IsTrainer, StudioManagerWrites
from fitbud.api.schema import error_response

TAG = "studio"
LAST_OWNER = error_response(
    "The rule of a studio's owners or primary coaches refuses this.",
    services.StudioError.LAST_OWNER,
    services.StudioError.MEMBER_HAS_CLIENTS,
)
TOKEN_ERROR_CODES = [
    services.StudioError.INVITE_EXPIRED,
    services.StudioError.INVITE_REVOKED,
    services.StudioError.INVITE_USED,
]
NOT_INVITABLE = error_response(
    "The email already has a Fitbud account.", services.StudioError.NOT_INVITABLE
)


class StudioManagerOnly(StudioManagerWrites):
    """Reads too: only the studio's owners and admins (403 studio_role_forbidden)."""

    def has_permission(self, request, view) -> bool:
        member = membership_of(request.user)
        if member is None or not member.manages_studio:
            raise StudioRoleForbidden()
        return True


def _studio_body(request: Request, view=None) -> dict:
    studio = selectors.studio_get(user=request.user)
    if view is not None:
        conditional_object(view, studio)
    body = {
        "id": studio.pk,
        "name": studio.name,
        "role": membership_of(request.user).role,
        "member_count": studio.member_count,
        "created_at": studio.created_at,
    }
    return s.StudioSerializer(body).data


class StudioView(ConditionalWriteMixin, APIView):
    permission_classes = [IsTrainer, StudioManagerWrites]

    @extend_schema(
        tags=[TAG],
        summary="Your studio",
        description="Any member: the studio, your role in it and how many members it has.",
        responses={200: s.StudioSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(_studio_body(request, self))

    @extend_schema(
        tags=[TAG],
        summary="Rename your studio",
        description="Owners and admins; other members 403 `studio_role_forbidden`.",
        request=s.StudioUpdateSerializer,
        responses={200: s.StudioSerializer},
    )
    def patch(self, request: Request) -> Response:
        conditional_object(self, selectors.studio_get(user=request.user))
        data = s.StudioUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.studio_update(actor=request.user, **data.validated_data)
        return Response(_studio_body(request))


class MemberListView(mixins.ListModelMixin, GenericAPIView):
    permission_classes = [IsTrainer, StudioManagerWrites]
    serializer_class = s.MemberSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StudioMember.objects.none()
        return selectors.member_list(user=self.request.user)

    def get_throttles(self):
        if self.request.method == "POST":
            return [InviteTrainerThrottle(), InviteRecipientThrottle()]
        return super().get_throttles()

    @extend_schema(
        tags=[TAG],
        summary="The studio's members",
        description=(
            "Any member. `clients_count` is the number of clients each member is the "
            "primary coach of."
        ),
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="Invite a member by email",
        description=(
            "Owners and admins (others 403 `studio_role_forbidden`); only an owner may "
            "invite an owner. Creates a member invite and emails its link after the "
            "response; `token` and `invite_url` are in this response only (only a digest is "
            "stored) and the link works for 7 days. Inviting an email that has a pending "
            "invite of the studio refreshes it (new link, expiry, role and title) and "
            "answers **200**. A person has one Fitbud account, so an email that already has "
            "any account (trainer or client) is 409 `email_not_invitable`. Limited like "
            "client invites (per inviter and per recipient address): 429 `throttled`."
        ),
        request=s.MemberInviteCreateSerializer,
        responses={
            201: s.MemberInviteIssuedSerializer,
            200: s.MemberInviteIssuedSerializer,
            409: NOT_INVITABLE,
        },
        examples=[
            OpenApiExample(
                "Invite a dietitian",
                value={
                    "email": "dana@example.com",
                    "full_name": "Dana Diet",
                    "role": "specialist",
                    "title": "Dietitian",
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = s.MemberInviteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.studio_invite_create(actor=request.user, **data.validated_data)
        invite = selectors.studio_invite_get(user=request.user, invite_id=result.invite.pk)
        body = {
            **s.MemberInviteSerializer(invite).data,
            "token": result.token,
            "invite_url": result.invite_url,
        }
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)


REASSIGN_TO = OpenApiParameter(
    "reassign_to",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description=(
        "The membership id of the member (owner, admin or coach) who takes over the removed "
        "member's clients, templates and pending client invites. Default: the studio's "
        "first owner."
    ),
)


@extend_validation_errors(
    [services.StudioError.INVALID_REASSIGN], field_name="reassign_to", methods=["delete"]
)
class MemberDetailView(ConditionalWriteMixin, APIView):
    permission_classes = [IsTrainer, StudioManagerWrites]

    @extend_schema(
        tags=[TAG],
        summary="One member of the studio",
        description="Any member; a member of another studio is 404.",
        responses={200: s.MemberSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        member = conditional_object(self, selectors.member_get(user=request.user, member_id=pk))
        return Response(s.MemberSerializer(member).data)

    @extend_schema(
        tags=[TAG],
        summary="Change a member's role or title",
        description=(
            "Owners and admins (others 403 `studio_role_forbidden`). Only an owner may "
            "change an owner or make one (403 `studio_role_forbidden`). The last owner "
            "cannot be demoted (409 `last_owner`); a member who is some client's primary "
            "coach cannot become a specialist (409 `member_has_clients`: transfer the "
            "clients first)."
        ),
        request=s.MemberUpdateSerializer,
        responses={200: s.MemberSerializer, 409: LAST_OWNER},
    )
    def patch(self, request: Request, pk: int) -> Response:
        member = conditional_object(self, selectors.member_get(user=request.user, member_id=pk))
        data = s.MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.member_update(actor=request.user, member=member, **data.validated_data)
        return Response(
            s.MemberSerializer(selectors.member_get(user=request.user, member_id=pk)).data
        )

    @extend_schema(
        tags=[TAG],
        summary="Remove a member from the studio",
        description=(
            "Owners and admins (others 403 `studio_role_forbidden`; only an owner removes "
            "an owner). In one transaction the member's primary clients go to `reassign_to` "
            "(default: the first owner; each transfer audited in the client's access "
            "history), their templates and billing plans and pending client invites move "
            "there too, their access grants are revoked (audited), and they keep a working "
            "account in a new, empty studio of their own: their tokens read nothing of this "
            "studio from the next request on. The last owner cannot be removed (409 "
            "`last_owner`). 400 on `reassign_to` (`invalid_reassign_target`) when it is not "
            "another member of the studio who can coach."
        ),
        parameters=[REASSIGN_TO],
        responses={204: None, 409: LAST_OWNER},
    )
    def delete(self, request: Request, pk: int) -> Response:
        member = conditional_object(self, selectors.member_get(user=request.user, member_id=pk))
        query = s.MemberRemoveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        services.member_remove(
            actor=request.user,
            member=member,
            reassign_to=query.validated_data.get("reassign_to"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberInviteListView(mixins.ListModelMixin, GenericAPIView):
    permission_classes = [IsTrainer, StudioManagerOnly]
    serializer_class = s.MemberInviteSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StudioInvite.objects.none()
        invites = selectors.studio_invite_list(user=self.request.user)
        if "status" in self.request.query_params:
            data = s.MemberInviteStatusQuerySerializer(data=self.request.query_params)
            data.is_valid(raise_exception=True)
            invites = invites.filter(current_status=data.validated_data["status"])
        return invites

    @extend_schema(
        tags=[TAG],
        summary="The studio's member invites",
        description=(
            "Owners and admins. Every member invite, newest first; a pending invite past its "
            "expiry reads `expired`. `?status=pending` lists the open ones."
        ),
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=False,
                enum=["pending", "accepted", "revoked", "expired"],
            )
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


class MemberInviteDetailView(APIView):
    permission_classes = [IsTrainer, StudioManagerOnly]

    @extend_schema(
        tags=[TAG],
        summary="Revoke a member invite",
        description=(
            "Owners and admins. The link stops working at once; revoking twice is harmless. "
            "An accepted invite cannot be revoked (409 `invite_already_accepted`): remove "
            "the member instead."
        ),
        responses={
            204: None,
            409: error_response(
                "The invite was accepted already.", services.StudioError.ALREADY_ACCEPTED
            ),
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        invite = selectors.studio_invite_get(user=request.user, invite_id=pk)
        services.studio_invite_revoke(invite=invite)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- anonymous: the invitee --------------------------------------------------------------


class _MemberInviteTokenView(APIView):
    # Anyone with the link; any Authorization header is ignored. Throttled per IP (the
    # client invites' scope) because these are the endpoints one would hammer for tokens.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invite_token"


NOT_FOUND = error_response(
    "No member invite has this token.", services.StudioError.INVITE_NOT_FOUND
)


@extend_validation_errors(TOKEN_ERROR_CODES, field_name="token", methods=["get"])
class MemberInvitePreviewView(_MemberInviteTokenView):
    @extend_schema(
        tags=["auth"],
        summary="Preview a studio member invite by its token",
        description=(
            "The studio, role and email of the invite before the invitee sets a password. "
            "A token nobody issued is 404 `invite_not_found`; an unusable one is 400 on "
            "`token`: `invite_expired`, `invite_revoked` or `invite_used`."
        ),
        auth=[],
        responses={200: s.MemberInvitePreviewSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, token: str) -> Response:
        invite = services.studio_invite_check_usable(
            invite=selectors.studio_invite_get_by_token(token=token)
        )
        body = {
            "studio_name": invite.studio.name,
            "email": invite.email,
            "full_name": invite.full_name,
            "role": invite.role,
            "title": invite.title,
            "expires_at": invite.expires_at,
        }
        return Response(s.MemberInvitePreviewSerializer(body).data)


@extend_validation_errors(TOKEN_ERROR_CODES, field_name="token", methods=["post"])
class MemberInviteAcceptView(_MemberInviteTokenView):
    @extend_schema(
        tags=["auth"],
        summary="Accept a studio member invite: create the trainer account and sign in",
        description=(
            "Creates a trainer account with the invited email that joins the studio with "
            "the invite's role and title, and returns JWTs. `full_name` defaults to the "
            "name on the invite. An unknown token is 404 `invite_not_found`; unusable ones "
            "answer 400 on `token` (`invite_expired`, `invite_revoked`, `invite_used`); 409 "
            "`email_taken` if an account with the invited email exists meanwhile. Of two "
            "concurrent accepts one creates the account, the other gets `invite_used`."
        ),
        auth=[],
        request=s.MemberInviteAcceptSerializer,
        responses={
            201: s.AuthResultSerializer,
            404: NOT_FOUND,
            409: error_response(
                "An account with this email already exists.", services.StudioError.EMAIL_TAKEN
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.MemberInviteAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.studio_invite_accept(**data.validated_data)
        body = {"user": s.UserSerializer(user).data, **services.user_tokens(user=user)}
        return Response(body, status=status.HTTP_201_CREATED)
