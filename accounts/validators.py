import zoneinfo

from django.core.exceptions import ValidationError


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA timezone (e.g. Europe/Berlin).",
            code="invalid_timezone",
            params={"value": value},
        )
