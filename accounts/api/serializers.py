from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import EmailDelivery, StudioInvite, StudioRole, User
from accounts.validators import validate_timezone
from fitbud.api.schema_hooks import NO_NUL
from fitbud.api.serializers import StrictModelSerializer, StrictSerializer

# Long enough for any password manager, short enough that hashing it is not a DoS vector.
PASSWORD_MAX_LENGTH = 256
# A signed JWT is a few hundred characters; anything far longer is not one of ours.
TOKEN_MAX_LENGTH = 4096


class UserSerializer(serializers.ModelSerializer):
    """The public shape of a user (auth/me/, register and invite-accept responses)."""

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "timezone", "units", "date_joined"]
        read_only_fields = fields


def _min_password_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return 1


# The schema states what Django's validators enforce where a schema can (length, the list
# of zones, no NUL character: DRF refuses it); the rest (common or all-numeric passwords)
# is told by the 400's code.
@extend_schema_field(
    {
        "type": "string",
        "format": "password",
        "writeOnly": True,
        "minLength": _min_password_length(),
        "maxLength": PASSWORD_MAX_LENGTH,
        "pattern": NO_NUL,
    }
)
class PasswordField(serializers.CharField):
    pass


# A string checked on the server, not an enum: the list of names grows with tz releases, and
# several names (GMT+0, GMT0, GMT-0) collide as identifiers in generated clients.
@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": 64,
        "pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$",
        "example": "Europe/Berlin",
        "description": (
            "IANA timezone name, e.g. `Europe/Berlin` or `America/New_York` (the names of the "
            "tz database, as shipped by the `tzdata` package). Anything else, including "
            "`localtime` and `Factory`, is a 400 `invalid_timezone`."
        ),
    }
)
class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("validators", [validate_timezone])
        super().__init__(**kwargs)


def password_field(**kwargs) -> serializers.CharField:
    return PasswordField(
        max_length=PASSWORD_MAX_LENGTH,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        **kwargs,
    )


class EmailAddressField(serializers.EmailField):
    """An email as we store it: trimmed and lower-cased first, then validated. Lower-casing
    can lengthen a string (`İ` becomes two characters), so the 254-character limit and the
    address syntax are checked on the stored form: a 400 on the field, never a database
    error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        return User.objects.normalize_email(super().to_internal_value(data))


class RegisterSerializer(StrictSerializer):
    email = EmailAddressField()
    password = password_field()
    full_name = serializers.CharField(max_length=150)
    timezone = TimezoneField(
        required=False, default="UTC", help_text="IANA timezone name. Defaults to UTC."
    )
    units = serializers.ChoiceField(
        choices=User.Units.choices, required=False, default=User.Units.METRIC
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Short-lived JWT for `Authorization: Bearer`.")
    refresh = serializers.CharField(help_text="Long-lived, single-use JWT for auth/token/refresh/.")


class AuthResultSerializer(TokenPairSerializer):
    user = UserSerializer()


class TokenObtainSerializer(StrictSerializer):
    email = EmailAddressField()
    password = password_field()


class RefreshSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=TOKEN_MAX_LENGTH, write_only=True)


class MeUpdateSerializer(StrictModelSerializer):
    """What a user may change about themselves; email and role are set by sign-up."""

    read_only_names = ("id", "email", "role", "date_joined")
    timezone = TimezoneField(required=False)

    class Meta:
        model = User
        fields = ["full_name", "timezone", "units"]

    def to_internal_value(self, data):
        if isinstance(data, dict):
            fixed = sorted(name for name in self.read_only_names if name in data)
            if fixed:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail("This field cannot be changed.", "read_only")
                        ]
                        for name in fixed
                    }
                )
        return super().to_internal_value(data)


class PasswordChangeSerializer(StrictSerializer):
    old_password = password_field()
    new_password = password_field()


class PasswordResetSerializer(StrictSerializer):
    email = EmailAddressField()


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = password_field()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- studios -------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join(value.split())


class _OneLineNameField(serializers.CharField):
    """A required name on one line (runs of spaces and newlines collapse); blank is 400."""

    def to_internal_value(self, data):
        value = _one_line(super().to_internal_value(data))
        if not value:
            self.fail("blank")
        return value


class StudioSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(
        choices=StudioRole.choices, read_only=True, help_text="Your role in the studio."
    )
    member_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class StudioUpdateSerializer(StrictSerializer):
    name = _OneLineNameField(max_length=150, required=False)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text="The membership id (URL key).")
    user_id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=StudioRole.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)
    clients_count = serializers.IntegerField(
        read_only=True, help_text="Clients this member is the primary coach of."
    )


class MemberUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=StudioRole.choices, required=False)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True)


class MemberRemoveQuerySerializer(serializers.Serializer):
    reassign_to = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class MemberInviteCreateSerializer(StrictSerializer):
    email = EmailAddressField()
    full_name = _OneLineNameField(max_length=150)
    role = serializers.ChoiceField(choices=StudioRole.choices)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MemberInviteSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    email_status = serializers.ChoiceField(
        source="email_delivery.status",
        choices=EmailDelivery.Status.choices,
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The latest invite email: `pending`, `sent` or `failed`.",
    )
    invited_by = serializers.IntegerField(source="invited_by_id", read_only=True, allow_null=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)

    class Meta:
        model = StudioInvite
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "title",
            "status",
            "expires_at",
            "created_at",
            "email_status",
            "invited_by",
            "accepted_at",
            "revoked_at",
            "member",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=StudioInvite.Status.choices))
    def get_status(self, invite: StudioInvite) -> str:
        current = getattr(invite, "current_status", None)
        if current is not None and invite.status == StudioInvite.Status.PENDING:
            return current
        return StudioInvite.Status.EXPIRED.value if invite.is_expired else invite.status


class MemberInviteIssuedSerializer(MemberInviteSerializer):
    """The invite plus its token and link: in the create response only."""

    token = serializers.CharField(read_only=True)
    invite_url = serializers.URLField(read_only=True)

    class Meta(MemberInviteSerializer.Meta):
        fields = [*MemberInviteSerializer.Meta.fields, "token", "invite_url"]
        read_only_fields = fields


class MemberInvitePreviewSerializer(serializers.Serializer):
    """What anyone holding the link may see: nothing beyond this invite."""

    studio_name = serializers.CharField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=StudioRole.choices)
    title = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MemberInviteAcceptSerializer(StrictSerializer):
    token = serializers.CharField(max_length=128)
    password = password_field()
    full_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, allow_null=True
    )


class MemberInviteStatusQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=StudioInvite.Status.choices)
