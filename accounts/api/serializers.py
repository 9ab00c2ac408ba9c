from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
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
