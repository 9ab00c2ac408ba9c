"""Before/after of each hot-path change on its own, in process (docs/performance.md).

    .venv/bin/python bench/changes.py --database-url postgres://…/fitbud_bench_1 [--runs 300]

Production settings on a database seeded by bench/run.py. Each line times the old way and
the new way of one step on the same data (median µs over --runs): rendering a page (DRF's
JSONRenderer vs fitbud.api.renderers), serializing a page (DRF field by field vs the
serializers' one-go representation), and the statements a change removed, timed as the
round trip they cost (COUNT(*) of the roster, the client link query, a second generation
bump, SAVEPOINT + RELEASE, the sessions read of a new log), then building and compiling the
roster's query with the ORM's note-count subquery or the RawSQL one, and a FilterSet built
or skipped for a request without filter parameters.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_us(run, runs: int) -> float:
    for _ in range(20):
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fitbud.settings.production",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer as DRFRenderer

    from accounts.models import User
    from clients.api.serializers import ClientSerializer
    from clients.models import Client
    from clients.selectors import client_list
    from fitbud.api.renderers import JSONRenderer
    from progress.api.serializers import WorkoutLogSerializer
    from progress.models import ExerciseSession, WorkoutLog

    trainer = User.objects.get(email="trainer0001@demo.fitbud.dev")
    link = (
        Client.objects.filter(trainer=trainer, is_active=True)
        .annotate(logs=Count("workout_logs"))
        .order_by("-logs", "id")
        .first()
    )
    clients = list(client_list(trainer=trainer)[:20])
    logs = list(WorkoutLog.objects.filter(client=link).order_by("-created_at", "-id")[:20])

    def drf_many(serializer_class, rows):
        child = serializer_class()
        return [serializers.Serializer.to_representation(child, row) for row in rows]

    def drf_model_many(rows):
        # As before: the ModelSerializer builds its fields from the model once per request,
        # then represents each row field by field.
        child = WorkoutLogSerializer()
        return [serializers.ModelSerializer.to_representation(child, row) for row in rows]

    pages = {
        "clients": ClientSerializer(clients, many=True).data,
        "workout-logs": WorkoutLogSerializer(logs, many=True).data,
    }
    rows = []
    for name, data in pages.items():
        rows.append(
            (
                f"render a {name} page (20 rows)",
                median_us(lambda d=data: DRFRenderer().render({"results": d}), args.runs),
                median_us(lambda d=data: JSONRenderer().render({"results": d}), args.runs),
            )
        )
    rows.append(
        (
            "serialize a clients page (20 rows)",
            median_us(lambda: drf_many(ClientSerializer, clients), args.runs),
            median_us(lambda: ClientSerializer(clients, many=True).data, args.runs),
        )
    )
    rows.append(
        (
            "serialize a workout-logs page (20 rows)",
            median_us(lambda: drf_model_many(logs), args.runs),
            median_us(lambda: WorkoutLogSerializer(logs, many=True).data, args.runs),
        )
    )
    studio = trainer.membership.studio_id
    rows.append(
        (
            "COUNT(*) of a one-page roster (a last page counts its rows)",
            median_us(lambda: client_list(trainer=trainer).count(), args.runs),
            0.0,
        )
    )
    rows.append(
        (
            "a client's link, read after the auth query (now in it)",
            median_us(lambda: Client.objects.filter(user_id=link.user_id).first(), args.runs),
            0.0,
        )
    )

    # The dedupe makes two bumps cost one statement now: time the statements themselves.
    table = connection.ops.quote_name("fitbud_api_tenantgeneration")

    def raw_bump():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (tenant_id, generation) VALUES (%s, %s) ON CONFLICT "
                f"(tenant_id) DO UPDATE SET generation = {table}.generation + 1",
                [studio, time.time_ns()],
            )

    def two_raw_bumps():
        with transaction.atomic():
            raw_bump()
            raw_bump()
            transaction.set_rollback(True)

    def one_raw_bump():
        with transaction.atomic():
            raw_bump()
            transaction.set_rollback(True)

    rows.append(
        (
            "bump the generation twice vs once (a write's transaction, rolled back)",
            median_us(two_raw_bumps, args.runs),
            median_us(one_raw_bump, args.runs),
        )
    )

    def with_savepoint():
        with transaction.atomic():
            with transaction.atomic():
                raw_bump()
            transaction.set_rollback(True)

    rows.append(
        (
            "an insert inside a savepoint vs without (SAVEPOINT + RELEASE)",
            median_us(with_savepoint, args.runs),
            median_us(one_raw_bump, args.runs),
        )
    )
    missing = uuid.uuid4()
    rows.append(
        (
            "read the sessions of a log just inserted (none: skipped)",
            median_us(lambda: list(ExerciseSession.objects.filter(log_id=missing)), args.runs),
            0.0,
        )
    )

    # The roster's note count: the ORM's grouped Subquery in Coalesce (before) against the
    # RawSQL COUNT clients.selectors uses now; building and compiling the page query only.
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django_filters.rest_framework import DjangoFilterBackend
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from clients.api.views import ClientViewSet
    from clients.models import ClientNote
    from clients.selectors import client_scope
    from fitbud.api.filters import FilterBackend

    def compiled(queryset):
        return queryset[:21].query.get_compiler("default").as_sql()

    def orm_notes_count():
        notes = (
            ClientNote.objects.filter(client=OuterRef("pk"))
            .order_by()
            .values("client")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return compiled(
            Client.objects.filter(client_scope(trainer, prefix=""))
            .select_related("user")
            .annotate(notes_count=Coalesce(Subquery(notes), 0))
            .order_by("-joined_at", "-id")
        )

    rows.append(
        (
            "build and compile the roster's page query (note count: ORM subquery vs RawSQL)",
            median_us(orm_notes_count, args.runs),
            median_us(lambda: compiled(client_list(trainer=trainer)), args.runs),
        )
    )
    request = Request(APIRequestFactory().get("/api/v1/clients/"))
    view = ClientViewSet(request=request, action="list", format_kwarg=None, kwargs={})
    roster = client_list(trainer=trainer)
    rows.append(
        (
            "the roster's FilterSet for a request without its parameters (built vs skipped)",
            median_us(
                lambda: DjangoFilterBackend().filter_queryset(request, roster, view), args.runs
            ),
            median_us(lambda: FilterBackend().filter_queryset(request, roster, view), args.runs),
        )
    )
    print(f"median of {args.runs} runs, µs, load average {os.getloadavg()[0]:.1f}\n")
    print("| step | before µs | after µs | saved µs |")
    print("|---|---:|---:|---:|")
    for name, before, after in rows:
        print(f"| {name} | {before:,.0f} | {after:,.0f} | {before - after:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
