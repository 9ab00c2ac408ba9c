"""dashboard/: the trainer's figures (months in the trainer's timezone), growth, revenue,
engagement and the needs-attention list."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from accounts.tests.factories import TrainerFactory
from billing.models import Payment
from billing.tests.factories import PaymentFactory, SubscriptionFactory
from clients.models import Client, ClientStatusChange
from clients.tests.factories import ClientFactory
from coaching.models import FormResponse, Habit, HabitCheck
from coaching.tests.factories import FormAssignmentFactory, HabitCheckFactory, HabitFactory
from conftest import auth_client
from dashboard.selectors import ATTENTION_LIMIT
from plans.models import PlanAssignment, PlanKind
from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
from progress.models import WorkoutLog
from progress.tests.factories import CheckInFactory, WorkoutLogFactory

URL = "/api/v1/dashboard/"
UTC = dt.UTC
NY = zoneinfo.ZoneInfo("America/New_York")
D = dt.date


def at(*args, tz=UTC):
    return dt.datetime(*args, tzinfo=tz)


def get_dashboard(trainer, now):
    with time_machine.travel(now, tick=False):
        response = auth_client(trainer).get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def change(client, is_active, when):
    ClientStatusChange.objects.create(client=client, is_active=is_active, changed_at=when)


def assign(client, *, start, snapshot=None, **extra):
    template = PlanTemplateFactory(trainer=client.trainer, kind=PlanKind.WORKOUT)
    if snapshot is not None:
        extra["snapshot"] = snapshot
    return PlanAssignmentFactory(client=client, template=template, start_date=start, **extra)


EVERY_DAY = {"days": [{"name": "Train", "rest": False, "exercises": []}]}


# ---------------------------------------------------------------------- client counts


@pytest.fixture
def ny_trainer(trainer):
    trainer.timezone = "America/New_York"
    trainer.save()
    return trainer


def test_new_clients_follow_the_month_in_the_trainers_timezone(ny_trainer, other_trainer):
    # Now: 03:30 UTC April 1 = 23:30 March 31 in New York: still March there.
    now = at(2026, 4, 1, 3, 30)
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 3, 1, 4, 30))  # Feb 28, 23:30 NY
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 3, 1, 5, 30))  # Mar 1, 00:30 NY
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 4, 1, 3, 0))  # Mar 31, 23:00 NY
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 2, 1, 4, 59))  # Jan 31, 23:59 NY
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 2, 1, 5, 0))  # Feb 1, 00:00 NY
    ClientFactory(trainer=other_trainer, joined_at=at(2026, 3, 15))
    body = get_dashboard(ny_trainer, now)
    assert body["timezone"] == "America/New_York"
    assert body["month_start"] == "2026-03-01"
    assert body["total_clients"] == 5
    assert body["new_clients_this_month"] == 2
    assert body["new_clients_last_month"] == 2


def test_an_hour_later_it_is_april_in_new_york(ny_trainer):
    ClientFactory(trainer=ny_trainer, joined_at=at(2026, 4, 1, 3, 0))  # Mar 31, 23:00 NY
    body = get_dashboard(ny_trainer, at(2026, 4, 1, 4, 30))  # Apr 1, 00:30 NY
    assert body["month_start"] == "2026-04-01"
    assert (body["new_clients_this_month"], body["new_clients_last_month"]) == (0, 1)


def test_january_compares_with_december_of_the_previous_year(trainer):
    ClientFactory(trainer=trainer, joined_at=at(2025, 12, 31, 23))
    ClientFactory(trainer=trainer, joined_at=at(2026, 1, 2))
    body = get_dashboard(trainer, at(2026, 1, 15))
    assert (body["new_clients_this_month"], body["new_clients_last_month"]) == (1, 1)


def test_growth_counts_deactivated_and_reactivated_clients_correctly(trainer):
    now = at(2026, 3, 20, 12)
    a = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5))  # active throughout
    b = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5), is_active=False)
    change(b, False, at(2026, 3, 5))  # active at the end of February, not now
    c = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5))
    change(c, False, at(2026, 2, 10))
    change(c, True, at(2026, 3, 10))  # reactivated: inactive at the base, active now
    ClientFactory(trainer=trainer, joined_at=at(2026, 3, 3))  # joined this month
    e = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5), is_active=False)
    change(e, False, at(2026, 1, 20))  # gone before the base
    # Deactivated without a history row: `deactivated_at` is used instead.
    ClientFactory(
        trainer=trainer,
        joined_at=at(2026, 1, 5),
        is_active=False,
        deactivated_at=at(2026, 2, 1),
    )
    body = get_dashboard(trainer, now)
    assert body["total_clients"] == 6
    assert body["active_clients"] == 3  # a, c, d
    assert body["active_clients_last_month"] == 2  # a, b
    assert body["active_clients_growth_pct"] == 50.0
    assert a  # kept for readability of the scenario


def test_a_reactivation_just_before_the_month_changes_counts_in_the_base(ny_trainer):
    c = ClientFactory(trainer=ny_trainer, joined_at=at(2026, 1, 5))
    change(c, False, at(2026, 2, 10))
    change(c, True, at(2026, 3, 1, 4, 30))  # Feb 28, 23:30 New York
    body = get_dashboard(ny_trainer, at(2026, 3, 15))
    assert body["active_clients_last_month"] == 1
    assert body["active_clients_growth_pct"] == 0.0


def test_growth_is_negative_when_clients_leave(trainer):
    for _ in range(4):
        ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5))
    leaver = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 5), is_active=False)
    change(leaver, False, at(2026, 3, 2))
    body = get_dashboard(trainer, at(2026, 3, 20))
    assert body["active_clients_growth_pct"] == -20.0


def test_growth_is_null_when_the_base_is_zero(trainer):
    ClientFactory(trainer=trainer, joined_at=at(2026, 3, 3))
    body = get_dashboard(trainer, at(2026, 3, 20))
    assert body["active_clients_last_month"] == 0
    assert body["active_clients"] == 1
    assert body["active_clients_growth_pct"] is None


def test_a_trainer_without_clients_gets_zeros_and_nulls(trainer):
    body = get_dashboard(trainer, at(2026, 3, 20))
    assert body["active_clients"] == 0
    assert body["total_clients"] == 0
    assert body["active_clients_growth_pct"] is None
    assert body["revenue_this_month"] == []
    assert body["revenue_last_month"] == []
    assert body["checkins_awaiting_review"] == 0
    assert body["workouts_last_7_days"] == 0
    assert body["needs_attention"] == []
    assert body["needs_attention_total"] == 0


# ---------------------------------------------------------------------- revenue


def test_revenue_is_per_currency_and_month_in_the_trainers_timezone(ny_trainer, other_trainer):
    client = ClientFactory(trainer=ny_trainer, joined_at=at(2026, 1, 1))
    eur = SubscriptionFactory(client=client)
    usd_client = ClientFactory(trainer=ny_trainer, joined_at=at(2026, 1, 1))
    usd = SubscriptionFactory(client=usd_client, plan__currency="USD", plan__price=5000)

    def pay(subscription, amount, paid_at, status=Payment.Status.SUCCEEDED):
        PaymentFactory(subscription=subscription, amount=amount, paid_at=paid_at, status=status)

    pay(eur, 9900, at(2026, 3, 1, 4, 59))  # Feb 28, 23:59 NY: last month
    pay(eur, 1000, at(2026, 3, 1, 5, 0))  # Mar 1, 00:00 NY: this month
    pay(eur, 500, at(2026, 3, 10))
    pay(eur, 7777, at(2026, 3, 11), status=Payment.Status.FAILED)
    pay(eur, 8888, at(2026, 3, 12), status=Payment.Status.REFUNDED)
    pay(eur, 6666, at(2026, 1, 20))  # two months ago
    pay(usd, 5000, at(2026, 2, 14))
    outsider = ClientFactory(trainer=other_trainer)
    PaymentFactory(subscription__client=outsider, amount=123456, paid_at=at(2026, 3, 10))

    body = get_dashboard(ny_trainer, at(2026, 3, 20))
    assert body["revenue_this_month"] == [
        {"currency": "EUR", "amount": 1500},
        {"currency": "USD", "amount": 0},
    ]
    assert body["revenue_last_month"] == [
        {"currency": "EUR", "amount": 9900},
        {"currency": "USD", "amount": 5000},
    ]


# ---------------------------------------------------------------------- engagement


def test_it_counts_check_ins_awaiting_review_and_recent_workouts(trainer, other_trainer):
    now = at(2026, 3, 20, 12)
    client = ClientFactory(trainer=trainer, joined_at=at(2026, 1, 1))
    CheckInFactory(client=client, date=D(2026, 3, 16))
    CheckInFactory(client=client, date=D(2026, 3, 9), reviewed_at=at(2026, 3, 10), feedback="ok")
    CheckInFactory(client=client, date=D(2026, 3, 2))
    CheckInFactory(client=ClientFactory(trainer=other_trainer), date=D(2026, 3, 16))
    for day in (D(2026, 3, 20), D(2026, 3, 14), D(2026, 3, 13)):  # the 13th is 8 days ago
        WorkoutLogFactory(client=client, date=day)
    WorkoutLogFactory(client=ClientFactory(trainer=other_trainer), date=D(2026, 3, 19))
    body = get_dashboard(trainer, now)
    assert body["checkins_awaiting_review"] == 2
    assert body["workouts_last_7_days"] == 2


def test_engagement_counts_every_log_of_every_client_up_to_today(trainer, other_trainer):
    now = at(2026, 3, 20, 12)  # last 7 days: Mar 14-20
    active = ClientFactory(trainer=trainer)
    for day in (D(2026, 3, 20), D(2026, 3, 20), D(2026, 3, 14)):  # two logs today: both count
        WorkoutLogFactory(client=active, date=day)
    WorkoutLogFactory(client=active, date=D(2026, 3, 13))  # 8 days ago
    WorkoutLogFactory(client=active, date=D(2026, 3, 21))  # dated tomorrow: not yet
    gone = ClientFactory(trainer=trainer, is_active=False)  # still the trainer's client
    WorkoutLogFactory(client=gone, date=D(2026, 3, 18))
    CheckInFactory(client=gone, date=D(2026, 3, 16))
    CheckInFactory(client=active, date=D(2026, 3, 9))
    WorkoutLogFactory(client=ClientFactory(trainer=other_trainer), date=D(2026, 3, 19))
    body = get_dashboard(trainer, now)
    assert body["workouts_last_7_days"] == 4
    assert body["checkins_awaiting_review"] == 2


# ---------------------------------------------------------------------- needs attention


def test_adherence_compares_logged_days_with_scheduled_training_days(trainer):
    # Now: Friday March 20. Windows: 7 days = Mar 13-19, 28 days = Feb 20 - Mar 19.
    now = at(2026, 3, 20, 12)
    slacker = ClientFactory(trainer=trainer, user__full_name="Sam Slacker")
    # Push/Rest/Legs from Mar 2: rest Mar 3, 6, 9, 12, 15, 18 -> Mar 13-19 has 5 training days.
    assign(slacker, start=D(2026, 3, 2))
    WorkoutLogFactory(client=slacker, date=D(2026, 3, 16))
    WorkoutLogFactory(client=slacker, date=D(2026, 3, 16))  # same day twice counts once
    WorkoutLogFactory(client=slacker, date=D(2026, 3, 5))

    steady = ClientFactory(trainer=trainer, user__full_name="Stella Steady")
    assign(steady, start=D(2026, 3, 13), snapshot=EVERY_DAY)
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=steady, date=D(2026, 3, 13) + dt.timedelta(days=n)) for n in range(7)
    )

    body = get_dashboard(trainer, now)
    assert body["needs_attention_total"] == 1
    assert body["needs_attention"] == [
        {
            "client": {"id": slacker.id, "full_name": "Sam Slacker", "email": slacker.user.email},
            "last_workout_date": "2026-03-16",
            "logged_7d": 1,
            "scheduled_7d": 5,
            "adherence_7d": 20,
            "logged_28d": 2,
            "scheduled_28d": 12,  # Mar 2-19: 18 days, 6 of them rest
            "adherence_28d": 17,
            "reasons": ["low_adherence"],
        }
    ]


def test_it_flags_clients_without_recent_workouts_and_without_a_plan(trainer):
    now = at(2026, 3, 20, 12)
    silent = ClientFactory(trainer=trainer)
    assign(silent, start=D(2026, 3, 2))
    WorkoutLogFactory(client=silent, date=D(2026, 3, 13))  # 7 days ago: outside "recent"
    planless = ClientFactory(trainer=trainer)
    WorkoutLogFactory(client=planless, date=D(2026, 3, 19))
    never = ClientFactory(trainer=trainer)
    assign(never, start=D(2026, 3, 18), snapshot=EVERY_DAY)
    rows = {row["client"]["id"]: row for row in get_dashboard(trainer, now)["needs_attention"]}
    assert rows[silent.id]["reasons"] == ["low_adherence", "no_recent_workout"]
    assert rows[planless.id]["reasons"] == ["no_workout_plan"]
    assert rows[planless.id]["adherence_7d"] is None  # nothing scheduled
    assert rows[never.id]["reasons"] == ["low_adherence", "no_recent_workout"]
    assert rows[never.id]["last_workout_date"] is None
    assert (rows[never.id]["scheduled_7d"], rows[never.id]["adherence_7d"]) == (2, 0)
    # Longest silence first: never trained, then the oldest last workout.
    order = [row["client"]["id"] for row in get_dashboard(trainer, now)["needs_attention"]]
    assert order == [never.id, silent.id, planless.id]


def test_a_workout_today_is_recent_but_not_yet_in_the_adherence_windows(trainer):
    client = ClientFactory(trainer=trainer, user__full_name="Tia Today")
    assign(client, start=D(2026, 3, 1), snapshot=EVERY_DAY)
    WorkoutLogFactory(client=client, date=D(2026, 3, 20))
    WorkoutLogFactory(client=client, date=D(2026, 3, 21))  # dated tomorrow: ignored
    body = get_dashboard(trainer, at(2026, 3, 20, 12))
    assert body["needs_attention"] == [
        {
            "client": {"id": client.id, "full_name": "Tia Today", "email": client.user.email},
            "last_workout_date": "2026-03-20",
            "logged_7d": 0,
            "scheduled_7d": 7,
            "adherence_7d": 0,
            "logged_28d": 0,
            "scheduled_28d": 19,  # Mar 1-19: the window starts before the plan
            "adherence_28d": 0,
            "reasons": ["low_adherence"],
        }
    ]


def test_adherence_is_capped_at_100_percent(trainer):
    keen = ClientFactory(trainer=trainer)
    assign(keen, start=D(2026, 3, 2))  # rest days trained too
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=keen, date=D(2026, 3, 2) + dt.timedelta(days=n)) for n in range(19)
    )
    body = get_dashboard(trainer, at(2026, 3, 20, 12))
    assert body["needs_attention"] == []


def test_the_adherence_of_a_superseded_plan_counts_for_its_own_dates(trainer):
    client = ClientFactory(trainer=trainer)
    assign(
        client,
        start=D(2026, 2, 1),
        end_date=D(2026, 3, 15),
        status=PlanAssignment.Status.ENDED,
        snapshot=EVERY_DAY,
    )
    assign(client, start=D(2026, 3, 16), snapshot={"days": [{"name": "Off", "rest": True}]})
    body = get_dashboard(trainer, at(2026, 3, 20, 12))
    row = body["needs_attention"][0]
    # Mar 13-15 scheduled by the old plan, Mar 16-19 are rest days of the new one.
    assert (row["scheduled_7d"], row["scheduled_28d"]) == (3, 24)


def test_deactivated_clients_never_need_attention(trainer):
    ClientFactory(trainer=trainer, is_active=False)
    assert get_dashboard(trainer, at(2026, 3, 20))["needs_attention"] == []


def test_the_needs_attention_list_is_bounded(trainer):
    for _ in range(ATTENTION_LIMIT + 3):
        ClientFactory(trainer=trainer)
    body = get_dashboard(trainer, at(2026, 3, 20))
    assert len(body["needs_attention"]) == ATTENTION_LIMIT
    assert body["needs_attention_total"] == ATTENTION_LIMIT + 3


def test_it_shows_only_the_trainers_own_figures(trainer, other_trainer):
    mine = ClientFactory(trainer=trainer, user__full_name="Mine")
    theirs = ClientFactory(trainer=other_trainer, user__full_name="Theirs")
    for client in (mine, theirs):
        assign(client, start=D(2026, 3, 1))
        CheckInFactory(client=client, date=D(2026, 3, 16))
        WorkoutLogFactory(client=client, date=D(2026, 3, 18))
        PaymentFactory(subscription__client=client, paid_at=at(2026, 3, 5))
    body = get_dashboard(trainer, at(2026, 3, 20))
    assert body["total_clients"] == 1
    assert body["checkins_awaiting_review"] == 1
    assert body["workouts_last_7_days"] == 1
    assert body["revenue_this_month"] == [{"currency": "EUR", "amount": 9900}]
    assert [row["client"]["id"] for row in body["needs_attention"]] in ([], [mine.id])
    assert "Theirs" not in str(body)


# ---------------------------------------------------------------------- query count


def populate(trainer, clients: int):
    from accounts.models import User
    from clients.tests.factories import ClientUserFactory

    users = User.objects.bulk_create(
        ClientUserFactory.build(email=f"bulk{trainer.id}-{n}@example.com") for n in range(clients)
    )
    links = Client.objects.bulk_create(
        Client(
            user=user,
            trainer=trainer,
            studio_id=trainer.membership.studio_id,
            joined_at=at(2026, 1 + n % 3, 1 + n % 27),
        )
        for n, user in enumerate(users)
    )
    template = PlanTemplateFactory(trainer=trainer)
    PlanAssignment.objects.bulk_create(
        PlanAssignment(
            client=link,
            template=template,
            template_version=1,
            kind=PlanKind.WORKOUT,
            name="Plan",
            snapshot=template.content,
            start_date=D(2026, 2, 1),
        )
        for link in links
    )
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=link, date=D(2026, 3, 19) - dt.timedelta(days=n % 20))
        for n, link in enumerate(links * 3)
    )
    ClientStatusChange.objects.bulk_create(
        ClientStatusChange(client=link, is_active=True, changed_at=at(2026, 2, 1)) for link in links
    )
    subscription = SubscriptionFactory(client=links[0])
    PaymentFactory(subscription=subscription, paid_at=at(2026, 3, 2))
    CheckInFactory(client=links[0], date=D(2026, 3, 16))
    # Two habits per client (a daily one checked on 3 of the last 7 days, a weekly one
    # 3 times a week checked once) and a weekly form answered, unreviewed.
    habits = Habit.objects.bulk_create(
        Habit(client=link, title=title, frequency=freq, target=target, start_date=D(2026, 3, 1))
        for link in links
        for title, freq, target in (("Walk", "daily", 1), ("Stretch", "weekly", 3))
    )
    HabitCheck.objects.bulk_create(
        HabitCheck(habit=habit, client_id=habit.client_id, date=D(2026, 3, 19) - dt.timedelta(n))
        for habit in habits
        for n in range(3 if habit.frequency == "daily" else 1)
    )
    assignment = FormAssignmentFactory(client=links[0], kind="weekly")
    FormResponse.objects.create(
        client=links[0],
        assignment=assignment,
        form_version=assignment.form_version,
        date=D(2026, 3, 17),
        week_start=D(2026, 3, 16),
        answers=[],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("clients", [5, 200])
def test_it_runs_a_fixed_number_of_queries(clients, django_assert_num_queries):
    trainer = TrainerFactory(timezone="Europe/Berlin")
    populate(trainer, clients)
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        api = auth_client(trainer)
        # auth user, one row per client (figures, check-ins and weekly forms awaiting
        # review, workouts, adherence), revenue, assignments, habits with their 7-day checks,
        # the unread counts (messages, notifications)
        with django_assert_num_queries(6):
            response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["total_clients"] == clients
    assert body["checkins_awaiting_review"] == 2  # links[0]: a check-in and a weekly form
    # Per client: daily 3 of 7 expected, weekly 1 of 3 expected: 4 / 10.
    assert body["habits"] == {"active": 2 * clients, "completion_7d": 40}


def test_training_days_agree_with_the_plan_day_of_each_date():
    import random

    from dashboard.selectors import PlanSpan, Schedule

    rng = random.Random(7)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 3)):
            start = D(2026, 3, 1) + dt.timedelta(days=rng.randint(-40, 30))
            end = None if rng.random() < 0.4 else start + dt.timedelta(days=rng.randint(0, 30))
            days = [{"rest": rng.random() < 0.3} for _ in range(rng.randint(0, 5))]
            spans.append(PlanSpan(None, PlanKind.WORKOUT, start, end, days, rng.random() < 0.5))
        until = rng.choice(
            [None, None, dt.date.min, D(2026, 3, 1) + dt.timedelta(rng.randint(-5, 5))]
        )
        schedule = Schedule(spans, plans_until=until)
        first, last = D(2026, 2, 20), D(2026, 3, 19)
        expected = []
        for n in range((last - first).days + 1):
            day = first + dt.timedelta(days=n)
            span = schedule.covering(PlanKind.WORKOUT, day)
            found = span.day(day) if span else None
            expected.append(found is not None and not found[1]["rest"])
        assert schedule.training_days(first, last) == expected


def test_a_trainer_ahead_of_utc_is_already_in_the_next_month(trainer):
    trainer.timezone = "Pacific/Auckland"  # UTC+13 in March (daylight saving time)
    trainer.save()
    ClientFactory(trainer=trainer, joined_at=at(2026, 3, 31, 10))  # Mar 31, 23:00 Auckland
    ClientFactory(trainer=trainer, joined_at=at(2026, 3, 31, 11, 15))  # Apr 1, 00:15 Auckland
    body = get_dashboard(trainer, at(2026, 3, 31, 11, 30))  # Apr 1, 00:30 Auckland
    assert body["month_start"] == "2026-04-01"
    assert (body["new_clients_this_month"], body["new_clients_last_month"]) == (1, 1)


# ---------------------------------------------------------------------- habits


@pytest.mark.django_db
def test_habit_completion_covers_active_clients_goals_and_habit_dates(trainer):
    client = ClientFactory(trainer=trainer)
    water = HabitFactory(client=client, goal=8, unit="glasses", start_date=D(2026, 3, 16))
    HabitCheckFactory(habit=water, date=D(2026, 3, 16), value=8)  # met
    HabitCheckFactory(habit=water, date=D(2026, 3, 17), value=5)  # under the goal
    HabitCheckFactory(habit=water, date=D(2026, 3, 20), value=9)  # today: not in the window
    HabitFactory(client=client, start_date=D(2026, 1, 1), end_date=D(2026, 3, 1))  # over
    HabitFactory(client=client, start_date=D(2026, 3, 25))  # not started
    gone = ClientFactory(trainer=trainer, is_active=False)
    HabitCheckFactory(habit=HabitFactory(client=gone), date=D(2026, 3, 18))
    HabitFactory(client=ClientFactory())  # another trainer's client
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        body = auth_client(trainer).get(URL).json()
    # water: active 16..19 (4 days), met on one: 25%.
    assert body["habits"] == {"active": 1, "completion_7d": 25}


@pytest.mark.django_db
def test_habit_completion_is_null_without_habits(trainer):
    ClientFactory(trainer=trainer)
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        body = auth_client(trainer).get(URL).json()
    assert body["habits"] == {"active": 0, "completion_7d": None}


@pytest.mark.django_db
def test_weekly_form_responses_wait_for_review_like_check_ins(trainer):
    client = ClientFactory(trainer=trainer)
    weekly = FormAssignmentFactory(client=client, kind="weekly")
    once = FormAssignmentFactory(client=client, kind="once")
    for assignment, week_start, reviewed in (
        (weekly, D(2026, 3, 9), None),
        (weekly, D(2026, 3, 2), at(2026, 3, 4)),
        (once, None, None),  # a questionnaire is not a check-in
    ):
        FormResponse.objects.create(
            client=client,
            assignment=assignment,
            form_version=assignment.form_version,
            date=D(2026, 3, 10),
            week_start=week_start,
            answers=[],
            reviewed_at=reviewed,
        )
    CheckInFactory(client=client, date=D(2026, 3, 16))
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        body = auth_client(trainer).get(URL).json()
    assert body["checkins_awaiting_review"] == 2
