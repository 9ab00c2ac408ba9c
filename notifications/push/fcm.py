"""Firebase Cloud Messaging, HTTP v1 API, for ios and android devices.

Plain HTTPS with `requests` plus google-auth for the service account's OAuth token,
rather than the firebase-admin SDK: we need one call (messages:send), and the SDK brings
Firestore, Cloud Storage and gRPC clients we would never use. google-auth signs the
service account's JWT and caches the access token until it expires (about an hour).

Error answers (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode):
404 UNREGISTERED and 403 SENDER_ID_MISMATCH mean the token is dead (device dropped); 400
INVALID_ARGUMENT naming `message.token` likewise; 429, 5xx, timeouts and connection
errors are transient (retried); 401 drops our cached token and is retried; anything else
is permanent.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import requests
from django.conf import settings
from google.auth.transport.requests import Request as GoogleRequest
from google.oauth2 import service_account

from notifications.push.base import (
    InvalidToken,
    PermanentPushError,
    PushMessage,
    PushProvider,
    PushTarget,
    TransientPushError,
)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
SEND_URL = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"

_lock = threading.Lock()
_credentials: dict[str, service_account.Credentials] = {}


class _TimedRequest(GoogleRequest):
    """google-auth's transport waits 120 s by default: ours never waits longer than
    PUSH_TIMEOUT_SECONDS for the token endpoint either."""

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        return super().__call__(
            url, method, body, headers, timeout=settings.PUSH_TIMEOUT_SECONDS, **kwargs
        )


def service_account_info() -> dict[str, Any]:
    raw = settings.FCM_SERVICE_ACCOUNT_JSON
    if not raw and settings.FCM_SERVICE_ACCOUNT_FILE:
        with open(settings.FCM_SERVICE_ACCOUNT_FILE, encoding="utf-8") as handle:
            raw = handle.read()
    if not raw:
        raise PermanentPushError("FCM is not configured (FCM_SERVICE_ACCOUNT_JSON/_FILE)")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise PermanentPushError("FCM service account is not valid JSON") from exc


def _access_token(info: dict[str, Any], session: requests.Session) -> str:
    key = f"{info.get('client_email')}:{info.get('private_key_id')}"
    with _lock:
        credentials = _credentials.get(key)
        if credentials is None:
            try:
                credentials = service_account.Credentials.from_service_account_info(
                    info, scopes=[SCOPE]
                )
            except (ValueError, KeyError) as exc:
                raise PermanentPushError(f"FCM service account unusable: {exc}") from exc
            _credentials[key] = credentials
        if not credentials.valid:
            try:
                credentials.refresh(_TimedRequest(session))
            except Exception as exc:  # google.auth.exceptions.TransportError, RefreshError
                raise TransientPushError(f"FCM token request failed: {exc}") from exc
        return credentials.token


def _forget_token(info: dict[str, Any]) -> None:
    with _lock:
        _credentials.pop(f"{info.get('client_email')}:{info.get('private_key_id')}", None)


def _error_code(response: requests.Response) -> tuple[str, str, bool]:
    """(FCM errorCode, status, whether a field violation names message.token)."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return "", "", False
    code, names_token = "", False
    for detail in error.get("details", []) or []:
        code = detail.get("errorCode", code)
        for violation in detail.get("fieldViolations", []) or []:
            names_token = names_token or violation.get("field") == "message.token"
    return code, error.get("status", ""), names_token


class FCMProvider(PushProvider):
    name = "fcm"

    def payload(self, *, target: PushTarget, message: PushMessage) -> dict[str, Any]:
        return {
            "message": {
                "token": target.token,
                "notification": {"title": message.title, "body": message.body},
                "data": message.data,
                "android": {
                    "collapse_key": message.collapse_key,
                    "ttl": f"{message.ttl_seconds}s",
                },
                "apns": {"headers": {"apns-collapse-id": message.collapse_key}},
            }
        }

    def send(self, *, target: PushTarget, message: PushMessage) -> str:
        info = service_account_info()
        project = settings.FCM_PROJECT_ID or info.get("project_id")
        if not project:
            raise PermanentPushError("FCM project id unknown (FCM_PROJECT_ID)")
        with requests.Session() as session:
            token = _access_token(info, session)
            try:
                response = session.post(
                    SEND_URL.format(project=project),
                    json=self.payload(target=target, message=message),
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=settings.PUSH_TIMEOUT_SECONDS,
                )
            except requests.RequestException as exc:  # timeouts included
                raise TransientPushError(f"FCM unreachable: {type(exc).__name__}") from exc
        if response.status_code == 200:
            return response.json().get("name", "")
        code, status, names_token = _error_code(response)
        summary = f"FCM {response.status_code} {code or status}".strip()
        if code in ("UNREGISTERED", "SENDER_ID_MISMATCH") or (
            response.status_code == 400 and names_token
        ):
            raise InvalidToken(summary)
        if response.status_code == 401:
            _forget_token(info)
            raise TransientPushError(summary)
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientPushError(summary)
        raise PermanentPushError(summary)
