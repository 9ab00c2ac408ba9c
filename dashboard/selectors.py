"""Reads behind the home screen (me/today, me/streaks, me/dashboard, me/export) and the
trainer dashboard. Everything here is a read-only query over the other apps' models.

Dates: logs carry the client's *local* date, so every rule below works in calendar dates,
never in datetimes. "Today" is `user.local_today()` (the user's IANA timezone), which makes
the figures correct across DST changes and timezone edits. Months of the trainer dashboard
are calendar months in the trainer's timezone. See docs/dashboards.md.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from billing.models import Payment, Subscription
from clients.models import Client, ClientStatusChange
from plans.models import PlanAssignment, PlanKind
from progress.models import CheckIn, MealLog, WorkoutLog

ONE_DAY = timedelta(days=1)

# Needs-attention thresholds (see docs/dashboards.md).
ATTENTION_ADHERENCE_BELOW_PCT = 50
ATTENTION_INACTIVE_DAYS = 7
ATTENTION_LIMIT = 10


# --------------------------------------------------------------------------------------
# Plan schedule: which assignment covers a date, and which days are rest days
# --------------------------------------------------------------------------------------


def _plan_days(snapshot: Any) -> list[Any]:
    # Snapshots are validated on write, but admin/ORM rows may be odd: never crash on them.
    if not isinstance(snapshot, dict):
        return []
    days = snapshot.get("days")
    return days if isinstance(days, list) else []


def _is_rest(day: Any) -> bool:
    return isinstance(day, dict) and day.get("rest") is True


@dataclass(frozen=True)
class _Span:
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


def _span(
    *,
    kind: str,
    start_date: date,
    end_date: date | None,
    status: str,
    ended_at: datetime | None,
    snapshot: Any,
    tz: zoneinfo.ZoneInfo,
    assignment: PlanAssignment | None = None,
) -> _Span | None:
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
    return _Span(
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
    dates of its span (see `_span`). Should two overlap (the plans app prevents it),
    the active one, then the latest start, wins. A deactivated client gets no plan from
    the (local) day of deactivation on.
    """

    def __init__(self, spans: Iterable[_Span], *, plans_until: date | None = None):
        self._spans: dict[str, list[_Span]] = defaultdict(list)
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
            _span(
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

    def covering(self, kind: str, on_date: date) -> _Span | None:
        if self._plans_until is not None and on_date >= self._plans_until:
            return None
        for span in self._spans.get(kind, ()):
            if span.covers(on_date):
                return span
        return None

    def is_rest_day(self, on_date: date) -> bool:
        span = self.covering(PlanKind.WORKOUT, on_date)
        found = span.day(on_date) if span else None
        return found is not None and _is_rest(found[1])

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
            rest = [_is_rest(day) for day in span.days] or [True]  # an empty plan: no training
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


# --------------------------------------------------------------------------------------
# Client: today
# --------------------------------------------------------------------------------------


def client_for_user(*, user: User) -> Client:
    """The caller's Client record with what the home screen reads beside it (one query)."""
    try:
        return Client.objects.select_related("user", "trainer").get(user=user)
    except Client.DoesNotExist:
        raise Http404("No client profile is linked to this account.") from None


def _assignment_summary(a: PlanAssignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "start_date": a.start_date,
        "end_date": a.end_date,
    }


def _plan_for(schedule: Schedule, kind: str, on_date: date) -> dict[str, Any] | None:
    span = schedule.covering(kind, on_date)
    found = span.day(on_date) if span else None
    if span is None or found is None or span.assignment is None:
        return None
    index, day = found
    plan: dict[str, Any] = {
        "assignment": _assignment_summary(span.assignment),
        "day_index": index,
        "day_count": len(span.days),
        "day": day,
    }
    if kind == PlanKind.WORKOUT:
        plan["is_rest_day"] = _is_rest(day)
    else:
        snapshot = span.assignment.snapshot
        targets = snapshot.get("targets") if isinstance(snapshot, dict) else None
        plan["targets"] = targets if isinstance(targets, dict) else None
    return plan


def _meal_totals(meals: list[MealLog]) -> dict[str, Decimal]:
    totals = {key: Decimal(0) for key in ("calories", "protein_g", "carbs_g", "fat_g")}
    for meal in meals:
        for key in totals:
            totals[key] += getattr(meal, key) or 0
    return totals


def client_assignments(*, client: Client, kind: str | None = None) -> list[PlanAssignment]:
    """All the client's assignments (any status): a client has a few, not thousands."""
    qs = PlanAssignment.objects.filter(client=client).order_by("start_date", "id")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs)


def client_today(
    *, client: Client, on_date: date, assignments: list[PlanAssignment] | None = None
) -> dict[str, Any]:
    """The plan days for `on_date` and what the client already logged that day.

    Queries: assignments (unless given), that day's workout logs, that day's meal logs.
    """
    if assignments is None:
        assignments = list(
            PlanAssignment.objects.filter(client=client, start_date__lte=on_date).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on_date)
            )
        )
    schedule = Schedule.for_client(client, assignments)
    workout = _plan_for(schedule, PlanKind.WORKOUT, on_date)
    diet = _plan_for(schedule, PlanKind.DIET, on_date)
    workouts = list(
        WorkoutLog.objects.filter(client=client, date=on_date).order_by("created_at", "id")
    )
    meals = list(MealLog.objects.filter(client=client, date=on_date).order_by("created_at", "id"))
    return {
        "date": on_date,
        "workout": workout,
        "diet": diet,
        "is_rest_day": bool(workout and workout["is_rest_day"]),
        "logged": {
            "workouts": workouts,
            "meals": meals,
            "meal_totals": _meal_totals(meals),
        },
    }


# --------------------------------------------------------------------------------------
# Client: streaks
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    last_active_date: date | None
    today_counts: bool


def compute_streaks(*, log_dates: Iterable[date], schedule: Schedule, today: date) -> Streaks:
    """Streaks over calendar dates.

    A day counts when a workout was logged on it, or when it is a rest day of the workout
    plan covering it (rest days up to today only). A run of counted days is a streak only
    if it holds at least one logged workout, so a plan of rest days alone earns nothing.
    The current streak survives an unfinished today: it is the run ending today, or
    yesterday when today does not count yet. Logs dated tomorrow (possible right after a
    westward timezone edit) extend "today" to that date.

    Cost: walks the days between logs and the rest days around them; no queries.
    """
    logged = {d for d in log_dates if d <= today + ONE_DAY}
    if not logged:
        return Streaks(current=0, longest=0, last_active_date=None, today_counts=False)
    ordered = sorted(logged)
    end = max(today, ordered[-1])

    def counts(d: date) -> bool:
        return d in logged or (d <= today and schedule.is_rest_day(d))

    def before(d: date) -> date | None:
        return d - ONE_DAY if d > date.min else None

    longest = 0
    run_start: date | None = None
    run_end: date | None = None
    for d in ordered:
        if run_start is not None and run_end is not None:
            # Bridge the gap from the open run to this log over counted (rest) days.
            probe = run_end + ONE_DAY
            while probe < d and counts(probe):
                probe += ONE_DAY
            if probe >= d:
                run_end = d
                continue
            # `probe` broke the run: it ended the day before.
            longest = max(longest, (probe - run_start).days)
        # A new run starts at this log, extended back over the rest days before it.
        run_start = run_end = d
        previous = before(run_start)
        while previous is not None and counts(previous):
            run_start = previous
            previous = before(run_start)
    assert run_start is not None and run_end is not None
    # The last run extends forward over rest days up to today.
    while run_end < end and counts(run_end + ONE_DAY):
        run_end += ONE_DAY
    last_length = (run_end - run_start).days + 1
    longest = max(longest, last_length)
    current = last_length if run_end >= end - ONE_DAY else 0
    return Streaks(
        current=current,
        longest=longest,
        last_active_date=ordered[-1],
        today_counts=counts(today),
    )


def client_streaks(
    *,
    client: Client,
    today: date | None = None,
    workout_assignments: list[PlanAssignment] | None = None,
) -> Streaks:
    """Two queries: the distinct workout dates and the workout assignments."""
    today = today or client.user.local_today()
    log_dates = WorkoutLog.objects.filter(client=client).values_list("date", flat=True).distinct()
    if workout_assignments is None:
        workout_assignments = client_assignments(client=client, kind=PlanKind.WORKOUT)
    schedule = Schedule.for_client(client, workout_assignments)
    return compute_streaks(log_dates=list(log_dates), schedule=schedule, today=today)


# --------------------------------------------------------------------------------------
# Client: home screen (me/dashboard/)
# --------------------------------------------------------------------------------------


def client_live_subscription(*, client: Client) -> Subscription | None:
    return (
        Subscription.objects.filter(client=client, status__in=Subscription.LIVE_STATUSES)
        .select_related("plan")
        .order_by("-created_at", "-id")
        .first()
    )


def client_latest_feedback(*, client: Client) -> CheckIn | None:
    # A review without words is not "feedback" worth a place on the home screen.
    return (
        CheckIn.objects.filter(client=client, reviewed_at__isnull=False)
        .exclude(feedback="")
        .order_by("-reviewed_at", "-date")
        .first()
    )


def client_home(*, client: Client) -> dict[str, Any]:
    """today + streaks + subscription + latest feedback: 6 queries whatever the data size."""
    today = client.user.local_today()
    assignments = client_assignments(client=client)
    workout_assignments = [a for a in assignments if a.kind == PlanKind.WORKOUT]
    return {
        "today": client_today(client=client, on_date=today, assignments=assignments),
        "streaks": client_streaks(
            client=client, today=today, workout_assignments=workout_assignments
        ),
        "subscription": client_live_subscription(client=client),
        "latest_feedback": client_latest_feedback(client=client),
    }


# --------------------------------------------------------------------------------------
# Client: export (me/export/)
# --------------------------------------------------------------------------------------


def client_export(*, client_user: User) -> dict[str, Any]:
    """Everything the account holds, one query per collection. Never ClientNote."""
    try:
        client = Client.objects.select_related("user", "trainer", "health").get(user=client_user)
    except Client.DoesNotExist:
        raise Http404("No client profile is linked to this account.") from None
    try:
        health = client.health
    except Client.health.RelatedObjectDoesNotExist:
        health = None
    return {
        "format_version": 1,
        "exported_at": timezone.now(),
        "profile": client.user,
        "membership": client,
        "trainer": client.trainer,
        "health": health,
        "assignments": PlanAssignment.objects.filter(client=client).order_by("start_date", "id"),
        "workout_logs": WorkoutLog.objects.filter(client=client).order_by("date", "created_at"),
        "meal_logs": MealLog.objects.filter(client=client).order_by("date", "created_at"),
        "check_ins": CheckIn.objects.filter(client=client).order_by("date", "created_at"),
        "subscriptions": Subscription.objects.filter(client=client)
        .select_related("plan")
        .order_by("created_at", "id"),
        "payments": Payment.objects.filter(client=client).order_by("created_at", "id"),
    }


# --------------------------------------------------------------------------------------
# Trainer dashboard
# --------------------------------------------------------------------------------------


def _month_start(year: int, month: int, tz: zoneinfo.ZoneInfo) -> datetime:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    return datetime(year, month, 1, tzinfo=tz)


def _growth_pct(now: int, base: int) -> float | None:
    if base == 0:
        return None
    return round((now - base) * 100 / base, 1)


def _pct(part: int, whole: int) -> int | None:
    if whole == 0:
        return None
    return min(100, round(part * 100 / whole))


def _revenue(*, trainer: User, last_start: datetime, this_start: datetime, next_start: datetime):
    """Succeeded payments per currency for both months in one grouped query.

    Both lists name the same currencies (any with revenue in either month), so the app can
    compare them side by side; an amount is 0 where that month had none.
    """
    rows = (
        Payment.objects.filter(
            client__trainer=trainer,
            status=Payment.Status.SUCCEEDED,
            paid_at__gte=last_start,
            paid_at__lt=next_start,
        )
        .values("currency")
        .annotate(
            this_month=Sum("amount", filter=Q(paid_at__gte=this_start), default=0),
            last_month=Sum("amount", filter=Q(paid_at__lt=this_start), default=0),
        )
        .order_by("currency")
    )
    this_month, last_month = [], []
    for row in rows:
        this_month.append({"currency": row["currency"], "amount": row["this_month"]})
        last_month.append({"currency": row["currency"], "amount": row["last_month"]})
    return this_month, last_month


def _client_figures(*, trainer: User, this_start: datetime, last_start: datetime):
    """Counts over the trainer's clients in one aggregate query.

    Active at an instant T (end of last month = start of this month): joined before T, and
    the latest status change before T says active. Without any change before T the client
    was active since joining, unless `deactivated_at` (a deactivation the history missed)
    is before T. "Active now" is `Client.is_active`.
    """
    last_change = (
        ClientStatusChange.objects.filter(client=OuterRef("pk"), changed_at__lt=this_start)
        .order_by("-changed_at", "-id")
        .values("is_active")[:1]
    )
    no_history_active = Q(was_active__isnull=True) & (
        Q(deactivated_at__isnull=True) | Q(deactivated_at__gte=this_start)
    )
    return (
        Client.objects.filter(trainer=trainer)
        .annotate(was_active=Subquery(last_change))
        .aggregate(
            total_clients=Count("pk"),
            active_clients=Count("pk", filter=Q(is_active=True)),
            new_clients_this_month=Count("pk", filter=Q(joined_at__gte=this_start)),
            new_clients_last_month=Count(
                "pk", filter=Q(joined_at__gte=last_start, joined_at__lt=this_start)
            ),
            active_clients_last_month=Count(
                "pk",
                filter=Q(joined_at__lt=this_start) & (Q(was_active=True) | no_history_active),
            ),
        )
    )


def _needs_attention(*, trainer: User, today: date) -> tuple[list[dict[str, Any]], int]:
    """Adherence of every active client, then the ones needing attention (bounded list).

    Logged counts come from one grouped query (one row per client). Scheduled counts are
    computed in Python from the assignments overlapping the 28-day window (one query,
    bounded by clients x assignments, never by log rows). Windows are the last 7 and 28
    completed days (ending yesterday) in the trainer's timezone: today is not over.
    """
    w7_start, w28_start, w_end = today - timedelta(days=7), today - timedelta(days=28), today
    recent_since = today - timedelta(days=ATTENTION_INACTIVE_DAYS - 1)
    rows = list(
        Client.objects.filter(trainer=trainer, is_active=True)
        .values("id", "user__full_name", "user__email")
        .annotate(
            last_workout_date=Max("workout_logs__date", filter=Q(workout_logs__date__lte=today)),
            logged_7d=Count(
                "workout_logs__date",
                filter=Q(workout_logs__date__gte=w7_start, workout_logs__date__lt=w_end),
                distinct=True,
            ),
            logged_28d=Count(
                "workout_logs__date",
                filter=Q(workout_logs__date__gte=w28_start, workout_logs__date__lt=w_end),
                distinct=True,
            ),
        )
        .order_by("id")
    )
    client_ids = [row["id"] for row in rows]
    spans: dict[int, list[_Span]] = defaultdict(list)
    assignments = (
        PlanAssignment.objects.filter(
            client__trainer=trainer,
            client__is_active=True,
            kind=PlanKind.WORKOUT,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=w28_start))
        .values("client_id", "start_date", "end_date", "status", "ended_at", "snapshot")
    )
    for a in assignments:
        span = _span(
            kind=PlanKind.WORKOUT,
            start_date=a["start_date"],
            end_date=a["end_date"],
            status=a["status"],
            ended_at=a["ended_at"],
            snapshot=a["snapshot"],
            tz=trainer.tzinfo,
        )
        if span is not None:
            spans[a["client_id"]].append(span)
    flagged = []
    for client_id, row in zip(client_ids, rows, strict=True):
        schedule = Schedule(spans.get(client_id, ()))
        training = schedule.training_days(w28_start, w_end - ONE_DAY)  # oldest first
        scheduled_7d, scheduled_28d = sum(training[-7:]), sum(training)
        adherence_7d = _pct(row["logged_7d"], scheduled_7d)
        last = row["last_workout_date"]
        reasons = []
        if adherence_7d is not None and adherence_7d < ATTENTION_ADHERENCE_BELOW_PCT:
            reasons.append("low_adherence")
        if last is None or last < recent_since:
            reasons.append("no_recent_workout")
        if not schedule.covering(PlanKind.WORKOUT, today):
            reasons.append("no_workout_plan")
        if not reasons:
            continue
        flagged.append(
            {
                "client": {
                    "id": client_id,
                    "full_name": row["user__full_name"],
                    "email": row["user__email"],
                },
                "last_workout_date": last,
                "logged_7d": row["logged_7d"],
                "scheduled_7d": scheduled_7d,
                "adherence_7d": adherence_7d,
                "logged_28d": row["logged_28d"],
                "scheduled_28d": scheduled_28d,
                "adherence_28d": _pct(row["logged_28d"], scheduled_28d),
                "reasons": reasons,
            }
        )
    # Longest silence first (never trained first), then lowest adherence.
    flagged.sort(
        key=lambda f: (
            f["last_workout_date"] or date.min,
            f["adherence_7d"] if f["adherence_7d"] is not None else 101,
            f["client"]["id"],
        )
    )
    return flagged[:ATTENTION_LIMIT], len(flagged)


def trainer_dashboard(*, trainer: User) -> dict[str, Any]:
    """The trainer's figures in a fixed number of queries (6) whatever the client count."""
    now = timezone.now()
    tz = trainer.tzinfo
    local_now = now.astimezone(tz)
    today = local_now.date()
    this_start = _month_start(local_now.year, local_now.month, tz)
    last_start = _month_start(local_now.year, local_now.month - 1, tz)
    next_start = _month_start(local_now.year, local_now.month + 1, tz)

    figures = _client_figures(trainer=trainer, this_start=this_start, last_start=last_start)
    revenue_this_month, revenue_last_month = _revenue(
        trainer=trainer, last_start=last_start, this_start=this_start, next_start=next_start
    )
    checkins_awaiting_review = CheckIn.objects.filter(
        client__trainer=trainer, reviewed_at__isnull=True
    ).count()
    workouts_last_7_days = WorkoutLog.objects.filter(
        client__trainer=trainer, date__gt=today - timedelta(days=7), date__lte=today
    ).count()
    needs_attention, needs_attention_total = _needs_attention(trainer=trainer, today=today)
    return {
        "as_of": now,
        "timezone": trainer.timezone,
        "month_start": this_start.date(),
        "active_clients": figures["active_clients"],
        "total_clients": figures["total_clients"],
        "new_clients_this_month": figures["new_clients_this_month"],
        "new_clients_last_month": figures["new_clients_last_month"],
        "active_clients_last_month": figures["active_clients_last_month"],
        "active_clients_growth_pct": _growth_pct(
            figures["active_clients"], figures["active_clients_last_month"]
        ),
        "revenue_this_month": revenue_this_month,
        "revenue_last_month": revenue_last_month,
        "checkins_awaiting_review": checkins_awaiting_review,
        "workouts_last_7_days": workouts_last_7_days,
        "needs_attention": needs_attention,
        "needs_attention_total": needs_attention_total,
    }
