import functools
from importlib import resources

from django.core.exceptions import ValidationError

# Names in the tz database that are not places: `Factory` is the "zone unknown" placeholder,
# `localtime` and `posixrules` are files some hosts add (the host's own zone, a POSIX rules
# template). Not timezones a user lives in, and their meaning depends on the host.
NOT_TIMEZONES = frozenset({"Factory", "localtime", "posixrules"})


@functools.cache
def known_timezones() -> frozenset[str]:
    """The IANA timezone names we accept: the list shipped by the pinned `tzdata` package
    (the same on every host, whatever /usr/share/zoneinfo holds), less NOT_TIMEZONES."""
    zones = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(name for name in zones.split() if name not in NOT_TIMEZONES)


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA timezone (e.g. Europe/Berlin).",
            code="invalid_timezone",
            params={"value": value},
        )
