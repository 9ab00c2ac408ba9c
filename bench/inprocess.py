"""Per-request cost in process: median time and SQL queries of the benchmark's reads.

    .venv/bin/python bench/inprocess.py [--scale 1] [--requests 200] [--database-url URL]

Runs against a database seeded by bench/run.py (fitbud_bench_<scale>) with production
settings and Redis db 5, through Django's test client (no HTTP server, no wrk), once with the
response cache warm and once with it off (RESPONSE_CACHE_SECONDS=0). Less sensitive to a busy
machine than the load benchmark, and it shows where the time goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = [
    ("/healthz", None),
    ("/api/v1/clients/", "trainer"),
    ("/api/v1/templates/", "trainer"),
    ("/api/v1/feed/", "trainer"),
    ("/api/v1/dashboard/", "trainer"),
    ("/api/v1/studio/dashboard/", "trainer"),
    ("/api/v1/billing/payments/summary/", "trainer"),
    ("/api/v1/me/today/", "client"),
    ("/api/v1/me/dashboard/", "client"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="Default: fitbud_bench_<scale> on 127.0.0.1.")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--key-prefix", default="fitbud-inprocess", help="+ the process id")
    args = parser.parse_args()
    database_url = args.database_url or (
        f"postgres://postgres@127.0.0.1:5432/fitbud_bench_{args.scale}"
    )
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=f"{args.key_prefix}-{os.getpid()}",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from clients.models import Client as ClientLink

    trainer = User.objects.get(email="trainer0001@demo.fitbud.dev")
    reader = (
        ClientLink.objects.filter(trainer=trainer, is_active=True)
        .select_related("user")
        .order_by("-joined_at", "-id")
        .first()
        .user
    )
    tokens = {"trainer": AccessToken.for_user(trainer), "client": AccessToken.for_user(reader)}
    http = Client()

    def measure(path: str, role: str | None) -> tuple[float, int]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"} if role else {}
        for _ in range(20):
            response = http.get(path, **headers)
            assert response.status_code == 200, (path, response.status_code)
        queries = []
        with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
            http.get(path, **headers)
        times, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            http.get(path, **headers)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        return statistics.median(times) * 1000, statistics.median(cpu) * 1000, len(queries)

    print(f"scale {args.scale}x, median of {args.requests} requests in process")
    # CPU ms: this process's CPU time per request (not PostgreSQL's or Redis's), which a
    # busy machine distorts far less than wall-clock time.
    print("| endpoint | cached ms | CPU ms | queries | uncached ms | CPU ms | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = {}
    for seconds in (60, 0):
        settings.RESPONSE_CACHE_SECONDS = seconds
        for path, role in READS:
            rows.setdefault(path, []).extend(measure(path, role))
    for path, (hit_ms, hit_cpu, hit_q, miss_ms, miss_cpu, miss_q) in rows.items():
        print(
            f"| `{path}` | {hit_ms:.2f} | {hit_cpu:.2f} | {hit_q} "
            f"| {miss_ms:.2f} | {miss_cpu:.2f} | {miss_q} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
