from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import membership_of
from billing import selectors, services
from billing.api import serializers as s
from billing.api.filters import PaymentFilter, PaymentSummaryFilter, SubscriptionFilter
from billing.api.schema import error
from billing.models import Payment, Subscription, SubscriptionPlan
from fitbud.api.conditional import ConditionalWriteMixin
from fitbud.api.exceptions import StudioRoleForbidden
from fitbud.api.filters import FilterBackend, StrictOrderingFilter, UpdatedSinceFilter
from fitbud.api.idempotency import idempotency_key, idempotent
from fitbud.api.permissions import (
    ActiveClientCanWrite,
    IsClient,
    IsTrainer,
    IsTrainerOrClient,
    StudioManagerWrites,
)
from fitbud.api.schema import error_response

PLAN_IN_USE = error(
    "The plan has subscribers.",
    "plan_in_use",
    "Clients have subscribed to this plan, so its history is kept: deactivate it "
    "(is_active=false) instead of deleting it.",
)
PROVIDER_DOWN = error(
    "The payment provider failed; nothing was charged.",
    "payment_provider_unavailable",
    "The payment provider is not available right now. Please try again.",
)


def _client_link(request):
    link = getattr(request.user, "client_link", None)
    if link is None:
        # A client login always has its trainer link; refuse cleanly rather than crash.
        raise PermissionDenied("Your account is not linked to a trainer.")
    return link


# --- trainer: plans (clients read their trainer's active plans at the same path) ---


@extend_schema_view(
    list=extend_schema(
        summary="List billing plans",
        description="Trainer: all of your plans. Client: your trainer's active plans "
        "(read-only), to choose one for checkout.",
    ),
    retrieve=extend_schema(summary="Get a billing plan"),
    create=extend_schema(
        summary="Create a billing plan (trainer)",
        request=s.PlanInputSerializer,
        responses={201: s.PlanSerializer},
        examples=[
            OpenApiExample(
                "Monthly coaching",
                value={
                    "name": "Monthly coaching",
                    "price": 9900,
                    "currency": "EUR",
                    "interval": "month",
                },
                request_only=True,
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a billing plan (trainer)",
        description="Name and is_active can always change; price, currency and interval only "
        "while nobody has subscribed (409 plan_in_use otherwise).",
        request=s.PlanInputSerializer(partial=True),
        responses={200: s.PlanSerializer, 409: PLAN_IN_USE},
    ),
    destroy=extend_schema(
        summary="Delete a billing plan (trainer)",
        description="Only a plan nobody ever subscribed to; deactivate the others "
        "(409 plan_in_use).",
        responses={204: None, 409: PLAN_IN_USE},
    ),
)
class PlanViewSet(
    ConditionalWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.PlanSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends = [StrictOrderingFilter, UpdatedSinceFilter]
    ordering_fields = ["price", "name", "created_at"]
    ordering = ["price", "id"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [IsTrainerOrClient()]
        return [IsTrainer(), StudioManagerWrites()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return SubscriptionPlan.objects.none()
        return selectors.plan_list(user=self.request.user)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = s.PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_create(trainer=request.user, **data.validated_data)
        return Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = s.PlanInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.plan_update(plan=plan, **data.validated_data)
        return Response(s.PlanSerializer(plan).data)

    def destroy(self, request, *args, **kwargs):
        services.plan_delete(plan=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- trainer: subscriptions and payments of their clients ---


@extend_schema_view(
    list=extend_schema(summary="Your clients' subscriptions (trainer)"),
    retrieve=extend_schema(summary="One of your clients' subscriptions (trainer)"),
    cancel=extend_schema(
        summary="Cancel a client's subscription at the end of the period (trainer)",
        description="The client keeps access until current_period_end; nothing more is "
        "charged and nothing is refunded. An unpaid (incomplete) subscription is canceled at "
        "once; one already canceled or set to cancel is answered unchanged. Deactivating a "
        "client does this by itself. Another trainer's subscription is a 404.",
        request=s.EmptyInputSerializer,
        responses={
            200: s.TrainerSubscriptionSerializer,
            404: OpenApiResponse(ErrorResponse404Serializer, description="No such subscription."),
            502: PROVIDER_DOWN,
        },
    ),
)
class SubscriptionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsTrainer]
    serializer_class = s.TrainerSubscriptionSerializer
    filter_backends = [FilterBackend, StrictOrderingFilter, UpdatedSinceFilter]
    filterset_class = SubscriptionFilter
    ordering_fields = ["created_at", "current_period_end"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Subscription.objects.none()
        return selectors.subscription_list(trainer=self.request.user)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        s.EmptyInputSerializer(data=request.data or {}).is_valid(raise_exception=True)
        subscription = services.subscription_cancel_by_trainer(subscription=self.get_object())
        return Response(s.TrainerSubscriptionSerializer(subscription).data)


@extend_schema_view(
    list=extend_schema(summary="Your clients' payments (trainer)"),
    retrieve=extend_schema(summary="One of your clients' payments (trainer)"),
)
class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsTrainer]
    serializer_class = s.TrainerPaymentSerializer
    filter_backends = [FilterBackend, StrictOrderingFilter, UpdatedSinceFilter]
    filterset_class = PaymentFilter
    ordering_fields = ["created_at", "paid_at", "amount"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Payment.objects.none()
        return selectors.payment_list(trainer=self.request.user)


class PaymentSummaryView(APIView):
    permission_classes = [IsTrainer]

    @extend_schema(
        tags=["billing"],
        summary="Money received per currency, for the studio and per coach (owners and admins)",
        description="Succeeded and refunded payments whose `paid_at` falls in the inclusive "
        "UTC date range (either end may be left open), summed per currency for the whole "
        "studio and per coach (the clients' primary coach). Coaches and specialists get "
        "403 `studio_role_forbidden`. See docs/billing.md.",
        parameters=[
            OpenApiParameter(
                name,
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=False,
                description=f"Paid on or {word} this date (UTC, YYYY-MM-DD).",
            )
            for name, word in (("date_from", "after"), ("date_to", "before"))
        ],
        responses={
            200: s.PaymentSummarySerializer,
            403: error_response("Not an owner or admin of the studio.", "studio_role_forbidden"),
        },
    )
    def get(self, request):
        member = membership_of(request.user)
        if member is None or not member.manages_studio:
            raise StudioRoleForbidden()
        query = PaymentSummaryFilter(request.query_params, queryset=Payment.objects.all())
        if not query.is_valid():
            raise translate_validation(query.errors)
        summary = selectors.payment_summary(member=member, payments=query.qs)
        data = query.form.cleaned_data
        return Response(
            s.PaymentSummarySerializer(
                {**summary, "date_from": data.get("date_from"), "date_to": data.get("date_to")}
            ).data
        )


# --- client: their own subscription and payments ---


class MySubscriptionView(APIView):
    permission_classes = [IsClient]

    @extend_schema(
        summary="Your current subscription (client)",
        description="The live subscription (incomplete, active or past_due), or `null` when "
        "you have none. A subscription set to cancel stays active until current_period_end.",
        responses={
            200: OpenApiResponse(
                {"allOf": [{"$ref": "#/components/schemas/Subscription"}], "nullable": True},
                description="Your live subscription, or null.",
            )
        },
    )
    def get(self, request):
        subscription = selectors.subscription_current(client=_client_link(request))
        if subscription is None:
            # DRF renders None as an empty body; the app expects the JSON literal null.
            return JsonResponse(None, safe=False)
        return Response(s.SubscriptionSerializer(subscription).data)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    # 1 to 255 printable ASCII characters (HTTP strips surrounding spaces).
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Recommended. A unique value per checkout attempt (e.g. a UUID). A retry "
    "with the same key returns the first answer and status (header Idempotent-Replayed: "
    "true); the same key with a different body is a 422 idempotency_key_mismatch.",
)


class CheckoutView(APIView):
    permission_classes = [IsClient, ActiveClientCanWrite]

    @extend_schema(
        summary="Subscribe to a plan (client)",
        description="Starts paying for one of your trainer's active plans. With Stripe the "
        "answer carries `checkout_url` (open it to pay; the subscription turns active by "
        "webhook). With the test provider the charge happens at once and `payment` shows it "
        "(a declined charge leaves the subscription `incomplete`; check out again to retry). "
        "An unpaid (incomplete) subscription is replaced; an active one is a 409.",
        parameters=[IDEMPOTENCY_KEY],
        request=s.CheckoutInputSerializer,
        responses={
            201: s.CheckoutSerializer,
            404: OpenApiResponse(ErrorResponse404Serializer, description="No such active plan."),
            409: error(
                "Already subscribed.",
                "already_subscribed",
                "You already have a subscription. Cancel it before choosing another plan.",
            ),
            422: error(
                "Idempotency-Key reused with a different body.",
                "idempotency_key_mismatch",
                "This Idempotency-Key was already used with a different request body. "
                "Use a new key for a new request.",
            ),
            502: PROVIDER_DOWN,
        },
    )
    def post(self, request):
        client = _client_link(request)

        def checkout():
            data = s.CheckoutInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            result = services.subscription_checkout(
                client=client, plan_id=data.validated_data["plan"]
            )
            return status.HTTP_201_CREATED, s.CheckoutSerializer(result).data

        key = idempotency_key(request)
        response_status, body, replayed = services.idempotent_call(
            user=request.user,
            scope="billing.checkout",
            key=key,
            fingerprint=services.request_fingerprint(request.data),
            action=checkout,
        )
        response = Response(body, status=response_status)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CancelView(APIView):
    # Not ActiveClientCanWrite: a deactivated client may still stop paying.
    permission_classes = [IsClient]

    @extend_schema(
        summary="Cancel your subscription at the end of the period (client)",
        description="You keep access until current_period_end; nothing more is charged. An "
        "unpaid (incomplete) subscription is canceled at once. Asking again is harmless. "
        "Allowed while your trainer has deactivated you (deactivation already cancels at "
        "period end).",
        request=s.EmptyInputSerializer,
        responses={
            200: s.SubscriptionSerializer,
            409: error(
                "Nothing to cancel.", "not_subscribed", "You have no subscription to cancel."
            ),
            502: PROVIDER_DOWN,
        },
    )
    def post(self, request):
        s.EmptyInputSerializer(data=request.data or {}).is_valid(raise_exception=True)
        subscription = services.subscription_cancel(client=_client_link(request))
        return Response(s.SubscriptionSerializer(subscription).data)


@extend_schema_view(list=extend_schema(summary="Your payments (client)"))
class MyPaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsClient]
    serializer_class = s.PaymentSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Payment.objects.none()
        return selectors.client_payment_list(client=_client_link(self.request))


# --- Stripe webhook ---


class StripeWebhookView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # Documented as JSON; the body is read raw (the signature covers the exact bytes).
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Stripe webhook endpoint",
        description="Called by Stripe, not by apps. The Stripe-Signature header is verified "
        "on the raw body with STRIPE_WEBHOOK_SECRET; forged or stale deliveries are 400. "
        "Each event is applied once: a redelivery answers `duplicate` and changes nothing.",
        auth=[],
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                "Stripe-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            )
        ],
        responses={200: s.WebhookAnswerSerializer},
    )
    def post(self, request):
        try:
            payload = request.body
        except (RequestDataTooBig, RawPostDataException):
            raise services.WebhookRejected() from None
        outcome = services.stripe_webhook_receive(
            payload=payload, signature=request.headers.get("Stripe-Signature")
        )
        return Response({"status": outcome})
