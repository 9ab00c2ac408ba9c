"""API keys vs JWTs: the per-request cost of `GET clients/` authenticated each way.

    .venv/bin/python bench/api_keys.py [--requests 300] [--clients 20]

Makes a fresh PostgreSQL database (fitbud_h_key_bench, dropped and re-created), migrates
it, adds one trainer with `--clients` clients and an API key (read:clients), then times the
clients list through Django's test client (no HTTP server) with production settings and
Redis db 5: with the response cache warm and off, by JWT and by key. Prints the median
wall-clock and CPU ms per request and the SQL queries per request. The rate limit is raised
out of the way (API_KEY_RATE_LIMIT=1000000/min): its cost (one throttle-cache get and set)
is still paid on every keyed request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "fitbud_h_key_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")

    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"{args.server}/{DATABASE}",
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=f"fitbud-keys-bench-{os.getpid()}",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
        API_KEY_RATE_LIMIT="1000000/min",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from accounts.services import user_create
    from clients.models import Client as ClientLink
    from integrations.keys import api_key_create

    trainer = user_create(
        email="bench-trainer@example.com", password="bench-pass-2026", full_name="Bench Trainer"
    )
    for n in range(args.clients):
        user = User.objects.create_user(
            email=f"bench-client{n}@example.com",
            password=None,
            full_name=f"Client {n}",
            role=User.Role.CLIENT,
        )
        ClientLink.objects.create(user=user, trainer=trainer, studio=trainer.membership.studio)
    _, raw_key = api_key_create(owner=trainer, name="bench", scopes=["read:clients"])
    headers = {
        "jwt": {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(trainer)}"},
        "key": {"HTTP_AUTHORIZATION": f"Api-Key {raw_key}"},
    }
    http = Client()
    path = "/api/v1/clients/"

    def measure(how: str) -> tuple[float, float, int]:
        for _ in range(20):
            response = http.get(path, **headers[how])
            assert response.status_code == 200, response.content
        queries: list[str] = []
        with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
            http.get(path, **headers[how])
        times, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            http.get(path, **headers[how])
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        return statistics.median(times) * 1000, statistics.median(cpu) * 1000, len(queries)

    print(f"GET {path} ({args.clients} clients), median of {args.requests} requests in process")
    print("| auth | cache | ms | CPU ms | queries |")
    print("|---|---|---:|---:|---:|")
    for seconds, label in ((60, "warm"), (0, "off")):
        settings.RESPONSE_CACHE_SECONDS = seconds
        for how in ("jwt", "key"):
            ms, cpu_ms, count = measure(how)
            print(f"| {how} | {label} | {ms:.2f} | {cpu_ms:.2f} | {count} |")
    connection.close()
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
