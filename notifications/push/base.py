"""The one interface every push provider implements (docs/notifications.md, "Push").

Providers talk to the outside world only; they never write to our database. Every call is
bounded by `settings.PUSH_TIMEOUT_SECONDS`; what a failure means for our rows (drop the
device, retry later, give up) is decided by `notifications.services.push` from the
exception raised here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class PushTarget:
    """Where to push: a device's platform, token and (web) subscription keys."""

    platform: str
    token: str
    web_keys: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    # Flat string map (FCM data messages carry strings only).
    data: dict[str, str]
    # The notification's id: a repeated push (a worker died between the call and our
    # commit) replaces the first on the device instead of showing twice.
    collapse_key: str
    ttl_seconds: int = 24 * 3600


class PushError(Exception):
    """The push did not go out."""


class InvalidToken(PushError):
    """The provider says this token will never work again: drop the device."""


class TransientPushError(PushError):
    """Timeout, connection error, 429, 5xx: try again later (backoff on the worker)."""


class PermanentPushError(PushError):
    """Not configured, or the provider refused the request itself: retrying won't help."""


class PushProvider(ABC):
    name: ClassVar[str]

    @abstractmethod
    def send(self, *, target: PushTarget, message: PushMessage) -> str:
        """Push one message to one target; return the provider's message id (may be "")."""
