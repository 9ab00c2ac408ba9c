from rest_framework import serializers

from accounts.models import User
from accounts.validators import validate_timezone
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


def password_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        **kwargs,
    )


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()
    full_name = serializers.CharField(max_length=150)
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA timezone name, e.g. Europe/Berlin. Defaults to UTC.",
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
    email = serializers.EmailField(max_length=254)
    password = password_field()


class RefreshSerializer(StrictSerializer):
    refresh = serializers.CharField(max_length=TOKEN_MAX_LENGTH, write_only=True)


class MeUpdateSerializer(StrictModelSerializer):
    """What a user may change about themselves; email and role are set by sign-up."""

    read_only_names = ("id", "email", "role", "date_joined")

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
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = password_field()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
