from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers


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
            errors: dict[str, list[serializers.ErrorDetail]] = {
                name: [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
                for name in sorted(set(data) - set(fields))
            }
            for name, value in data.items():
                field = fields.get(name)
                if field is None or field.read_only:
                    continue
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
                        errors = {**exc.detail, **errors}
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictMixin, serializers.ModelSerializer):
    pass
