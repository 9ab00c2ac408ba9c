"""Auth endpoints: thin views (input serializer -> service -> output serializer)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api import serializers as s
from accounts.api.schema import ErrorResponse401Serializer
from accounts.api.throttles import (
    LoginAccountThrottle,
    LoginAddressThrottle,
    LogoutAddressThrottle,
    RefreshAddressThrottle,
    ResetAccountThrottle,
    ResetAddressThrottle,
    ResetConfirmAddressThrottle,
)
from fitbud.api.schema import error_response

TAG = "auth"
RESET_ACCEPTED = "If an account exists for this email, we have sent a link to reset its password."
UNAUTHORIZED = OpenApiResponse(
    ErrorResponse401Serializer, description="Invalid credentials or token."
)


class AnonymousAPIView(APIView):
    # Endpoints for signed-out users. No authentication classes, so a stale or garbage
    # `Authorization` header left over in the app cannot block signing in again.

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        # DRF turns a 401 into a 403 when a view has no authenticator to name a scheme;
        # bad credentials or tokens here are still a 401.
        return 'Bearer realm="api"'


@extend_schema(
    tags=[TAG],
    summary="Sign up as a trainer",
    description=(
        "Signs in at once (201 with tokens), so a taken email cannot be hidden: it is a 409 "
        "`email_taken`. The password is validated and hashed before the email is looked "
        "up, so a weak password is the same 400 either way and both paths cost the same; "
        "limited per client address like login."
    ),
    request=s.RegisterSerializer,
    responses={
        201: s.AuthResultSerializer,
        409: error_response("An account with this email already exists.", "email_taken"),
    },
)
class RegisterView(AnonymousAPIView):
    # Sign-up answers 409 for a taken email, so it is rate-limited like login.
    throttle_classes = [LoginAddressThrottle]

    def post(self, request):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(**data.validated_data)
        result = {"user": user, **services.user_tokens(user=user)}
        return Response(s.AuthResultSerializer(result).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    summary="Log in: email and password for a JWT pair",
    request=s.TokenObtainSerializer,
    responses={200: s.TokenPairSerializer, 401: UNAUTHORIZED},
)
class TokenObtainView(AnonymousAPIView):
    throttle_classes = [LoginAddressThrottle, LoginAccountThrottle]

    def post(self, request):
        data = s.TokenObtainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.user_login(**data.validated_data, request=request)
        return Response(s.TokenPairSerializer(tokens).data)


@extend_schema(
    tags=[TAG],
    summary="Exchange a refresh token for a new pair (the old one stops working)",
    request=s.RefreshSerializer,
    responses={200: s.TokenPairSerializer, 401: UNAUTHORIZED},
)
class TokenRefreshView(AnonymousAPIView):
    throttle_classes = [RefreshAddressThrottle]

    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.refresh_token_rotate(refresh=data.validated_data["refresh"])
        return Response(s.TokenPairSerializer(tokens).data)


@extend_schema(
    tags=[TAG],
    summary="Log out: revoke the refresh token",
    description=(
        "Works without an access token (it may have expired). Repeating it with the same "
        "refresh token succeeds again."
    ),
    request=s.RefreshSerializer,
    responses={204: None, 401: UNAUTHORIZED},
)
class LogoutView(AnonymousAPIView):
    throttle_classes = [LogoutAddressThrottle]

    def post(self, request):
        data = s.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.refresh_token_revoke(refresh=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], summary="The signed-in user", responses=s.UserSerializer)
    def get(self, request):
        return Response(s.UserSerializer(request.user).data)

    @extend_schema(
        tags=[TAG],
        summary="Update your name, timezone or units",
        request=s.MeUpdateSerializer,
        responses=s.UserSerializer,
        examples=[
            OpenApiExample("Move to Berlin", value={"timezone": "Europe/Berlin"}, request_only=True)
        ],
    )
    def patch(self, request):
        data = s.MeUpdateSerializer(request.user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **data.validated_data)
        return Response(s.UserSerializer(user).data)


@extend_schema(
    tags=[TAG],
    summary="Change your password",
    description=(
        "Signs out every other session (their refresh tokens are revoked and their access "
        "tokens stop working) and returns a new pair for this device."
    ),
    request=s.PasswordChangeSerializer,
    responses={200: s.TokenPairSerializer},
)
class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    # Shares the per-account login budget: a stolen access token must not become a way
    # to guess the current password faster than logging in would.
    throttle_classes = [LoginAccountThrottle]

    def post(self, request):
        data = s.PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.user_password_change(user=request.user, **data.validated_data)
        return Response(s.TokenPairSerializer(tokens).data)


@extend_schema(
    tags=[TAG],
    summary="Email a password reset link",
    description=(
        "Answers the same (status, body and time) whether or not an account has this "
        "email: the account is looked up, and the email recorded and sent, after the answer."
    ),
    request=s.PasswordResetSerializer,
    responses={
        202: OpenApiResponse(
            s.DetailSerializer,
            examples=[OpenApiExample("Accepted", value={"detail": RESET_ACCEPTED})],
        )
    },
)
class PasswordResetView(AnonymousAPIView):
    throttle_classes = [ResetAddressThrottle, ResetAccountThrottle]

    def post(self, request):
        data = s.PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_reset_request(email=data.validated_data["email"])
        return Response({"detail": RESET_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=[TAG],
    summary="Set a new password with the emailed uid and token",
    description="The link works once; every session of the account is signed out.",
    request=s.PasswordResetConfirmSerializer,
    responses={204: None},
)
class PasswordResetConfirmView(AnonymousAPIView):
    throttle_classes = [ResetConfirmAddressThrottle]

    def post(self, request):
        data = s.PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
