"""One automation sweep over 10x-like data: 2,000 active clients in 20 studios, each
trainer with three schedule rules (no_workout 3 days, check-in reminder, subscription
ending), clients across six timezones with workouts, check-ins and subscriptions.

    .venv/bin/python bench/automations_sweep.py \
        [--database-url postgres://postgres@127.0.0.1:5432/fitbud_h_au_bench] [--clients 2000]

The database is dropped and re-created (a scratch one: never point this at real data).
Rows are bulk-inserted. It times the first sweep (many rules due: every firing is a
transaction with its run row and spine event) and a second one (steady state: everything
due has fired, each rule is evaluated and finds nothing new), against the beat interval
(AUTOMATION sweep every 15 minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "America/Sao_Paulo",
]


def recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/fitbud_h_au_bench"
    )
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--studios", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    recreate(args.database_url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.local",
        DEBUG="false",
        DATABASE_URL=args.database_url,
        CACHE_URL="locmemcache://",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User, studio_create_solo
    from billing.models import Subscription, SubscriptionPlan
    from clients.models import Client
    from coaching.services import automations as services
    from progress.models import CheckIn, WorkoutLog

    call_command("migrate", verbosity=0)
    rng = random.Random(18)
    now = timezone.now()
    today = now.date()
    started = time.monotonic()
    with transaction.atomic():
        trainers = []
        for i in range(args.studios):
            trainer = User.objects.create_user(
                f"bench-trainer{i}@example.com", None, full_name=f"Trainer {i}", role="trainer"
            )
            if not hasattr(trainer, "membership"):
                studio_create_solo(user=trainer)
            trainers.append(User.objects.select_related("membership").get(pk=trainer.pk))
        users = User.objects.bulk_create(
            User(
                email=f"bench-client{i}@example.com",
                full_name=f"Client {i}",
                role="client",
                timezone=ZONES[i % len(ZONES)],
                password="!",
            )
            for i in range(args.clients)
        )
        clients = Client.objects.bulk_create(
            Client(
                user=user,
                trainer=trainers[i % len(trainers)],
                studio_id=trainers[i % len(trainers)].membership.studio_id,
                joined_at=now - dt.timedelta(days=90),
            )
            for i, user in enumerate(users)
        )
        logs, check_ins = [], []
        for client in clients:
            for _ in range(rng.randint(0, 8)):
                day = today - dt.timedelta(days=rng.randint(0, 30))
                logs.append(WorkoutLog(client=client, date=day, exercises=[], duration_minutes=40))
            if rng.random() < 0.6:
                day = today - dt.timedelta(days=today.weekday())
                check_ins.append(CheckIn(client=client, date=day, week_start=day))
        WorkoutLog.objects.bulk_create(logs, batch_size=2000)
        CheckIn.objects.bulk_create(check_ins, batch_size=2000)
        plans = {
            t.pk: SubscriptionPlan.objects.create(
                trainer=t,
                studio_id=t.membership.studio_id,
                name="Monthly",
                price=5000,
                currency="EUR",
                interval="month",
            )
            for t in trainers
        }
        Subscription.objects.bulk_create(
            Subscription(
                client=client,
                plan=plans[client.trainer_id],
                status="active",
                provider="test",
                provider_subscription_id=f"bench_{client.pk}",
                current_period_start=now - dt.timedelta(days=20),
                current_period_end=now + dt.timedelta(days=rng.randint(1, 30)),
                cancel_at_period_end=rng.random() < 0.2,
            )
            for client in clients
        )
        for trainer in trainers:
            for key in ("inactivity_nudge", "subscription_ending", "welcome"):
                services.automation_install(trainer=trainer, key=key)
            services.automation_create(
                trainer=trainer,
                name="Check-in reminder (Monday 00:00)",
                trigger={"type": "checkin_missing", "weekday": 0, "time": "00:00"},
                action={"type": "notify_client", "title": "Check in", "body": ""},
            )
    print(
        f"data: {len(clients)} clients, {len(logs)} workouts, {len(check_ins)} check-ins, "
        f"{args.studios} studios x 4 rules; built in {time.monotonic() - started:.1f} s"
    )
    for label in ("first sweep (fires)", "second sweep (steady state)"):
        started = time.monotonic()
        fired = services.automations_sweep()
        took = time.monotonic() - started
        print(f"{label}: {fired} firings in {took:.2f} s ({took / 900 * 100:.2f}% of 15 min)")


if __name__ == "__main__":
    main()
