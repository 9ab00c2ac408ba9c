"""Password reset: median answer time for a known and an unknown address.

    .venv/bin/python bench/reset_timing.py [--requests 200] [--smtp-ms 200]
        [--broker redis://127.0.0.1:6379/12]

In process (Django's test client), local settings on a throwaway SQLite file, tasks on a
real Redis broker (keys under a random prefix, deleted at the end) with a Celery worker
thread in this process, and a fake mail server that takes --smtp-ms per email, as a slow
SMTP server would. The two medians should match: the request does no per-address work, and
the lookup, the EmailDelivery row and the send happen in the task.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SlowBackend:
    """Stands in for an SMTP server that takes a while to accept each message."""

    delay = 0.2

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(self.delay)
        return len(messages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--smtp-ms", type=int, default=200)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    database = Path(tempfile.mkdtemp()) / "reset-bench.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.local",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{database}",
        CACHE_URL="locmemcache://",
        THROTTLE_RESET_IP="1000000/min",
        THROTTLE_RESET_ACCOUNT="1000000/min",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import EmailDelivery, User

    call_command("migrate", verbosity=0)
    User.objects.create_user("known@example.com", "bench-pass-1234", full_name="Known")
    SlowBackend.delay = args.smtp_ms / 1000
    settings.EMAIL_BACKEND = "__main__.SlowBackend"

    import uuid

    import redis
    from celery.contrib.testing.worker import start_worker

    from fitbud.celery import app

    prefix = f"celery-bench-{uuid.uuid4().hex[:8]}:"
    app.conf.update(
        broker_url=args.broker,
        task_always_eager=False,
        broker_transport_options={"global_keyprefix": prefix},
    )
    worker = start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5)
    worker.__enter__()

    client = Client()
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(args.requests):
        for label, email in (("known", "known@example.com"), ("unknown", f"u{n}@example.com")):
            started = time.perf_counter()
            response = client.post(
                "/api/v1/auth/password/reset/", {"email": email}, content_type="application/json"
            )
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 202, response.content

    print(f"{args.requests} requests each, fake SMTP {args.smtp_ms} ms per email")
    for label, values in timings.items():
        print(
            f"{label:>8}: median {statistics.median(values):6.2f} ms, p95 "
            f"{statistics.quantiles(values, n=20)[-1]:6.2f} ms"
        )
    worker.__exit__(None, None, None)
    broker = redis.Redis.from_url(args.broker)
    for key in broker.scan_iter(match=f"{prefix}*", count=1000):
        broker.delete(key)
    print(f"deliveries recorded so far: {EmailDelivery.objects.count()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
