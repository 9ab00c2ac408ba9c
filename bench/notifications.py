"""notifications/, unread-count, devices/ and preferences for one user whose centre holds
200 (1x) or 2,000 (10x) notifications, plus the cost of making one notification with its
push deliveries (the consumer's work per event and recipient): uncached median / p95 time
and SQL queries, in process.

    .venv/bin/python bench/notifications.py \
        [--database-url postgres://postgres@127.0.0.1:5432/fitbud_h_ntf_bench] [--requests 200]

The database is dropped and re-created (a scratch one: never point this at real data).
Response cache off; pushes go to the test provider (eager, in process). Django's test
client, no HTTP server (bench/inprocess.py's method).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from automations_sweep import recreate  # noqa: E402


def _stats(times: list[float]) -> tuple[float, float]:
    times.sort()
    return statistics.median(times), times[round(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/fitbud_h_ntf_bench"
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
        PUSH_PROVIDER="test",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client as HttpClient
    from rest_framework_simplejwt.tokens import AccessToken

    call_command("migrate", verbosity=0)

    from clients.tests.factories import ClientFactory
    from notifications.models import Device, Notification
    from notifications.push import test as test_provider
    from notifications.services import notification_create

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
        return (*_stats(times), len(queries))

    print(f"uncached, {args.requests} requests each, {connection.vendor}")
    print("| endpoint | 1x (200 notifications) | 10x (2,000) |")
    print("|---|---|---|")
    users = []
    for scale in (1, 10):
        user = ClientFactory().user
        Notification.objects.bulk_create(
            Notification(user=user, kind="message", title=f"N{n}", body="Hello", data={"n": n})
            for n in range(200 * scale)
        )
        Device.objects.bulk_create(
            Device(user=user, platform="android", token=f"fcm-bench-{scale}-{n}") for n in range(3)
        )
        users.append(user)
    paths = [
        "/api/v1/notifications/",
        "/api/v1/notifications/?unread=true",
        "/api/v1/notifications/unread-count/",
        "/api/v1/devices/",
        "/api/v1/notifications/preferences/",
    ]
    for path in paths:
        cells = [measure(path, user) for user in users]
        print(
            f"| `{path}` | "
            + " | ".join(f"{a:.1f} / {b:.1f} ms, {q} q" for a, b, q in cells)
            + " |"
        )

    # One notification + 3 deliveries, committed, sends run eagerly after commit.
    user = users[0]
    made, sent = [], []
    for n in range(args.requests):
        started = time.perf_counter()
        with transaction.atomic():
            notification_create(user=user, kind="message", title="x", event_id=10_000_000 + n)
            made.append((time.perf_counter() - started) * 1000)
        sent.append((time.perf_counter() - started) * 1000)
    a, b = _stats(made)
    c, d = _stats(sent)
    print(f"\nnotification + 3 push deliveries in the event's transaction: {a:.1f} / {b:.1f} ms")
    print(f"... plus their 3 sends (test provider) after commit: {c:.1f} / {d:.1f} ms")
    print(f"pushes in the outbox: {len(test_provider.outbox)}")


if __name__ == "__main__":
    main()
