"""`Idempotency-Key` on creates: a retried POST gets the first answer, never a second object.

Generalizes billing's checkout contract (docs/billing.md, "Idempotency") to every create:
- the key is 1-255 printable ASCII characters, per user (another user's identical key is a
  different key); a bad one is a 400 `invalid_idempotency_key`;
- the first request stores its status and rendered body in `IdempotencyRecord` **in the same
  transaction as the create**; a retry replays them byte for byte with
  `Idempotent-Replayed: true`;
- the same key with another body or on another route is a 422 `idempotency_key_mismatch`;
- a concurrent duplicate waits on the unique index (user, key) until the first commits, then
  replays; if the first failed (rolled back) the duplicate runs for real. Errors are never
  stored: a refused request can be fixed and sent again with the same key;
- records are kept IDEMPOTENCY_TTL_HOURS (24): an older one is ignored (the key is free
  again) and `api.idempotency_records_purge` (beat, hourly) deletes them.

Opt in with one line: decorate the view's handler (`create`, `post`, an `@action`) with
`@idempotent`. The schema (fitbud.api.openapi.AutoSchema) then documents the header, the
replay header and the 422.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from fitbud.api.exceptions import DomainError
from fitbud.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyMismatch(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_mismatch"


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def idempotency_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise DomainError(
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            code="invalid_idempotency_key",
        )
    return key


def _canonical(data) -> object:
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        return dict(data.lists())
    return data


def request_fingerprint(request, route: str) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{route}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        record.response_body, status=record.response_status, content_type="application/json"
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(*, user, key: str, route: str, fingerprint: str) -> IdempotencyRecord | HttpResponse:
    """Our new record, or the stored answer to replay."""
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is not None and record.created_at < timezone.now() - ttl():
        # Expired: the key is free again (the purge may not have run yet).
        record.delete()
        record = None
    if record is None:
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, route=route, request_hash=fingerprint
                )
        except IntegrityError:
            # A concurrent duplicate inserted it first: this insert waited on the unique
            # index until that transaction committed, and now reads its answer.
            record = IdempotencyRecord.objects.get(user=user, key=key)
    if record.request_hash != fingerprint:
        raise IdempotencyKeyMismatch()
    return _replay(record)


def idempotent(handler):
    """Make a create handler `(self, request, *args, **kwargs)` honour Idempotency-Key."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = idempotency_key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        route = f"{request.method} {request.path}"
        fingerprint = request_fingerprint(request, route)
        with transaction.atomic():
            claimed = _claim(user=request.user, key=key, route=route, fingerprint=fingerprint)
            if isinstance(claimed, HttpResponse):
                return claimed
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 400:
                # Not an answer worth keeping (errors raised roll the record back anyway).
                claimed.delete()
                return response
            claimed.response_status = response.status_code
            claimed.response_body = JSONRenderer().render(response.data).decode()
            claimed.save(update_fields=["response_status", "response_body"])
            return response

    wrapper.idempotent = True
    return wrapper


def purge_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
    return deleted
