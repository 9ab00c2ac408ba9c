from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import (
    AuthResultSerializer,
    EmailAddressField,
    password_field,
)
from accounts.models import EmailDelivery, StudioRole, User
from clients.models import (
    AccessDomain,
    Client,
    ClientAccessChange,
    ClientNote,
    HealthProfile,
    Invite,
)
from clients.services import HEALTH_FIELDS
from fitbud.api.serializers import StrictSerializer, datetime_json

HEIGHT_MIN_CM = Decimal("30")
HEIGHT_MAX_CM = Decimal("300")
OLDEST_DATE_OF_BIRTH = date(1900, 1, 1)


def _one_line(value: str) -> str:
    return " ".join(value.split())


# --- invites -------------------------------------------------------------------------------


class InviteCreateInputSerializer(StrictSerializer):
    email = EmailAddressField()
    full_name = serializers.CharField(max_length=150)

    def validate_full_name(self, value: str) -> str:
        value = _one_line(value)
        if not value:
            raise serializers.ValidationError("This field may not be blank.", code="blank")
        return value


class InviteSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    client = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    last_sent_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When an invite email last went out."
    )
    send_count = serializers.IntegerField(
        read_only=True, help_text="How many invite emails went out (successful sends only)."
    )
    email_status = serializers.ChoiceField(
        source="email_delivery.status",
        choices=EmailDelivery.Status.choices,
        read_only=True,
        allow_null=True,
        default=None,
        help_text=(
            "The latest invite email: `pending` (queued after the response, or waiting for "
            "a retry while the mail server fails), `sent`, or `failed` (the mail server "
            "refused or did not answer through every retry; resend to try again with a new "
            "link). Null for invites that never had one."
        ),
    )

    class Meta:
        model = Invite
        fields = [
            "id",
            "email",
            "full_name",
            "status",
            "expires_at",
            "created_at",
            "last_sent_at",
            "send_count",
            "email_status",
            "accepted_at",
            "revoked_at",
            "client",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Invite.Status.choices))
    def get_status(self, invite: Invite) -> str:
        # Selectors annotate current_status; a pending invite past expiry reads "expired".
        current = getattr(invite, "current_status", None)
        if current is not None and invite.status == Invite.Status.PENDING:
            return current
        return Invite.Status.EXPIRED.value if invite.is_expired else invite.status


class InviteIssuedSerializer(InviteSerializer):
    """The invite plus its token and link: only in the create and resend responses."""

    token = serializers.CharField(read_only=True)
    invite_url = serializers.URLField(read_only=True)

    class Meta(InviteSerializer.Meta):
        fields = [*InviteSerializer.Meta.fields, "token", "invite_url"]
        read_only_fields = fields


class InvitePreviewTrainerSerializer(serializers.Serializer):
    full_name = serializers.CharField()


class InvitePreviewSerializer(serializers.Serializer):
    """What anyone holding the link may see: nothing beyond this invite."""

    trainer = InvitePreviewTrainerSerializer()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class InviteAcceptInputSerializer(StrictSerializer):
    token = serializers.CharField(max_length=128)
    password = password_field()
    full_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, allow_null=True
    )


# The same shape as register's answer: one component (AuthResult) in the schema.
AuthResponseSerializer = AuthResultSerializer


# --- roster --------------------------------------------------------------------------------


# The roster serializes these for every row of every page: plain Serializers, so that DRF
# does not rebuild the fields from the model on each request (the schema is the same).
class ClientUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True, label="Email address")
    full_name = serializers.CharField(read_only=True)
    timezone = serializers.CharField(read_only=True)
    units = serializers.ChoiceField(choices=User.Units.choices, read_only=True)


class ClientSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = ClientUserSerializer(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)
    deactivated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    goals = serializers.CharField(read_only=True)
    notes_count = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    def get_notes_count(self, client: Client) -> int:
        count = getattr(client, "notes_count", None)
        return count if count is not None else client.notes.count()

    def to_representation(self, client: Client) -> dict:
        if type(self) is not ClientSerializer:
            return super().to_representation(client)  # a subclass declares other fields
        # The roster's hot path: exactly the declared fields above (which the schema reads),
        # built in one go instead of field by field, which cost more than the page's SQL
        # (docs/performance.md; fitbud/tests/test_serializers_fast.py compares the two).
        user, zone = client.user, timezone.get_current_timezone()
        return {
            "id": client.pk,
            "user": {
                "id": user.pk,
                "email": user.email,
                "full_name": user.full_name,
                "timezone": user.timezone,
                "units": user.units,
            },
            "is_active": client.is_active,
            "joined_at": datetime_json(client.joined_at, zone),
            "deactivated_at": datetime_json(client.deactivated_at, zone),
            "goals": client.goals,
            "notes_count": self.get_notes_count(client),
            "updated_at": datetime_json(client.updated_at, zone),
        }


class ClientUpdateInputSerializer(StrictSerializer):
    is_active = serializers.BooleanField(required=False)
    goals = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )

    def validate_goals(self, value: str | None) -> str:
        return (value or "").strip()


class TrainerPublicSerializer(serializers.ModelSerializer):
    """A trainer as their clients see them."""

    class Meta:
        model = User
        fields = ["id", "full_name", "email"]
        read_only_fields = fields


# --- notes ---------------------------------------------------------------------------------


class NoteAuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]
        read_only_fields = fields


class ClientNoteSerializer(serializers.ModelSerializer):
    author = NoteAuthorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ClientNote
        fields = ["id", "client", "body", "author", "created_at", "updated_at"]
        read_only_fields = fields


class ClientNoteInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=10000)


# --- health --------------------------------------------------------------------------------


class HealthProfileInputSerializer(StrictSerializer):
    """Every field optional and nullable (null clears it). Heights are rounded to 0.1 cm
    so imperial conversions from the app are accepted."""

    # No precision limits on input (172.72 from an inch conversion is fine); the bounds are
    # checked first, then the value is rounded to the stored 0.1 cm in validate_height_cm.
    height_cm = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=HEIGHT_MIN_CM,
        max_value=HEIGHT_MAX_CM,
        required=False,
        allow_null=True,
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(
        choices=HealthProfile.Sex.choices, required=False, allow_blank=True, allow_null=True
    )
    injuries = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    conditions = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    medications = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    allergies = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    dietary_preferences = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    emergency_contact = serializers.CharField(
        max_length=255, required=False, allow_blank=True, allow_null=True
    )

    TEXT_FIELDS = (
        "sex",
        "injuries",
        "conditions",
        "medications",
        "allergies",
        "dietary_preferences",
        "emergency_contact",
    )

    def validate_height_cm(self, value: Decimal | None) -> Decimal | None:
        if value is None:
            return value
        return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def validate_date_of_birth(self, value: date | None) -> date | None:
        if value is None:
            return value
        today = date.today()
        if value >= today:
            raise serializers.ValidationError(
                "The date of birth must be in the past.", code="date_not_in_past"
            )
        if value < OLDEST_DATE_OF_BIRTH:
            raise serializers.ValidationError(
                "The date of birth must be on or after 1900-01-01.", code="date_too_old"
            )
        return value

    def validate(self, attrs: dict) -> dict:
        # Text columns store "" for "nothing"; null in a request means the same.
        for name in self.TEXT_FIELDS:
            if name in attrs and attrs[name] is None:
                attrs[name] = ""
        return attrs


class HealthUpdatedBySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "role"]
        read_only_fields = fields


class HealthProfileSerializer(serializers.ModelSerializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    height_cm = serializers.DecimalField(
        max_digits=4, decimal_places=1, read_only=True, allow_null=True
    )
    # Blank until someone chooses: the schema must say "" is a possible answer.
    sex = serializers.ChoiceField(
        choices=[("", "Not given"), *HealthProfile.Sex.choices], read_only=True
    )
    updated_by = HealthUpdatedBySerializer(read_only=True, allow_null=True)
    updated_at = serializers.SerializerMethodField()

    class Meta:
        model = HealthProfile
        fields = ["client", *HEALTH_FIELDS, "updated_by", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, profile: HealthProfile) -> str | None:
        # An empty profile nobody has written yet has no update time.
        if profile.pk is None:
            return None
        return serializers.DateTimeField().to_representation(profile.updated_at)


# --- access grants, transfer, the client's team (studios) ----------------------------------

MAX_ID = 2**31 - 1


class DomainsField(serializers.ListField):
    """A non-empty list of distinct access domains."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ChoiceField(choices=AccessDomain.choices),
            min_length=1,
            max_length=len(AccessDomain.choices),
            **kwargs,
        )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if len(set(values)) != len(values):
            raise serializers.ValidationError("Each domain may be named once.", code="duplicate")
        return values


def _future(value):
    if value is not None and value <= timezone.now():
        raise serializers.ValidationError("The end must be in the future.", code="not_future")
    return value


class ClientAccessCreateInputSerializer(StrictSerializer):
    member = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="A StudioMember id of the client's studio."
    )
    domains = DomainsField()
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the grant stops (null: never)."
    )

    def validate_ends_at(self, value):
        return _future(value)


class ClientAccessUpdateInputSerializer(StrictSerializer):
    domains = DomainsField(required=False)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_ends_at(self, value):
        return _future(value)


class GrantedBySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ClientAccessSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    name = serializers.CharField(source="member.user.full_name", read_only=True)
    role = serializers.ChoiceField(source="member.role", choices=StudioRole.choices, read_only=True)
    title = serializers.CharField(source="member.title", read_only=True)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessDomain.choices), read_only=True
    )
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    in_force = serializers.SerializerMethodField(
        help_text="False once `ends_at` has passed (the grant stopped at that instant)."
    )
    granted_by = GrantedBySerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def get_in_force(self, grant) -> bool:
        return grant.revoked_at is None and (
            grant.ends_at is None or grant.ends_at > timezone.now()
        )


class ClientTransferInputSerializer(StrictSerializer):
    coach = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The StudioMember id of the new primary coach (an owner, admin or coach).",
    )


class TeamMemberSerializer(serializers.Serializer):
    """A member who can see part of my record. Staff emails are not shown (the client
    writes to their coach through the app; me/trainer/ names the primary coach's)."""

    member = serializers.IntegerField(source="member.pk", read_only=True)
    name = serializers.CharField(source="member.user.full_name", read_only=True)
    role = serializers.ChoiceField(source="member.role", choices=StudioRole.choices, read_only=True)
    title = serializers.CharField(source="member.title", read_only=True)
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessDomain.choices), read_only=True
    )
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    primary = serializers.BooleanField(read_only=True, help_text="The primary coach.")


class AccessChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    action = serializers.ChoiceField(choices=ClientAccessChange.Action.choices, read_only=True)
    member_name = serializers.CharField(
        read_only=True, help_text="Who gained or lost access (the new primary coach)."
    )
    previous_member_name = serializers.CharField(
        read_only=True, help_text="The previous primary coach (transfers), else empty."
    )
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessDomain.choices), read_only=True
    )
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    actor_name = serializers.CharField(read_only=True, help_text="Who made the change.")
    created_at = serializers.DateTimeField(read_only=True)
