import functools
import zoneinfo

from django.core.exceptions import ValidationError


@functools.cache
def known_timezones() -> frozenset[str]:
    # available_timezones() walks the tz database on every call; the set never changes.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA timezone (e.g. Europe/Berlin).",
            code="invalid_timezone",
            params={"value": value},
        )
