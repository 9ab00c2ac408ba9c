from rest_framework import serializers

from accounts.models import User


class UserSerializer(serializers.ModelSerializer):
    """The public shape of a user (auth/me/, register and invite-accept responses)."""

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "timezone", "units", "date_joined"]
        read_only_fields = fields
