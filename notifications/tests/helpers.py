"""Shared pieces of the notifications tests."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.models import Device


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def web_keys() -> dict[str, str]:
    """A browser's subscription keys: a real P-256 public key (Web Push encrypts to it)."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": b64url(point), "auth": b64url(b"0123456789abcdef")}


def subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc123", keys=None) -> str:
    return json.dumps({"endpoint": endpoint, "keys": keys or web_keys()})


def device(user, token="fcm-token-0001", platform="android", **kw) -> Device:
    return Device.objects.create(user=user, token=token, platform=platform, **kw)
