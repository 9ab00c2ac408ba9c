import calendar
import datetime

from billing.models import Interval


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    # Clamp to the last day of the target month (Jan 31 + 1 month = Feb 28/29), as card
    # processors do.
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end(start: datetime.datetime, interval: str) -> datetime.datetime:
    """The end of a billing period starting at `start` (exclusive)."""
    if interval == Interval.WEEK:
        return start + datetime.timedelta(weeks=1)
    if interval == Interval.MONTH:
        return _add_months(start, 1)
    if interval == Interval.YEAR:
        return _add_months(start, 12)
    raise ValueError(f"Unknown billing interval {interval!r}")
