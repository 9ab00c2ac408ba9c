"""Where a hot request's time goes: cProfile through the production WSGI stack, in process.

    .venv/bin/python bench/hotpaths.py --database-url postgres://…/fitbud_bench_1 [--requests 300]

Production settings (fitbud.settings.production, Redis cache, CONN_MAX_AGE=60), a database
seeded by bench/run.py, and the WSGI application gunicorn serves (fitbud.wsgi.application,
called with a WSGI environ: every middleware, the request signals, DRF, the renderer). For
each hot path: the median wall and CPU ms per request unprofiled, then the same requests
under cProfile, summarized as cost centres (ms per request of own time, grouped by where
the code lives) and the cumulative ms of the steps a request goes through.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PATHS = [
    ("healthz", "GET", "/healthz", None, 60),
    ("clients list, cached", "GET", "/api/v1/clients/", "trainer", 60),
    ("clients list, uncached", "GET", "/api/v1/clients/", "trainer", 0),
    ("workout-logs list, uncached", "GET", "/api/v1/workout-logs/", "client", 0),
    ("POST workout-logs", "POST", "/api/v1/workout-logs/", "writer", 0),
]

# (label, substring of the file path or function), first match wins.
CENTRES = [
    ("PostgreSQL round trips (psycopg, waiting)", ("psycopg", "{method 'recv", "{method 'send")),
    ("Redis (redis-py)", ("/redis/",)),
    (
        "SQL compilation (django.db.models/sql)",
        ("django/db/models/sql", "django/db/models/expressions", "django/db/models/lookups"),
    ),
    ("ORM other (querysets, model init, backends)", ("django/db/",)),
    (
        "DRF serializers and fields",
        (
            "rest_framework/serializers",
            "rest_framework/fields",
            "rest_framework/relations",
            "rest_framework/utils/serializer_helpers",
        ),
    ),
    (
        "JSON rendering / parsing",
        (
            "json/",
            "orjson",
            "rest_framework/renderers",
            "rest_framework/parsers",
            "fitbud/api/renderers",
            "fitbud/api/parsers",
        ),
    ),
    ("JWT (simplejwt, PyJWT, hmac)", ("simplejwt", "/jwt/", "hmac", "_hashlib")),
    ("DRF views, request, negotiation, throttles", ("rest_framework/",)),
    ("django-filter", ("django_filters",)),
    (
        "Middleware (security, whitenoise, cors, sessions, csrf, auth, messages)",
        (
            "django/middleware",
            "whitenoise",
            "corsheaders",
            "django/contrib/sessions",
            "django/contrib/auth/middleware",
            "django/contrib/messages",
        ),
    ),
    (
        "Django handler, URL resolving, HTTP objects, signals",
        ("django/core", "django/urls", "django/http", "django/dispatch", "django/utils"),
    ),
    ("Celery / kombu (publishing the relay)", ("celery", "kombu", "amqp")),
    ("Project code (fitbud, apps)", (str(ROOT),)),
]
STEPS = [
    ("whole request (WSGIHandler.__call__)", "django/core/handlers/wsgi.py", "__call__"),
    ("DRF dispatch", "rest_framework/views.py", "dispatch"),
    (
        "authentication (perform_authentication)",
        "rest_framework/views.py",
        "perform_authentication",
    ),
    ("permissions", "rest_framework/views.py", "check_permissions"),
    ("throttles", "rest_framework/views.py", "check_throttles"),
    ("content negotiation", "rest_framework/views.py", "perform_content_negotiation"),
    ("filter_queryset", "rest_framework/generics.py", "filter_queryset"),
    ("paginate_queryset", "rest_framework/generics.py", "paginate_queryset"),
    ("serializer .data", "rest_framework/serializers.py", "data"),
    ("rendering (Response.rendered_content)", "rest_framework/response.py", "rendered_content"),
    ("SQL execute (all statements)", "django/db/backends/utils.py", "_execute"),
    ("transaction commit", "django/db/backends/base/base.py", "commit"),
    ("on-commit publish of the relay", "fitbud/background.py", "_publish"),
]


def centre_of(filename: str, function: str) -> str:
    where = f"{filename}:{function}"
    for label, needles in CENTRES:
        if any(needle in where for needle in needles):
            return label
    return "Python builtins and other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--json", help="Also write the figures here.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=f"fitbud-profile-{os.getpid()}",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
        # As in the benchmark: the relay is published to a broker, not run in the request.
        CELERY_BROKER_URL=args.redis_url,
        CELERY_BROKER_KEY_PREFIX=f"fitbud-profile-{os.getpid()}-",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from clients.models import Client as ClientLink
    from fitbud.wsgi import application

    def active_client(trainer_email: str) -> User:
        # The one with the most workout logs (as bench/run.py): a full first page.
        return (
            ClientLink.objects.filter(trainer__email=trainer_email, is_active=True)
            .select_related("user")
            .annotate(logs=Count("workout_logs"))
            .order_by("-logs", "id")
            .first()
            .user
        )

    trainer = User.objects.get(email="trainer0001@demo.fitbud.dev")
    tokens = {
        "trainer": str(AccessToken.for_user(trainer)),
        "client": str(AccessToken.for_user(active_client("trainer0001@demo.fitbud.dev"))),
        "writer": str(AccessToken.for_user(active_client("trainer0002@demo.fitbud.dev"))),
    }

    def call(method: str, path: str, role: str | None) -> int:
        body = b""
        if method == "POST":
            body = json.dumps(
                {
                    "id": str(uuid.uuid4()),
                    "date": date.today().isoformat(),
                    "exercises": [
                        {
                            "name": "Back squat",
                            "sets": [{"reps": 5, "weight_kg": 100, "done": True}],
                        }
                    ],
                    "duration_minutes": 45,
                    "effort": 7,
                }
            ).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT": "application/json",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        if body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(body))
        if role:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {tokens[role]}"
        status = []
        result = application(environ, lambda s, h, *a: status.append(s))
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return int(status[0].split()[0])

    out = {}
    for label, method, path, role, cache_seconds in PATHS:
        if args.only and not any(o in label for o in args.only):
            continue
        settings.RESPONSE_CACHE_SECONDS = cache_seconds
        for _ in range(30):
            assert call(method, path, role) < 300, label
        wall, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            call(method, path, role)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            call(method, path, role)
        profiler.disable()
        stats = pstats.Stats(profiler)
        centres: dict[str, float] = {}
        steps = {}
        for (filename, _line, function), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
            centre = centre_of(filename, function)
            centres[centre] = centres.get(centre, 0.0) + tt
            for step, file_part, name in STEPS:
                if filename.endswith(file_part) and function == name:
                    steps[step] = steps.get(step, 0.0) + ct
        total = sum(centres.values())
        n = args.requests
        print(f"\n### {label} (`{method} {path}`)\n")
        print(
            f"Unprofiled: median {statistics.median(wall) * 1000:.2f} ms wall, "
            f"{statistics.median(cpu) * 1000:.2f} ms CPU per request; under cProfile "
            f"{total / n * 1000:.2f} ms.\n"
        )
        print("| cost centre (own time) | ms/request | share |")
        print("|---|---:|---:|")
        for centre, seconds in sorted(centres.items(), key=lambda kv: -kv[1]):
            if seconds / n * 1000 >= 0.01:
                print(f"| {centre} | {seconds / n * 1000:.2f} | {100 * seconds / total:.0f}% |")
        print("\n| step (cumulative, under cProfile) | ms/request |")
        print("|---|---:|")
        for step, _f, _n in STEPS:
            if step in steps:
                print(f"| {step} | {steps[step] / n * 1000:.2f} |")
        top = io.StringIO()
        pstats.Stats(profiler, stream=top).sort_stats("tottime").print_stats(12)
        print("\n<details><summary>top functions by own time</summary>\n\n```")
        lines = top.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print("\n".join(lines[start : start + 13]))
        print("```\n</details>")
        out[label] = {
            "wall_ms": statistics.median(wall) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "centres_ms": {k: v / n * 1000 for k, v in centres.items()},
            "steps_ms": {k: v / n * 1000 for k, v in steps.items()},
        }
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    import redis

    client = redis.Redis.from_url(args.redis_url)
    for key in client.scan_iter(f"fitbud-profile-{os.getpid()}*"):
        client.delete(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
