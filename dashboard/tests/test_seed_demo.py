from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from billing.models import Payment, Subscription
from clients.models import Client, HealthProfile
from dashboard.management.commands.seed_demo import DEMO_PASSWORD
from dashboard.models import ActivityEvent
from plans.models import PlanAssignment, PlanTemplate
from progress.models import CheckIn, MealLog, WorkoutLog

pytestmark = pytest.mark.django_db

BASE = date(2026, 3, 18)
ARGS = {"trainers": 2, "clients": 3, "days": 21, "seed": 7, "base_date": BASE, "no_progress": True}


def seed(**overrides):
    call_command("seed_demo", **{**ARGS, **overrides}, stdout=StringIO())


def snapshot():
    """What the data looks like, independent of database ids."""
    return {
        "users": sorted(User.objects.values_list("email", "full_name", "timezone", "role")),
        "workouts": sorted(
            (str(w.id), w.client.user.email, w.date, w.day_index, w.effort)
            for w in WorkoutLog.objects.select_related("client__user")
        ),
        "meals": sorted(str(pk) for pk in MealLog.objects.values_list("id", flat=True)),
        "check_ins": sorted(CheckIn.objects.values_list("date", "weight_kg", "adherence")),
        "payments": sorted(Payment.objects.values_list("provider_payment_id", "amount", "status")),
        "events": sorted(ActivityEvent.objects.values_list("kind", "summary", "created_at")),
    }


def wipe():
    Client.objects.all().delete()  # cascades to logs, plans, billing and events
    User.objects.all().delete()


def test_it_creates_every_kind_of_row_at_the_requested_scale():
    seed()

    assert User.objects.filter(role="trainer").count() == 2
    assert Client.objects.count() == 6
    assert HealthProfile.objects.count() == 6
    assert PlanTemplate.objects.filter(trainer__email="trainer0001@demo.fitbud.dev").count() == 5
    assert PlanAssignment.objects.count() == 12  # a workout and a diet plan per client
    assert WorkoutLog.objects.exists() and MealLog.objects.exists() and CheckIn.objects.exists()
    assert Subscription.objects.exists() and Payment.objects.exists()
    assert CheckIn.objects.exclude(reviewed_at=None).exists()
    # Logs lie in the requested window and carry their past timestamps.
    assert not WorkoutLog.objects.filter(date__gt=BASE).exists()
    assert not WorkoutLog.objects.filter(created_at__date__gt=BASE).exists()


def test_every_log_check_in_and_payment_has_its_feed_event():
    seed()
    kinds = ActivityEvent.Kind

    assert ActivityEvent.objects.filter(kind=kinds.WORKOUT_LOGGED).count() == (
        WorkoutLog.objects.count()
    )
    assert ActivityEvent.objects.filter(kind=kinds.MEAL_LOGGED).count() == MealLog.objects.count()
    assert ActivityEvent.objects.filter(kind=kinds.CHECKIN_SUBMITTED).count() == (
        CheckIn.objects.count()
    )
    assert ActivityEvent.objects.filter(kind=kinds.PAYMENT_RECEIVED).count() == (
        Payment.objects.filter(status="succeeded").count()
    )
    assert ActivityEvent.objects.filter(kind=kinds.INVITE_ACCEPTED).count() == 6
    assert ActivityEvent.objects.filter(kind=kinds.PLAN_ASSIGNED).count() == 12
    # Each event points at its client's trainer and at an existing object.
    event = ActivityEvent.objects.filter(kind=kinds.WORKOUT_LOGGED).first()
    assert event.trainer_id == event.client.trainer_id
    assert event.target.client_id == event.client_id


def test_workout_logs_follow_the_assigned_snapshot():
    seed()
    log = WorkoutLog.objects.select_related("assignment").first()

    days = log.assignment.snapshot["days"]
    assert log.day_index == (log.date - log.assignment.start_date).days % len(days)
    assert log.target == days[log.day_index]
    assert [e["name"] for e in log.exercises] == [e["name"] for e in log.target["exercises"]]


def test_the_same_seed_gives_the_same_data():
    seed()
    first = snapshot()
    wipe()
    seed()

    assert snapshot() == first


def test_another_seed_gives_other_data():
    seed()
    first = snapshot()
    wipe()
    seed(seed=8)

    assert snapshot()["workouts"] != first["workouts"]


def test_running_it_again_creates_nothing_new():
    seed()
    counts = {m: m.objects.count() for m in (User, Client, WorkoutLog, MealLog, ActivityEvent)}
    seed()

    assert {m: m.objects.count() for m in counts} == counts


def test_small_creates_the_printed_demo_accounts_that_can_log_in():
    call_command("seed_demo", small=True, stdout=StringIO())

    trainer = authenticate(email="trainer@fitbud.dev", password=DEMO_PASSWORD)
    client = authenticate(email="client@fitbud.dev", password=DEMO_PASSWORD)
    staff = User.objects.get(email="admin@fitbud.dev")
    assert trainer.role == "trainer"
    assert client.role == "client" and client.client_link.trainer == trainer
    assert staff.is_staff and staff.check_password(DEMO_PASSWORD)
    assert client.client_link.is_active
    assert PlanAssignment.objects.filter(client=client.client_link, status="active").count() == 2


def test_if_empty_leaves_a_database_with_users_alone(trainer):
    call_command("seed_demo", small=True, if_empty=True, stdout=StringIO())

    assert not User.objects.filter(email="trainer@fitbud.dev").exists()


def _latest_timestamps() -> dict:
    from django.db.models import Max

    from clients.models import Invite

    return {
        model.__name__: model.objects.aggregate(latest=Max(field))["latest"]
        for model, field in [
            (ActivityEvent, "created_at"),
            (WorkoutLog, "created_at"),
            (MealLog, "created_at"),
            (CheckIn, "created_at"),
            (CheckIn, "reviewed_at"),
            (Payment, "created_at"),
            (Subscription, "created_at"),
            (PlanAssignment, "created_at"),
            (Client, "joined_at"),
            (User, "date_joined"),
            (Invite, "created_at"),
        ]
    }


@pytest.mark.parametrize(
    "instant",
    [
        "2027-01-31T00:30:00Z",
        "2027-03-14T07:30:00Z",
        "2028-02-29T12:00:00Z",
        "2026-12-31T23:30:00Z",
    ],
)
def test_nothing_is_dated_after_the_moment_the_command_runs(time_machine, instant):
    # The default base date is today, and the data's day runs to 20:00: logs and their feed
    # events later in the day were created "in the future" when seeding before that.
    now = datetime.fromisoformat(instant)
    time_machine.move_to(now, tick=False)

    seed(base_date=None)

    latest = _latest_timestamps()
    assert latest["ActivityEvent"] is not None
    assert {name: when for name, when in latest.items() if when and when > now} == {}


def test_a_base_date_in_the_future_is_refused(time_machine):
    time_machine.move_to(datetime(2027, 1, 31, 12, tzinfo=UTC), tick=False)
    with pytest.raises(CommandError, match="future"):
        seed(base_date=date(2027, 2, 1))
    assert not User.objects.exists()


# What a second run keeps, and says (issue 13) ---------------------------------------------


def run(capsys, **options) -> tuple[str, str]:
    capsys.readouterr()
    out = StringIO()
    call_command("seed_demo", **{"base_date": BASE, **options}, stdout=out)
    return out.getvalue(), capsys.readouterr().err


def test_small_shows_each_step_and_the_accounts_with_the_given_url(capsys):
    out, err = run(capsys, small=True, base_url="http://localhost:8001")

    assert "seed_demo: 2 trainer(s), 28 days of history up to 2026-03-18" in err
    assert "1/2 trainers" in err and "trainer@fitbud.dev: created with 5 clients" in err
    assert "2/2 trainers" in err and "trainer2@fitbud.dev: created with 3 clients" in err
    assert "client@fitbud.dev" in out and "(http://localhost:8001/admin/)" in out
    assert run(capsys, small=True, no_progress=True)[1] == ""


def test_a_second_run_keeps_what_is_there_and_says_so(capsys):
    run(capsys, small=True)
    counts = {m: m.objects.count() for m in (User, Client, WorkoutLog, Payment)}

    out, err = run(capsys, small=True, seed=2)

    assert {m: m.objects.count() for m in counts} == counts
    assert "0 trainer(s) created, 2 already present; staff kept; nothing new" in out
    assert "Kept as they were (not regenerated with these arguments): " in out
    assert "trainer2@fitbud.dev, trainer@fitbud.dev" in out
    assert "trainer@fitbud.dev: kept (already present)" in err
    assert "Demo accounts (password for all: lift-heavy-2026)" in out


def test_another_data_set_beside_an_earlier_one_is_named_not_mixed_silently(capsys):
    run(capsys, small=True)

    out, _ = run(capsys, trainers=1, clients=2, days=7)

    assert "1 trainer(s) created, 0 already present" in out
    assert (
        "Also in the database, from an earlier run with other arguments: 2 demo trainer(s) "
        "(trainer2@fitbud.dev, trainer@fitbud.dev), kept." in out
    )
    assert "seed_demo --reset" in out


def test_reset_starts_a_clean_demo_set_and_keeps_everyone_else(capsys, client_link):
    run(capsys, trainers=3, clients=2, days=7)
    run(capsys, small=True)

    out, err = run(capsys, trainers=1, clients=2, days=7, reset=True)

    # 3 trainers with 2 clients each, then the --small set's 2 trainers, 8 clients, 1 staff.
    assert "--reset: deleting 20 earlier demo account(s)" in err
    assert "seed_demo --reset: deleted 20 demo account(s)." in out
    assert sorted(User.objects.filter(role="trainer").values_list("email", flat=True)) == [
        "tess@example.com",
        "trainer0001@demo.fitbud.dev",
    ]
    assert Client.objects.count() == 3  # Cleo and the two new demo clients
    assert Client.objects.filter(pk=client_link.pk).exists()
    assert not ActivityEvent.objects.exclude(
        trainer__email__in=["tess@example.com", "trainer0001@demo.fitbud.dev"]
    ).exists()
    assert "Also in the database" not in out


def test_if_empty_on_a_database_with_the_demo_accounts_shows_how_to_log_in(capsys):
    run(capsys, small=True)

    out, _ = run(capsys, small=True, if_empty=True, base_url="http://localhost:8005")

    assert "Demo data already present: nothing created, nothing changed." in out
    assert "trainer@fitbud.dev" in out and "client@fitbud.dev" in out
    assert "admin@fitbud.dev   (http://localhost:8005/admin/)" in out


def test_if_empty_on_a_database_without_the_demo_accounts_says_how_to_add_them(capsys, trainer):
    out, _ = run(capsys, small=True, if_empty=True)

    assert "The database already has users: demo data not created" in out
    assert "seed_demo --small" in out
