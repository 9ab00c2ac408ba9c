"""Billing serializers. Money is an integer number of minor units, never a float or string."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import StudioRole
from billing.currencies import MINOR_UNITS, is_valid_currency
from billing.models import Interval, Payment, Subscription, SubscriptionPlan
from billing.services.webhooks import WebhookOutcome
from clients.models import Client
from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer

MAX_PRICE = 99_999_999  # Stripe's largest amount (8 digits); far above any coaching fee.


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, strictly: "100", 100.0 and true are refused."""

    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class MinorUnitsField(StrictIntegerField):
    """Money: an int of minor units, so a float can never sneak in."""

    default_error_messages = {
        "invalid": "Send a whole number of minor units (e.g. 1999 for 19.99), "
        "not a string or a decimal."
    }


@extend_schema_field(
    {
        "type": "string",
        "enum": sorted(MINOR_UNITS),
        "description": "Upper-case ISO 4217 code.",
    }
)
class CurrencyField(serializers.CharField):
    default_error_messages = {
        "invalid_currency": "Use an upper-case ISO 4217 currency code such as EUR or USD."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not is_valid_currency(value):
            self.fail("invalid_currency")
        return value


# --- plans ---


class PlanInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    price = MinorUnitsField(min_value=1, max_value=MAX_PRICE, help_text="Minor units (cents).")
    currency = CurrencyField(help_text="Upper-case ISO 4217 code.")
    interval = serializers.ChoiceField(choices=Interval.choices)
    is_active = serializers.BooleanField(required=False, default=True)


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.IntegerField(read_only=True, help_text="Minor units (cents).")

    class Meta:
        model = SubscriptionPlan
        fields = [
            "id",
            "name",
            "price",
            "currency",
            "interval",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlanSummarySerializer(serializers.ModelSerializer):
    price = serializers.IntegerField(read_only=True, help_text="Minor units (cents).")

    class Meta:
        model = SubscriptionPlan
        fields = ["id", "name", "price", "currency", "interval"]
        read_only_fields = fields


# --- subscriptions and payments ---


class ClientSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Client
        fields = ["id", "full_name", "email"]
        read_only_fields = fields


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = PlanSummarySerializer(read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "plan",
            "status",
            "cancel_at_period_end",
            "current_period_start",
            "current_period_end",
            "canceled_at",
            "created_at",
        ]
        read_only_fields = fields


class TrainerSubscriptionSerializer(SubscriptionSerializer):
    client = ClientSummarySerializer(read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = ["id", "client", *SubscriptionSerializer.Meta.fields[1:]]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    amount = serializers.IntegerField(read_only=True, help_text="Minor units (cents).")

    class Meta:
        model = Payment
        fields = [
            "id",
            "subscription",
            "amount",
            "currency",
            "status",
            "period_start",
            "period_end",
            "paid_at",
            "failure_reason",
            "created_at",
        ]
        read_only_fields = fields


class TrainerPaymentSerializer(PaymentSerializer):
    client = ClientSummarySerializer(read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = ["id", "client", *PaymentSerializer.Meta.fields[1:]]
        read_only_fields = fields


# --- client actions ---


class CheckoutInputSerializer(StrictSerializer):
    plan = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of one of your trainer's active plans."
    )


class CheckoutSerializer(serializers.Serializer):
    subscription = SubscriptionSerializer()
    checkout_url = serializers.URLField(
        allow_null=True,
        help_text="Stripe: open this URL to pay; the subscription turns active by webhook. "
        "Null with the test provider, which charges at once.",
    )
    payment = PaymentSerializer(
        allow_null=True,
        help_text="The immediate charge (test provider); null with Stripe.",
    )


class EmptyInputSerializer(StrictSerializer):
    """No body, or an empty object; any key is refused."""


class WebhookAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WebhookOutcome.choices)


class CurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code.")
    received = serializers.IntegerField(help_text="Succeeded payments, minor units (cents).")
    payments = serializers.IntegerField(help_text="How many succeeded payments.")
    refunded = serializers.IntegerField(help_text="Refunded payments, minor units (cents).")
    refunds = serializers.IntegerField(help_text="How many refunded payments.")


class CoachTotalsSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="The coach's studio member id.")
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=StudioRole.choices)
    totals = CurrencyTotalSerializer(many=True)


class PaymentSummarySerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True, help_text="As asked (null: open).")
    date_to = serializers.DateField(allow_null=True, help_text="As asked (null: open).")
    totals = CurrencyTotalSerializer(
        many=True, help_text="The whole studio, one entry per currency (alphabetical)."
    )
    coaches = CoachTotalsSerializer(
        many=True,
        help_text="Every member who can coach (and anyone else who is still the primary "
        "coach of a paying client), in joining order, over their primary clients' payments.",
    )
