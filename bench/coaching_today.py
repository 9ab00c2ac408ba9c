"""me/today/ and me/dashboard/ for a client with 5 habits and a weekly check-in form, against
the same client without them: uncached median / p95 time and SQL queries, in process.

    .venv/bin/python bench/coaching_today.py \
        [--database-url postgres://postgres@127.0.0.1:5432/fitbud_h_ic_bench] [--requests 200]

The database is dropped and re-created (a scratch one: never point this at real data).
Both clients get the same history (workout and diet plans, a year of workouts and meals,
52 reviewed check-ins, a subscription); the coached one also has 5 habits (3 daily, one
numeric, one weekly) checked over 90 days and a live weekly form with 12 weekly responses.
The response cache is off (RESPONSE_CACHE_SECONDS=0): every request runs its queries.
Django's test client, no HTTP server (bench/inprocess.py's method).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from automations_sweep import recreate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/fitbud_h_ic_bench"
    )
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    recreate(args.database_url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.local",
        DEBUG="false",
        DATABASE_URL=args.database_url,
        CACHE_URL="locmemcache://",
        RESPONSE_CACHE_SECONDS="0",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from rest_framework_simplejwt.tokens import AccessToken

    call_command("migrate", verbosity=0)

    from accounts.tests.factories import TrainerFactory
    from billing.tests.factories import SubscriptionFactory
    from clients.tests.factories import ClientFactory
    from coaching.models import FormResponse, Habit, HabitCheck
    from coaching.tests.factories import FormAssignmentFactory
    from plans.models import PlanKind
    from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
    from progress.models import CheckIn, MealLog, WorkoutLog

    trainer = TrainerFactory(timezone="Europe/Berlin")
    plain = ClientFactory(trainer=trainer, user__timezone="Europe/Berlin")
    coached = ClientFactory(trainer=trainer, user__timezone="Europe/Berlin")
    today = coached.user.local_today()
    start = today - dt.timedelta(days=365)
    for client in (plain, coached):
        for kind in (PlanKind.WORKOUT, PlanKind.DIET):
            template = PlanTemplateFactory(trainer=trainer, kind=kind)
            PlanAssignmentFactory(client=client, template=template, start_date=start)
        days = [today - dt.timedelta(days=n) for n in range(365)]
        WorkoutLog.objects.bulk_create(WorkoutLog(client=client, date=day) for day in days)
        MealLog.objects.bulk_create(
            MealLog(client=client, date=day, meal=meal) for day in days for meal in ("B", "L")
        )
        CheckIn.objects.bulk_create(
            CheckIn(
                client=client,
                date=today - dt.timedelta(weeks=n + 1),
                week_start=today - dt.timedelta(weeks=n + 1, days=today.weekday()),
                feedback="ok",
                reviewed_at=dt.datetime.now(dt.UTC),
            )
            for n in range(52)
        )
        SubscriptionFactory(client=client)
    habits = Habit.objects.bulk_create(
        Habit(
            client=coached, title=title, frequency=freq, target=target, goal=goal, start_date=start
        )
        for title, freq, target, goal in (
            ("Walk", "daily", 1, None),
            ("Water", "daily", 1, 8),
            ("Sleep 8h", "daily", 1, None),
            ("Stretch", "daily", 1, None),
            ("Yoga", "weekly", 3, None),
        )
    )
    HabitCheck.objects.bulk_create(
        HabitCheck(habit=h, client=coached, date=today - dt.timedelta(days=n), value=h.goal)
        for h in habits
        for n in range(90)
        if h.frequency == "daily" or n % 2 == 0
    )
    assignment = FormAssignmentFactory(client=coached, kind="weekly")
    monday = today - dt.timedelta(days=today.weekday())
    FormResponse.objects.bulk_create(
        FormResponse(
            client=coached,
            assignment=assignment,
            form_version=assignment.form_version,
            date=monday - dt.timedelta(weeks=n),
            week_start=monday - dt.timedelta(weeks=n),
            answers=[],
        )
        for n in range(1, 13)
    )
    http = HttpClient()

    def measure(path: str, user) -> tuple[float, float, int]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}
        for _ in range(20):
            assert http.get(path, **headers).status_code == 200
        queries: list[str] = []
        with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
            http.get(path, **headers)
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            http.get(path, **headers)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return statistics.median(times), times[round(0.95 * (len(times) - 1))], len(queries)

    print(f"uncached, {args.requests} requests each, {connection.vendor}")
    print(
        "| endpoint | without: median / p95 ms, queries | 5 habits + form: median / p95 ms, queries |"
    )
    print("|---|---|---|")
    for path in ("/api/v1/me/today/", "/api/v1/me/dashboard/"):
        a, b = measure(path, plain.user), measure(path, coached.user)
        print(f"| `{path}` | {a[0]:.1f} / {a[1]:.1f}, {a[2]} | {b[0]:.1f} / {b[1]:.1f}, {b[2]} |")


if __name__ == "__main__":
    main()
