"""The feed query is served by its indexes, even with a large table (PostgreSQL plans)."""

import datetime
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from clients.tests.factories import ClientFactory
from dashboard import feed
from dashboard.models import ActivityEvent
from progress.models import WorkoutLog

TRAINERS = 40
EVENTS = 20_000


@pytest.fixture
def big_feed(db):
    clients = [ClientFactory() for _ in range(TRAINERS)]
    content_type = ContentType.objects.get_for_model(WorkoutLog)
    kinds = [kind for kind, _ in ActivityEvent.Kind.choices]
    start = timezone.now() - datetime.timedelta(days=365)
    rng = random.Random(5)
    ActivityEvent.objects.bulk_create(
        (
            ActivityEvent(
                studio_id=client.studio_id,
                trainer_id=client.trainer_id,
                client=client,
                kind=rng.choice(kinds),
                summary="Cleo logged Push: 4 exercises, 45 min",
                content_type=content_type,
                object_id=str(n),
                created_at=start + datetime.timedelta(seconds=rng.randrange(365 * 86400)),
            )
            for n in range(EVENTS)
            for client in [clients[n % TRAINERS]]
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboard_activityevent")
    return clients[0]


def plan(queryset) -> str:
    # The first page exactly as the API asks for it.
    return queryset[:21].explain()


@pytest.mark.postgres
def test_every_feed_query_is_served_by_an_index(big_feed):
    trainer_feed = feed.feed_list(user=big_feed.trainer)
    newest = trainer_feed[0]

    page = plan(trainer_feed)
    polling = plan(trainer_feed.filter(id__gt=newest.id - 100))
    by_client = plan(trainer_feed.filter(client=big_feed))
    by_kind = plan(trainer_feed.filter(kind="meal.logged"))

    # The index hands rows over already in feed order: no sort of the trainer's events.
    assert "Index Scan using dashboard_feed_idx" in page, page
    assert "Sort" not in page, page
    assert "dashboard_feed_idx" in polling, polling
    for text in (by_client, by_kind):
        assert "Seq Scan on dashboard_activityevent" not in text, text
        assert "dashboard_feed_" in text, text
