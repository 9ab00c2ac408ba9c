"""One error shape for the whole API: ``{"type", "errors": [{"code", "detail", "attr"}]}``.

drf-standardized-errors does the heavy lifting (and documents the shape in the OpenAPI
schema); we add Django's ``ValidationError`` to the known exceptions, write nested paths
as ``content.days[2].exercises[0].sets`` and define the domain errors services raise.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from drf_standardized_errors.formatter import ExceptionFormatter as BaseFormatter
from drf_standardized_errors.handler import ExceptionHandler as BaseHandler
from drf_standardized_errors.handler import exception_handler as _exception_handler
from drf_standardized_errors.types import Error
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework_simplejwt.exceptions import DetailDictMixin


class Conflict(exceptions.APIException):
    """The request is valid but clashes with existing state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class DomainError(exceptions.APIException):
    """A business rule refused the request; raise with a stable ``code``."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request breaks a business rule."
    default_code = "invalid"


class ClientInactive(exceptions.PermissionDenied):
    default_detail = (
        "Your account has been deactivated by your trainer: you can read your history "
        "and export your data, but you cannot log new entries."
    )
    default_code = "client_inactive"


class StudioRoleForbidden(exceptions.PermissionDenied):
    default_detail = "Your role in the studio does not allow this (owners and admins only)."
    default_code = "studio_role_forbidden"


class AccessNotGranted(exceptions.PermissionDenied):
    default_detail = "You have no access to this part of the client's record."
    default_code = "access_not_granted"


class ClientNotManageable(exceptions.PermissionDenied):
    default_detail = (
        "Only the client's primary coach and the studio's owners and admins can do this."
    )
    default_code = "not_primary_coach"


def _single_auth_error(exc: exceptions.APIException) -> exceptions.APIException:
    # simplejwt packs {detail, code, messages: [...]} into one exception; report it as one
    # error, with the most specific message ("Token is expired") as the detail.
    detail = exc.detail
    messages = detail.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    text = (first.get("message") if isinstance(first, dict) else None) or detail.get("detail")
    converted = exceptions.AuthenticationFailed(str(text), code=str(detail.get("code")))
    converted.status_code = exc.status_code
    converted.auth_header = getattr(exc, "auth_header", None)
    return converted


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad request."
    default_code = "bad_request"


# How long a client should wait before retrying when the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = "The database is not reachable right now; try again shortly."


class DatabaseUnavailable(exceptions.APIException):
    """The database refused or dropped the connection: a temporary outage, not a bug (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = DATABASE_UNAVAILABLE
    default_code = "database_unavailable"
    # DRF's exception handler turns `wait` into a Retry-After header.
    wait = DATABASE_RETRY_AFTER_SECONDS


def is_database_outage(exc: BaseException | None) -> bool:
    """Connection-level database errors (server down, restarted, refusing connections).
    Integrity or programming errors are not outages and stay what they are."""
    return isinstance(exc, (OperationalError, InterfaceError))


class ExceptionHandler(BaseHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if is_database_outage(exc):
            return DatabaseUnavailable()
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=get_error_detail(exc))
        # Django raises these while reading the body (over DATA_UPLOAD_MAX_MEMORY_SIZE, ...):
        # client input, so never a 500.
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, SuspiciousOperation):
            return BadRequest()
        if isinstance(exc, DetailDictMixin) and isinstance(exc.detail, dict):
            return _single_auth_error(exc)
        return super().convert_known_exceptions(exc)


def _flatten(detail: Any, attr: str | None) -> list[Error]:
    if isinstance(detail, dict):
        errors: list[Error] = []
        for key, value in detail.items():
            if isinstance(key, int):
                # Nested list serializers report errors by index: `exercises[0].sets[1]`.
                path = f"{attr}[{key}]" if attr else f"[{key}]"
            elif key == api_settings.NON_FIELD_ERRORS_KEY and attr:
                # A nested object's or list's own error belongs to its field.
                path = attr
            else:
                path = f"{attr}.{key}" if attr else str(key)
            errors += _flatten(value, path)
        return errors
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                errors += _flatten(item, f"{attr}[{index}]" if attr else f"[{index}]")
            else:
                errors += _flatten(item, attr)
        return errors
    if not str(detail) and not getattr(detail, "code", None):
        return []
    return [Error(getattr(detail, "code", "invalid"), str(detail), attr)]


# At most this many errors in one response, then one `too_many_errors` saying how many
# more there were: a body with 150k unknown keys must not answer 150k errors.
MAX_ERRORS = 20
TOO_MANY_ERRORS = "too_many_errors"


def too_many_errors(omitted: int) -> exceptions.ErrorDetail:
    """The one error that stands for `omitted` errors left out of a response."""
    noun = "error was" if omitted == 1 else "errors were"
    return exceptions.ErrorDetail(f"{omitted} more {noun} not reported.", code=TOO_MANY_ERRORS)


def _omitted(error: Error) -> int:
    match = re.match(r"(\d+) more", error.detail)
    return int(match.group(1)) if match else 0


def cap_errors(errors: list[Error]) -> list[Error]:
    """The first MAX_ERRORS errors, plus one that counts the rest (including errors that
    were never generated: a `too_many_errors` from the input check carries its count)."""
    summaries = [e for e in errors if e.code == TOO_MANY_ERRORS]
    if not summaries and len(errors) <= MAX_ERRORS:
        return errors
    others = [e for e in errors if e.code != TOO_MANY_ERRORS]
    omitted = sum(_omitted(e) for e in summaries) + max(len(others) - MAX_ERRORS, 0)
    kept = others[:MAX_ERRORS]
    if omitted:
        summary = too_many_errors(omitted)
        kept.append(Error(TOO_MANY_ERRORS, str(summary), None))
    return kept


class ExceptionFormatter(BaseFormatter):
    def get_errors(self) -> list[Error]:
        detail = self.exc.detail
        # Non-field errors are reported without an attr, like other client errors.
        errors = _flatten(detail, None)
        for error in errors:
            if error.attr == "non_field_errors":
                error.attr = None
        return cap_errors(errors)


# The library's own function, not a wrapper: its AutoSchema documents the error responses
# only for views whose handler *is* this function (an identity check).
exception_handler = _exception_handler
