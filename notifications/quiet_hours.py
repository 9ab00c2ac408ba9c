"""Quiet hours: local wall-clock times in the user's timezone, so they follow DST."""

from __future__ import annotations

import datetime
import zoneinfo


def _at(day: datetime.date, clock: datetime.time, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    # A wall time that does not exist (the spring-forward gap) resolves with the offset
    # before the change, i.e. just after the gap; one that happens twice (fall back) is
    # its first occurrence (fold=0).
    local = datetime.datetime.combine(day, clock, tzinfo=tz)
    return local.astimezone(datetime.UTC)


def quiet_until(
    *,
    now: datetime.datetime,
    start: datetime.time | None,
    end: datetime.time | None,
    tz: zoneinfo.ZoneInfo,
) -> datetime.datetime | None:
    """The instant the quiet hours around `now` end, or None when `now` is not in them.
    `start` <= local time < `end`; a start after the end spans midnight (22:00 to 07:00)."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        quiet = start <= clock < end
        end_day = local.date()
    elif clock >= start:
        quiet, end_day = True, local.date() + datetime.timedelta(days=1)
    else:
        quiet, end_day = clock < end, local.date()
    if not quiet:
        return None
    until = _at(end_day, end, tz)
    # Past the end already (an end inside a DST gap): nothing to hold.
    return until if until > now else None
