"""The built-in provider of tests and development: pushes land in `outbox` (like Django's
locmem email backend) instead of leaving the process.

Tokens starting with `invalid` answer as an unregistered token would, tokens starting
with `unavailable` as a provider that is down, so the app's error paths can be tried out
without a real provider."""

from __future__ import annotations

from notifications.push.base import (
    InvalidToken,
    PushMessage,
    PushProvider,
    PushTarget,
    TransientPushError,
)

outbox: list[tuple[PushTarget, PushMessage]] = []


class TestPushProvider(PushProvider):
    name = "test"
    __test__ = False  # not a pytest test class

    def send(self, *, target: PushTarget, message: PushMessage) -> str:
        if target.token.startswith("invalid"):
            raise InvalidToken("test provider: token unregistered")
        if target.token.startswith("unavailable"):
            raise TransientPushError("test provider: unavailable")
        outbox.append((target, message))
        return f"test-{len(outbox)}"
