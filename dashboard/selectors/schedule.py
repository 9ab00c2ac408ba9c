"""The plan calendar: which assignment covers a date, and which days are rest days."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from clients.models import Client
from plans.models import PlanAssignment, PlanKind

ONE_DAY = timedelta(days=1)


def _plan_days(snapshot: Any) -> list[Any]:
    # Snapshots are validated on write, but admin/ORM rows may be odd: never crash on them.
    if not isinstance(snapshot, dict):
        return []
    days = snapshot.get("days")
    return days if isinstance(days, list) else []


def is_rest(day: Any) -> bool:
    return isinstance(day, dict) and day.get("rest") is True


@dataclass(frozen=True)
class PlanSpan:
    """One assignment reduced to what scheduling needs: its dates and its days."""

    assignment: PlanAssignment | None
    kind: str
    start: date
    end: date | None  # inclusive; None = open-ended
    days: list[Any]
    is_active: bool

    def covers(self, on_date: date) -> bool:
        return self.start <= on_date and (self.end is None or on_date <= self.end)

    def day(self, on_date: date) -> tuple[int, Any] | None:
        if not self.days or not self.covers(on_date):
            return None
        index = (on_date - self.start).days % len(self.days)
        return index, self.days[index]


def plan_span(
    *,
    kind: str,
    start_date: date,
    end_date: date | None,
    status: str,
    ended_at: datetime | None,
    snapshot: Any,
    tz: zoneinfo.ZoneInfo,
    assignment: PlanAssignment | None = None,
) -> PlanSpan | None:
    """An assignment row as a span of covered dates, or None when it never covered a day.

    `end_date` is the truth when set, whatever the status, so history keeps the plan that
    was in force back then. The plans service cancels an assignment that had not started
    by ending it with end_date = start_date: an `ended_at` before the start date (in the
    trainer's timezone, as the service decides) means it never covered anything. An
    assignment ended without an end date stops covering on the day it was ended.
    """
    is_active = status == PlanAssignment.Status.ACTIVE
    ended_on = ended_at.astimezone(tz).date() if ended_at is not None else None
    if not is_active:
        if ended_on is not None and ended_on < start_date:
            return None
        if end_date is None:
            if ended_on is None or ended_on <= start_date:
                return None
            end_date = ended_on - ONE_DAY
    return PlanSpan(
        assignment=assignment,
        kind=kind,
        start=start_date,
        end=end_date,
        days=_plan_days(snapshot),
        is_active=is_active,
    )


class Schedule:
    """The plan calendar of one client, built from a handful of assignment rows.

    Covering rule (one rule for today, streaks and adherence): an assignment covers the
    dates of its span (see `plan_span`). Should two overlap (the plans app prevents it),
    the active one, then the latest start, wins. A deactivated client gets no plan from
    the (local) day of deactivation on.
    """

    def __init__(self, spans: Iterable[PlanSpan], *, plans_until: date | None = None):
        self._spans: dict[str, list[PlanSpan]] = defaultdict(list)
        for span in spans:
            self._spans[span.kind].append(span)
        for kind_spans in self._spans.values():
            kind_spans.sort(key=lambda s: (s.is_active, s.start), reverse=True)
        # Exclusive upper bound for any plan (deactivation day), or None for no bound.
        self._plans_until = plans_until

    @classmethod
    def for_client(cls, client: Client, assignments: Iterable[PlanAssignment]) -> Schedule:
        tz = client.trainer.tzinfo
        spans = [
            plan_span(
                kind=a.kind,
                start_date=a.start_date,
                end_date=a.end_date,
                status=a.status,
                ended_at=a.ended_at,
                snapshot=a.snapshot,
                tz=tz,
                assignment=a,
            )
            for a in assignments
        ]
        return cls((span for span in spans if span is not None), plans_until=plans_until(client))

    def covering(self, kind: str, on_date: date) -> PlanSpan | None:
        if self._plans_until is not None and on_date >= self._plans_until:
            return None
        for span in self._spans.get(kind, ()):
            if span.covers(on_date):
                return span
        return None

    def is_rest_day(self, on_date: date) -> bool:
        span = self.covering(PlanKind.WORKOUT, on_date)
        found = span.day(on_date) if span else None
        return found is not None and is_rest(found[1])

    def training_days(self, first: date, last: date) -> list[bool]:
        """For each date from `first` to `last`: is it a (non-rest) workout day?

        Span by span rather than day by day (the trainer dashboard runs this for every
        client): each date takes the first covering span in priority order.
        """
        size = (last - first).days + 1
        if size <= 0:
            return []
        decided: list[bool | None] = [None] * size
        if self._plans_until is not None and self._plans_until <= last:
            if self._plans_until <= first:
                return [False] * size
            last = self._plans_until - ONE_DAY  # no plan from the deactivation day on
        for span in self._spans.get(PlanKind.WORKOUT, ()):
            lo = max(span.start, first)
            hi = last if span.end is None else min(span.end, last)
            if lo > hi:
                continue
            rest = [is_rest(day) for day in span.days] or [True]  # an empty plan: no training
            offset = (lo - span.start).days
            for i in range((lo - first).days, (hi - first).days + 1):
                if decided[i] is None:
                    decided[i] = not rest[offset % len(rest)]
                offset += 1
        return [bool(flag) for flag in decided]


def plans_until(client: Client) -> date | None:
    """First local date a deactivated client gets no plan (None while active)."""
    if client.is_active:
        return None
    if client.deactivated_at is None:
        return date.min
    return client.deactivated_at.astimezone(client.user.tzinfo).date()
