"""Push providers: which one serves a platform (settings.PUSH_PROVIDER)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.push.base import PushProvider

# PUSH_PROVIDER=live: ios and android through FCM (HTTP v1), web through Web Push (VAPID).
LIVE = {
    "ios": "notifications.push.fcm.FCMProvider",
    "android": "notifications.push.fcm.FCMProvider",
    "web": "notifications.push.webpush.WebPushProvider",
}
TEST = "notifications.push.test.TestPushProvider"


def provider_for(platform: str) -> PushProvider:
    path = LIVE[platform] if settings.PUSH_PROVIDER == "live" else TEST
    return import_string(path)()
