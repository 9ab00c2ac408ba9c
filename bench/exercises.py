"""Exercise library benchmark: search over 10k private exercises and a year of history.

    .venv/bin/python bench/exercises.py --scale 1      (then --scale 10)
    .venv/bin/python bench/exercises.py --scale 1 --inprocess   (per-request cost, no HTTP)

Starts the production stack on loopback (scripts/live_server.py: a fresh PostgreSQL
database fitbud_h_ex_bench_<scale>, migrate, the small demo set, gunicorn) with the response
cache off (RESPONSE_CACHE_SECONDS=0: every read from the database), then seeds, per scale:
- 100 trainers with 100 private exercises each (10,000), plus 100 for trainer@fitbud.dev;
- 10 clients with a year of workout logs each (4 sessions a week, 5 library exercises of
  4 sets), plus a year for client@fitbud.dev (the one whose history is read).
It then drives each endpoint from 16 connections with wrk (bench/wrk.lua; without wrk,
keep-alive HTTP/1.1 from 16 Python threads, which cost the server a good part of the two
cores: pessimistic figures) and prints requests/s and p50/p95/p99 latency per endpoint.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "lift-heavy-2026"
TRAINER, CLIENT = "trainer@fitbud.dev", "client@fitbud.dev"
LIBRARY_WORKOUT = [
    "back-squat",
    "barbell-bench-press",
    "barbell-row",
    "overhead-press",
    "romanian-deadlift",
]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def seed(scale: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User, studio_create_solo
    from clients.models import Client
    from exercises.models import Exercise, Muscle
    from progress.models import ExerciseSession, WorkoutLog
    from progress.records import summarize

    rng = random.Random(scale)
    password = make_password(PASSWORD)
    library = {e.slug: e for e in Exercise.objects.filter(owner__isnull=True)}
    names = [e.name for e in library.values()]
    muscles = list(Muscle.objects.all())
    with transaction.atomic():
        trainers = User.objects.bulk_create(
            User(
                email=f"bench-trainer{n}@bench.fitbud.dev",
                full_name=f"Bench Trainer {n}",
                role=User.Role.TRAINER,
                password=password,
            )
            for n in range(100 * scale)
        )
        for trainer in trainers:  # bulk_create skips sign-up: each gets its studio of one
            studio_create_solo(user=trainer)
        owners = [*trainers, User.objects.get(email=TRAINER)]
        exercises = Exercise.objects.bulk_create(
            Exercise(
                owner=owner,
                studio_id=owner.membership.studio_id,
                name=f"{rng.choice(('Tempo', 'Paused', 'Banded', 'Slow', 'Heavy'))} "
                f"{rng.choice(names).lower()} {i}",
                slug=f"bench-{owner.pk}-{i}",
                category="strength",
                instructions="Bench cue.",
                search_text="",
            )
            for owner in owners
            for i in range(100)
        )
        for exercise in exercises:  # bulk_create skips save(): derive the search text here
            exercise.search_text = exercise.name.lower()
        Exercise.objects.bulk_update(exercises, ["search_text"], batch_size=2000)
        through = Exercise.primary_muscles.through
        through.objects.bulk_create(
            (through(exercise_id=e.pk, muscle_id=rng.choice(muscles).pk) for e in exercises),
            batch_size=5000,
        )
        log(f"{len(exercises)} private exercises for {len(owners)} trainers")

        users = User.objects.bulk_create(
            User(
                email=f"bench-client{n}@bench.fitbud.dev",
                full_name=f"Bench Client {n}",
                role=User.Role.CLIENT,
                password=password,
            )
            for n in range(10 * scale)
        )
        links = Client.objects.bulk_create(
            Client(
                user=user,
                trainer=trainers[n % len(trainers)],
                studio_id=trainers[n % len(trainers)].membership.studio_id,
            )
            for n, user in enumerate(users)
        )
        links.append(Client.objects.get(user__email=CLIENT))
        WorkoutLog.objects.filter(client=links[-1]).delete()
        today = timezone.localdate()
        logs, sessions = [], []
        for link in links:
            for day in range(365):
                if day % 7 in (1, 3, 5):  # not every day: ~4 sessions a week
                    continue
                weight = 40 + day % 60
                log_ = WorkoutLog(
                    client=link,
                    date=today - timedelta(days=day),
                    exercises=[
                        {
                            "name": library[slug].name,
                            "exercise": library[slug].pk,
                            "sets": [
                                {"reps": rng.randint(3, 12), "weight_kg": weight, "done": True}
                                for _ in range(4)
                            ],
                        }
                        for slug in LIBRARY_WORKOUT
                    ],
                )
                logs.append(log_)
        WorkoutLog.objects.bulk_create(logs, batch_size=2000)
        for log_ in logs:
            for exercise_id, s in summarize(log_.exercises).items():
                sessions.append(
                    ExerciseSession(
                        log=log_,
                        client=log_.client,
                        exercise_id=exercise_id,
                        date=log_.date,
                        top_reps=s.top_reps,
                        top_weight_kg=s.top_weight_kg,
                        volume_kg=s.volume_kg,
                        e1rm_kg=s.e1rm_kg,
                        set_count=s.set_count,
                        rep_bests=s.rep_bests,
                    )
                )
        ExerciseSession.objects.bulk_create(sessions, batch_size=5000)
        log(f"{len(logs)} workout logs, {len(sessions)} sessions for {len(links)} clients")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"squat": library["back-squat"].pk}


def request(conn: http.client.HTTPConnection, path: str, token: str) -> int:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    response.read()
    return response.status


def load(base: str, path: str, token: str, *, seconds: float, connections: int) -> dict:
    if shutil.which("wrk"):
        # wrk (bench/wrk.lua) as bench/run.py: a Python load generator on the same two
        # cores takes a good part of the CPU the server would have.
        sys.path.insert(0, str(ROOT / "bench"))
        from run import wrk

        result = wrk(
            base + path,
            seconds=max(1, round(seconds)),
            connections=connections,
            threads=2,
            env={"BENCH_METHOD": "GET", "BENCH_TOKEN": token},
        )
        return {
            "rps": result["rps"],
            "p50": result["p50_us"] / 1000,
            "p95": result["p95_us"] / 1000,
            "p99": result["p99_us"] / 1000,
            "errors": result["errors_status"] + result["errors_socket"],
        }
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            status = request(conn, path, token)
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "errors": errors[0],
    }


def login(base: str, email: str) -> str:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    body = json.dumps({"email": email, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["access"]


def inside(args) -> int:
    ids = seed(args.scale)
    base = os.environ["LIVE_URL"]
    trainer, client = login(base, TRAINER), login(base, CLIENT)
    squat = ids["squat"]
    endpoints = [
        ("search, substring", "/api/v1/exercises/?search=bench", trainer),
        ("search, typo", "/api/v1/exercises/?search=romanain%20deadlift", trainer),
        ("list, muscle filter", "/api/v1/exercises/?muscle=quads", trainer),
        ("history (client)", f"/api/v1/exercises/{squat}/history/", client),
        ("records (client)", "/api/v1/me/records/", client),
    ]
    lines = [
        f"scale {args.scale}x: {10_000 * args.scale + 100} private exercises, "
        f"{10 * args.scale + 1} clients with a year of logs; {args.connections} connections, "
        f"median of {args.repeat} runs of {args.duration}s, response cache off",
        "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, path, token in endpoints:
        load(base, path, token, seconds=1, connections=args.connections)  # warm up
        runs = [
            load(base, path, token, seconds=args.duration, connections=args.connections)
            for _ in range(args.repeat)
        ]
        r = sorted(runs, key=lambda run: run["p95"])[len(runs) // 2]
        log(f"{name}: {r['rps']:.0f} req/s, p95 {r['p95']:.1f} ms")
        lines.append(
            f"| {name} (`{path}`) | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p99']:.1f} | {sum(run['errors'] for run in runs)} |"
        )
    print("\n".join(lines))
    return 0


def inprocess(args) -> int:
    """Sequential requests through Django's test client against the seeded database (no HTTP,
    no concurrency): the per-request cost, and its SQL queries, less sensitive to load."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        DATABASE_URL=args.database_url.format(scale=args.scale),
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        RESPONSE_CACHE_SECONDS="0",
        CONN_MAX_AGE="60",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from exercises.models import Exercise

    squat = Exercise.objects.get(owner__isnull=True, slug="back-squat").pk
    tokens = {
        role: str(AccessToken.for_user(User.objects.get(email=email)))
        for role, email in (("trainer", TRAINER), ("client", CLIENT))
    }
    endpoints = [
        ("search, substring", "/api/v1/exercises/?search=bench", "trainer"),
        ("search, typo", "/api/v1/exercises/?search=romanain%20deadlift", "trainer"),
        ("list, muscle filter", "/api/v1/exercises/?muscle=quads", "trainer"),
        ("history (client)", f"/api/v1/exercises/{squat}/history/", "client"),
        ("records (client)", "/api/v1/me/records/", "client"),
    ]
    print(f"in process, scale {args.scale}x, {args.requests} sequential requests each")
    print("| endpoint | median ms | p95 ms | queries |\n|---|---:|---:|---:|")
    for name, path, role in endpoints:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        assert client.get(path).status_code == 200, path
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        cuts = statistics.quantiles(times, n=100)
        print(f"| {name} | {statistics.median(times):.1f} | {cuts[94]:.1f} | {len(queries)} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--inprocess",
        action="store_true",
        help="Only per-request cost in process, on the database an earlier run seeded.",
    )
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/fitbud_h_ex_bench_{scale}",
        help="{scale} is replaced by the scale.",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inprocess:
        return inprocess(args)
    if args.inside:
        sys.path.insert(0, str(ROOT))
        os.environ.update(
            DJANGO_SETTINGS_MODULE="fitbud.settings.production",
            DATABASE_URL=os.environ["LIVE_DATABASE_URL"],
            SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
        )
        return inside(args)
    db = args.database_url.format(scale=args.scale)
    env = {
        **os.environ,
        "RESPONSE_CACHE_SECONDS": "0",
        "THROTTLE_LOGIN_IP": "1000000/min",
        "THROTTLE_LOGIN_ACCOUNT": "1000000/min",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    (ROOT / "artifacts").mkdir(exist_ok=True)
    command = [
        sys.executable,
        "scripts/live_server.py",
        "--quiet",
        "--server-log",
        str(ROOT / "artifacts" / f"bench-exercises-{args.scale}.log"),
        "--port",
        str(args.port),
        "--stream-port",
        str(args.port + 1),
        "--database-url",
        db,
        "--redis-url",
        args.redis_url,
        "--workers",
        str(args.workers),
        "--threads",
        "2",
        "--conn-max-age",
        "60",
        "--",
        sys.executable,
        "bench/exercises.py",
        "--inside",
        *sys.argv[1:],
    ]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
