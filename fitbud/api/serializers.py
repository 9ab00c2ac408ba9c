import heapq
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from fitbud.api.exceptions import MAX_ERRORS, too_many_errors

# Dates and times are ASCII: Python's parsers also read other scripts' digits
# (FULLWIDTH "2026" in "2026-12-01"), which the schema's `format: date` does not allow.
DATE_FIELDS = (serializers.DateField, serializers.DateTimeField, serializers.TimeField)
NON_ASCII_DATE = "Use ASCII digits (0-9) in dates and times."


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """What is wrong with `value`'s JSON type for `field`, or None.

    DRF coerces quietly (0 -> "0" for a CharField, 0 -> False for a BooleanField, "12" -> 12
    for an IntegerField). The schema promises types, so a mobile bug that sends the wrong
    one must be told, not guessed at.
    """
    if value is None:
        return None  # allow_null is the field's own business
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.CharField):
        if not isinstance(value, str):
            return "Must be a string."
        return None
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "Must be an integer."
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        ok = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
        return None if ok else "Must be a number."
    if isinstance(field, DATE_FIELDS) and isinstance(value, str) and not value.isascii():
        return NON_ASCII_DATE
    return None


def _too_long(field: serializers.Field, value: Any) -> bool:
    max_length = getattr(field, "max_length", None)
    return (
        isinstance(field, serializers.CharField)
        and isinstance(value, str)
        and max_length is not None
        and len(value) > max_length
    )


# Input serializers: reject unknown keys (a typo must not lose data) and values of the wrong
# JSON type, instead of silently dropping or coercing them. (A comment, not a docstring: the
# OpenAPI generator would show it as every request body's description.)
class StrictMixin:
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fields = self.fields  # type: ignore[attr-defined]
            errors = _unknown_field_errors(data, set(fields))
            # Per-field checks walk the serializer's own fields, never the body's keys, so
            # a body with thousands of keys costs no more than the fields it names.
            for name, field in fields.items():
                if field.read_only or name not in data:
                    continue
                value = data[name]
                problem = _json_type_error(field, value)
                if problem:
                    errors[name] = [serializers.ErrorDetail(problem, code="invalid")]
                elif _too_long(field, value):
                    # The schema's maxLength applies to what is sent; DRF would trim
                    # surrounding whitespace first and accept a longer value.
                    errors[name] = [
                        serializers.ErrorDetail(
                            f"Ensure this field has no more than {field.max_length} characters.",
                            code="max_length",
                        )
                    ]
            if errors:
                # Report these together with every other field's problems, in one 400.
                try:
                    super().to_internal_value(data)  # type: ignore[misc]
                except serializers.ValidationError as exc:
                    if isinstance(exc.detail, dict):
                        errors = _merge(exc.detail, errors)
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


def _unknown_field_errors(data: Mapping, known: set[str]) -> dict[str, list]:
    """One `unknown_field` error for each of the first MAX_ERRORS unknown keys (in sorted
    order), then a single `too_many_errors` counting the rest: no work per further key."""
    unknown = [name for name in data if name not in known]
    if not unknown:
        return {}
    errors: dict[str, list] = {
        name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
        for name in heapq.nsmallest(MAX_ERRORS, unknown, key=str)
    }
    if len(unknown) > MAX_ERRORS:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = [too_many_errors(len(unknown) - MAX_ERRORS)]
    return errors


def _merge(first: dict, second: dict) -> dict:
    merged = {**first, **second}
    key = api_settings.NON_FIELD_ERRORS_KEY
    if key in first and key in second:
        merged[key] = [*first[key], *second[key]]
    return merged


class StrictSerializer(StrictMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictMixin, serializers.ModelSerializer):
    pass


# For serializers that build their representation in one go (the hot lists): the same
# string a DateTimeField gives (REST_FRAMEWORK DATETIME_FORMAT, in the current time zone).
_DATETIME_FIELD = serializers.DateTimeField()


def datetime_json(value, zone=None) -> str | None:
    """`zone`: the current time zone, looked up once by the caller for several values (a
    lookup costs more than the formatting); DRF's field does the rest as it would."""
    if value is None:
        return None
    output_format = api_settings.DATETIME_FORMAT
    if zone is None or value.tzinfo is None or output_format.lower() == ISO_8601:
        return _DATETIME_FIELD.to_representation(value)
    return value.astimezone(zone).strftime(output_format)
