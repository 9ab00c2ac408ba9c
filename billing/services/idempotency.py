"""Idempotency-Key handling: a retried request gets the first answer, never a second effect."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import exceptions, status

from accounts.models import User
from billing.models import IdempotencyRecord


class IdempotencyKeyMismatch(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_mismatch"


def request_fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def idempotent_call(
    *,
    user: User,
    scope: str,
    key: str | None,
    fingerprint: str,
    action: Callable[[], tuple[int, Any]],
) -> tuple[int, Any, bool]:
    """Run `action` once per (user, scope, key) and replay its (status, body) afterwards.
    Returns (status, body, replayed).

    The record is inserted first, in the same transaction as the effect. A concurrent
    request with the same key blocks on the unique index until the first commits and then
    replays its answer; if the first one failed (rolled back) the second runs for real.
    Errors are not stored: a request refused as invalid can be fixed and retried.
    """
    if key is None:
        return (*action(), False)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, scope=scope, key=key, request_hash=fingerprint
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=user, scope=scope, key=key)
        if record.request_hash != fingerprint:
            raise IdempotencyKeyMismatch() from None
        return record.response_status, record.response_body, True
    response_status, body = action()
    record.response_status = response_status
    record.response_body = body
    record.save(update_fields=["response_status", "response_body"])
    return response_status, body, False
