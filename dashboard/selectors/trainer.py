"""The trainer dashboard: client counts, growth, revenue, engagement, needs attention."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from accounts.models import StudioMember, User
from billing.models import Payment
from clients.models import Client, ClientStatusChange
from coaching.models import FormResponse
from coaching.selectors.habits import habit_completion_rows, habit_completion_summary
from dashboard.selectors.schedule import ONE_DAY, PlanSpan, Schedule, plan_span
from plans.models import PlanAssignment, PlanKind
from progress.models import CheckIn, WorkoutLog

# Needs-attention thresholds (see docs/dashboards.md).
ATTENTION_ADHERENCE_BELOW_PCT = 50
ATTENTION_INACTIVE_DAYS = 7
ATTENTION_LIMIT = 10


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


def _revenue_rows(
    *, clients: Q, last_start: datetime, this_start: datetime, next_start: datetime
) -> list[dict[str, Any]]:
    """Succeeded payments of `clients` (a filter on Payment through `client__`) per coach
    and currency for both months, in one grouped query."""
    return list(
        Payment.objects.filter(
            clients,
            status=Payment.Status.SUCCEEDED,
            paid_at__gte=last_start,
            paid_at__lt=next_start,
        )
        .values("client__trainer_id", "currency")
        .annotate(
            this_month=Sum("amount", filter=Q(paid_at__gte=this_start), default=0),
            last_month=Sum("amount", filter=Q(paid_at__lt=this_start), default=0),
        )
        .order_by("currency")
    )


def _revenue(rows: list[dict[str, Any]]):
    """Per currency for both months (summing the per-coach rows of `_revenue_rows`).

    Both lists name the same currencies (any with revenue in either month), so the app can
    compare them side by side; an amount is 0 where that month had none.
    """
    totals: dict[str, list[int]] = {}
    for row in rows:
        amounts = totals.setdefault(row["currency"], [0, 0])
        amounts[0] += row["this_month"]
        amounts[1] += row["last_month"]
    this_month, last_month = [], []
    for currency in sorted(totals):
        this_month.append({"currency": currency, "amount": totals[currency][0]})
        last_month.append({"currency": currency, "amount": totals[currency][1]})
    return this_month, last_month


class _SubqueryCount(Subquery):
    """COUNT(*) of the rows of a correlated subquery: 0, never NULL, when it has none."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _client_rows(*, clients: Q, today: date, this_start: datetime) -> list[dict[str, Any]]:
    """One row per client matching `clients` (a filter on Client) with every per-client figure the dashboard needs.

    One query for what used to be four (client figures, check-ins, workouts, adherence
    rows): the totals are sums over these rows. Each figure is a correlated subquery bounded
    by its date window on a (client_id, date) index, so the cost follows the number of
    clients, not the length of their history. Windows: see `_needs_attention`.
    """
    w7_start, w28_start = today - timedelta(days=7), today - timedelta(days=28)
    # The latest status change before the start of the month (see `_client_figures`).
    last_change = (
        ClientStatusChange.objects.filter(client=OuterRef("pk"), changed_at__lt=this_start)
        .order_by("-changed_at", "-id")
        .values("is_active")
    )
    # Only the date column, so that PostgreSQL can answer from the index alone.
    log_dates = WorkoutLog.objects.filter(client=OuterRef("pk")).order_by().values("date")
    unreviewed = CheckIn.objects.filter(client=OuterRef("pk"), reviewed_at__isnull=True)
    # A weekly form response is that week's check-in (docs/coaching.md): it waits for
    # review the same way. One-off questionnaires are not check-ins.
    unreviewed_forms = FormResponse.objects.filter(
        client=OuterRef("pk"), week_start__isnull=False, reviewed_at__isnull=True
    )
    return list(
        Client.objects.filter(clients)
        .values(
            "id",
            "trainer_id",
            "is_active",
            "joined_at",
            "deactivated_at",
            "user__full_name",
            "user__email",
        )
        .annotate(
            was_active=Subquery(last_change[:1]),
            last_workout_date=Subquery(log_dates.filter(date__lte=today).order_by("-date")[:1]),
            logged_7d=_SubqueryCount(
                log_dates.filter(date__gte=w7_start, date__lt=today).distinct()
            ),
            logged_28d=_SubqueryCount(
                log_dates.filter(date__gte=w28_start, date__lt=today).distinct()
            ),
            workouts_7d=_SubqueryCount(log_dates.filter(date__gt=w7_start, date__lte=today)),
            checkins_awaiting_review=_SubqueryCount(unreviewed.order_by().values("pk")),
            forms_awaiting_review=_SubqueryCount(unreviewed_forms.order_by().values("pk")),
        )
        .order_by("id")
    )


def _client_figures(
    rows: list[dict[str, Any]], *, this_start: datetime, last_start: datetime
) -> dict[str, int]:
    """Counts over the trainer's clients (the rows of `_client_rows`).

    Active at an instant T (end of last month = start of this month): joined before T, and
    the latest status change before T says active. Without any change before T the client
    was active since joining, unless `deactivated_at` (a deactivation the history missed)
    is before T. "Active now" is `Client.is_active`.
    """

    def was_active_last_month(row: dict[str, Any]) -> bool:
        if row["joined_at"] >= this_start:
            return False
        if row["was_active"] is not None:
            return row["was_active"]
        return row["deactivated_at"] is None or row["deactivated_at"] >= this_start

    return {
        "total_clients": len(rows),
        "active_clients": sum(1 for row in rows if row["is_active"]),
        "new_clients_this_month": sum(1 for row in rows if row["joined_at"] >= this_start),
        "new_clients_last_month": sum(
            1 for row in rows if last_start <= row["joined_at"] < this_start
        ),
        "active_clients_last_month": sum(1 for row in rows if was_active_last_month(row)),
    }


def _flagged(
    *, clients: Q, tz: zoneinfo.ZoneInfo, today: date, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Adherence of every active client, then the ones needing attention, most urgent
    first (all of them: `_needs_attention` bounds the list). `clients` filters
    PlanAssignment through `client__`.

    Logged counts come with the client rows. Scheduled counts are computed in Python from
    the assignments overlapping the 28-day window (one query, bounded by clients x
    assignments, never by log rows). Windows are the last 7 and 28 completed days (ending
    yesterday) in the trainer's timezone: today is not over.
    """
    w28_start, w_end = today - timedelta(days=28), today
    recent_since = today - timedelta(days=ATTENTION_INACTIVE_DAYS - 1)
    spans: dict[int, list[PlanSpan]] = defaultdict(list)
    assignments = (
        PlanAssignment.objects.filter(
            clients,
            client__is_active=True,
            kind=PlanKind.WORKOUT,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=w28_start))
        .values("client_id", "start_date", "end_date", "status", "ended_at", "snapshot")
    )
    for a in assignments:
        span = plan_span(
            kind=PlanKind.WORKOUT,
            start_date=a["start_date"],
            end_date=a["end_date"],
            status=a["status"],
            ended_at=a["ended_at"],
            snapshot=a["snapshot"],
            tz=tz,
        )
        if span is not None:
            spans[a["client_id"]].append(span)
    flagged = []
    for row in rows:
        if not row["is_active"]:
            continue
        client_id = row["id"]
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
                "trainer_id": row["trainer_id"],
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
    return flagged


def _needs_attention(flagged: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    return flagged[:ATTENTION_LIMIT], len(flagged)


def _months(tz: zoneinfo.ZoneInfo) -> tuple[datetime, date, datetime, datetime, datetime]:
    now = timezone.now()
    local_now = now.astimezone(tz)
    return (
        now,
        local_now.date(),
        _month_start(local_now.year, local_now.month - 1, tz),
        _month_start(local_now.year, local_now.month, tz),
        _month_start(local_now.year, local_now.month + 1, tz),
    )


def _figures(
    rows: list[dict[str, Any]],
    revenue_rows: list[dict[str, Any]],
    flagged: list[dict[str, Any]],
    habit_rows: list[dict[str, Any]],
    *,
    today: date,
    this_start: datetime,
    last_start: datetime,
) -> dict[str, Any]:
    """The dashboard figures over one set of clients (its rows, revenue rows, flags and
    habit rows)."""
    figures = _client_figures(rows, this_start=this_start, last_start=last_start)
    revenue_this_month, revenue_last_month = _revenue(revenue_rows)
    needs_attention, needs_attention_total = _needs_attention(flagged)
    return {
        **figures,
        "active_clients_growth_pct": _growth_pct(
            figures["active_clients"], figures["active_clients_last_month"]
        ),
        "revenue_this_month": revenue_this_month,
        "revenue_last_month": revenue_last_month,
        "checkins_awaiting_review": sum(
            row["checkins_awaiting_review"] + row["forms_awaiting_review"] for row in rows
        ),
        "workouts_last_7_days": sum(row["workouts_7d"] for row in rows),
        "needs_attention": needs_attention,
        "needs_attention_total": needs_attention_total,
        "habits": habit_completion_summary(habit_rows, today=today),
    }


def _dashboard(*, clients: Q, payments: Q, assignments: Q, habits: Q, tz: zoneinfo.ZoneInfo):
    """The four queries of a dashboard over the clients the filters name (the same set
    seen from Client, Payment, PlanAssignment and Habit). Habit figures count the active
    clients' habits, with the reader's local date as "today"."""
    now, today, last_start, this_start, next_start = _months(tz)
    rows = _client_rows(clients=clients, today=today, this_start=this_start)
    revenue_rows = _revenue_rows(
        clients=payments, last_start=last_start, this_start=this_start, next_start=next_start
    )
    flagged = _flagged(clients=assignments, tz=tz, today=today, rows=rows)
    habit_rows = habit_completion_rows(habits=habits & Q(client__is_active=True), today=today)
    return now, today, last_start, this_start, rows, revenue_rows, flagged, habit_rows


def trainer_dashboard(*, trainer: User) -> dict[str, Any]:
    """The trainer's figures over their PRIMARY clients (for a solo trainer: the whole
    studio) in a fixed number of queries (4) whatever the client count."""
    now, today, last_start, this_start, rows, revenue_rows, flagged, habit_rows = _dashboard(
        clients=Q(trainer=trainer),
        payments=Q(client__trainer=trainer),
        assignments=Q(client__trainer=trainer),
        habits=Q(client__trainer=trainer),
        tz=trainer.tzinfo,
    )
    return {
        "as_of": now,
        "timezone": trainer.timezone,
        "month_start": this_start.date(),
        **_figures(
            rows,
            revenue_rows,
            flagged,
            habit_rows,
            today=today,
            this_start=this_start,
            last_start=last_start,
        ),
    }


def studio_dashboard(*, member: StudioMember, user: User) -> dict[str, Any]:
    """The same figures over the whole studio of `member`, then per coach over their primary
    clients, in a fixed number of queries (5: clients, revenue, assignments, habits,
    coaches) whatever the number of coaches and clients. Months follow the reader's
    timezone."""
    studio_id = member.studio_id
    now, today, last_start, this_start, rows, revenue_rows, flagged, habit_rows = _dashboard(
        clients=Q(studio_id=studio_id),
        payments=Q(client__studio_id=studio_id),
        assignments=Q(client__studio_id=studio_id),
        habits=Q(client__studio_id=studio_id),
        tz=user.tzinfo,
    )
    by_coach: dict[int, tuple[list, list, list, list]] = defaultdict(lambda: ([], [], [], []))
    for row in rows:
        by_coach[row["trainer_id"]][0].append(row)
    for row in revenue_rows:
        by_coach[row["client__trainer_id"]][1].append(row)
    for flag in flagged:
        by_coach[flag["trainer_id"]][2].append(flag)
    for habit in habit_rows:
        by_coach[habit["trainer_id"]][3].append(habit)
    coaches = []
    members = (
        StudioMember.objects.filter(studio_id=studio_id)
        .select_related("user")
        .order_by("joined_at", "id")
    )
    for coach in members:
        if not coach.can_coach and coach.user_id not in by_coach:
            continue  # a specialist (unless still some client's primary coach)
        coach_rows, coach_revenue, coach_flagged, coach_habits = by_coach.get(
            coach.user_id, ([], [], [], [])
        )
        coaches.append(
            {
                "member": coach.pk,
                "name": coach.user.full_name or coach.user.email,
                "role": coach.role,
                "title": coach.title,
                **_figures(
                    coach_rows,
                    coach_revenue,
                    coach_flagged,
                    coach_habits,
                    today=today,
                    this_start=this_start,
                    last_start=last_start,
                ),
            }
        )
    return {
        "as_of": now,
        "timezone": user.timezone,
        "month_start": this_start.date(),
        "studio": {"id": studio_id, "name": member.studio.name},
        **_figures(
            rows,
            revenue_rows,
            flagged,
            habit_rows,
            today=today,
            this_start=this_start,
            last_start=last_start,
        ),
        "coaches": coaches,
    }
