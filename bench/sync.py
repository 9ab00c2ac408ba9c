"""Mobile sync (docs/sync.md): a first pull of a client with a year of data, and an empty
incremental pull under 16 connections at 1x and 10x the rows of everybody else.

    .venv/bin/python bench/sync.py [--database-url postgres://postgres@127.0.0.1:5432/fitbud_h_sync_bench]
        [--requests 40] [--connections 16] [--seconds 5] [--port 8153] [--scales 1,10]

The database is dropped and re-created (a scratch one: never point this at real data).
The measured client has a year of data: 365 workout logs, 730 meal logs, 52 check-ins, 365
body stats, 2 plan assignments, 3 habits with 540 checks (~2,050 rows, plus the global
exercise library). Everybody else: `scale` x 20 clients of other studios with 90 days of
workouts and meals each (1x: ~5,400 rows; 10x: ~54,000).

1. First pull (`GET sync/`, in process through Django's test client, as
   bench/coaching_today.py): median / p95 ms over --requests, response size, and the peak
   Python heap of producing one response (tracemalloc), beside the response's size: the
   response is streamed a chunk of rows at a time, so the peak stays well below it.
2. Empty incremental pull (`GET sync/?last_pulled_at=<now>`, nothing changed):
   gunicorn with the project's gunicorn.conf.py and the main benchmark's settings (5 gthread
   workers x 2 threads, CONN_MAX_AGE=60, settings.local with DEBUG off, no response cache: a pull is never
   cached) on --port, driven by wrk (bench/wrk.lua, 2 threads, --connections keep-alive
   connections) for --seconds; median / p95 ms and requests/s, the median of --repeat runs.
   Repeated at each scale. Without wrk: --connections Python threads (they cost the server
   a good part of the CPU).
Machine load matters: on a shared machine the figures move with the neighbours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import shutil
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from automations_sweep import recreate  # noqa: E402
from run import gunicorn_server, wrk_median  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def seed_client(trainer_factory, client_factory):
    from coaching.models import Habit, HabitCheck
    from plans.models import PlanKind
    from plans.tests.factories import PlanAssignmentFactory, PlanTemplateFactory
    from progress.models import BodyStat, CheckIn, MealLog, WorkoutLog

    trainer = trainer_factory()
    client = client_factory(trainer=trainer)
    today = client.user.local_today()
    start = today - dt.timedelta(days=364)
    for kind in (PlanKind.WORKOUT, PlanKind.DIET):
        template = PlanTemplateFactory(trainer=trainer, kind=kind)
        PlanAssignmentFactory(client=client, template=template, start_date=start)
    days = [today - dt.timedelta(days=n) for n in range(365)]
    sets = [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 100, "done": True}] * 3}]
    WorkoutLog.objects.bulk_create(
        WorkoutLog(client=client, date=day, exercises=sets, effort=7) for day in days
    )
    items = [{"food": "Rice", "quantity": 200, "unit": "g", "calories": 260}]
    MealLog.objects.bulk_create(
        MealLog(client=client, date=day, meal=meal, items=items, calories=260)
        for day in days
        for meal in ("Breakfast", "Lunch")
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            client=client,
            date=today - dt.timedelta(weeks=n),
            week_start=today - dt.timedelta(weeks=n, days=today.weekday()),
            weight_kg=80,
        )
        for n in range(52)
    )
    BodyStat.objects.bulk_create(
        BodyStat(client=client, date=day, metric="weight", value=80) for day in days
    )
    habits = Habit.objects.bulk_create(
        Habit(client=client, title=t, frequency="daily", target=1, start_date=start)
        for t in ("Walk", "Stretch", "Sleep 8h")
    )
    HabitCheck.objects.bulk_create(
        HabitCheck(habit=h, client=client, date=today - dt.timedelta(days=n))
        for h in habits
        for n in range(180)
    )
    return client


def seed_others(n_clients: int, trainer_factory, client_factory) -> None:
    from progress.models import MealLog, WorkoutLog

    trainers = [trainer_factory() for _ in range(max(1, n_clients // 20))]
    today = dt.date.today()
    days = [today - dt.timedelta(days=n) for n in range(90)]
    for index in range(n_clients):
        client = client_factory(trainer=trainers[index % len(trainers)])
        WorkoutLog.objects.bulk_create(WorkoutLog(client=client, date=day) for day in days)
        MealLog.objects.bulk_create(
            MealLog(client=client, date=day, meal=m) for day in days for m in ("L", "D")
        )


def drive(port: int, path: str, token: str, *, connections: int, seconds: float) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/fitbud_h_sync_bench"
    )
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--port", type=int, default=8153)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per scale (median)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    recreate(args.database_url)
    env = {
        "DJANGO_SETTINGS_MODULE": "fitbud.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": "locmemcache://",
        "RESPONSE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "ERROR",
        # As in production (docker-compose.yml) and bench/run.py: each thread keeps its
        # connection (with 0, every request would pay a new PostgreSQL backend).
        "CONN_MAX_AGE": "60",
    }
    os.environ.update(env)
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.tests.factories import TrainerFactory
    from clients.tests.factories import ClientFactory

    call_command("migrate", verbosity=0)
    client = seed_client(TrainerFactory, ClientFactory)
    token = str(AccessToken.for_user(client.user))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    web = HttpClient()

    def first_pull() -> bytes:
        response = web.get("/api/v1/sync/", **headers)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    import json

    body = first_pull()
    rows = sum(len(t["created"]) for t in json.loads(body)["changes"].values())
    for _ in range(3):
        first_pull()
    queries: list[str] = []
    with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
        first_pull()
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        first_pull()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    first_pull()  # joined into one bytes object here: the response itself is streamed
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The peak while the server streams (chunks written as they come, not joined).
    tracemalloc.start()
    response = web.get("/api/v1/sync/", **headers)
    for _chunk in response.streaming_content:
        pass
    _, stream_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"## First pull ({connection.vendor}, in process, {args.requests} requests)")
    print(
        f"{rows} rows (incl. the global exercise library), {len(body) / 1e6:.2f} MB of JSON, "
        f"{len(queries)} queries: median {statistics.median(times):.0f} ms, "
        f"p95 {p95(times):.0f} ms; peak Python heap while streaming "
        f"{stream_peak / 1e6:.1f} MB (joining the whole body, as a test client does: "
        f"{peak / 1e6:.1f} MB)"
    )
    connection.close()

    seeded = 0
    print(f"\n## Empty incremental pull, {args.connections} connections, {args.seconds:.0f} s")
    print("| scale | other clients | median ms | p95 ms | requests/s |")
    print("|---|---|---|---|---|")
    for scale in [int(s) for s in args.scales.split(",")]:
        seed_others(20 * scale - seeded, TrainerFactory, ClientFactory)
        seeded = 20 * scale
        connection.close()
        # A pull made now: nothing of the client changes after it.
        path = f"/api/v1/sync/?last_pulled_at={int(time.time() * 1000)}"
        server = gunicorn_server(args.port, env)
        try:
            if shutil.which("wrk"):
                run = wrk_median(
                    f"http://127.0.0.1:{args.port}{path}",
                    token,
                    seconds=int(args.seconds),
                    connections=args.connections,
                    repeat=args.repeat,
                )
                assert run["errors_status"] == 0 and run["errors_socket"] == 0, run
                median_ms, p95_ms, rps = run["p50_us"] / 1000, run["p95_us"] / 1000, run["rps"]
            else:
                drive(args.port, path, token, connections=args.connections, seconds=1)
                times = drive(
                    args.port, path, token, connections=args.connections, seconds=args.seconds
                )
                median_ms, p95_ms = statistics.median(times), p95(times)
                rps = len(times) / args.seconds
        finally:
            server.terminate()
            server.wait(10)
        print(f"| {scale}x | {seeded} | {median_ms:.1f} | {p95_ms:.1f} | {rps:.0f} |")


if __name__ == "__main__":
    main()
