"""Email off the request path: p50/p95 of POST invites/ and POST workout-logs/ with a fast
and a slow (2 s) mail server, with and without a broker; and the enqueue cost per request.

    .venv/bin/python bench/background.py [--requests 100] [--smtp-ms 2000]
        [--broker redis://127.0.0.1:6379/12] [--database-url postgres://...]

In process (Django's test client, local settings, throttles off). "inline" is the embedded
default (no broker: the task runs eagerly in the request's thread after commit, as email
did before it moved to Celery). "broker" publishes to Redis (keys prefixed
`celery-bench-<random>:`, deleted at the end) and a Celery worker thread in this process
sends the mail through a fake server that takes --smtp-ms per email. "noop publish" is
the broker mode with the publish replaced by nothing, so broker minus noop is what the
enqueue costs a request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SlowBackend:
    """Stands in for an SMTP server that takes a while to accept each message."""

    delay = 0.0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(self.delay)
        return len(messages)


def p(values: list[float], q: str) -> float:
    return statistics.median(values) if q == "p50" else statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--smtp-ms", type=int, default=2000)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    database = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bg-bench.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.local",
        DEBUG="false",
        DATABASE_URL=database,
        CACHE_URL="locmemcache://",
        RESPONSE_CACHE_SECONDS="0",
        THROTTLE_INVITE_TRAINER="100000000/min",
        THROTTLE_INVITE_RECIPIENT="100000000/min",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    import redis
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.models import EmailDelivery
    from clients.tests.factories import ClientFactory
    from fitbud import background
    from fitbud.celery import app

    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "__main__.SlowBackend"
    link = ClientFactory(user__email=f"bench-{uuid.uuid4().hex[:6]}@example.com")

    def api(user) -> Client:
        token = RefreshToken.for_user(user).access_token
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    trainer_api, client_api = api(link.trainer), api(link.user)
    day = timezone.localdate().isoformat()
    workout = {
        "date": day,
        "exercises": [{"name": "Squat", "sets": [{"reps": 5, "weight_kg": 80, "done": True}]}],
    }
    counter = iter(range(10**9))

    def run(label: str) -> dict[str, list[float]]:
        timings: dict[str, list[float]] = {"invites": [], "workout-logs": []}
        for _ in range(args.requests):
            n = next(counter)
            for name, call in (
                (
                    "invites",
                    lambda n=n: trainer_api.post(
                        "/api/v1/invites/",
                        {"email": f"i{n}-{uuid.uuid4().hex[:6]}@example.com", "full_name": "I"},
                        content_type="application/json",
                    ),
                ),
                (
                    "workout-logs",
                    lambda: client_api.post(
                        "/api/v1/workout-logs/", workout, content_type="application/json"
                    ),
                ),
            ):
                started = time.perf_counter()
                response = call()
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 201, (label, response.content)
        return timings

    rows = []

    def record(mode: str, smtp_ms: int, timings):
        for name, values in timings.items():
            rows.append((name, mode, smtp_ms, p(values, "p50"), p(values, "p95")))

    # Warm up (imports, first queries).
    SlowBackend.delay = 0
    run("warm-up")

    # The embedded default: no broker, eager in the request thread.
    for smtp_ms in (0, args.smtp_ms):
        SlowBackend.delay = smtp_ms / 1000
        record("inline (no broker)", smtp_ms, run("inline"))

    prefix = f"celery-bench-{uuid.uuid4().hex[:8]}:"
    app.conf.update(
        broker_url=args.broker,
        task_always_eager=False,
        broker_transport_options={"global_keyprefix": prefix, "socket_connect_timeout": 2},
    )
    app._pool = None
    app.amqp._producer_pool = None
    settings.CELERY_BROKER_URL = args.broker
    publish_ms: list[float] = []
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            for smtp_ms in (0, args.smtp_ms):
                SlowBackend.delay = smtp_ms / 1000
                record("broker + worker", smtp_ms, run("broker"))
            # The enqueue alone: publishing one task to Redis.
            from dashboard.tasks import events_sweep_task

            for _ in range(args.requests * 2):
                started = time.perf_counter()
                events_sweep_task.apply_async(countdown=3600)
                publish_ms.append((time.perf_counter() - started) * 1000)
            real_publish = background._publish
            background._publish = lambda task, kwargs: None
            try:
                record("broker, publish = no-op", 0, run("noop"))
            finally:
                background._publish = real_publish
            SlowBackend.delay = 0
    finally:
        client = redis.Redis.from_url(args.broker)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)

    print(f"{args.requests} requests per row; database {database.split('://')[0]}")
    print("| endpoint | mode | SMTP ms | p50 ms | p95 ms |")
    print("|---|---|---:|---:|---:|")
    for name, mode, smtp_ms, p50, p95 in rows:
        print(f"| POST {name}/ | {mode} | {smtp_ms} | {p50:.1f} | {p95:.1f} |")
    print(
        f"\napply_async to Redis alone: median {statistics.median(publish_ms):.2f} ms, "
        f"p95 {p(publish_ms, 'p95'):.2f} ms ({len(publish_ms)} publishes)"
    )
    sent = EmailDelivery.objects.filter(status="sent").count()
    print(f"emails sent so far: {sent} of {EmailDelivery.objects.count()} recorded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
