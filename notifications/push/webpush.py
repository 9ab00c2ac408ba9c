"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption, through
pywebpush (which posts with `requests`), for browsers.

404 and 410 from the push service mean the subscription is gone (device dropped); 429,
5xx, timeouts and connection errors are transient; anything else is permanent.
"""

from __future__ import annotations

import json

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notifications.push.base import (
    InvalidToken,
    PermanentPushError,
    PushMessage,
    PushProvider,
    PushTarget,
    TransientPushError,
)


class WebPushProvider(PushProvider):
    name = "webpush"

    def send(self, *, target: PushTarget, message: PushMessage) -> str:
        if not settings.WEBPUSH_VAPID_PRIVATE_KEY:
            raise PermanentPushError("Web Push is not configured (WEBPUSH_VAPID_PRIVATE_KEY)")
        try:
            vapid = Vapid.from_string(settings.WEBPUSH_VAPID_PRIVATE_KEY)
        except Exception as exc:
            raise PermanentPushError("WEBPUSH_VAPID_PRIVATE_KEY is not a usable key") from exc
        payload = {"title": message.title, "body": message.body, "data": message.data}
        try:
            response = webpush(
                subscription_info={"endpoint": target.token, "keys": target.web_keys},
                data=json.dumps(payload),
                vapid_private_key=vapid,
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
                timeout=settings.PUSH_TIMEOUT_SECONDS,
                ttl=message.ttl_seconds,
                # Topic: a newer push with the same one replaces an undelivered older one.
                headers={"Topic": message.collapse_key[:32]},
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                raise InvalidToken(f"Web Push {status}") from exc
            if status is None or status == 429 or status >= 500:
                raise TransientPushError(f"Web Push {status}") from exc
            raise PermanentPushError(f"Web Push {status}") from exc
        except requests.RequestException as exc:  # timeouts included
            raise TransientPushError(f"Web Push unreachable: {type(exc).__name__}") from exc
        except (ValueError, TypeError) as exc:  # keys that do not decode
            raise InvalidToken(f"Web Push subscription unusable: {exc}") from exc
        return response.headers.get("Location", "") if hasattr(response, "headers") else ""
