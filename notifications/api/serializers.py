import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fitbud.api.filters import MAX_ID
from fitbud.api.serializers import StrictSerializer
from notifications.models import Device, Notification
from notifications.services import CHANNELS


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "read_at", "created_at"]
        read_only_fields = fields


class NotificationReadSerializer(StrictSerializer):
    """Either `ids` (your notifications to mark read) or `all: true`."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        min_length=1,
        max_length=100,
        help_text="Ids of your notifications to mark read (others' or unknown ids are ignored).",
    )
    all = serializers.BooleanField(
        required=False, help_text="true: mark every unread notification of yours read."
    )

    def validate(self, attrs):
        if ("ids" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError(
                "Send either `ids` or `all: true`.", code="ids_or_all"
            )
        return attrs


class NotificationReadResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(
        help_text="How many notifications this call marked read."
    )
    unread = serializers.IntegerField(help_text="Your unread notifications after the call.")


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


# Devices -----------------------------------------------------------------------------------

_FCM_TOKEN = re.compile(r"[A-Za-z0-9_:\-.]{8,1024}")
_B64URL = re.compile(r"[A-Za-z0-9_\-]+={0,2}")


def _b64url_bytes(value: Any) -> int | None:
    """Length in bytes of a base64url string, None when it is not one."""
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        return None
    try:
        return len(
            base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
        )
    except (ValueError, binascii.Error):
        return None


def web_subscription(raw: str) -> tuple[str, dict[str, str]]:
    """The browser's `JSON.stringify(pushSubscription)` → (endpoint, keys), checked: an https
    endpoint on a known push service (WEBPUSH_ALLOWED_HOSTS), a P-256 public key (65 bytes)
    and a 16-byte auth secret."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("keys"), dict):
        raise serializers.ValidationError(
            "For web, send the push subscription as JSON: "
            '{"endpoint": "https://...", "keys": {"p256dh": "...", "auth": "..."}}.',
            code="invalid_subscription",
        )
    endpoint, keys = parsed.get("endpoint"), parsed["keys"]
    try:
        url = urlsplit(endpoint) if isinstance(endpoint, str) and len(endpoint) <= 1024 else None
        host, port = ((url.hostname or ""), url.port) if url else ("", None)
    except ValueError:  # a port that is not a number
        url, host, port = None, "", None
    allowed = any(
        host == allowed or host.endswith("." + allowed)
        for allowed in settings.WEBPUSH_ALLOWED_HOSTS
    )
    if url is None or url.scheme != "https" or not allowed or url.username or port:
        raise serializers.ValidationError(
            "The subscription's endpoint must be an https URL of a known push service.",
            code="endpoint_not_allowed",
        )
    if _b64url_bytes(keys.get("p256dh")) != 65 or _b64url_bytes(keys.get("auth")) != 16:
        raise serializers.ValidationError(
            "keys.p256dh (65 bytes) and keys.auth (16 bytes) must be base64url.",
            code="invalid_subscription",
        )
    return endpoint, {"p256dh": keys["p256dh"], "auth": keys["auth"]}


class DeviceRegisterSerializer(StrictSerializer):
    platform = serializers.ChoiceField(choices=Device.Platform.choices)
    token = serializers.CharField(
        max_length=4096,
        help_text=(
            "ios/android: the FCM registration token (the Firebase SDK's, which wraps APNs "
            "on iOS). web: the browser's push subscription as a JSON string, i.e. "
            "`JSON.stringify(subscription)` = `{endpoint, keys: {p256dh, auth}}`."
        ),
    )
    app_version = serializers.CharField(max_length=32, required=False, allow_blank=True)

    def validate(self, attrs):
        token = attrs["token"].strip()
        if attrs["platform"] == Device.Platform.WEB:
            try:
                attrs["token"], attrs["web_keys"] = web_subscription(token)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"token": exc.detail}) from None
        elif not _FCM_TOKEN.fullmatch(token):
            raise serializers.ValidationError(
                {"token": ["Not an FCM registration token."]}, code="invalid_token"
            )
        else:
            attrs["token"] = token
        return attrs


class DeviceSerializer(serializers.ModelSerializer):
    token = serializers.CharField(
        read_only=True,
        help_text="The FCM token (ios/android); the subscription's endpoint URL (web).",
    )

    class Meta:
        model = Device
        fields = ["id", "platform", "token", "app_version", "created_at", "last_seen_at"]
        read_only_fields = fields


class WebPushKeySerializer(serializers.Serializer):
    public_key = serializers.CharField(
        help_text="VAPID public key (base64url): the `applicationServerKey` for "
        "`pushManager.subscribe()`. Empty when Web Push is not configured."
    )


# Preferences -------------------------------------------------------------------------------


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField(help_text="Listed in notifications/ (and counted).")
    push = serializers.BooleanField(help_text="Pushed to your devices.")


class ChannelsInputSerializer(StrictSerializer):
    in_app = serializers.BooleanField(required=False)
    push = serializers.BooleanField(required=False)


KindsSerializer = type(
    "NotificationKindsSerializer",
    (serializers.Serializer,),
    {kind: ChannelsSerializer() for kind in Notification.Kind.values},
)
KindsInputSerializer = type(
    "NotificationKindsInputSerializer",
    (StrictSerializer,),
    {kind: ChannelsInputSerializer(required=False) for kind in Notification.Kind.values},
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "19:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day, answered as HH:MM (HH:MM:SS accepted). Not OpenAPI's `time`
    format, which is RFC 3339's full-time (seconds and an offset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)


class QuietHoursSerializer(StrictSerializer):
    start = LocalTimeField(help_text="Local time (HH:MM) they start.")
    end = LocalTimeField(help_text="Local time they end; before start = across midnight.")

    def validate(self, attrs):
        if attrs["start"] == attrs["end"]:
            raise serializers.ValidationError(
                "start and end must differ.", code="empty_quiet_hours"
            )
        return attrs


class PreferenceSerializer(serializers.Serializer):
    kinds = KindsSerializer()
    quiet_hours = QuietHoursSerializer(
        allow_null=True, help_text="null: none. Pushes in them wait until they end."
    )
    habit_reminder_time = LocalTimeField(help_text="Local time of the daily habit reminder.")
    timezone = serializers.CharField(
        help_text="Your timezone (the profile's, changed there), in which the times are read."
    )


class PreferenceUpdateSerializer(StrictSerializer):
    kinds = KindsInputSerializer(
        required=False, help_text="Only the kinds and channels you change."
    )
    quiet_hours = QuietHoursSerializer(required=False, allow_null=True)
    habit_reminder_time = LocalTimeField(required=False)


def preference_data(preference, *, user) -> dict[str, Any]:
    from notifications.services import preference_wants

    start, end = preference.quiet_hours_start, preference.quiet_hours_end
    return {
        "kinds": {
            kind: {channel: preference_wants(preference, kind, channel) for channel in CHANNELS}
            for kind in Notification.Kind.values
        },
        "quiet_hours": None if start is None else {"start": start, "end": end},
        "habit_reminder_time": preference.habit_reminder_time,
        "timezone": user.timezone,
    }
